/* The request memory: (officer NIP, request id) -> the journal seq of the
 * last event the request made. Nothing of it is written per transition:
 * every journalled event carries its request id and its actor (the
 * sender), so the memory is folded from the journal's recent past when
 * first needed, then kept up to date as transactions commit. A request
 * that was refused journalled nothing and is not remembered: applying it
 * again is what a retry of it means.
 *
 * Two generations of open-addressing tables: entries move to the old one
 * and are dropped with it, so forgetting costs nothing per entry. An entry
 * is kept at least STORE_DEDUP_KEEP_S (a client retries within seconds)
 * and at most about twice that. */
#include <stdio.h>
#include <stdlib.h>

#include "store_internal.h"

typedef struct {
    uint64_t request_id; /* 0: empty slot */
    uint64_t seq;
    char nip[NIP_LEN + 1];
} entry_t;

typedef struct {
    entry_t *v;
    size_t cap, n; /* cap: a power of two */
    int64_t oldest, newest;
} table_t;

struct store_dedup {
    table_t cur, old;
    bool built;
};

static uint64_t hash_of(const char *nip, uint64_t rid)
{
    uint64_t h = 1469598103934665603ull ^ rid;
    for (const char *p = nip; *p; p++)
        h = (h ^ (uint8_t)*p) * 1099511628211ull;
    return (h ^ (h >> 29)) * 0xbf58476d1ce4e5b9ull;
}

static entry_t *slot(const table_t *tb, const char *nip, uint64_t rid)
{
    if (!tb->cap)
        return NULL;
    for (size_t i = hash_of(nip, rid) & (tb->cap - 1);; i = (i + 1) & (tb->cap - 1)) {
        entry_t *e = &tb->v[i];
        if (!e->request_id || (e->request_id == rid && strcmp(e->nip, nip) == 0))
            return e;
    }
}

static bool grow(table_t *tb)
{
    size_t cap = tb->cap ? tb->cap * 2 : 1024;
    entry_t *old = tb->v;
    size_t old_cap = tb->cap;
    if (!(tb->v = calloc(cap, sizeof *tb->v))) {
        tb->v = old;
        return false;
    }
    tb->cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].request_id)
            *slot(tb, old[i].nip, old[i].request_id) = old[i];
    free(old);
    return true;
}

/* A later event of the same request replaces the seq: the reply names the
 * request's last event. */
static void put(table_t *tb, const char *nip, uint64_t rid, uint64_t seq, int64_t at)
{
    if ((tb->n + 1) * 2 > tb->cap && !grow(tb))
        return; /* out of memory: this request is not remembered */
    entry_t *e = slot(tb, nip, rid);
    if (!e->request_id) {
        tb->n++;
        e->request_id = rid;
        snprintf(e->nip, sizeof e->nip, "%s", nip);
    }
    if (seq > e->seq)
        e->seq = seq;
    if (!tb->oldest || at < tb->oldest)
        tb->oldest = at;
    if (at > tb->newest)
        tb->newest = at;
}

static void table_free(table_t *tb)
{
    free(tb->v);
    memset(tb, 0, sizeof *tb);
}

void store_dedup_free(store_dedup_t **d)
{
    if (!*d)
        return;
    table_free(&(*d)->cur);
    table_free(&(*d)->old);
    free(*d);
    *d = NULL;
}

typedef struct {
    store_dedup_t *d;
    int64_t since;
} build_t;

/* The journal's recent past, newest first, until STORE_DEDUP_KEEP_S
 * before its last event. */
static sertel_err_t build(store_txn_t *t, store_dedup_t *d)
{
    uint64_t last = t->write ? t->base_seq : store_last_seq(t);
    int64_t until = INT64_MIN;
    sertel_err_t e = SERTEL_OK;
    for (uint64_t seq = last; seq > 0 && e == SERTEL_OK; seq--) {
        Sertel__Event *ev;
        e = store_journal_get(t, seq, &ev);
        if (e != SERTEL_OK)
            break;
        if (until == INT64_MIN)
            until = ev->at - STORE_DEDUP_KEEP_S;
        bool done = ev->at < until;
        if (!done && ev->request_id && ev->actor && ev->actor[0])
            put(&d->cur, ev->actor, ev->request_id, ev->seq, ev->at);
        sertel__event__free_unpacked(ev, NULL);
        if (done)
            break;
    }
    d->built = e == SERTEL_OK;
    return e;
}

static store_dedup_t *dedup_of(store_t *s)
{
    if (!s->dedup)
        s->dedup = calloc(1, sizeof *s->dedup);
    return s->dedup;
}

sertel_err_t store_dedup_find(store_txn_t *t, const char *nip, uint64_t request_id, uint64_t *seq)
{
    if (!request_id)
        return SERTEL_E_NOT_FOUND;
    /* This transaction's own requests first (a repeat in the same batch). */
    const store_pending_list_t *p = t->pending;
    for (size_t i = p ? p->n : 0; i-- > 0;)
        if (p->v[i].request_id == request_id && strcmp(p->v[i].nip, nip) == 0) {
            *seq = p->v[i].seq;
            return SERTEL_OK;
        }
    store_dedup_t *d = dedup_of(t->s);
    if (!d)
        return SERTEL_E_NOMEM;
    sertel_err_t e = d->built ? SERTEL_OK : build(t, d);
    if (e != SERTEL_OK)
        return e;
    const entry_t *x = slot(&d->cur, nip, request_id);
    if (!x || !x->request_id)
        x = slot(&d->old, nip, request_id);
    if (!x || !x->request_id)
        return SERTEL_E_NOT_FOUND;
    *seq = x->seq;
    return SERTEL_OK;
}

void store_dedup_take(store_t *s, const store_pending_t *p, size_t n)
{
    store_dedup_t *d = s->dedup;
    if (!d || !d->built)
        return; /* folded from the journal when first needed */
    for (size_t i = 0; i < n; i++)
        put(&d->cur, p[i].nip, p[i].request_id, p[i].seq, p[i].at);
}

int store_dedup_prune(store_t *s, int64_t before)
{
    store_dedup_t *d = s->dedup;
    if (!d)
        return 0;
    int n = 0;
    if (d->old.n && d->old.newest < before) {
        n = (int)d->old.n;
        table_free(&d->old);
    }
    if (!d->old.n && d->cur.n && d->cur.oldest < before) {
        table_free(&d->old);
        d->old = d->cur;
        memset(&d->cur, 0, sizeof d->cur);
    }
    return n;
}
