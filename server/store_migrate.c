/* Format 1 -> 2, in the transaction that opens the store.
 *
 * Format 1 (Sertel up to the chained journal) kept the same "cases" and
 * "journal" databases without record heads, one database per secondary
 * index, the remembered replies whole and the statistics as aggregates.
 * The migration gives every case its head and every journal record its
 * chain hash and case link (in seq order, as if appended now), writes the
 * index rows from the cases, and drops what format 2 derives instead.
 * Format 2 -> 3 seals the applicants' personal data (store_crypt.c) and
 * indexes applicants under the keyed hash of their NIP. Format 3 -> 4
 * moves the journal, the cases and the index rows out of their named
 * databases into the unnamed one's key spaces (store_internal.h), records
 * unchanged. Steps 1-3 run on the named databases (the store is not flat
 * yet); the move comes last. Format 4 -> 5 drops the rows kept in memory
 * since; 5 -> 6 moves the named database "applicant" (the outbox and the
 * certificate register) and meta's agenda counters into the unnamed
 * database too (KS_APPLICANT, KS_AGENDA). */
#include <errno.h>
#include <sodium.h>
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
        return store_txn_err(t, rc);
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
        return store_txn_err(t, rc);
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
        ? store_journal_link(t, ev->case_id, seq, &case_prev, false) : SERTEL_OK;
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
        return store_txn_err(t, rc);
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
    return store_txn_err(t, rc);
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
            return store_txn_err(t, rc);
    }
    MDB_val k = store_str("last_seq");
    int rc = mdb_del(t->txn, store_dbi(t, DB_META), &k, NULL);
    return rc == 0 || rc == MDB_NOTFOUND ? SERTEL_OK : store_txn_err(t, rc);
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
    if (e == SERTEL_OK)
        e = store_scrub_mark(t); /* format 1 kept the personal data in the clear */
    return e == SERTEL_OK ? drop_old(t) : e;
}

/* ---- format 2 -> 3 */

/* Deletes every DB_INDEX row under prefix. */
static sertel_err_t drop_rows(store_txn_t *t, uint8_t prefix)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(t->txn, store_dbi(t, DB_INDEX), &cur);
    MDB_val k = store_val(&prefix, 1), v;
    for (rc = rc ? rc : mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
         rc == 0 && ((uint8_t *)k.mv_data)[0] == prefix; rc = mdb_cursor_get(cur, &k, &v, MDB_GET_CURRENT))
        if ((rc = mdb_cursor_del(cur, 0)) != 0)
            break;
    mdb_cursor_close(cur);
    return rc == 0 || rc == MDB_NOTFOUND || rc == EINVAL ? SERTEL_OK : store_txn_err(t, rc);
}

/* A format-2 case ([u64 head][packed Case]) rewritten sealed. */
static sertel_err_t seal_case(store_txn_t *t, const char *id, case_t *c, char *err, size_t errlen)
{
    MDB_val k = store_str(id), v;
    int rc = mdb_get(t->txn, store_dbi(t, DB_CASES), &k, &v);
    if (rc != 0)
        return store_txn_err(t, rc);
    Sertel__Case *pb = v.mv_size >= 8 ? sertel__case__unpack(NULL, v.mv_size - 8, (uint8_t *)v.mv_data + 8) : NULL;
    char why[256] = "";
    sertel_err_t e = pb ? codec_case_from_pb(pb, c, why, sizeof why) : SERTEL_E_STORAGE;
    if (pb)
        sertel__case__free_unpacked(pb, NULL);
    if (e != SERTEL_OK) {
        diag_at(err, errlen, t->s->dir, 0, _("migration: case %s does not decode %s"), id, why);
        return SERTEL_E_STORAGE;
    }
    e = store_case_write(t, c, store_from_be64(v.mv_data));
    return e == SERTEL_OK ? store_case_index(t, NULL, c) : e;
}

/* The named database "applicant" of formats 1 to 5 (the outbox and the
 * register; format 6 moves it into the unnamed database). False: none. */
static bool old_applicant(store_txn_t *t, MDB_dbi *dbi, int *rc)
{
    *rc = mdb_dbi_open(t->txn, "applicant", 0, dbi);
    if (*rc == MDB_NOTFOUND)
        *rc = 0;
    return *rc == 0 && *dbi;
}

/* The outbox's and the register's records (put whole by store_put_pb)
 * sealed; their other rows (counters, pending marks) hold no one's data. */
static sertel_err_t seal_applicant_records(store_txn_t *t)
{
    MDB_cursor *cur;
    MDB_dbi old = 0;
    int rc;
    if (!old_applicant(t, &old, &rc))
        return store_txn_err(t, rc);
    rc = mdb_cursor_open(t->txn, old, &cur);
    if (rc != 0)
        return store_txn_err(t, rc);
    MDB_val k, v;
    sertel_err_t e = SERTEL_OK;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && e == SERTEL_OK;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        uint8_t kind = k.mv_size ? ((uint8_t *)k.mv_data)[0] : 0;
        if (kind != 'm' && kind != 'c')
            continue;
        size_t plen = v.mv_size;
        uint8_t *key = malloc(k.mv_size), *plain = malloc(plen ? plen : 1);
        if (!key || !plain) {
            e = SERTEL_E_NOMEM;
        } else {
            memcpy(key, k.mv_data, k.mv_size);
            memcpy(plain, v.mv_data, plen);
            /* A put moves the page the cursor reads: put, then find it
             * again (v is then the sealed value, longer than plain). */
            MDB_val kk = store_val(key, k.mv_size);
            e = store_put_sealed_dbi(t, old, kk, plain, plen);
            if (e == SERTEL_OK && mdb_cursor_get(cur, &kk, &v, MDB_SET) != 0)
                e = SERTEL_E_STORAGE;
            sodium_memzero(plain, plen);
        }
        free(key);
        free(plain);
    }
    mdb_cursor_close(cur);
    return e;
}

sertel_err_t store_migrate_v2(store_txn_t *t, char *err, size_t errlen)
{
    ids_t ids = {0};
    sertel_err_t e = drop_rows(t, IX_APPLICANT);
    if (e == SERTEL_OK)
        e = collect_ids(t, &ids);
    case_t *c = malloc(sizeof *c);
    if (!c)
        e = SERTEL_E_NOMEM;
    for (size_t i = 0; e == SERTEL_OK && i < ids.n; i++)
        e = seal_case(t, ids.ids[i], c, err, errlen);
    free(c);
    free(ids.ids);
    if (e == SERTEL_OK)
        e = store_scrub_mark(t);
    return e == SERTEL_OK ? seal_applicant_records(t) : e;
}

/* ---- format 3 -> 4 */

/* Every record of the named database db put into the unnamed one under
 * prefix (0: the key as it is), then the named database dropped. */
static sertel_err_t move_space(store_txn_t *t, store_db_t db, MDB_dbi main, int prefix,
                               unsigned flags)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(t->txn, store_dbi(t, db), &cur);
    if (rc != 0)
        return store_txn_err(t, rc);
    MDB_val k, v;
    uint8_t key[512];
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        size_t o = prefix ? 1 : 0;
        if (k.mv_size == 0 || k.mv_size + o > sizeof key || (!prefix && !store_is_index_key(&k))) {
            rc = MDB_CORRUPTED;
            break;
        }
        key[0] = (uint8_t)prefix;
        memcpy(key + o, k.mv_data, k.mv_size);
        MDB_val nk = store_val(key, k.mv_size + o);
        if ((rc = mdb_put(t->txn, main, &nk, &v, flags)) != 0)
            break;
    }
    mdb_cursor_close(cur);
    if (rc == MDB_NOTFOUND)
        rc = mdb_drop(t->txn, store_dbi(t, db), 1);
    return store_txn_err(t, rc);
}

sertel_err_t store_migrate_v3(store_txn_t *t, char *err, size_t errlen)
{
    MDB_dbi main;
    int rc = mdb_dbi_open(t->txn, NULL, 0, &main);
    sertel_err_t e = rc ? store_txn_err(t, rc) : SERTEL_OK;
    if (e == SERTEL_OK)
        e = move_space(t, DB_INDEX, main, 0, 0);
    if (e == SERTEL_OK)
        e = move_space(t, DB_CASES, main, KS_CASE, 0);
    /* In seq order, after every other key: appended. */
    if (e == SERTEL_OK)
        e = move_space(t, DB_JOURNAL, main, KS_JOURNAL, MDB_APPEND);
    if (e == SERTEL_OK) {
        t->s->flat = true;
        t->s->dbi[DB_INDEX] = t->s->dbi[DB_CASES] = t->s->dbi[DB_JOURNAL] = main;
    } else if (e != SERTEL_E_MAP_FULL) {
        diag_at(err, errlen, t->s->dir, 0, _("migration: the journal, cases and index cannot be "
                                             "moved: %s"), sertel_strerror(e));
    }
    return e;
}

/* Format 4 -> 5: the inbox, pool and timer rows leave the unnamed
 * database; the broker keeps them in memory from now on (store_hot.c)
 * and rebuilds them from the cases in flight when the store opens; the
 * journal's records may carry the case after their event (store_heads.c). */
sertel_err_t store_migrate_v4(store_txn_t *t, char *err, size_t errlen)
{
    static const uint8_t gone[] = {IX_OFFICER, IX_POOL, IX_TIMER};
    sertel_err_t e = SERTEL_OK;
    for (size_t i = 0; e == SERTEL_OK && i < sizeof gone; i++)
        e = drop_rows(t, gone[i]);
    /* Every case record is current (store_heads.c). */
    if (e == SERTEL_OK)
        e = store_meta_put(t, "cases-at", store_last_seq(t));
    if (e != SERTEL_OK && e != SERTEL_E_MAP_FULL)
        diag_at(err, errlen, t->s->dir, 0, _("migration: the inbox and timer rows cannot be "
                                             "removed: %s"), sertel_strerror(e));
    return e;
}

/* ---- format 5 -> 6 */

/* The value store_value_open opened sealed under key in dbi, then wiped
 * and freed: the open transaction would keep every one until it ends. */
static sertel_err_t reseal_at(store_txn_t *t, MDB_dbi dbi, MDB_val key, const MDB_val *plain)
{
    sertel_err_t e = store_put_sealed_dbi(t, dbi, key, plain->mv_data, plain->mv_size);
    store_value_close(t);
    return e;
}

/* Each record of the named database "applicant" under the same key behind
 * KS_APPLICANT in the unnamed database; a sealed one ('m' item, 'c'
 * certificate: bound to its key) opened and sealed again for its new key.
 * Then the named database is dropped: an intake or a certificate no longer
 * rewrites its root and the unnamed database's leaf holding its name. */
static sertel_err_t move_applicant(store_txn_t *t)
{
    MDB_dbi old = 0, main;
    int rc;
    if (!old_applicant(t, &old, &rc))
        return store_txn_err(t, rc);
    MDB_cursor *cur;
    if ((rc = mdb_dbi_open(t->txn, NULL, 0, &main)) != 0 || (rc = mdb_cursor_open(t->txn, old, &cur)) != 0)
        return store_txn_err(t, rc);
    MDB_val k, v;
    sertel_err_t e = SERTEL_OK;
    uint8_t key[512];
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && e == SERTEL_OK;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size == 0 || k.mv_size + 1 > sizeof key) {
            e = store_damaged(t->s, "applicant record", "migration to format 6");
            break;
        }
        uint8_t kind = ((uint8_t *)k.mv_data)[0];
        key[0] = KS_APPLICANT;
        memcpy(key + 1, k.mv_data, k.mv_size);
        if (kind == 'p' && k.mv_size == 9) /* pending marks: newest first now */
            store_be64(key + 2, UINT64_MAX - store_from_be64(key + 2));
        MDB_val nk = store_val(key, k.mv_size + 1);
        if (kind != 'm' && kind != 'c')
            e = store_txn_err(t, mdb_put(t->txn, main, &nk, &v, 0));
        else if (!store_value_open(t, &k, &v))
            e = store_damaged(t->s, "sealed applicant record", "migration to format 6");
        else
            e = reseal_at(t, main, nk, &v);
    }
    mdb_cursor_close(cur);
    if (e == SERTEL_OK && rc != MDB_NOTFOUND)
        e = store_txn_err(t, rc);
    return e == SERTEL_OK ? store_txn_err(t, mdb_drop(t->txn, old, 1)) : e;
}

/* meta "case:<year>" -> 'D' and the year, in the unnamed database. */
static sertel_err_t move_agenda(store_txn_t *t)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(t->txn, store_dbi(t, DB_META), &cur);
    sertel_err_t e = rc ? store_txn_err(t, rc) : SERTEL_OK;
    while (e == SERTEL_OK) {
        MDB_val k = store_str("case:"), v;
        rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
        if (rc == MDB_NOTFOUND || (rc == 0 && (k.mv_size < 6 || memcmp(k.mv_data, "case:", 5) != 0)))
            break;
        char year[16] = "";
        if (rc == 0 && (k.mv_size != 9 || v.mv_size != 8)) {
            e = store_damaged(t->s, "agenda counter", "migration to format 6");
            break;
        }
        if (rc == 0)
            memcpy(year, (const char *)k.mv_data + 5, 4);
        e = rc ? store_txn_err(t, rc) : store_case_number_set(t, atoi(year), store_from_be64(v.mv_data));
        if (e == SERTEL_OK)
            e = store_txn_err(t, mdb_cursor_del(cur, 0));
    }
    mdb_cursor_close(cur);
    return e;
}

sertel_err_t store_migrate_v5(store_txn_t *t, char *err, size_t errlen)
{
    sertel_err_t e = move_applicant(t);
    if (e == SERTEL_OK)
        e = move_agenda(t);
    if (e != SERTEL_OK && e != SERTEL_E_MAP_FULL)
        diag_at(err, errlen, t->s->dir, 0, _("migration: the outbox, the certificate register and "
                                             "the agenda counters cannot be moved: %s"),
                sertel_strerror(e));
    return e;
}
