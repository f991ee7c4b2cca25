/* The index rows that move on nearly every transition, kept in memory
 * (format 5): an officer's inbox (IX_OFFICER), a role pool (IX_POOL) and
 * the SLA timers (IX_TIMER). In format 4 they were keys of the unnamed
 * database, and a transition's commit rewrote their leaves (and the
 * branches above them) beside the journal's tail and the case. They are
 * a pure function of the cases in flight, so nothing is lost by not
 * writing them: store_hot_load rebuilds them when the store opens from
 * the cases the persisted state rows ('S' open and waiting) name.
 *
 * The rows are the same bytes as format 4's keys, in one sorted array of
 * pointers. A write transaction's changes apply at once (its own reads
 * see them) and are logged; an abort undoes the log back to where the
 * transaction began, the outermost commit forgets it. One writer, no
 * threads (the broker's loop), as for the rest of the store. */
#include <stdlib.h>

#include "store_internal.h"

typedef struct {
    uint16_t len;
    uint8_t key[];
} hot_row_t;

typedef enum { UNDO_INSERT, UNDO_DELETE, UNDO_REPLACE } undo_kind_t;

typedef struct {
    hot_row_t *row; /* inserted: it; deleted or replaced: the old one */
    undo_kind_t kind;
    size_t at; /* replaced: where (undone last in first out, so still there) */
} hot_undo_t;

struct store_hot {
    hot_row_t **v; /* sorted by key, memcmp then length */
    size_t n, cap;
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
    for (size_t i = 0; i < h->n; i++)
        free(h->v[i]);
    h->n = 0;
}

void store_hot_free(store_hot_t **h)
{
    if (!h || !*h)
        return;
    store_hot_clear(*h);
    free((*h)->v);
    free((*h)->log);
    free(*h);
    *h = NULL;
}

static int cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c ? c : (alen > blen) - (alen < blen);
}

size_t store_hot_seek(const store_hot_t *h, const uint8_t *key, size_t len)
{
    size_t lo = 0, hi = h->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp(h->v[mid]->key, h->v[mid]->len, key, len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

bool store_hot_at(const store_hot_t *h, size_t i, MDB_val *k)
{
    if (i >= h->n)
        return false;
    *k = store_val(h->v[i]->key, h->v[i]->len);
    return true;
}

size_t store_hot_count(const store_hot_t *h)
{
    return h->n;
}

static bool logged(store_hot_t *h, hot_row_t *row, undo_kind_t kind)
{
    if (h->nlog == h->logcap) {
        size_t cap = h->logcap ? h->logcap * 2 : 64;
        hot_undo_t *v = realloc(h->log, cap * sizeof *v);
        if (!v)
            return false;
        h->log = v;
        h->logcap = cap;
    }
    h->log[h->nlog++] = (hot_undo_t){row, kind, 0};
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

static bool place(store_hot_t *h, size_t at, hot_row_t *row)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 256;
        hot_row_t **v = realloc(h->v, cap * sizeof *v);
        if (!v)
            return false;
        h->v = v;
        h->cap = cap;
    }
    memmove(h->v + at + 1, h->v + at, (h->n - at) * sizeof *h->v);
    h->v[at] = row;
    h->n++;
    return true;
}

static hot_row_t *take(store_hot_t *h, size_t at)
{
    hot_row_t *row = h->v[at];
    memmove(h->v + at, h->v + at + 1, (h->n - at - 1) * sizeof *h->v);
    h->n--;
    return row;
}

static bool found(const store_hot_t *h, size_t at, const uint8_t *key, size_t len)
{
    return at < h->n && cmp(h->v[at]->key, h->v[at]->len, key, len) == 0;
}

sertel_err_t store_hot_put(store_hot_t *h, const uint8_t *key, size_t len, bool log)
{
    size_t at = store_hot_seek(h, key, len);
    if (found(h, at, key, len))
        return SERTEL_OK;
    hot_row_t *row = row_new(key, len);
    if (!row)
        return len <= ROW_MAX ? SERTEL_E_NOMEM : SERTEL_E_INVALID;
    if (!place(h, at, row)) {
        free(row);
        return SERTEL_E_NOMEM;
    }
    if (log && !logged(h, row, UNDO_INSERT)) {
        free(take(h, at));
        return SERTEL_E_NOMEM;
    }
    return SERTEL_OK;
}

sertel_err_t store_hot_del(store_hot_t *h, const uint8_t *key, size_t len, bool log)
{
    size_t at = store_hot_seek(h, key, len);
    if (!found(h, at, key, len))
        return SERTEL_OK;
    hot_row_t *row = take(h, at);
    if (!log) {
        free(row);
    } else if (!logged(h, row, UNDO_DELETE)) {
        place(h, at, row); /* the slot it left is there */
        return SERTEL_E_NOMEM;
    }
    return SERTEL_OK;
}

size_t store_hot_mark(const store_hot_t *h)
{
    return h->nlog;
}

sertel_err_t store_hot_replace(store_hot_t *h, const uint8_t *old, size_t oldlen, const uint8_t *key,
                               size_t len, bool log)
{
    size_t at = store_hot_seek(h, old, oldlen);
    if (!found(h, at, old, oldlen))
        return store_hot_put(h, key, len, log);
    hot_row_t *row = row_new(key, len);
    if (!row)
        return SERTEL_E_NOMEM;
    if (log && !logged(h, h->v[at], UNDO_REPLACE)) {
        free(row);
        return SERTEL_E_NOMEM;
    }
    if (log)
        h->log[h->nlog - 1].at = at;
    if (!log)
        free(h->v[at]);
    h->v[at] = row;
    return SERTEL_OK;
}

void store_hot_undo(store_hot_t *h, size_t mark)
{
    while (h->nlog > mark) {
        hot_undo_t u = h->log[--h->nlog];
        size_t at = u.kind == UNDO_REPLACE ? u.at : store_hot_seek(h, u.row->key, u.row->len);
        if (u.kind == UNDO_INSERT) {
            if (found(h, at, u.row->key, u.row->len))
                free(take(h, at));
        } else if (u.kind == UNDO_REPLACE) {
            free(h->v[u.at]);
            h->v[u.at] = u.row;
        } else if (!place(h, at, u.row)) {
            free(u.row); /* cannot happen: the array had room for it before */
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

/* Loading: rows appended as they come, sorted once at the end (a sorted
 * insert each would move the array once per row). */
static sertel_err_t append(store_hot_t *h, const uint8_t *key, size_t len)
{
    hot_row_t *row = row_new(key, len);
    if (!row || !place(h, h->n, row)) {
        free(row);
        return SERTEL_E_NOMEM;
    }
    return SERTEL_OK;
}

static int row_order(const void *a, const void *b)
{
    const hot_row_t *x = *(hot_row_t *const *)a, *y = *(hot_row_t *const *)b;
    return cmp(x->key, x->len, y->key, y->len);
}

static void sort_rows(store_hot_t *h)
{
    if (!h->n)
        return;
    qsort(h->v, h->n, sizeof *h->v, row_order);
    size_t o = 0;
    for (size_t i = 0; i < h->n; i++) {
        if (o && row_order(&h->v[o - 1], &h->v[i]) == 0)
            free(h->v[i]);
        else
            h->v[o++] = h->v[i];
    }
    h->n = o;
}

/* ---- start: the rows of the cases in flight */

static sertel_err_t load_state(store_txn_t *t, case_state_t st, case_t *c)
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
                e = append(t->s->hot, rows[i].key, rows[i].len);
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
    if (e == SERTEL_OK)
        e = load_state(t, CASE_OPEN, c);
    if (e == SERTEL_OK)
        e = load_state(t, CASE_WAITING, c);
    store_abort(&t);
    free(c);
    sort_rows(s->hot);
    return e;
}
