/* The append-only journal: every event under a global sequence number
 * without gaps, indexed by case. It is the audit log and the source of
 * pushes and catch-up. */
#include <stdlib.h>

#include "codec.h"
#include "store_internal.h"

sertel_err_t store_journal_append_pb(store_txn_t *t, Sertel__Event *ev, uint64_t *seq)
{
    uint64_t next = store_last_seq(t) + 1;
    ev->seq = next;
    uint8_t key[8];
    store_be64(key, next);
    sertel_err_t e = store_put_pb(t, DB_JOURNAL, store_val(key, 8), &ev->base);
    if (e == SERTEL_OK && ev->case_id && ev->case_id[0]) {
        MDB_val k = store_str(ev->case_id), v = store_val(key, 8);
        e = store_map_err(mdb_put(t->txn, store_dbi(t, DB_CASE_EVENTS), &k, &v, 0));
    }
    if (e == SERTEL_OK)
        e = store_set_last_seq(t, next);
    if (e == SERTEL_OK && seq)
        *seq = next;
    return e;
}

sertel_err_t store_journal_append(store_txn_t *t, const event_t *ev, uint64_t *seq)
{
    codec_event_pb_t m;
    codec_event_to_pb(ev, 0, &m);
    return store_journal_append_pb(t, &m.pb, seq);
}

static sertel_err_t emit(const MDB_val *v, store_event_fn fn, void *arg, int *stop)
{
    Sertel__Event *ev = sertel__event__unpack(NULL, v->mv_size, v->mv_data);
    if (!ev)
        return SERTEL_E_STORAGE;
    *stop = fn(ev, arg);
    sertel__event__free_unpacked(ev, NULL);
    return SERTEL_OK;
}

sertel_err_t store_journal_since(store_txn_t *t, uint64_t since, store_event_fn fn, void *arg)
{
    if (since == UINT64_MAX)
        return SERTEL_OK; /* nothing comes after the last possible event */
    MDB_cursor *cur;
    int rc = mdb_cursor_open(t->txn, store_dbi(t, DB_JOURNAL), &cur);
    if (rc != 0)
        return store_map_err(rc);
    uint8_t start[8];
    store_be64(start, since + 1);
    MDB_val k = store_val(start, 8), v;
    sertel_err_t e = SERTEL_OK;
    int stop = 0;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0 && e == SERTEL_OK && !stop;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
        e = emit(&v, fn, arg, &stop);
    mdb_cursor_close(cur);
    return e;
}

sertel_err_t store_journal_of_case(store_txn_t *t, const char *case_id, store_event_fn fn, void *arg)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(t->txn, store_dbi(t, DB_CASE_EVENTS), &cur);
    if (rc != 0)
        return store_map_err(rc);
    MDB_val k = store_str(case_id), v;
    sertel_err_t e = SERTEL_OK;
    int stop = 0;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_KEY); rc == 0 && e == SERTEL_OK && !stop;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT_DUP)) {
        MDB_val ev;
        /* An index row without its event would be a broken store. */
        bool found = mdb_get(t->txn, store_dbi(t, DB_JOURNAL), &v, &ev) == 0;
        e = found ? emit(&ev, fn, arg, &stop) : SERTEL_E_STORAGE;
    }
    mdb_cursor_close(cur);
    return e;
}
