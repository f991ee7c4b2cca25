/* Shared by the store_*.c files only: the environment, its databases and
 * small helpers over MDB_val. */
#ifndef SERTEL_STORE_INTERNAL_H
#define SERTEL_STORE_INTERNAL_H

#include <lmdb.h>
#include <string.h>

#include "store.h"

typedef enum {
    DB_META,          /* "last_seq", "case:<year>" -> u64 */
    DB_CASES,         /* case id -> packed Case */
    DB_JOURNAL,       /* u64 BE seq -> packed Event */
    DB_CASE_EVENTS,   /* case id -> u64 BE seq (dupsort) */
    DB_OFFICERS,      /* nip -> packed Officer */
    DB_KEYS,          /* 32-byte public key -> nip */
    DB_INBOX_OFFICER, /* nip -> case id (dupsort) */
    DB_INBOX_ROLE,    /* role, quals bytes -> case id (dupsort) */
    DB_BY_STATE,      /* state byte -> case id (dupsort) */
    DB_BY_APPLICANT,  /* applicant nip -> case id (dupsort) */
    DB_TIMERS,        /* u64 BE instant + case id -> "" */
    DB_ACTINGS,       /* u64 BE id -> packed Acting */
    DB_TEXTS,         /* kind "/" name -> text (SOPs, calendar) */
    DB_BLOBS,         /* content hash (hex) -> bytes */
    DB_REPLIES,       /* nip + u64 BE request id -> i64 time + packed Envelope */
    DB_STATS,         /* aggregate key -> stats_agg_t */
    DB_REPLY_TIMES,   /* i64 BE time + replies key -> "" (for pruning) */
    DB__COUNT
} store_db_t;

struct store {
    MDB_env *env;
    MDB_dbi dbi[DB__COUNT];
    char dir[4096];
};

struct store_txn {
    store_t *s;
    MDB_txn *txn;
};

/* LMDB result -> our code (MDB_NOTFOUND -> NOT_FOUND, MAP_FULL -> FULL). */
sertel_err_t store_map_err(int rc);
MDB_dbi store_dbi(store_txn_t *t, store_db_t db);
void store_be64(uint8_t out[8], uint64_t v);
uint64_t store_from_be64(const uint8_t in[8]);
static inline MDB_val store_val(const void *p, size_t n)
{
    MDB_val v = {n, (void *)p};
    return v;
}
static inline MDB_val store_str(const char *s)
{
    return store_val(s, strlen(s));
}
sertel_err_t store_set_last_seq(store_txn_t *t, uint64_t seq);
/* Packs m and puts it under key in db. */
sertel_err_t store_put_pb(store_txn_t *t, store_db_t db, MDB_val key, const ProtobufCMessage *m);

#endif
