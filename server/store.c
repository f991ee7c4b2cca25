/* The LMDB environment: opening, transactions, map growth, backup, and
 * the journal's meta counters. Records and indexes live in store_*.c. */
#include "store_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include <sodium.h>

#include "codec.h"
#include "i18n.h"
#include "log.h"

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
    bool main; /* always a space of the unnamed database */
} dbs[DB__COUNT] = {
    [DB_META] = {"meta", 0},
    [DB_CASES] = {"cases", 0},
    [DB_JOURNAL] = {"journal", 0},
    [DB_INDEX] = {"index", 0},
    [DB_OFFICERS] = {"officers", 0},
    [DB_KEYS] = {"keys", 0},
    [DB_ACTINGS] = {"actings", 0},
    [DB_TEXTS] = {"texts", 0},
    [DB_BLOBS] = {"blobs", 0},
    [DB_APPLICANT] = {"applicant", 0, true},
};

const char *store_db_name(int db)
{
    return dbs[db].name;
}

/* Room for this layout's databases and the older ones a migration reads. */
#define MAX_DBS 32

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

/* LMDB's own word that a page is not what it should be is damage as
 * much as a record that does not decode: the store refuses writes from
 * then on (store_damaged), instead of writing onto a damaged tree. */
sertel_err_t store_txn_err(store_txn_t *t, int rc)
{
    if (rc == MDB_CORRUPTED || rc == MDB_PAGE_NOTFOUND)
        return store_damaged(t->s, "LMDB", mdb_strerror(rc));
    return store_map_err(rc);
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

/* The spaces of the unnamed database: their own named databases only in
 * a store that is not flat yet (format 3 and older, being migrated). The
 * applicant's space is in it whatever the format: an older store's named
 * database of that name is only read by the migrations. */
static bool hot_db(int db)
{
    return db == DB_CASES || db == DB_JOURNAL || db == DB_INDEX;
}

static int open_dbis(store_t *s, MDB_txn *txn)
{
    int rc = 0;
    for (int i = 0; rc == 0 && i < DB__COUNT; i++)
        rc = (hot_db(i) && s->flat) || dbs[i].main
            ? mdb_dbi_open(txn, NULL, 0, &s->dbi[i])
            : mdb_dbi_open(txn, dbs[i].name, dbs[i].flags | MDB_CREATE, &s->dbi[i]);
    return rc;
}

int store_open_dbi(store_t *s, MDB_txn *txn, int db)
{
    return hot_db(db) || dbs[db].main ? mdb_dbi_open(txn, NULL, 0, &s->dbi[db])
                                      : mdb_dbi_open(txn, dbs[db].name, 0, &s->dbi[db]);
}

size_t store_case_key(const store_t *s, const char *id, uint8_t out[CASE_KEY_MAX])
{
    size_t n = strnlen(id, CASE_ID_MAX + 1), o = s->flat ? 1 : 0;
    if (n == 0 || n > CASE_ID_MAX)
        return 0; /* no case has such an id */
    out[0] = KS_CASE;
    memcpy(out + o, id, n);
    return o + n;
}

bool store_case_key_id(const store_t *s, const MDB_val *k, MDB_val *id)
{
    size_t o = s->flat ? 1 : 0;
    if (k->mv_size <= o || k->mv_size > o + CASE_ID_MAX ||
        (o && ((const uint8_t *)k->mv_data)[0] != KS_CASE))
        return false;
    *id = store_val((const uint8_t *)k->mv_data + o, k->mv_size - o);
    return true;
}

size_t store_seq_key(const store_t *s, uint64_t seq, uint8_t out[SEQ_KEY_MAX])
{
    size_t o = s->flat ? 1 : 0;
    out[0] = KS_JOURNAL;
    store_be64(out + o, seq);
    return o + 8;
}

bool store_seq_key_of(const store_t *s, const MDB_val *k, uint64_t *seq)
{
    size_t o = s->flat ? 1 : 0;
    const uint8_t *b = k->mv_data;
    if (k->mv_size != o + 8 || (o && b[0] != KS_JOURNAL))
        return false;
    *seq = store_from_be64(b + o);
    return true;
}

bool store_is_index_key(const MDB_val *k)
{
    static const uint8_t prefixes[] = {IX_APPLICANT, IX_OFFICER, IX_POOL, IX_STATE, IX_TIMER};
    return k->mv_size > 1 && memchr(prefixes, ((const uint8_t *)k->mv_data)[0], sizeof prefixes);
}

int store_space_first(store_txn_t *t, MDB_cursor *cur, store_db_t db, MDB_val *k, MDB_val *v)
{
    if (!t->s->flat)
        return mdb_cursor_get(cur, k, v, MDB_FIRST);
    uint8_t first = db == DB_JOURNAL ? KS_JOURNAL : KS_CASE;
    *k = store_val(&first, 1);
    int rc = mdb_cursor_get(cur, k, v, MDB_SET_RANGE);
    /* A key of the space that does not parse is the caller's to report. */
    return rc == 0 && ((const uint8_t *)k->mv_data)[0] != first ? MDB_NOTFOUND : rc;
}

/* Format 1 is the layout before the chained journal: it had no "format"
 * record but a "last_seq" or an "officers" database. An environment
 * without either is new. */
static unsigned detect_format(MDB_txn *txn)
{
    MDB_dbi meta;
    MDB_val k = store_str("format"), v;
    if (mdb_dbi_open(txn, "meta", 0, &meta) == 0 && mdb_get(txn, meta, &k, &v) == 0) {
        const uint8_t *b = v.mv_data;
        return v.mv_size == 4 ? (unsigned)b[0] << 24 | (unsigned)b[1] << 16 | (unsigned)b[2] << 8 | b[3]
                              : UINT32_MAX;
    }
    MDB_dbi old;
    return mdb_dbi_open(txn, "case_events", 0, &old) == 0 ? 1 : 0;
}

static sertel_err_t write_format(store_txn_t *t)
{
    uint8_t f[4] = {0, 0, 0, STORE_FORMAT};
    MDB_val k = store_str("format"), v = store_val(f, 4);
    return store_txn_err(t, mdb_put(t->txn, store_dbi(t, DB_META), &k, &v, 0));
}

/* Brings the environment to this layout in one write transaction: a new
 * one gets the format record, an older format is migrated step by step
 * (and says so), a newer format is refused untouched. */
static bool prepare(store_t *s, char *err, size_t errlen)
{
    store_txn_t t = {.s = s, .write = true};
    int rc = mdb_txn_begin(s->env, NULL, 0, &t.txn);
    if (rc != 0) {
        diag_at(err, errlen, s->dir, 0, _("cannot open the database: %s"), mdb_strerror(rc));
        return false;
    }
    unsigned format = detect_format(t.txn);
    s->flat = format == 0 || format >= 4; /* format 4 moved the hot spaces into the unnamed database */
    if (format > STORE_FORMAT) {
        mdb_txn_abort(t.txn);
        if (format == UINT32_MAX)
            diag_at(err, errlen, s->dir, 0, "%s", _("the store's format record is unreadable"));
        else
            diag_at(err, errlen, s->dir, 0,
                    _("the store has format %u, newer than this broker's %d: "
                      "use the broker version that made it"), format, STORE_FORMAT);
        return false;
    }
    rc = open_dbis(s, t.txn);
    sertel_err_t e = rc ? store_txn_err(&t, rc) : SERTEL_OK;
    /* The data key first: a migration seals with it. */
    if (e == SERTEL_OK)
        e = store_keys_load(s, &t, true, err, errlen);
    if (e == SERTEL_OK && format == 1)
        e = store_migrate_v1(&t, err, errlen);
    if (e == SERTEL_OK && format == 2)
        e = store_migrate_v2(&t, err, errlen);
    if (e == SERTEL_OK && format && format < 4)
        e = store_migrate_v3(&t, err, errlen);
    if (e == SERTEL_OK && format && format < 5)
        e = store_migrate_v4(&t, err, errlen);
    if (e == SERTEL_OK && format && format < 6)
        e = store_migrate_v5(&t, err, errlen);
    if (e == SERTEL_OK && format != STORE_FORMAT)
        e = write_format(&t);
    if (e == SERTEL_OK)
        e = store_txn_err(&t, mdb_txn_commit(t.txn));
    else
        mdb_txn_abort(t.txn);
    /* A migration rewrites records in one transaction: a map too small
     * for old and new copies at once grows, and the step starts again. */
    if (e == SERTEL_E_MAP_FULL && format && format < STORE_FORMAT && store_grow(s) == SERTEL_OK) {
        if (errlen)
            err[0] = '\0';
        return prepare(s, err, errlen);
    }
    if (e != SERTEL_OK && !err[0])
        diag_at(err, errlen, s->dir, 0, _("cannot prepare the database: %s"), sertel_strerror(e));
    if (e == SERTEL_OK && format && format < STORE_FORMAT)
        log_msg(LOG_INFO, _("%s: store migrated from format %u to format %d"), s->dir, format,
                STORE_FORMAT);
    return e == SERTEL_OK;
}

/* The inbox, pool and timer rows rebuilt from the cases in flight. A
 * case that does not decode marks the store damaged (writes refused, as
 * when a request meets it) rather than keeping the broker down. */
bool store_hot_ready(store_t *s, char *err, size_t errlen)
{
    sertel_err_t e = store_hot_load(s);
    if (e != SERTEL_OK && e != SERTEL_E_STORAGE)
        diag_at(err, errlen, s->dir, 0, _("cannot open the database: %s"), sertel_strerror(e));
    return e == SERTEL_OK || e == SERTEL_E_STORAGE;
}

store_t *store_open(const char *dir, char *err, size_t errlen)
{
    store_t *s = calloc(1, sizeof *s);
    if (!s) {
        diag_at(err, errlen, dir, 0, "%s", sertel_strerror(SERTEL_E_NOMEM));
        return NULL;
    }
    if (errlen)
        err[0] = '\0';
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    if (!store_env_open(s, err, errlen) || !store_scrub(s, err, errlen) ||
        !store_hot_ready(s, err, errlen)) {
        if (s->env)
            mdb_env_close(s->env);
        store_hot_free(&s->hot);
        free(s);
        return NULL;
    }
    return s;
}

bool store_env_open(store_t *s, char *err, size_t errlen)
{
    int rc = mdb_env_create(&s->env);
    if (rc == 0)
        rc = mdb_env_set_maxdbs(s->env, MAX_DBS);
    if (rc == 0)
        rc = mdb_env_set_mapsize(s->env, initial_map());
    /* LMDB never maps less than the data already holds; a map that grew
     * in an earlier run grows again on demand. */
    if (rc == 0)
        rc = mdb_env_open(s->env, s->dir, MDB_NOTLS, 0600);
    if (rc == 0) {
        int dead = 0;
        mdb_reader_check(s->env, &dead);
    } else {
        diag_at(err, errlen, s->dir, 0, _("cannot open the database: %s"), mdb_strerror(rc));
    }
    return rc == 0 && prepare(s, err, errlen);
}

void store_close(store_t **s)
{
    if (!s || !*s)
        return;
    /* The statistics as far as they were folded: the next start folds
     * only the journal after them. */
    store_txn_t *t = NULL;
    if (!(*s)->readonly && !(*s)->damaged && (*s)->stats && (*s)->stats->seq > (*s)->stats_saved &&
        store_begin(*s, NULL, true, &t) == SERTEL_OK) {
        if (store_stats_checkpoint(t, true))
            store_commit(&t);
        else
            store_abort(&t);
    }
    /* The cases written late, so that the next start reads no journal
     * for them. */
    if (!(*s)->readonly && !(*s)->damaged && store_heads_pending(*s) &&
        store_begin(*s, NULL, true, &t) == SERTEL_OK) {
        if (store_heads_flush(t) == SERTEL_OK)
            store_commit(&t);
        else
            store_abort(&t);
    }
    mdb_env_close((*s)->env);
    store_stats_view_free(&(*s)->stats);
    store_casecache_free(*s);
    free((*s)->staged);
    store_dedup_free(&(*s)->dedup);
    store_hot_free(&(*s)->hot);
    free(*s);
    *s = NULL;
}

sertel_err_t store_begin(store_t *s, store_txn_t *parent, bool write, store_txn_t **out)
{
    /* Damage seen: no command writes on it (each runs in a nested
     * transaction); the outermost one still serves reads. */
    if (write && parent && s->damaged)
        return SERTEL_E_STORAGE;
    /* A case the parent put and has not journalled is written (in the
     * parent, before the child exists) so that a nested transaction cannot
     * take it into an event and then be undone. */
    if (parent && s->staged_by == parent) {
        sertel_err_t e = store_heads_flush(parent);
        if (e != SERTEL_OK)
            return e;
    }
    store_txn_t *t = calloc(1, sizeof *t);
    if (!t)
        return SERTEL_E_NOMEM;
    t->s = s;
    t->write = write;
    t->parent = parent;
    int rc = mdb_txn_begin(s->env, parent ? parent->txn : NULL, write ? 0 : MDB_RDONLY, &t->txn);
    if (rc == 0 && write && !parent && !(t->pending = calloc(1, sizeof *t->pending)))
        rc = ENOMEM;
    if (rc != 0) {
        if (t->txn)
            mdb_txn_abort(t->txn);
        free(t);
        return store_map_err(rc);
    }
    if (parent) {
        t->pending = parent->pending;
        t->pending_mark = parent->pending ? parent->pending->n : 0;
        t->base_seq = parent->base_seq;
    } else {
        t->base_seq = store_last_seq(t);
    }
    t->hot_mark = write && s->hot ? store_hot_mark(s->hot) : 0;
    *out = t;
    return SERTEL_OK;
}

static void txn_free(store_txn_t *t, bool keep_pending)
{
    while (t->scratch)
        store_value_close(t);
    if (!t->parent && t->pending) {
        free(t->pending->v);
        free(t->pending);
    } else if (t->pending && !keep_pending) {
        t->pending->n = t->pending_mark; /* what this one appended is gone */
    }
    free(t);
}

sertel_err_t store_commit(store_txn_t **t)
{
    store_txn_t *x = *t;
    sertel_err_t e = store_heads_before_commit(x);
    if (e != SERTEL_OK) {
        store_abort(t);
        return e;
    }
    int rc = mdb_txn_commit(x->txn);
    if (rc == 0 && x->flushed) {
        if (x->parent)
            x->parent->flushed = x->flushed;
        else
            x->s->cases_at = x->flushed;
    }
    if (rc == 0 && !x->parent && x->pending)
        store_dedup_take(x->s, x->pending->v, x->pending->n);
    if (x->write && x->s->hot) {
        if (rc != 0)
            store_hot_undo(x->s->hot, x->hot_mark);
        else if (!x->parent)
            store_hot_settle(x->s->hot);
    }
    txn_free(x, rc == 0);
    *t = NULL;
    return store_map_err(rc);
}

void store_abort(store_txn_t **t)
{
    if (!t || !*t)
        return;
    mdb_txn_abort((*t)->txn);
    store_staged_drop(*t);
    if ((*t)->write && (*t)->s->hot)
        store_hot_undo((*t)->s->hot, (*t)->hot_mark);
    txn_free(*t, false);
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

/* DIR/manifest beside the copy: what it holds and its chain head, so a
 * copy rewritten later (or a journal rewritten whole) shows. */
static sertel_err_t write_manifest(const char *dir, char *err, size_t errlen)
{
    store_t *copy = store_open_readonly(dir, err, errlen);
    store_txn_t *t = NULL;
    uint64_t seq = 0;
    char hex[65];
    sertel_err_t e = copy ? store_begin(copy, NULL, false, &t) : SERTEL_E_STORAGE;
    if (e == SERTEL_OK)
        e = store_chain_head(t, &seq, hex);
    store_abort(&t);
    store_close(&copy);
    char path[4200];
    snprintf(path, sizeof path, "%s/manifest", dir);
    FILE *f = e == SERTEL_OK ? fopen(path, "wx") : NULL;
    if (f) {
        fprintf(f, "# Sertel backup: data.mdb is a consistent copy of the broker's store.\n"
                   "# Check it with: sertel-broker check --data %s\n"
                   "format = %d\nmade = %lld\njournal-events = %llu\n"
                   "chain-head-seq = %llu\nchain-head-sha256 = %s\n",
                dir, STORE_FORMAT, (long long)time(NULL), (unsigned long long)seq,
                (unsigned long long)seq, hex);
        e = fclose(f) == 0 ? SERTEL_OK : SERTEL_E_IO;
    } else if (e == SERTEL_OK) {
        e = SERTEL_E_IO;
    }
    if (e != SERTEL_OK && !err[0])
        diag_at(err, errlen, path, 0, _("cannot write the backup manifest: %s"), strerror(errno));
    return e;
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
    if (errlen)
        err[0] = '\0';
    return write_manifest(dir, err, errlen);
}

uint64_t store_meta_get(store_txn_t *t, const char *name)
{
    MDB_val k = store_str(name), v;
    if (mdb_get(t->txn, store_dbi(t, DB_META), &k, &v) != 0 || v.mv_size != 8)
        return 0;
    return store_from_be64(v.mv_data);
}

sertel_err_t store_meta_put(store_txn_t *t, const char *name, uint64_t value)
{
    uint8_t buf[8];
    store_be64(buf, value);
    MDB_val k = store_str(name), v = store_val(buf, 8);
    return store_txn_err(t, mdb_put(t->txn, store_dbi(t, DB_META), &k, &v, 0));
}

/* The agenda counters: 'D' and the year in four digits, in the unnamed
 * database next to the cases (store_internal.h). */
#define AGENDA_KEY_LEN 5

static bool agenda_key(int year, char out[AGENDA_KEY_LEN + 1])
{
    return year >= 0 && year <= 9999 &&
           snprintf(out, AGENDA_KEY_LEN + 1, "%c%04d", KS_AGENDA, year) == AGENDA_KEY_LEN;
}

/* The agenda counter of year, its key in name: 0 with the last number
 * given in *last, MDB_NOTFOUND (*last 0: none given yet), EINVAL for a
 * year that has no key, MDB_BAD_VALSIZE when it is not 8 bytes, or
 * LMDB's error. */
static int counter_read(store_txn_t *t, int year, char name[AGENDA_KEY_LEN + 1], uint64_t *last)
{
    *last = 0;
    if (!agenda_key(year, name))
        return EINVAL;
    MDB_val k = store_val(name, AGENDA_KEY_LEN), v;
    int rc = mdb_get(t->txn, store_dbi(t, DB_CASES), &k, &v);
    if (rc == 0 && v.mv_size != 8)
        return MDB_BAD_VALSIZE;
    if (rc == 0)
        *last = store_from_be64(v.mv_data);
    return rc;
}

uint64_t store_case_number(store_txn_t *t, int year)
{
    char name[AGENDA_KEY_LEN + 1];
    uint64_t last;
    return counter_read(t, year, name, &last) == 0 ? last : 0;
}

sertel_err_t store_case_number_set(store_txn_t *t, int year, uint64_t last)
{
    char name[AGENDA_KEY_LEN + 1] = "";
    uint8_t buf[8];
    if (!agenda_key(year, name))
        return SERTEL_E_INVALID;
    store_be64(buf, last);
    MDB_val k = store_val(name, AGENDA_KEY_LEN), v = store_val(buf, 8);
    return store_txn_err(t, mdb_put(t->txn, store_dbi(t, DB_CASES), &k, &v, 0));
}

/* An agenda number is given once. A counter that is not 8 bytes, or one
 * that names a case already stored, is damage: counting again from it
 * would write a new letter over a registered one. */
sertel_err_t store_next_case_id(store_txn_t *t, int year, char *id, size_t len)
{
    char name[AGENDA_KEY_LEN + 1];
    uint64_t n;
    int rc = counter_read(t, year, name, &n);
    if (rc == EINVAL)
        return SERTEL_E_INVALID;
    if (rc == MDB_BAD_VALSIZE)
        return store_damaged(t->s, "agenda counter", name);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return store_txn_err(t, rc);
    snprintf(id, len, "SE-%04d-%05llu", year, (unsigned long long)++n);
    uint8_t key[CASE_KEY_MAX];
    MDB_val ck = store_val(key, store_case_key(t->s, id, key)), v;
    if (!ck.mv_size)
        return SERTEL_E_INVALID;
    rc = mdb_get(t->txn, store_dbi(t, DB_CASES), &ck, &v);
    if (rc == 0)
        return store_damaged(t->s, "agenda counter behind a case", id);
    if (rc != MDB_NOTFOUND)
        return store_txn_err(t, rc);
    return store_case_number_set(t, year, n);
}

sertel_err_t store_case_years(store_txn_t *t, int *years, int max, int *n)
{
    MDB_cursor *cur;
    *n = 0;
    int rc = mdb_cursor_open(t->txn, store_dbi(t, DB_CASES), &cur);
    if (rc != 0)
        return store_txn_err(t, rc);
    uint8_t first = KS_AGENDA;
    MDB_val k = store_val(&first, 1), v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0 && *n < max;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        char name[AGENDA_KEY_LEN + 1] = "";
        if (k.mv_size != AGENDA_KEY_LEN || ((const uint8_t *)k.mv_data)[0] != KS_AGENDA)
            break;
        memcpy(name, k.mv_data, k.mv_size);
        years[(*n)++] = atoi(name + 1);
    }
    mdb_cursor_close(cur);
    return rc == 0 || rc == MDB_NOTFOUND ? SERTEL_OK : store_txn_err(t, rc);
}

sertel_err_t store_damaged(store_t *s, const char *what, const char *where)
{
    if (!s->damaged)
        log_msg(LOG_ERROR, _("%s: damaged record (%s at %s): writes are refused until the "
                             "store is checked (sertel-broker check) and restored"),
                s->dir, what, where);
    s->damaged = true;
    return SERTEL_E_STORAGE;
}

bool store_is_damaged(const store_t *s)
{
    return s->damaged;
}

/* Records holding personal data whole (the outbox's addresses, the
 * certificate register's holders) are sealed as they are put. */
static bool sealed_db(store_db_t db)
{
    return db == DB_APPLICANT;
}

/* An empty message is sealed as one zero byte (store_value_open gives
 * it back empty): nothing is ever stored in the clear. */
sertel_err_t store_put_sealed(store_txn_t *t, store_db_t db, MDB_val key, const uint8_t *plain,
                              size_t n)
{
    return store_put_sealed_dbi(t, store_dbi(t, db), key, plain, n);
}

sertel_err_t store_put_sealed_dbi(store_txn_t *t, MDB_dbi dbi, MDB_val key, const uint8_t *plain,
                                  size_t n)
{
    MDB_val v = {store_sealed_len(n ? n : 1), NULL};
    int rc = t->s->keyed ? mdb_put(t->txn, dbi, &key, &v, MDB_RESERVE) : -1;
    if (rc == 0)
        store_seal(t->s, key.mv_data, key.mv_size, n ? plain : (const uint8_t *)"", n ? n : 1,
                   v.mv_data);
    return rc == -1 ? SERTEL_E_DENIED : store_txn_err(t, rc);
}

static sertel_err_t put_sealed(store_txn_t *t, store_db_t db, MDB_val key, const ProtobufCMessage *m)
{
    size_t n = protobuf_c_message_get_packed_size(m);
    uint8_t *plain = malloc(n ? n : 1);
    if (!plain)
        return SERTEL_E_NOMEM;
    protobuf_c_message_pack(m, plain);
    sertel_err_t e = store_put_sealed(t, db, key, plain, n);
    sodium_memzero(plain, n ? n : 1);
    free(plain);
    return e;
}

sertel_err_t store_put_pb_head(store_txn_t *t, store_db_t db, MDB_val key, const void *head,
                               size_t hlen, const ProtobufCMessage *m, unsigned flags)
{
    if (sealed_db(db) && !hlen)
        return put_sealed(t, db, key, m);
    size_t n = protobuf_c_message_get_packed_size(m);
    MDB_val v = {hlen + n, NULL};
    /* MDB_RESERVE lets protobuf-c pack straight into the page. */
    int rc = mdb_put(t->txn, store_dbi(t, db), &key, &v, MDB_RESERVE | flags);
    if (rc != 0)
        return store_txn_err(t, rc);
    if (hlen)
        memcpy(v.mv_data, head, hlen);
    protobuf_c_message_pack(m, (uint8_t *)v.mv_data + hlen);
    return SERTEL_OK;
}

bool store_value_open(store_txn_t *t, const MDB_val *k, MDB_val *v)
{
    store_scratch_t *sc = malloc(sizeof *sc + (v->mv_size ? v->mv_size : 1));
    size_t n = 0;
    if (!sc || !store_unseal(t->s, k->mv_data, k->mv_size, v->mv_data, v->mv_size, sc->data, &n)) {
        free(sc);
        return false;
    }
    /* Kept until the transaction ends, as LMDB's own values are, or
     * store_value_close. */
    sc->len = v->mv_size ? v->mv_size : 1;
    sc->next = t->scratch;
    t->scratch = sc;
    v->mv_data = sc->data;
    v->mv_size = n == 1 && sc->data[0] == 0 ? 0 : n;
    return true;
}

void store_value_close(store_txn_t *t)
{
    store_scratch_t *sc = t->scratch;
    if (!sc)
        return;
    t->scratch = sc->next;
    sodium_memzero(sc->data, sc->len);
    free(sc);
}

ProtobufCMessage *store_sealed_unpack(store_txn_t *t, const MDB_val *k, MDB_val v,
                                      const ProtobufCMessageDescriptor *desc)
{
    if (!store_value_open(t, k, &v))
        return NULL;
    ProtobufCMessage *m = protobuf_c_message_unpack(desc, NULL, v.mv_size, v.mv_data);
    store_value_close(t);
    return m;
}

sertel_err_t store_put_pb(store_txn_t *t, store_db_t db, MDB_val key, const ProtobufCMessage *m)
{
    return store_put_pb_head(t, db, key, NULL, 0, m, 0);
}
