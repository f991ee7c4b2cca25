/* Format 1 -> 2, in the transaction that opens the store.
 *
 * Format 1 (Sertel up to the chained journal) kept the same "cases" and
 * "journal" databases without record heads, one database per secondary
 * index, the remembered replies whole and the statistics as aggregates.
 * The migration gives every case its head and every journal record its
 * chain hash and case link (in seq order, as if appended now), writes the
 * index rows from the cases, and drops what format 2 derives instead. */
#include <stdio.h>
#include <stdlib.h>

#include "codec.h"
#include "i18n.h"
#include "store_internal.h"

static const char *const dropped[] = {
    "case_events", "inbox_officer", "inbox_role", "by_state", "by_applicant",
    "timers",      "replies",       "stats",      "reply_times",
};

typedef struct {
    char (*ids)[CASE_ID_MAX + 1];
    size_t n, cap;
} ids_t;

static sertel_err_t collect_ids(store_txn_t *t, ids_t *ids)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(t->txn, store_dbi(t, DB_CASES), &cur);
    if (rc != 0)
        return store_map_err(rc);
    MDB_val k, v;
    sertel_err_t e = SERTEL_OK;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && e == SERTEL_OK;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size == 0 || k.mv_size > CASE_ID_MAX) {
            e = SERTEL_E_STORAGE;
            break;
        }
        if (ids->n == ids->cap) {
            size_t cap = ids->cap ? ids->cap * 2 : 256;
            void *grown = realloc(ids->ids, cap * sizeof *ids->ids);
            if (!grown) {
                e = SERTEL_E_NOMEM;
                break;
            }
            ids->ids = grown;
            ids->cap = cap;
        }
        memcpy(ids->ids[ids->n], k.mv_data, k.mv_size);
        ids->ids[ids->n++][k.mv_size] = '\0';
    }
    mdb_cursor_close(cur);
    return e;
}

/* A format-1 case (packed Case alone) rewritten with its head and rows. */
static sertel_err_t migrate_case(store_txn_t *t, const char *id, case_t *c, char *err, size_t errlen)
{
    MDB_val k = store_str(id), v;
    int rc = mdb_get(t->txn, store_dbi(t, DB_CASES), &k, &v);
    if (rc != 0)
        return store_map_err(rc);
    Sertel__Case *pb = sertel__case__unpack(NULL, v.mv_size, v.mv_data);
    char why[256] = "";
    sertel_err_t e = pb ? codec_case_from_pb(pb, c, why, sizeof why) : SERTEL_E_STORAGE;
    if (pb)
        sertel__case__free_unpacked(pb, NULL);
    if (e != SERTEL_OK) {
        diag_at(err, errlen, t->s->dir, 0, _("migration: case %s does not decode %s"), id, why);
        return SERTEL_E_STORAGE;
    }
    return store_case_put(t, NULL, c);
}

/* A format-1 journal record (packed Event alone) rewritten chained. */
static sertel_err_t migrate_event(store_txn_t *t, uint64_t seq, uint8_t prev[STORE_HASH_LEN],
                                  char *err, size_t errlen)
{
    uint8_t key[8];
    store_be64(key, seq);
    MDB_val k = store_val(key, 8), v;
    int rc = mdb_get(t->txn, store_dbi(t, DB_JOURNAL), &k, &v);
    Sertel__Event *ev = rc == 0 ? sertel__event__unpack(NULL, v.mv_size, v.mv_data) : NULL;
    if (!ev || ev->seq != seq) {
        if (ev)
            sertel__event__free_unpacked(ev, NULL);
        diag_at(err, errlen, t->s->dir, 0, _("migration: journal record %llu is missing or does not decode"),
                (unsigned long long)seq);
        return rc == MDB_MAP_FULL ? SERTEL_E_MAP_FULL : SERTEL_E_STORAGE;
    }
    uint64_t case_prev = 0;
    sertel_err_t e = ev->case_id && ev->case_id[0]
        ? store_journal_link(t, ev->case_id, seq, &case_prev) : SERTEL_OK;
    if (e == SERTEL_OK) {
        uint8_t head[JOURNAL_HEAD];
        store_be64(head + STORE_HASH_LEN, case_prev);
        e = store_put_pb_head(t, DB_JOURNAL, k, head, JOURNAL_HEAD, &ev->base, 0);
    }
    sertel__event__free_unpacked(ev, NULL);
    if (e != SERTEL_OK)
        return e;
    /* Hash what was written, exactly as an append does. */
    rc = mdb_get(t->txn, store_dbi(t, DB_JOURNAL), &k, &v);
    if (rc != 0)
        return store_map_err(rc);
    uint8_t *rec = v.mv_data;
    uint8_t hash[STORE_HASH_LEN];
    store_chain_hash(prev, seq, case_prev, rec + JOURNAL_HEAD, v.mv_size - JOURNAL_HEAD, hash);
    memcpy(prev, hash, STORE_HASH_LEN);
    uint8_t *copy = malloc(v.mv_size);
    if (!copy)
        return SERTEL_E_NOMEM;
    memcpy(copy, rec, v.mv_size);
    memcpy(copy, hash, STORE_HASH_LEN);
    MDB_val nv = store_val(copy, v.mv_size);
    rc = mdb_put(t->txn, store_dbi(t, DB_JOURNAL), &k, &nv, 0);
    free(copy);
    return store_map_err(rc);
}

static sertel_err_t drop_old(store_txn_t *t)
{
    for (size_t i = 0; i < sizeof dropped / sizeof dropped[0]; i++) {
        MDB_dbi dbi;
        int rc = mdb_dbi_open(t->txn, dropped[i], 0, &dbi);
        if (rc == MDB_NOTFOUND)
            continue;
        if (rc == 0)
            rc = mdb_drop(t->txn, dbi, 1);
        if (rc != 0)
            return store_map_err(rc);
    }
    MDB_val k = store_str("last_seq");
    int rc = mdb_del(t->txn, store_dbi(t, DB_META), &k, NULL);
    return rc == 0 || rc == MDB_NOTFOUND ? SERTEL_OK : store_map_err(rc);
}

sertel_err_t store_migrate_v1(store_txn_t *t, char *err, size_t errlen)
{
    ids_t ids = {0};
    sertel_err_t e = collect_ids(t, &ids);
    case_t *c = malloc(sizeof *c);
    if (!c)
        e = SERTEL_E_NOMEM;
    for (size_t i = 0; e == SERTEL_OK && i < ids.n; i++)
        e = migrate_case(t, ids.ids[i], c, err, errlen);
    free(c);
    free(ids.ids);
    /* Format 1 kept the last seq in meta; its journal ran 1..last_seq. */
    uint64_t last = store_meta_get(t, "last_seq");
    uint8_t prev[STORE_HASH_LEN] = {0};
    for (uint64_t seq = 1; e == SERTEL_OK && seq <= last; seq++)
        e = migrate_event(t, seq, prev, err, errlen);
    return e == SERTEL_OK ? drop_old(t) : e;
}
