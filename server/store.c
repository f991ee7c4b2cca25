/* The LMDB environment: opening, transactions, map growth, backup, and
 * the journal's meta counters. Records and indexes live in store_*.c. */
#include "store_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "codec.h"
#include "i18n.h"

#define INITIAL_MAP (256u * 1024 * 1024)

/* The map a new environment starts with. SERTEL_MAP_SIZE (bytes) lets a
 * test start small to see the map grow. */
static size_t initial_map(void)
{
    const char *env = getenv("SERTEL_MAP_SIZE");
    long long n = env ? atoll(env) : 0;
    return n >= 65536 ? (size_t)n : INITIAL_MAP;
}

static const struct {
    const char *name;
    unsigned flags;
} dbs[DB__COUNT] = {
    [DB_META] = {"meta", 0},
    [DB_CASES] = {"cases", 0},
    [DB_JOURNAL] = {"journal", 0},
    [DB_CASE_EVENTS] = {"case_events", MDB_DUPSORT | MDB_DUPFIXED},
    [DB_OFFICERS] = {"officers", 0},
    [DB_KEYS] = {"keys", 0},
    [DB_INBOX_OFFICER] = {"inbox_officer", MDB_DUPSORT},
    [DB_INBOX_ROLE] = {"inbox_role", MDB_DUPSORT},
    [DB_BY_STATE] = {"by_state", MDB_DUPSORT},
    [DB_BY_APPLICANT] = {"by_applicant", MDB_DUPSORT},
    [DB_TIMERS] = {"timers", 0},
    [DB_ACTINGS] = {"actings", 0},
    [DB_TEXTS] = {"texts", 0},
    [DB_BLOBS] = {"blobs", 0},
    [DB_REPLIES] = {"replies", 0},
    [DB_STATS] = {"stats", 0},
    [DB_REPLY_TIMES] = {"reply_times", 0},
};

sertel_err_t store_map_err(int rc)
{
    switch (rc) {
    case MDB_SUCCESS:
        return SERTEL_OK;
    case MDB_NOTFOUND:
        return SERTEL_E_NOT_FOUND;
    case MDB_MAP_FULL:
    case MDB_TXN_FULL:
        return SERTEL_E_MAP_FULL;
    case MDB_KEYEXIST:
        return SERTEL_E_EXISTS;
    case ENOMEM:
        return SERTEL_E_NOMEM;
    default:
        return SERTEL_E_STORAGE;
    }
}

MDB_dbi store_dbi(store_txn_t *t, store_db_t db)
{
    return t->s->dbi[db];
}

void store_be64(uint8_t out[8], uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        out[i] = (uint8_t)v;
}

uint64_t store_from_be64(const uint8_t in[8])
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | in[i];
    return v;
}

static int open_dbis(store_t *s)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(s->env, NULL, 0, &txn);
    for (int i = 0; rc == 0 && i < DB__COUNT; i++)
        rc = mdb_dbi_open(txn, dbs[i].name, dbs[i].flags | MDB_CREATE, &s->dbi[i]);
    if (rc == 0)
        return mdb_txn_commit(txn);
    mdb_txn_abort(txn);
    return rc;
}

store_t *store_open(const char *dir, char *err, size_t errlen)
{
    store_t *s = calloc(1, sizeof *s);
    if (!s) {
        diag_at(err, errlen, dir, 0, "%s", sertel_strerror(SERTEL_E_NOMEM));
        return NULL;
    }
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    int rc = mdb_env_create(&s->env);
    if (rc == 0)
        rc = mdb_env_set_maxdbs(s->env, DB__COUNT);
    if (rc == 0)
        rc = mdb_env_set_mapsize(s->env, initial_map());
    /* LMDB never maps less than the data already holds; a map that grew
     * in an earlier run grows again on demand. */
    if (rc == 0)
        rc = mdb_env_open(s->env, dir, MDB_NOTLS, 0600);
    if (rc == 0) {
        int dead = 0;
        mdb_reader_check(s->env, &dead);
        rc = open_dbis(s);
    }
    if (rc != 0) {
        diag_at(err, errlen, dir, 0, _("cannot open the database: %s"), mdb_strerror(rc));
        if (s->env)
            mdb_env_close(s->env);
        free(s);
        return NULL;
    }
    return s;
}

void store_close(store_t **s)
{
    if (!s || !*s)
        return;
    mdb_env_close((*s)->env);
    free(*s);
    *s = NULL;
}

sertel_err_t store_begin(store_t *s, store_txn_t *parent, bool write, store_txn_t **out)
{
    store_txn_t *t = calloc(1, sizeof *t);
    if (!t)
        return SERTEL_E_NOMEM;
    t->s = s;
    int rc = mdb_txn_begin(s->env, parent ? parent->txn : NULL, write ? 0 : MDB_RDONLY, &t->txn);
    if (rc != 0) {
        free(t);
        return store_map_err(rc);
    }
    *out = t;
    return SERTEL_OK;
}

sertel_err_t store_commit(store_txn_t **t)
{
    int rc = mdb_txn_commit((*t)->txn);
    free(*t);
    *t = NULL;
    return store_map_err(rc);
}

void store_abort(store_txn_t **t)
{
    if (!t || !*t)
        return;
    mdb_txn_abort((*t)->txn);
    free(*t);
    *t = NULL;
}

sertel_err_t store_grow(store_t *s)
{
    MDB_envinfo info;
    mdb_env_info(s->env, &info);
    return store_map_err(mdb_env_set_mapsize(s->env, info.me_mapsize * 2));
}

int store_reader_check(store_t *s)
{
    int dead = 0;
    mdb_reader_check(s->env, &dead);
    return dead;
}

sertel_err_t store_backup(store_t *s, const char *dir, char *err, size_t errlen)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        diag_at(err, errlen, dir, 0, _("cannot create the backup directory: %s"), strerror(errno));
        return SERTEL_E_IO;
    }
    /* MDB_CP_COMPACT copies from a read transaction: consistent while the
     * broker keeps writing. mdb_env_copy2 refuses a non-empty target. */
    int rc = mdb_env_copy2(s->env, dir, MDB_CP_COMPACT);
    if (rc != 0) {
        diag_at(err, errlen, dir, 0, _("backup failed: %s"), mdb_strerror(rc));
        return rc == EEXIST ? SERTEL_E_EXISTS : SERTEL_E_IO;
    }
    return SERTEL_OK;
}

static uint64_t meta_get(store_txn_t *t, const char *name)
{
    MDB_val k = store_str(name), v;
    if (mdb_get(t->txn, store_dbi(t, DB_META), &k, &v) != 0 || v.mv_size != 8)
        return 0;
    return store_from_be64(v.mv_data);
}

static sertel_err_t meta_put(store_txn_t *t, const char *name, uint64_t value)
{
    uint8_t buf[8];
    store_be64(buf, value);
    MDB_val k = store_str(name), v = store_val(buf, 8);
    return store_map_err(mdb_put(t->txn, store_dbi(t, DB_META), &k, &v, 0));
}

uint64_t store_last_seq(store_txn_t *t)
{
    return meta_get(t, "last_seq");
}

sertel_err_t store_set_last_seq(store_txn_t *t, uint64_t seq)
{
    return meta_put(t, "last_seq", seq);
}

sertel_err_t store_next_case_id(store_txn_t *t, int year, char *id, size_t len)
{
    char name[32];
    snprintf(name, sizeof name, "case:%04d", year);
    uint64_t n = meta_get(t, name) + 1;
    sertel_err_t e = meta_put(t, name, n);
    if (e == SERTEL_OK)
        snprintf(id, len, "SE-%04d-%05llu", year, (unsigned long long)n);
    return e;
}

sertel_err_t store_put_pb(store_txn_t *t, store_db_t db, MDB_val key, const ProtobufCMessage *m)
{
    size_t n = protobuf_c_message_get_packed_size(m);
    MDB_val v = {n, NULL};
    /* MDB_RESERVE lets protobuf-c pack straight into the page. */
    int rc = mdb_put(t->txn, store_dbi(t, db), &key, &v, MDB_RESERVE);
    if (rc != 0)
        return store_map_err(rc);
    protobuf_c_message_pack(m, v.mv_data);
    return SERTEL_OK;
}
