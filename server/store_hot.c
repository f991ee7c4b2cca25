/* The index rows that move on nearly every transition, kept in memory
 * (format 5): an officer's inbox (IX_OFFICER), a role pool (IX_POOL) and
 * the SLA timers (IX_TIMER), and the heads of cases written late
 * (store_heads.c). In format 4 the index rows were keys of the unnamed
 * database, and a transition's commit rewrote their leaves (and the
 * branches above them) beside the journal's tail and the case. They are
 * a pure function of the cases in flight, so nothing is lost by not
 * writing them: store_hot_load rebuilds them when the store opens from
 * the cases the persisted state rows ('S' open and waiting) name.
 *
 * The rows are the same bytes as format 4's keys, sorted, in blocks of
 * at most BLOCK_MAX (a block splits when full and goes when empty): a
 * row put or deleted moves at most one block's pointers and the list of
 * blocks, where one sorted array moved every row after it (with 100,000
 * cases in flight, 40% of the broker's time taking in letters). A write
 * transaction's changes apply at once (its own reads see them) and are
 * logged; an abort undoes the log back to where the transaction began,
 * the outermost commit forgets it. One writer, no threads (the broker's
 * loop), as for the rest of the store. */
#include <stdlib.h>

#include "store_internal.h"

#define BLOCK_MAX 256

typedef struct {
    uint16_t len;
    uint8_t key[];
} hot_row_t;

typedef struct {
    size_t n;
    hot_row_t *v[BLOCK_MAX];
} block_t;

/* A place among the rows: block b, row i of it (i == n: after its last). */
typedef struct {
    size_t b, i;
} pos_t;

typedef enum { UNDO_INSERT, UNDO_DELETE, UNDO_REPLACE } undo_kind_t;

typedef struct {
    hot_row_t *row;  /* inserted: it; deleted or replaced: the old one */
    hot_row_t *with; /* replaced: the row that took its place */
    undo_kind_t kind;
} hot_undo_t;

struct store_hot {
    block_t **blocks; /* in key order, none empty; rows by memcmp then length */
    size_t nb, capb, n;
    hot_undo_t *log;
    size_t nlog, logcap;
};

bool store_is_hot_row(uint8_t prefix)
{
    return prefix == IX_OFFICER || prefix == IX_POOL || prefix == IX_TIMER;
}

store_hot_t *store_hot_new(void)
{
    return calloc(1, sizeof(store_hot_t));
}

void store_hot_clear(store_hot_t *h)
{
    store_hot_settle(h);
    for (size_t b = 0; b < h->nb; b++) {
        for (size_t i = 0; i < h->blocks[b]->n; i++)
            free(h->blocks[b]->v[i]);
        free(h->blocks[b]);
    }
    h->nb = h->n = 0;
}

void store_hot_free(store_hot_t **h)
{
    if (!h || !*h)
        return;
    store_hot_clear(*h);
    free((*h)->blocks);
    free((*h)->log);
    free(*h);
    *h = NULL;
}

static int cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c ? c : (alen > blen) - (alen < blen);
}

static int row_cmp(const hot_row_t *r, const uint8_t *key, size_t len)
{
    return cmp(r->key, r->len, key, len);
}

/* The first row >= key (after: > key); {nb, 0} past the last. */
static pos_t seek(const store_hot_t *h, const uint8_t *key, size_t len, bool after)
{
    int below = after ? 1 : 0; /* a row stays left of the place while row_cmp < below */
    size_t lo = 0, hi = h->nb;
    while (lo < hi) { /* the first block whose last row is not left of it */
        size_t mid = lo + (hi - lo) / 2;
        const block_t *bk = h->blocks[mid];
        if (row_cmp(bk->v[bk->n - 1], key, len) < below)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == h->nb)
        return (pos_t){h->nb, 0};
    const block_t *bk = h->blocks[lo];
    size_t a = 0, z = bk->n;
    while (a < z) {
        size_t mid = a + (z - a) / 2;
        if (row_cmp(bk->v[mid], key, len) < below)
            a = mid + 1;
        else
            z = mid;
    }
    return (pos_t){lo, a};
}

static hot_row_t *row_at(const store_hot_t *h, pos_t p)
{
    return p.b < h->nb && p.i < h->blocks[p.b]->n ? h->blocks[p.b]->v[p.i] : NULL;
}

bool store_hot_first(const store_hot_t *h, const uint8_t *key, size_t len, bool after, MDB_val *k)
{
    const hot_row_t *row = row_at(h, seek(h, key, len, after));
    if (row)
        *k = store_val((void *)row->key, row->len);
    return row != NULL;
}

size_t store_hot_count(const store_hot_t *h)
{
    return h->n;
}

/* Room for one more of n elements of size in *v (capacity *cap),
 * doubled when full. */
static bool room(void **v, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return true;
    size_t grown = *cap ? *cap * 2 : 64;
    void *w = realloc(*v, grown * size);
    if (!w)
        return false;
    *v = w;
    *cap = grown;
    return true;
}

static bool logged(store_hot_t *h, hot_row_t *row, hot_row_t *with, undo_kind_t kind)
{
    if (!room((void **)&h->log, &h->logcap, h->nlog, sizeof *h->log))
        return false;
    h->log[h->nlog++] = (hot_undo_t){row, with, kind};
    return true;
}

static hot_row_t *row_new(const uint8_t *key, size_t len)
{
    hot_row_t *row = len <= ROW_MAX ? malloc(sizeof *row + len) : NULL;
    if (row) {
        row->len = (uint16_t)len;
        memcpy(row->key, key, len);
    }
    return row;
}

/* Room for one more block pointer, a new empty block at index b. */
static block_t *block_insert(store_hot_t *h, size_t b)
{
    if (!room((void **)&h->blocks, &h->capb, h->nb, sizeof *h->blocks))
        return NULL;
    block_t *bk = malloc(sizeof *bk);
    if (!bk)
        return NULL;
    bk->n = 0;
    memmove(h->blocks + b + 1, h->blocks + b, (h->nb - b) * sizeof *h->blocks);
    h->blocks[b] = bk;
    h->nb++;
    return bk;
}

/* Puts row at p (a place seek gave for its key). */
static bool place(store_hot_t *h, pos_t p, hot_row_t *row)
{
    if (p.b == h->nb && h->nb) /* past the last: the end of the last block */
        p = (pos_t){h->nb - 1, h->blocks[h->nb - 1]->n};
    if (!h->nb && !block_insert(h, 0))
        return false;
    block_t *bk = h->blocks[p.b];
    if (bk->n == BLOCK_MAX) { /* split: the upper half into a new block after it */
        block_t *up = block_insert(h, p.b + 1);
        if (!up)
            return false;
        up->n = BLOCK_MAX / 2;
        memcpy(up->v, bk->v + BLOCK_MAX / 2, up->n * sizeof *up->v);
        bk->n = BLOCK_MAX / 2;
        if (p.i > bk->n) {
            p.i -= bk->n;
            bk = up;
        }
    }
    memmove(bk->v + p.i + 1, bk->v + p.i, (bk->n - p.i) * sizeof *bk->v);
    bk->v[p.i] = row;
    bk->n++;
    h->n++;
    return true;
}

static hot_row_t *take(store_hot_t *h, pos_t p)
{
    block_t *bk = h->blocks[p.b];
    hot_row_t *row = bk->v[p.i];
    memmove(bk->v + p.i, bk->v + p.i + 1, (bk->n - p.i - 1) * sizeof *bk->v);
    h->n--;
    if (--bk->n == 0) {
        free(bk);
        memmove(h->blocks + p.b, h->blocks + p.b + 1, (h->nb - p.b - 1) * sizeof *h->blocks);
        h->nb--;
    }
    return row;
}

/* Where key is, or false (*p: where it would go). */
static bool find(const store_hot_t *h, const uint8_t *key, size_t len, pos_t *p)
{
    *p = seek(h, key, len, false);
    const hot_row_t *row = row_at(h, *p);
    return row && row_cmp(row, key, len) == 0;
}

sertel_err_t store_hot_put(store_hot_t *h, const uint8_t *key, size_t len, bool log)
{
    pos_t p;
    if (find(h, key, len, &p))
        return SERTEL_OK;
    hot_row_t *row = row_new(key, len);
    if (!row)
        return len <= ROW_MAX ? SERTEL_E_NOMEM : SERTEL_E_INVALID;
    if (!place(h, p, row)) {
        free(row);
        return SERTEL_E_NOMEM;
    }
    if (log && !logged(h, row, NULL, UNDO_INSERT)) {
        find(h, key, len, &p); /* a split may have moved it */
        free(take(h, p));
        return SERTEL_E_NOMEM;
    }
    return SERTEL_OK;
}

sertel_err_t store_hot_del(store_hot_t *h, const uint8_t *key, size_t len, bool log)
{
    pos_t p;
    if (!find(h, key, len, &p))
        return SERTEL_OK;
    /* Logged first: a failure leaves the row where it is. */
    if (log && !logged(h, row_at(h, p), NULL, UNDO_DELETE))
        return SERTEL_E_NOMEM;
    hot_row_t *row = take(h, p);
    if (!log)
        free(row);
    return SERTEL_OK;
}

size_t store_hot_mark(const store_hot_t *h)
{
    return h->nlog;
}

sertel_err_t store_hot_replace(store_hot_t *h, const uint8_t *old, size_t oldlen,
                               const uint8_t *key, size_t len, bool log)
{
    pos_t p;
    if (!find(h, old, oldlen, &p))
        return store_hot_put(h, key, len, log);
    hot_row_t *row = row_new(key, len);
    if (!row)
        return SERTEL_E_NOMEM;
    hot_row_t **slot = &h->blocks[p.b]->v[p.i];
    if (log && !logged(h, *slot, row, UNDO_REPLACE)) {
        free(row);
        return SERTEL_E_NOMEM;
    }
    if (!log)
        free(*slot);
    *slot = row;
    return SERTEL_OK;
}

void store_hot_undo(store_hot_t *h, size_t mark)
{
    while (h->nlog > mark) {
        hot_undo_t u = h->log[--h->nlog];
        /* Last in, first out: every later change is undone already, so a
         * row inserted or put in place is where its key says. */
        const hot_row_t *key = u.kind == UNDO_REPLACE ? u.with : u.row;
        pos_t p;
        bool there = find(h, key->key, key->len, &p);
        if (u.kind == UNDO_INSERT) {
            if (there)
                free(take(h, p));
        } else if (u.kind == UNDO_REPLACE) {
            if (there)
                h->blocks[p.b]->v[p.i] = u.row;
            free(u.with);
        } else if (!place(h, p, u.row)) {
            free(u.row); /* out of memory: the row is lost until the next start */
        }
    }
}

void store_hot_settle(store_hot_t *h)
{
    for (size_t i = 0; i < h->nlog; i++)
        if (h->log[i].kind != UNDO_INSERT)
            free(h->log[i].row);
    h->nlog = 0;
}

/* Loading: rows gathered in one array as they come, sorted once and cut
 * into full blocks at the end (a sorted insert each would search and
 * shift once per row). */
typedef struct {
    hot_row_t **v;
    size_t n, cap;
} loading_t;

static sertel_err_t append(loading_t *l, const uint8_t *key, size_t len)
{
    if (!room((void **)&l->v, &l->cap, l->n, sizeof *l->v))
        return SERTEL_E_NOMEM;
    hot_row_t *row = row_new(key, len);
    if (!row)
        return SERTEL_E_NOMEM;
    l->v[l->n++] = row;
    return SERTEL_OK;
}

static int row_order(const void *a, const void *b)
{
    const hot_row_t *x = *(hot_row_t *const *)a, *y = *(hot_row_t *const *)b;
    return cmp(x->key, x->len, y->key, y->len);
}

/* Takes h's rows (the heads loaded first) into l, leaving h empty. */
static sertel_err_t gather(store_hot_t *h, loading_t *l)
{
    sertel_err_t e = SERTEL_OK;
    for (size_t b = 0; b < h->nb; b++) {
        for (size_t i = 0; i < h->blocks[b]->n; i++) {
            hot_row_t *row = h->blocks[b]->v[i];
            if (e == SERTEL_OK)
                e = append(l, row->key, row->len);
            free(row);
        }
        free(h->blocks[b]);
    }
    h->nb = h->n = 0;
    return e;
}

/* The loaded rows and h's own, sorted and without repeats, into h's
 * blocks, each full but the last. */
static sertel_err_t settle_loaded(store_hot_t *h, loading_t *l)
{
    sertel_err_t e = gather(h, l);
    if (l->n)
        qsort(l->v, l->n, sizeof *l->v, row_order);
    block_t *bk = NULL;
    for (size_t i = 0; i < l->n; i++) {
        if (e != SERTEL_OK || (i && row_order(&l->v[i - 1], &l->v[i]) == 0)) {
            free(l->v[i]);
            continue;
        }
        if ((!bk || bk->n == BLOCK_MAX) && !(bk = block_insert(h, h->nb))) {
            e = SERTEL_E_NOMEM;
            free(l->v[i]);
            continue;
        }
        bk->v[bk->n++] = l->v[i];
        h->n++;
    }
    free(l->v);
    *l = (loading_t){0};
    return e;
}

/* ---- start: the rows of the cases in flight */

static sertel_err_t load_state(store_txn_t *t, case_state_t st, case_t *c, loading_t *l)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(t->txn, store_dbi(t, DB_INDEX), &cur);
    if (rc != 0)
        return store_txn_err(t, rc);
    uint8_t prefix[2] = {IX_STATE, (uint8_t)st};
    MDB_val k = store_val(prefix, 2), v;
    sertel_err_t e = SERTEL_OK;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); e == SERTEL_OK && rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size < 2 || memcmp(k.mv_data, prefix, 2) != 0)
            break;
        char id[CASE_ID_MAX + 1];
        if (k.mv_size - 2 > CASE_ID_MAX) {
            e = store_damaged(t->s, "state row", "key size");
            break;
        }
        memcpy(id, (uint8_t *)k.mv_data + 2, k.mv_size - 2);
        id[k.mv_size - 2] = '\0';
        e = store_case_get_plain(t, id, c);
        if (e == SERTEL_E_NOT_FOUND)
            e = store_damaged(t->s, "index row without its case", id);
        index_row_t rows[MAX_ROWS];
        int n = e == SERTEL_OK ? store_index_rows(t->s, c, rows) : 0;
        for (int i = 0; e == SERTEL_OK && i < n; i++)
            if (store_is_hot_row(rows[i].key[0]))
                e = append(l, rows[i].key, rows[i].len);
    }
    mdb_cursor_close(cur);
    return e == SERTEL_OK && rc != 0 && rc != MDB_NOTFOUND ? store_txn_err(t, rc) : e;
}

sertel_err_t store_hot_load(store_t *s)
{
    if (!s->hot && !(s->hot = store_hot_new()))
        return SERTEL_E_NOMEM;
    store_hot_clear(s->hot);
    /* The heads first: a case in flight is read as it is now. */
    sertel_err_t e = store_heads_load(s);
    store_txn_t *t = NULL;
    case_t *c = malloc(sizeof *c);
    if (e == SERTEL_OK)
        e = c ? store_begin(s, NULL, false, &t) : SERTEL_E_NOMEM;
    /* Only a case in flight has inbox, pool or timer rows. */
    loading_t l = {0};
    if (e == SERTEL_OK)
        e = load_state(t, CASE_OPEN, c, &l);
    if (e == SERTEL_OK)
        e = load_state(t, CASE_WAITING, c, &l);
    store_abort(&t);
    free(c);
    sertel_err_t settled = settle_loaded(s->hot, &l);
    return e == SERTEL_OK ? settled : e;
}
