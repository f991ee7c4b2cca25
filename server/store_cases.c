/* Cases and the index rows derived from them. Every index row is a pure
 * function of the case, so an update writes only the rows that differ
 * between the old case and the new one, in the same transaction as the
 * case itself: the state and applicant rows in DB_INDEX under their IX_*
 * prefix, the inbox, pool and timer rows in memory (store_hot.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "codec.h"
#include "store_internal.h"

static bool in_flight(const case_t *c)
{
    return c->state == CASE_OPEN || c->state == CASE_WAITING;
}

/* prefix byte, then head (hlen bytes), then the case id. */
static void row(index_row_t *r, int *n, uint8_t prefix, const void *head, size_t hlen,
                const char *id)
{
    size_t idlen = strlen(id);
    r[*n].key[0] = prefix;
    memcpy(r[*n].key + 1, head, hlen);
    memcpy(r[*n].key + 1 + hlen, id, idlen);
    r[*n].len = 1 + hlen + idlen;
    (*n)++;
}

static void timer_row(index_row_t *r, int *n, int64_t at, const char *id)
{
    uint8_t key[8];
    store_be64(key, (uint64_t)at);
    row(r, n, IX_TIMER, key, 8, id);
}

/* The index rows of c: who must see it, its state, its applicant, its
 * pending SLA instants. */
int store_index_rows(const store_t *s, const case_t *c, index_row_t r[MAX_ROWS])
{
    int n = 0;
    if (in_flight(c)) {
        if (c->assignee[0]) {
            row(r, &n, IX_OFFICER, c->assignee, strlen(c->assignee) + 1, c->id);
        } else {
            uint8_t pool[2] = {(uint8_t)c->pool_role, (uint8_t)c->pool_quals};
            row(r, &n, IX_POOL, pool, 2, c->id);
        }
    }
    uint8_t st = (uint8_t)c->state;
    row(r, &n, IX_STATE, &st, 1, c->id);
    if (c->app.nip[0]) {
        uint8_t key[STORE_APPLICANT_KEY_MAX];
        row(r, &n, IX_APPLICANT, key, store_applicant_key(s, c->app.nip, key), c->id);
    }
    if (c->state == CASE_OPEN && !c->warned && c->warn_at > 0)
        timer_row(r, &n, c->warn_at, c->id);
    if (c->state == CASE_OPEN && !c->overdue && c->due_at > 0 && c->due_at != c->warn_at)
        timer_row(r, &n, c->due_at, c->id);
    return n;
}

static bool has_row(const index_row_t *rows, int n, const index_row_t *r)
{
    for (int i = 0; i < n; i++)
        if (rows[i].len == r->len && memcmp(rows[i].key, r->key, r->len) == 0)
            return true;
    return false;
}

/* Deletes the rows of a that b has not (or puts them, when put): the
 * hot ones in memory (store_hot.c), the others in the database. */
static sertel_err_t apply_rows(store_txn_t *t, const index_row_t *a, int na, const index_row_t *b,
                               int nb, bool put)
{
    MDB_val empty = store_val("", 0);
    for (int i = 0; i < na; i++) {
        if (has_row(b, nb, &a[i]))
            continue;
        if (t->s->hot && store_is_hot_row(a[i].key[0])) {
            sertel_err_t e = put ? store_hot_put(t->s->hot, a[i].key, a[i].len, true)
                                 : store_hot_del(t->s->hot, a[i].key, a[i].len, true);
            if (e != SERTEL_OK)
                return e;
            continue;
        }
        MDB_val k = store_val(a[i].key, a[i].len);
        int rc = put ? mdb_put(t->txn, store_dbi(t, DB_INDEX), &k, &empty, 0)
                     : mdb_del(t->txn, store_dbi(t, DB_INDEX), &k, NULL);
        if (rc != 0 && !(!put && rc == MDB_NOTFOUND))
            return store_txn_err(t, rc);
    }
    return SERTEL_OK;
}

sertel_err_t store_case_index(store_txn_t *t, const case_t *old, const case_t *c)
{
    index_row_t before[MAX_ROWS], after[MAX_ROWS];
    int nb = old ? store_index_rows(t->s, old, before) : 0, na = store_index_rows(t->s, c, after);
    sertel_err_t e = apply_rows(t, before, nb, after, na, false);
    return e == SERTEL_OK ? apply_rows(t, after, na, before, nb, true) : e;
}

/* The seq of the case's last event: in front of the record, or in its
 * head row until the next flush. */
static uint64_t case_head(store_txn_t *t, const char *id)
{
    uint8_t key[CASE_KEY_MAX];
    MDB_val k = store_val(key, store_case_key(t->s, id, key)), v;
    if (!k.mv_size || mdb_get(t->txn, store_dbi(t, DB_CASES), &k, &v) != 0)
        return 0;
    return store_case_head_of(t, id, &v);
}

static bool same_personal(const case_t *a, const case_t *b)
{
    return strcmp(a->app.nik, b->app.nik) == 0 && strcmp(a->app.email, b->app.email) == 0 &&
           strcmp(a->app.phone, b->app.phone) == 0;
}

/* The applicant's contact details, the part of a case sealed. */
static bool personal(const Sertel__Application *a)
{
    return a && ((a->nik && *a->nik) || (a->email && *a->email) || (a->phone && *a->phone));
}

sertel_err_t store_case_write(store_txn_t *t, const case_t *c, uint64_t head)
{
    Sertel__Case pb;
    sertel_err_t e = codec_case_to_pb(c, &pb);
    Sertel__Application secret = SERTEL__APPLICATION__INIT;
    char *hidden[3] = {NULL, NULL, NULL};
    uint8_t plain[NIK_LEN + EMAIL_MAX_LEN + PHONE_MAX_LEN + 16];
    size_t plen = 0;
    if (e == SERTEL_OK && personal(pb.app)) {
        if (!t->s->keyed)
            e = SERTEL_E_DENIED; /* never written in the clear */
        secret.nik = pb.app->nik;
        secret.email = pb.app->email;
        secret.phone = pb.app->phone;
        plen = protobuf_c_message_pack(&secret.base, plain);
        hidden[0] = pb.app->nik, hidden[1] = pb.app->email, hidden[2] = pb.app->phone;
        pb.app->nik = pb.app->email = pb.app->phone = (char *)"";
    }
    size_t slen = store_sealed_len(plen), n = e == SERTEL_OK ? protobuf_c_message_get_packed_size(&pb.base) : 0;
    uint8_t key[CASE_KEY_MAX];
    MDB_val k = store_val(key, store_case_key(t->s, c->id, key)), v = {CASE_HEAD + slen + n, NULL};
    if (e == SERTEL_OK && !k.mv_size)
        e = SERTEL_E_INVALID;
    int rc = e == SERTEL_OK ? mdb_put(t->txn, store_dbi(t, DB_CASES), &k, &v, MDB_RESERVE) : 0;
    if (e == SERTEL_OK && rc != 0)
        e = store_txn_err(t, rc);
    if (e == SERTEL_OK) {
        uint8_t *p = v.mv_data;
        store_be64(p, head);
        p[8] = (uint8_t)(slen >> 8);
        p[9] = (uint8_t)slen;
        store_seal(t->s, c->id, strlen(c->id), plain, plen, p + CASE_HEAD);
        protobuf_c_message_pack(&pb.base, p + CASE_HEAD + slen);
    }
    sodium_memzero(plain, sizeof plain);
    if (hidden[0] || hidden[1] || hidden[2])
        pb.app->nik = hidden[0], pb.app->email = hidden[1], pb.app->phone = hidden[2];
    codec_case_pb_clear(&pb);
    return e;
}

/* With the rows in memory (format 5) the record waits for the case's
 * event, which carries it (store_heads.c); a new case, or one whose
 * sealed part changed, is also written at once. */
sertel_err_t store_case_put(store_txn_t *t, const case_t *old, const case_t *c)
{
    sertel_err_t e = store_case_index(t, old, c);
    if (e != SERTEL_OK || !t->s->hot || !t->write)
        return e == SERTEL_OK ? store_case_write(t, c, old ? case_head(t, c->id) : 0) : e;
    /* Another case still waiting for its event: written now, with a flush. */
    if (t->s->staged_by && strcmp(t->s->staged->id, c->id) != 0)
        e = store_heads_flush(t);
    uint64_t head = old ? case_head(t, c->id) : 0, snap;
    if (e == SERTEL_OK && (!old || !same_personal(old, c))) {
        e = store_case_write(t, c, head);
        if (e == SERTEL_OK && store_head_get(t->s, c->id, &head, &snap))
            e = store_head_set(t->s, c->id, head, 0, true); /* the record is current */
    }
    return e == SERTEL_OK ? store_stage(t, c) : e;
}

sertel_err_t store_case_decode(const store_t *s, const MDB_val *k, const MDB_val *v, case_t *out,
                               char *why, size_t whylen)
{
    const uint8_t *p = v->mv_data;
    size_t slen = v->mv_size >= CASE_HEAD ? (size_t)p[8] << 8 | p[9] : 0;
    MDB_val id;
    if (!store_case_key_id(s, k, &id) || v->mv_size < CASE_HEAD || v->mv_size < CASE_HEAD + slen) {
        snprintf(why, whylen, "%s", "(too short)");
        return SERTEL_E_STORAGE;
    }
    Sertel__Case *pb = sertel__case__unpack(NULL, v->mv_size - CASE_HEAD - slen, p + CASE_HEAD + slen);
    sertel_err_t e = pb ? codec_case_from_pb(pb, out, why, whylen) : SERTEL_E_STORAGE;
    if (pb)
        sertel__case__free_unpacked(pb, NULL);
    if (e != SERTEL_OK || !slen)
        return e == SERTEL_OK ? SERTEL_OK : SERTEL_E_STORAGE;
    uint8_t plain[NIK_LEN + EMAIL_MAX_LEN + PHONE_MAX_LEN + 16];
    size_t plen;
    Sertel__Application *a = NULL;
    if (slen > sizeof plain + 64 ||
        !store_unseal(s, id.mv_data, id.mv_size, p + CASE_HEAD, slen, plain, &plen) ||
        !(a = sertel__application__unpack(NULL, plen, plain))) {
        snprintf(why, whylen, "%s", s->keyed ? "(its personal data do not open with the data key)"
                                              : "(no data key to open its personal data)");
        sodium_memzero(plain, sizeof plain);
        return s->keyed ? SERTEL_E_STORAGE : SERTEL_E_DENIED;
    }
    snprintf(out->app.nik, sizeof out->app.nik, "%s", a->nik);
    snprintf(out->app.email, sizeof out->app.email, "%s", a->email);
    snprintf(out->app.phone, sizeof out->app.phone, "%s", a->phone);
    sertel__application__free_unpacked(a, NULL);
    sodium_memzero(plain, sizeof plain);
    return SERTEL_OK;
}

#ifdef SERTEL_CASECACHE_CHECK
/* The same case as stored: both packed alike (the strings to their end,
 * not the bytes after it). */
static bool same_case(const case_t *a, const case_t *b)
{
    Sertel__Case pa, pb;
    size_t la = 0, lb = 0;
    uint8_t *ba = codec_case_to_pb(a, &pa) == SERTEL_OK ? codec_pack(&pa.base, &la) : NULL;
    codec_case_pb_clear(&pa);
    uint8_t *bb = codec_case_to_pb(b, &pb) == SERTEL_OK ? codec_pack(&pb.base, &lb) : NULL;
    codec_case_pb_clear(&pb);
    bool same = ba && bb && la == lb && memcmp(ba, bb, la) == 0;
    for (int i = 0; same && i < a->n_attachments; i++)
        same = a->attachments[i].type == b->attachments[i].type;
    free(ba);
    free(bb);
    return same;
}
#endif

/* A case from store_casecache: as the decode would have given it (checked
 * on every hit in builds with sanitizers). */
static sertel_err_t cached_as_decoded(const store_t *s, const MDB_val *k, const MDB_val *now,
                                      const case_t *c)
{
#ifdef SERTEL_CASECACHE_CHECK
    case_t *d = malloc(sizeof *d);
    char why[256];
    if (!d || store_case_decode(s, k, now, d, why, sizeof why) != SERTEL_OK || !same_case(c, d)) {
        fprintf(stderr, "store_casecache: case %s differs from its decode\n", c->id);
        abort();
    }
    free(d);
#else
    (void)s, (void)k, (void)now, (void)c;
#endif
    return SERTEL_OK;
}

/* The case under record (k, v) as it is now: the one a transition put and
 * has not written yet, or the record with its head row and snapshot.
 * plain: without the data key, all but the sealed part. */
static sertel_err_t case_now(store_txn_t *t, const MDB_val *k, const MDB_val *v, case_t *out,
                             bool plain)
{
    char id[CASE_ID_MAX + 1];
    MDB_val bare = *k;
    store_case_key_id(t->s, k, &bare);
    snprintf(id, sizeof id, "%.*s", (int)(bare.mv_size < CASE_ID_MAX ? bare.mv_size : CASE_ID_MAX),
             (const char *)bare.mv_data);
    const case_t *staged = store_staged(t, id);
    if (staged) {
        *out = *staged;
        return SERTEL_OK;
    }
    uint8_t *buf;
    MDB_val now = store_case_now(t, id, v, &buf);
    char why[256];
    sertel_err_t e = SERTEL_E_STORAGE;
    if (now.mv_data && store_casecache_get(t->s, id, &now, out))
        e = cached_as_decoded(t->s, k, &now, out);
    else if (now.mv_data)
        e = store_case_decode(t->s, k, &now, out, why, sizeof why);
    free(buf);
    if (e == SERTEL_OK || (plain && e == SERTEL_E_DENIED))
        return SERTEL_OK;
    return store_damaged(t->s, "case", id);
}

static sertel_err_t case_from_val(store_txn_t *t, const MDB_val *k, const MDB_val *v, case_t *out)
{
    return case_now(t, k, v, out, false);
}

static sertel_err_t case_read(store_txn_t *t, const char *id, case_t *out, bool plain)
{
    uint8_t key[CASE_KEY_MAX];
    MDB_val k = store_val(key, store_case_key(t->s, id, key)), v;
    int rc = k.mv_size ? mdb_get(t->txn, store_dbi(t, DB_CASES), &k, &v) : MDB_NOTFOUND;
    if (rc != 0)
        return store_txn_err(t, rc);
    return case_now(t, &k, &v, out, plain);
}

sertel_err_t store_case_get_plain(store_txn_t *t, const char *id, case_t *out)
{
    return case_read(t, id, out, true);
}

sertel_err_t store_case_get(store_txn_t *t, const char *id, case_t *out)
{
    return case_read(t, id, out, false);
}

/* The rows of one prefix, in key order, from the database or (the hot
 * rows) from memory. */
typedef struct {
    store_txn_t *t;
    MDB_cursor *cur;
    uint8_t last[ROW_MAX]; /* in memory: the row given last */
    size_t lastlen;
} rows_t;

static bool from_memory(store_txn_t *t, uint8_t prefix)
{
    return t->s->hot && store_is_hot_row(prefix);
}

static int rows_open(rows_t *r, store_txn_t *t, uint8_t prefix)
{
    *r = (rows_t){.t = t};
    return from_memory(t, prefix) ? 0 : mdb_cursor_open(t->txn, store_dbi(t, DB_INDEX), &r->cur);
}

/* The first row >= k (next: the one after the last given). */
static int rows_get(rows_t *r, MDB_val *k, bool next)
{
    MDB_val v;
    if (r->cur)
        return mdb_cursor_get(r->cur, k, &v, next ? MDB_NEXT : MDB_SET_RANGE);
    /* By key, not by position: the caller's fn may have moved rows. */
    const store_hot_t *h = r->t->s->hot;
    bool found = next ? store_hot_first(h, r->last, r->lastlen, true, k)
                      : store_hot_first(h, k->mv_data, k->mv_size, false, k);
    if (!found)
        return MDB_NOTFOUND;
    r->lastlen = k->mv_size;
    memcpy(r->last, k->mv_data, k->mv_size);
    return 0;
}

static void rows_close(rows_t *r)
{
    if (r->cur)
        mdb_cursor_close(r->cur);
}

/* Calls fn for the case named at the end of each index key that starts
 * with prefix (plen bytes; the case id follows at skip). want (may be
 * NULL) filters on the key. after (NULL or empty: from the first; only
 * where the id follows the prefix directly) starts past that case, by a
 * seek, so that a bounded search resumes where it stopped. A heap case_t
 * keeps deep callers' stacks small. fn may change the rows it walks
 * (a command that lists, then writes): the walk goes on from the key. */
static sertel_err_t each_row(store_txn_t *t, const uint8_t *prefix, size_t plen, size_t skip,
                             bool (*want)(const MDB_val *k, void *), void *warg,
                             const char *after, store_case_fn fn, void *arg)
{
    rows_t rows;
    int rc = rows_open(&rows, t, prefix[0]);
    if (rc != 0)
        return store_txn_err(t, rc);
    case_t *c = malloc(sizeof *c);
    sertel_err_t e = c ? SERTEL_OK : SERTEL_E_NOMEM;
    uint8_t seek[64 + CASE_ID_MAX];
    size_t alen = after && skip == plen && plen <= 64 ? strnlen(after, CASE_ID_MAX) : 0;
    memcpy(seek, prefix, plen);
    memcpy(seek + plen, after ? after : "", alen);
    MDB_val k = store_val(seek, plen + alen);
    for (rc = rows_get(&rows, &k, false); e == SERTEL_OK && rc == 0; rc = rows_get(&rows, &k, true)) {
        if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0)
            break;
        if (k.mv_size <= skip || k.mv_size - skip > CASE_ID_MAX) {
            e = store_damaged(t->s, "index row", "key size");
            break;
        }
        if ((want && !want(&k, warg)) || (alen && k.mv_size == plen + alen &&
                                          memcmp(k.mv_data, seek, plen + alen) == 0))
            continue;
        char id[CASE_ID_MAX + 1];
        memcpy(id, (uint8_t *)k.mv_data + skip, k.mv_size - skip);
        id[k.mv_size - skip] = '\0';
        e = store_case_get(t, id, c);
        if (e == SERTEL_E_NOT_FOUND)
            e = store_damaged(t->s, "index row without its case", id);
        if (e == SERTEL_OK && fn(c, arg))
            break;
    }
    free(c);
    rows_close(&rows);
    return e;
}

/* An officer sees the pools of their role whose required qualifications
 * they hold: keys are (IX_POOL, role, quals). */
static bool pool_matches(const MDB_val *k, void *arg)
{
    unsigned quals = *(const unsigned *)arg;
    const uint8_t *key = k->mv_data;
    return (key[2] & ~quals) == 0;
}

sertel_err_t store_inbox(store_txn_t *t, const char *nip, role_t role, unsigned quals,
                         store_case_fn fn, void *arg)
{
    uint8_t prefix[1 + NIP_LEN + 1] = {IX_OFFICER};
    size_t n = strnlen(nip, NIP_LEN);
    memcpy(prefix + 1, nip, n);
    prefix[1 + n] = '\0';
    sertel_err_t e = each_row(t, prefix, n + 2, n + 2, NULL, NULL, NULL, fn, arg);
    if (e != SERTEL_OK)
        return e;
    uint8_t pool[2] = {IX_POOL, (uint8_t)role};
    return each_row(t, pool, 2, 3, pool_matches, &quals, NULL, fn, arg);
}

sertel_err_t store_cases_by_state(store_txn_t *t, case_state_t st, const char *after,
                                  store_case_fn fn, void *arg)
{
    uint8_t prefix[2] = {IX_STATE, (uint8_t)st};
    return each_row(t, prefix, 2, 2, NULL, NULL, after, fn, arg);
}

sertel_err_t store_cases_by_applicant(store_txn_t *t, const char *nip, const char *after,
                                      store_case_fn fn, void *arg)
{
    uint8_t prefix[1 + STORE_APPLICANT_KEY_MAX] = {IX_APPLICANT};
    size_t n = store_applicant_key(t->s, nip, prefix + 1);
    return each_row(t, prefix, n + 1, n + 1, NULL, NULL, after, fn, arg);
}

/* The first case past after (NULL or empty: the first case). */
static int cases_from(store_txn_t *t, MDB_cursor *cur, const char *after, MDB_val *k, MDB_val *v)
{
    uint8_t key[CASE_KEY_MAX];
    size_t n = after && *after ? store_case_key(t->s, after, key) : 0;
    if (n == 0)
        return store_space_first(t, cur, DB_CASES, k, v);
    *k = store_val(key, n);
    int rc = mdb_cursor_get(cur, k, v, MDB_SET_RANGE);
    if (rc == 0 && k->mv_size == n && memcmp(k->mv_data, key, n) == 0)
        rc = mdb_cursor_get(cur, k, v, MDB_NEXT);
    return rc;
}

sertel_err_t store_cases_all(store_txn_t *t, const char *after, store_case_fn fn, void *arg)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(t->txn, store_dbi(t, DB_CASES), &cur);
    if (rc != 0)
        return store_txn_err(t, rc);
    case_t *c = malloc(sizeof *c);
    sertel_err_t e = c ? SERTEL_OK : SERTEL_E_NOMEM;
    MDB_val k, v, id;
    for (rc = cases_from(t, cur, after, &k, &v); e == SERTEL_OK && rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (t->s->flat && !store_case_key_id(t->s, &k, &id) && ((uint8_t *)k.mv_data)[0] != KS_CASE)
            break; /* past the cases' space */
        e = case_from_val(t, &k, &v, c);
        if (e == SERTEL_OK && fn(c, arg))
            break;
    }
    free(c);
    mdb_cursor_close(cur);
    return e;
}

sertel_err_t store_timers_due(store_txn_t *t, int64_t now, store_id_fn fn, void *arg)
{
    rows_t rows;
    int rc = rows_open(&rows, t, IX_TIMER);
    if (rc != 0)
        return store_txn_err(t, rc);
    uint8_t prefix = IX_TIMER;
    MDB_val k = store_val(&prefix, 1);
    sertel_err_t e = SERTEL_OK;
    for (rc = rows_get(&rows, &k, false); rc == 0; rc = rows_get(&rows, &k, true)) {
        const uint8_t *key = k.mv_data;
        if (key[0] != IX_TIMER)
            break;
        if (k.mv_size < 10 || k.mv_size > 9 + CASE_ID_MAX) {
            e = store_damaged(t->s, "timer row", "key size");
            break;
        }
        if ((int64_t)store_from_be64(key + 1) > now)
            break;
        char id[CASE_ID_MAX + 1];
        memcpy(id, key + 9, k.mv_size - 9);
        id[k.mv_size - 9] = '\0';
        if (fn(id, arg))
            break;
    }
    rows_close(&rows);
    return e;
}
