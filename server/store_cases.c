/* Cases and the index rows derived from them. Every index row is a pure
 * function of the case, so an update deletes the old case's rows and
 * writes the new one's, in the same transaction as the case itself. */
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "store_internal.h"

typedef struct {
    store_db_t db;
    uint8_t key[CASE_ID_MAX + 16];
    size_t klen;
    bool dup;        /* value is the case id (dupsort) */
} index_row_t;

#define MAX_ROWS 6

static bool in_flight(const case_t *c)
{
    return c->state == CASE_OPEN || c->state == CASE_WAITING;
}

static void row(index_row_t *r, int *n, store_db_t db, const void *key, size_t klen, bool dup)
{
    r[*n].db = db;
    memcpy(r[*n].key, key, klen);
    r[*n].klen = klen;
    r[*n].dup = dup;
    (*n)++;
}

static void timer_row(index_row_t *r, int *n, int64_t at, const char *id)
{
    uint8_t key[8 + CASE_ID_MAX];
    size_t idlen = strlen(id);
    store_be64(key, (uint64_t)at);
    memcpy(key + 8, id, idlen);
    row(r, n, DB_TIMERS, key, 8 + idlen, false);
}

/* The index rows of c: who must see it, its state, its applicant, its
 * pending SLA instants. */
static int index_rows(const case_t *c, index_row_t *r)
{
    int n = 0;
    if (in_flight(c)) {
        if (c->assignee[0]) {
            row(r, &n, DB_INBOX_OFFICER, c->assignee, strlen(c->assignee), true);
        } else {
            uint8_t pool[2] = {(uint8_t)c->pool_role, (uint8_t)c->pool_quals};
            row(r, &n, DB_INBOX_ROLE, pool, 2, true);
        }
    }
    uint8_t st = (uint8_t)c->state;
    row(r, &n, DB_BY_STATE, &st, 1, true);
    if (c->app.nip[0])
        row(r, &n, DB_BY_APPLICANT, c->app.nip, strlen(c->app.nip), true);
    if (c->state == CASE_OPEN && !c->warned && c->warn_at > 0)
        timer_row(r, &n, c->warn_at, c->id);
    if (c->state == CASE_OPEN && !c->overdue && c->due_at > 0 && c->due_at != c->warn_at)
        timer_row(r, &n, c->due_at, c->id);
    return n;
}

static sertel_err_t put_rows(store_txn_t *t, const case_t *c, bool del)
{
    index_row_t rows[MAX_ROWS];
    int n = index_rows(c, rows);
    MDB_val id = store_str(c->id), empty = store_val("", 0);
    for (int i = 0; i < n; i++) {
        MDB_val k = store_val(rows[i].key, rows[i].klen);
        MDB_val *v = rows[i].dup ? &id : &empty;
        MDB_dbi dbi = store_dbi(t, rows[i].db);
        int rc = del ? mdb_del(t->txn, dbi, &k, v) : mdb_put(t->txn, dbi, &k, v, 0);
        if (rc != 0 && !(del && rc == MDB_NOTFOUND))
            return store_map_err(rc);
    }
    return SERTEL_OK;
}

sertel_err_t store_case_put(store_txn_t *t, const case_t *old, const case_t *c)
{
    sertel_err_t e = old ? put_rows(t, old, true) : SERTEL_OK;
    if (e == SERTEL_OK)
        e = put_rows(t, c, false);
    if (e != SERTEL_OK)
        return e;
    Sertel__Case pb;
    e = codec_case_to_pb(c, &pb);
    if (e == SERTEL_OK)
        e = store_put_pb(t, DB_CASES, store_str(c->id), &pb.base);
    codec_case_pb_clear(&pb);
    return e;
}

static sertel_err_t case_from_val(const MDB_val *v, case_t *out)
{
    Sertel__Case *pb = sertel__case__unpack(NULL, v->mv_size, v->mv_data);
    if (!pb)
        return SERTEL_E_STORAGE;
    char why[256];
    sertel_err_t e = codec_case_from_pb(pb, out, why, sizeof why);
    sertel__case__free_unpacked(pb, NULL);
    return e == SERTEL_OK ? SERTEL_OK : SERTEL_E_STORAGE;
}

sertel_err_t store_case_get(store_txn_t *t, const char *id, case_t *out)
{
    MDB_val k = store_str(id), v;
    int rc = mdb_get(t->txn, store_dbi(t, DB_CASES), &k, &v);
    if (rc != 0)
        return store_map_err(rc);
    return case_from_val(&v, out);
}

/* Calls fn for the case named by each value of key in a dupsort index.
 * A heap case_t keeps deep callers' stacks small. */
static sertel_err_t each_dup(store_txn_t *t, store_db_t db, MDB_val key,
                             bool (*want)(const MDB_val *k, void *), void *warg,
                             store_case_fn fn, void *arg)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(t->txn, store_dbi(t, db), &cur);
    if (rc != 0)
        return store_map_err(rc);
    case_t *c = malloc(sizeof *c);
    sertel_err_t e = c ? SERTEL_OK : SERTEL_E_NOMEM;
    MDB_val k = key, v;
    MDB_cursor_op op = want ? MDB_SET_RANGE : MDB_SET_KEY;
    MDB_cursor_op next = want ? MDB_NEXT : MDB_NEXT_DUP;
    for (rc = mdb_cursor_get(cur, &k, &v, op); e == SERTEL_OK && rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, next)) {
        if (want && !want(&k, warg))
            break;
        char id[CASE_ID_MAX + 1];
        if (v.mv_size > CASE_ID_MAX)
            continue;
        memcpy(id, v.mv_data, v.mv_size);
        id[v.mv_size] = '\0';
        e = store_case_get(t, id, c);
        if (e == SERTEL_OK && fn(c, arg))
            break;
    }
    free(c);
    mdb_cursor_close(cur);
    return e;
}

typedef struct {
    uint8_t role;
    uint8_t quals;
} pool_filter_t;

/* Keys of the role index are (role, quals); an officer sees the pools of
 * their role whose required qualifications they hold. Returns false past
 * the role's keys, which ends the walk. */
static bool pool_matches(const MDB_val *k, void *arg)
{
    const pool_filter_t *f = arg;
    const uint8_t *key = k->mv_data;
    return k->mv_size == 2 && key[0] == f->role;
}

typedef struct {
    pool_filter_t f;
    store_case_fn fn;
    void *arg;
} pool_walk_t;

static int pool_case(const case_t *c, void *arg)
{
    pool_walk_t *w = arg;
    if ((c->pool_quals & ~(unsigned)w->f.quals) != 0)
        return 0;
    return w->fn(c, w->arg);
}

sertel_err_t store_inbox(store_txn_t *t, const char *nip, role_t role, unsigned quals,
                         store_case_fn fn, void *arg)
{
    sertel_err_t e = each_dup(t, DB_INBOX_OFFICER, store_str(nip), NULL, NULL, fn, arg);
    if (e != SERTEL_OK && e != SERTEL_E_NOT_FOUND)
        return e;
    pool_walk_t w = {{(uint8_t)role, (uint8_t)quals}, fn, arg};
    uint8_t start[2] = {(uint8_t)role, 0};
    e = each_dup(t, DB_INBOX_ROLE, store_val(start, 2), pool_matches, &w.f, pool_case, &w);
    return e == SERTEL_E_NOT_FOUND ? SERTEL_OK : e;
}

sertel_err_t store_cases_by_state(store_txn_t *t, case_state_t st, store_case_fn fn, void *arg)
{
    uint8_t key = (uint8_t)st;
    return each_dup(t, DB_BY_STATE, store_val(&key, 1), NULL, NULL, fn, arg);
}

sertel_err_t store_cases_by_applicant(store_txn_t *t, const char *nip, store_case_fn fn, void *arg)
{
    return each_dup(t, DB_BY_APPLICANT, store_str(nip), NULL, NULL, fn, arg);
}

sertel_err_t store_cases_all(store_txn_t *t, store_case_fn fn, void *arg)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(t->txn, store_dbi(t, DB_CASES), &cur);
    if (rc != 0)
        return store_map_err(rc);
    case_t *c = malloc(sizeof *c);
    sertel_err_t e = c ? SERTEL_OK : SERTEL_E_NOMEM;
    MDB_val k, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); e == SERTEL_OK && rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        e = case_from_val(&v, c);
        if (e == SERTEL_OK && fn(c, arg))
            break;
    }
    free(c);
    mdb_cursor_close(cur);
    return e;
}

sertel_err_t store_timers_due(store_txn_t *t, int64_t now, store_id_fn fn, void *arg)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(t->txn, store_dbi(t, DB_TIMERS), &cur);
    if (rc != 0)
        return store_map_err(rc);
    MDB_val k, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size < 9 || k.mv_size > 8 + CASE_ID_MAX)
            continue;
        if ((int64_t)store_from_be64(k.mv_data) > now)
            break;
        char id[CASE_ID_MAX + 1];
        memcpy(id, (uint8_t *)k.mv_data + 8, k.mv_size - 8);
        id[k.mv_size - 8] = '\0';
        if (fn(id, arg))
            break;
    }
    mdb_cursor_close(cur);
    return SERTEL_OK;
}
