/* Shared by the store_*.c files only: the environment, its databases, the
 * layout of the records, and small helpers over MDB_val.
 *
 * The layout (format STORE_FORMAT; the meta record "format" says which).
 * What a transition writes (journal, case, index rows) lives in LMDB's
 * unnamed database, told apart by the key's first byte, so that a commit
 * dirties one B-tree: its root, the leaves it touches and the pages on
 * their way, and no record of a named database (format 3 kept these in
 * three named databases, whose records changed on every commit too: two
 * to three pages more per transition). The spaces, in key order:
 *
 *   'A' 'S'   the secondary indexes of cases kept on disk (applicant,
 *             state), one key per row and no value, told apart by the
 *             first byte (IX_*); the inbox, pool and timer rows ('O' 'P'
 *             'T', in the unnamed database until format 4) are kept in
 *             memory in the same byte layout (store_hot.c);
 *   'C' id    the case -> [u64 BE seq of its last event][u16 BE n][n
 *             bytes: the applicant's NIK, e-mail and phone, sealed
 *             (store_crypt.c), bound to the id][packed Case without
 *             them]; the link starts the walk of the case's own events.
 *             Written at intake, when the sealed part changes and at the
 *             flush; in between, the head and the state are those an 'H'
 *             head row in memory names (store_heads.c);
 *   'D' year  the agenda counter of that year (four digits) -> u64 BE, the
 *             last number given (meta "case:<year>" until format 5); right
 *             after the cases, so that the leaf an intake appends its case
 *             to usually holds it too;
 *   'U'       the applicant's records: the outbox ('U' 'm' id, 'U' 'p'
 *             seq, the counter 'U' 'n': store_outbox.c) and the
 *             certificate register ('U' 'c' serial, 'U' 'r' serial NUL
 *             days: store_certs.c), the records with personal data sealed
 *             under their whole key (a named database until format 5).
 *             After the cases and the state rows, which its large
 *             outbox items would otherwise keep apart; the pending marks
 *             count down (newest first), so that an item and its mark
 *             land in the one leaf that holds the item counter;
 *   names     LMDB's records of the named databases below (lowercase);
 *   0xFF seq  the journal: u64 BE seq -> [32 hash][u64 BE previous seq of
 *             the same case][packed Event], or, when the link's top bit
 *             (JOURNAL_SNAP_FLAG) is set, [32 hash][u64 BE link][u32 BE
 *             Event length][packed Event][packed Case after the event,
 *             without the sealed part, outside the hash]. The last space, so appended
 *             in key order (MDB_APPEND). The source of truth: the
 *             statistics and the request memory are folded from it, the
 *             last sequence number is its last key, and hash =
 *             SHA-256(previous record's hash || seq || case link ||
 *             packed Event), so an edit or a removal breaks the chain.
 *
 * Named databases, written by administration or now and then:
 *   meta      "format" -> u32 BE; "cases-at" -> u64 BE: the 'C' records hold every change up
 *             to this journal seq (store_heads.c);
 *             "data-key-id" -> the id of the data key the store is sealed
 *             with (the key itself is DIR/data.key, never in data.mdb);
 *             "stats" -> the statistics checkpoint (store_stats.c);
 *   officers, keys, actings, texts, blobs: the office's registry.
 * A commit that writes a named database also rewrites that database's
 * root and the unnamed database's leaf holding its name (with the branch
 * above it): what an intake and a certificate paid for the outbox, the
 * register and the agenda counter until format 6 made them key spaces.
 *
 * Because the hot records are keys of the unnamed database, `mdb_dump -a`
 * (named databases only) does not show them; backups are whole copies
 * (sertel-broker backup, mdb_copy).
 *
 * Adding a record type:
 *   1. written by transitions: a space of the unnamed database (a DB_<NAME>
 *      value below that store.c's dbs table keeps there, and a first byte
 *      of its own, uppercase: KS_*); written by administration only: a
 *      named database (its name and flags in the dbs table; created empty
 *      when an older store opens). Either needs no format change when the
 *      space or database is new;
 *   2. its functions in a store_<name>.c of its own, declared in store.h,
 *      using store_put_pb / store_map_err / store_val below;
 *   3. a secondary index of it goes into the index space under a new IX_*
 *      byte (uppercase, not 'C'), written in the same transaction;
 *   4. what store_check (store_check.c) should verify of it.
 * Change STORE_FORMAT (and teach store_migrate.c the step) only when an
 * existing record changes meaning or place. */
#ifndef SERTEL_STORE_INTERNAL_H
#define SERTEL_STORE_INTERNAL_H

#include <lmdb.h>
#include <string.h>

#include "stats.h"
#include "store.h"

#define STORE_FORMAT 6
#define STORE_HASH_LEN 32
#define JOURNAL_HEAD (STORE_HASH_LEN + 8) /* hash and case link before the Event */
#define CASE_HEAD 10 /* last event seq, u16 BE length of the sealed part; then it, the Case */
#define STORE_DATA_KEY_LEN 32

/* First byte of a key in the unnamed database's spaces (format 4). */
enum { KS_CASE = 'C', KS_AGENDA = 'D', KS_APPLICANT = 'U', KS_JOURNAL = 0xFF };
#define CASE_KEY_MAX (1 + CASE_ID_MAX)
#define SEQ_KEY_MAX 9

typedef enum {
    DB_META,
    DB_CASES,   /* the unnamed database (format 4), under KS_CASE */
    DB_JOURNAL, /* the unnamed database (format 4), under KS_JOURNAL */
    DB_INDEX,   /* the unnamed database (format 4), under the IX_* bytes */
    DB_OFFICERS, /* nip -> packed Officer */
    DB_KEYS,     /* 32-byte public key -> nip */
    DB_ACTINGS,  /* u64 BE id -> packed Acting */
    DB_TEXTS,    /* kind "/" name -> text (SOPs, calendar) */
    DB_BLOBS,    /* content hash (hex) -> bytes */
    DB_APPLICANT, /* the unnamed database (format 6), under KS_APPLICANT: the
                   * outbox and the certificate register, told apart by
                   * their keys' second byte (store_outbox.c, store_certs.c) */
    DB__COUNT
} store_db_t;

/* First byte of an index key; the rest, then the case id. */
enum {
    IX_OFFICER = 'O',   /* nip NUL: in that officer's inbox */
    IX_POOL = 'P',      /* role byte, quals byte: in that role pool */
    IX_STATE = 'S',     /* state byte */
    IX_APPLICANT = 'A', /* applicant key (store_applicant_key) */
    IX_TIMER = 'T',     /* u64 BE instant: an SLA warning or deadline */
};

/* The statistics folded from the journal (store_stats.c): one aggregate
 * per month and subject, sorted by key. */
#define STATS_KEY_MAX 64
typedef struct {
    char key[STATS_KEY_MAX];
    stats_agg_t agg;
} view_row_t;
typedef struct store_stats_view {
    view_row_t *v; /* sorted by key */
    size_t n, cap;
    uint64_t seq;  /* journal folded up to here */
    int offset;    /* the zone the months were cut in */
} store_stats_view_t;
typedef struct store_dedup store_dedup_t;
typedef struct store_hot store_hot_t;

struct store {
    MDB_env *env;
    MDB_dbi dbi[DB__COUNT];
    char dir[4096];
    store_stats_view_t *stats; /* folded from the journal, in memory */
    store_dedup_t *dedup;      /* request ids of the recent journal */
    bool damaged;              /* a record did not decode: writes refused */
    bool flat;                 /* the hot spaces are in the unnamed database
                                * (format 4); false only while an older
                                * store is migrated, before the move */
    int64_t head_logged_at;    /* the chain head was last logged then */
    bool readonly;             /* store_open_readonly: nothing written */
    uint64_t stats_saved;      /* the seq of the statistics checkpoint */
    uint64_t stats_folded;     /* journal events folded since the open */
    bool keyed;                /* the data key is loaded */
    uint8_t seal_key[32];      /* derived from the data key: sealing */
    uint8_t index_key[32];     /* and the applicant index's keyed hash */
    uint8_t key_id[8];
    store_hot_t *hot;          /* the inbox, pool and timer rows (store_hot.c),
                                * and the heads of cases written late (store_heads.c) */
    case_t *staged;            /* the case a transition put, until its event */
    store_txn_t *staged_by;    /* the transaction that put it; NULL: none */
    uint64_t cases_at;         /* meta "cases-at": the 'C' records are complete to here */
    struct store_casecache *casecache; /* cases as last written (store_casecache.c) */
};

/* What a write transaction appended, for the in-memory views to take in
 * once (and only if) the outermost transaction commits. */
typedef struct {
    char nip[NIP_LEN + 1];
    uint64_t request_id, seq;
    int64_t at;
} store_pending_t;

typedef struct {
    store_pending_t *v;
    size_t n, cap;
} store_pending_list_t;

typedef struct store_scratch {
    struct store_scratch *next;
    size_t len; /* of data, wiped when it goes */
    uint8_t data[];
} store_scratch_t;

struct store_txn {
    store_t *s;
    MDB_txn *txn;
    bool write;
    store_txn_t *parent;
    store_pending_list_t *pending; /* the outermost transaction's */
    size_t pending_mark;           /* its length when this one began */
    uint64_t base_seq;             /* last seq committed when the outermost began */
    store_scratch_t *scratch;      /* opened sealed values, freed at the end */
    size_t hot_mark;               /* the in-memory rows' undo log when it began */
    uint64_t flushed;              /* store_heads_flush moved "cases-at" here */
};

/* The database's name in the environment. */
const char *store_db_name(int db);
/* LMDB result -> our code (MDB_NOTFOUND -> NOT_FOUND, MAP_FULL -> FULL). */
sertel_err_t store_map_err(int rc);
/* store_map_err, and damage noted when LMDB reports a damaged page. */
sertel_err_t store_txn_err(store_txn_t *t, int rc);
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
/* Packs m and puts it under key in db, after head (hlen bytes, may be 0). */
sertel_err_t store_put_pb_head(store_txn_t *t, store_db_t db, MDB_val key, const void *head,
                               size_t hlen, const ProtobufCMessage *m, unsigned flags);
sertel_err_t store_put_pb(store_txn_t *t, store_db_t db, MDB_val key, const ProtobufCMessage *m);
/* A value store_put_pb sealed (DB_APPLICANT), opened in place: *v then
 * points to the plain bytes until the transaction ends. False: it does
 * not open with the data key. */
bool store_value_open(store_txn_t *t, const MDB_val *k, MDB_val *v);
/* Wipes and frees the value store_value_open opened last in t, once it
 * has been decoded: a walk over the outbox or the register would
 * otherwise hold every record in the clear until the transaction ends. */
void store_value_close(store_txn_t *t);
/* The record sealed in v under k decoded as desc, its clear copy wiped at
 * once; NULL when it does not open or decode. */
ProtobufCMessage *store_sealed_unpack(store_txn_t *t, const MDB_val *k, MDB_val v,
                                      const ProtobufCMessageDescriptor *desc);
sertel_err_t store_put_sealed(store_txn_t *t, store_db_t db, MDB_val key, const uint8_t *plain,
                              size_t n);
sertel_err_t store_put_sealed_dbi(store_txn_t *t, MDB_dbi dbi, MDB_val key, const uint8_t *plain,
                                  size_t n);
/* Notes damage seen while reading (logged once; the store then refuses
 * writes) and returns SERTEL_E_STORAGE. */
sertel_err_t store_damaged(store_t *s, const char *what, const char *where);

/* Keys of the hot spaces, as this store lays them out: prefixed in the
 * unnamed database, bare in format 3's own databases (during migration).
 * The *_of functions take a key apart; false: not a key of that space. */
size_t store_case_key(const store_t *s, const char *id, uint8_t out[CASE_KEY_MAX]);
bool store_case_key_id(const store_t *s, const MDB_val *k, MDB_val *id);
size_t store_seq_key(const store_t *s, uint64_t seq, uint8_t out[SEQ_KEY_MAX]);
bool store_seq_key_of(const store_t *s, const MDB_val *k, uint64_t *seq);
bool store_is_index_key(const MDB_val *k);
/* Opens db's handle in txn (not creating it): what a read-only open does. */
int store_open_dbi(store_t *s, MDB_txn *txn, int db);
/* A cursor on the first key of the journal's (or the cases') space. */
int store_space_first(store_txn_t *t, MDB_cursor *cur, store_db_t db, MDB_val *k, MDB_val *v);

/* meta records */
uint64_t store_meta_get(store_txn_t *t, const char *name);
sertel_err_t store_meta_put(store_txn_t *t, const char *name, uint64_t value);

/* The journal record under seq: its Event bytes and header. */
typedef struct {
    uint64_t seq, case_prev;
    const uint8_t *hash;
    const uint8_t *event;
    size_t event_len;
    const uint8_t *snap; /* format 5: the case after the event (packed Case,
                          * no personal data), outside the hash; NULL: none */
    size_t snap_len;
} store_jrec_t;
/* The case link's top bit: a snapshot follows the Event, whose length
 * (u32 BE) then comes first. */
#define JOURNAL_SNAP_FLAG (UINT64_C(1) << 63)
bool store_jrec_parse(uint64_t seq, const MDB_val *v, store_jrec_t *r);
/* SHA-256(prev || seq || case_prev || event). */
void store_chain_hash(const uint8_t prev[STORE_HASH_LEN], uint64_t seq, uint64_t case_prev,
                      const uint8_t *event, size_t len, uint8_t out[STORE_HASH_LEN]);

/* Points the case's head at seq, its newest event; *prev gets the one
 * before (0: none, or no such case). */
sertel_err_t store_journal_link(store_txn_t *t, const char *case_id, uint64_t seq, uint64_t *prev,
                                bool snap);

/* Views folded from the journal (store_stats.c, store_dedup.c). */
void store_stats_view_free(store_stats_view_t **v);
/* Aggregates in the view (for tests: it grows with months and subjects,
 * never with cases). */
size_t store_stats_view_size(const store_t *s);
/* The statistics checkpoint (store_stats_save.c), meta "stats": the view
 * as it was at a journal sequence, with that record's chain hash. Load:
 * the view saved, if it was cut in this zone and the journal still has
 * that record with that hash; NULL otherwise (fold the whole journal). */
store_stats_view_t *store_stats_load(store_txn_t *t, int offset);
sertel_err_t store_stats_save(store_txn_t *t, const store_stats_view_t *w);
void store_dedup_free(store_dedup_t **d);
/* The outermost write transaction committed: its appended request ids
 * become part of the request memory. */
void store_dedup_take(store_t *s, const store_pending_t *p, size_t n);
/* Opens s->dir's environment and brings it to this format (migrating). */
bool store_env_open(store_t *s, char *err, size_t errlen);
/* After a migration that sealed personal data (meta "scrub" set in its
 * transaction): the file rewritten compact (store_scrub.c), so that no
 * page it freed keeps the data in the clear; the environment reopened. */
sertel_err_t store_scrub_mark(store_txn_t *t);
bool store_scrub(store_t *s, char *err, size_t errlen);
/* Format 1 (before the journal chain) -> STORE_FORMAT, in txn. */
sertel_err_t store_migrate_v1(store_txn_t *t, char *err, size_t errlen);
/* The index rows of a case (store_cases.c): what c needs, and writing the
 * difference from old's. */
#define ROW_MAX (1 + 1 + NIP_LEN + 1 + STORE_APPLICANT_KEY_MAX + CASE_ID_MAX + 8)
#define MAX_ROWS 6
typedef struct {
    uint8_t key[ROW_MAX];
    size_t len;
} index_row_t;
int store_index_rows(const store_t *s, const case_t *c, index_row_t r[MAX_ROWS]);
/* A case record as stored (head: the seq of its last event), and read
 * back (SERTEL_E_DENIED: sealed data and no key; why says what failed). */
sertel_err_t store_case_write(store_txn_t *t, const case_t *c, uint64_t head);
sertel_err_t store_case_decode(const store_t *s, const MDB_val *k, const MDB_val *v, case_t *out,
                               char *why, size_t whylen);

/* The data key (store_crypt.c). DIR/data.key<suffix> of a store in DIR/db. */
void store_key_path(const char *store_dir, const char *suffix, char *out, size_t len);
sertel_err_t store_key_read(const char *path, uint8_t key[STORE_DATA_KEY_LEN], char *err, size_t errlen);
sertel_err_t store_key_write(const char *path, const uint8_t key[STORE_DATA_KEY_LEN], char *err,
                             size_t errlen);
/* Loads the key the store is sealed with (meta "data-key-id"); create:
 * make one when the store has none yet (and note it in meta). */
sertel_err_t store_keys_load(store_t *s, store_txn_t *t, bool create, char *err, size_t errlen);
sertel_err_t store_key_note(store_txn_t *t);
/* Sealing: out gets store_sealed_len(len) bytes (0 for len 0). ad binds
 * the value to its record. */
size_t store_sealed_len(size_t plain);
void store_seal(const store_t *s, const void *ad, size_t adlen, const uint8_t *plain, size_t len,
                uint8_t *out);
bool store_unseal(const store_t *s, const void *ad, size_t adlen, const uint8_t *sealed, size_t len,
                  uint8_t *out, size_t *out_len);
/* Format 2 -> 3: the applicants' personal data sealed, their index keyed. */
sertel_err_t store_migrate_v2(store_txn_t *t, char *err, size_t errlen);
/* Format 3 -> 4: the journal, the cases and the index moved from their
 * named databases into the unnamed one's spaces; the store is flat after. */
sertel_err_t store_migrate_v3(store_txn_t *t, char *err, size_t errlen);
sertel_err_t store_case_index(store_txn_t *t, const case_t *old, const case_t *c);
/* store_case_get, and without the data key the case all but its sealed
 * part (what the index rows need). */
sertel_err_t store_case_get_plain(store_txn_t *t, const char *id, case_t *out);
/* Format 4 -> 5: the inbox, pool and timer rows leave the database. */
sertel_err_t store_migrate_v4(store_txn_t *t, char *err, size_t errlen);
/* Format 5 -> 6: the named database "applicant" and meta's agenda
 * counters become the unnamed database's 'U' and 'D' spaces. */
sertel_err_t store_migrate_v5(store_txn_t *t, char *err, size_t errlen);

/* The rows kept in memory (store_hot.c): IX_OFFICER, IX_POOL, IX_TIMER.
 * Keys as format 4 stored them; first gives the first row >= key (after:
 * > key; false: past the last), valid until the rows change. put and del
 * apply at once and, when log, can be undone back to a mark (a
 * transaction's abort); settle forgets the log (the outermost commit). */
bool store_is_hot_row(uint8_t prefix);
store_hot_t *store_hot_new(void);
void store_hot_free(store_hot_t **h);
void store_hot_clear(store_hot_t *h);
bool store_hot_first(const store_hot_t *h, const uint8_t *key, size_t len, bool after, MDB_val *k);
size_t store_hot_count(const store_hot_t *h);
sertel_err_t store_hot_put(store_hot_t *h, const uint8_t *key, size_t len, bool log);
sertel_err_t store_hot_del(store_hot_t *h, const uint8_t *key, size_t len, bool log);
/* Replaces row old by key, in its place: key must sort where old did
 * (same leading bytes that tell it apart); put when old is not there. */
sertel_err_t store_hot_replace(store_hot_t *h, const uint8_t *old, size_t oldlen, const uint8_t *key,
                               size_t len, bool log);
size_t store_hot_mark(const store_hot_t *h);
void store_hot_undo(store_hot_t *h, size_t mark);
void store_hot_settle(store_hot_t *h);
/* Case records written late (store_heads.c). The head row of a case
 * changed since the last flush: its newest event and the journal record
 * holding its newest state (0: the 'C' record's). */
#define STORE_FLUSH_EVENTS 1000
bool store_head_get(const store_t *s, const char *id, uint64_t *head, uint64_t *snap);
sertel_err_t store_head_set(store_t *s, const char *id, uint64_t head, uint64_t snap, bool log);
bool store_is_head_row(const MDB_val *k);
/* Some case is changed since the last flush. */
bool store_heads_pending(const store_t *s);
/* The case a transition put, kept until its event is appended (which
 * takes it: the packed Case without personal data, malloc'd). */
sertel_err_t store_stage(store_txn_t *t, const case_t *c);
const case_t *store_staged(const store_txn_t *t, const char *id);
/* store_casecache.c: c as its event takes it into the journal (snap: the
 * Case packed there); a later read whose bytes are those gets it back
 * without a decode (now: the record as store_case_now gives it). */
void store_casecache_put(store_txn_t *t, const case_t *c, const uint8_t *snap, size_t snap_len);
bool store_casecache_get(const store_t *s, const char *id, const MDB_val *now, case_t *out);
void store_casecache_free(store_t *s);
uint8_t *store_staged_take(store_txn_t *t, const char *id, size_t *len);
void store_staged_drop(store_txn_t *t);
/* The 'C' record v of id as it is now: its head and state from the head
 * row and the snapshot (*buf then holds it, to free); v itself when the
 * record is current; mv_data NULL when a named snapshot is not there. */
MDB_val store_case_now(store_txn_t *t, const char *id, const MDB_val *v, uint8_t **buf);
/* The seq of the case's newest event (v: its 'C' record, may be NULL). */
uint64_t store_case_head_of(store_txn_t *t, const char *id, const MDB_val *v);
/* Writes the cases changed since the last flush; before a commit, when
 * due (a case put without its event, or STORE_FLUSH_EVENTS events). */
sertel_err_t store_heads_flush(store_txn_t *t);
sertel_err_t store_heads_before_commit(store_txn_t *t);
/* At open: the head rows from the journal after "cases-at". */
sertel_err_t store_heads_load(store_t *s);

/* Rebuilds the rows from the cases in flight (those the state rows name
 * open or waiting), in a read transaction of its own. */
sertel_err_t store_hot_load(store_t *s);
/* store_hot_load at open: false (err set) only when it could not run; a
 * case that does not decode leaves the store damaged, not closed. */
bool store_hot_ready(store_t *s, char *err, size_t errlen);

#endif
