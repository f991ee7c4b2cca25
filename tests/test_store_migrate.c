/* Upgrade in place: a data directory in the layout of format 1 (Sertel
 * before the chained journal), format 2 (nothing sealed), format 3 (the
 * journal, cases and index in named databases), format 4 (the inbox and
 * timer rows on disk) or format 5 (the outbox, the register and the agenda
 * counters outside the unnamed database) is migrated when the real broker starts on
 * it, and every case, its history, the inboxes and the applicant lookup
 * are what they were; the journal goes on without a gap. A store of a
 * newer format than this build's is refused, untouched.
 *
 * The format-1 directory is made at test time: the real broker fills a
 * directory through the protocol, then the small format-1 writer below
 * rewrites its cases, journal and indexes the way format 1 stored them
 * (the registry records, officers, keys, texts and blobs, did not change
 * between the formats). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <lmdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "harness.h"
#include "store_internal.h"

#define STAF_NIP "198503142010011003"
#define CASES 3

/* ---- the format-1 writer */

typedef struct {
    MDB_txn *txn;
    MDB_dbi cases, journal, meta, case_events, inbox_officer, inbox_role, by_state,
        by_applicant, timers, replies;
} v1_t;

static MDB_dbi open_db(MDB_txn *txn, const char *name, unsigned flags)
{
    MDB_dbi dbi;
    assert_int_equal(mdb_dbi_open(txn, name, flags | MDB_CREATE, &dbi), 0);
    return dbi;
}

static void put(MDB_txn *txn, MDB_dbi dbi, const void *k, size_t klen, const void *v, size_t vlen)
{
    MDB_val key = {klen, (void *)k}, val = {vlen, (void *)v};
    assert_int_equal(mdb_put(txn, dbi, &key, &val, 0), 0);
}

static void be64(uint8_t out[8], uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        out[i] = (uint8_t)v;
}

typedef struct {
    uint8_t *k, *v;
    size_t klen, vlen;
} record_t;

static int read_all(MDB_txn *txn, MDB_dbi dbi, record_t *recs, int max)
{
    MDB_cursor *cur;
    MDB_val k, v;
    int n = 0;
    assert_int_equal(mdb_cursor_open(txn, dbi, &cur), 0);
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        assert_true(n < max);
        recs[n].k = malloc(k.mv_size);
        recs[n].v = malloc(v.mv_size);
        memcpy(recs[n].k, k.mv_data, recs[n].klen = k.mv_size);
        memcpy(recs[n].v, v.mv_data, recs[n].vlen = v.mv_size);
        n++;
    }
    mdb_cursor_close(cur);
    return n;
}

static void records_free(record_t *recs, int n)
{
    for (int i = 0; i < n; i++) {
        free(recs[i].k);
        free(recs[i].v);
    }
}

/* Format 1's index rows of a case (one dupsort database per index). */
static void v1_index(v1_t *w, const case_t *c)
{
    size_t idlen = strlen(c->id);
    if (c->state == CASE_OPEN || c->state == CASE_WAITING) {
        if (c->assignee[0]) {
            put(w->txn, w->inbox_officer, c->assignee, strlen(c->assignee), c->id, idlen);
        } else {
            uint8_t pool[2] = {(uint8_t)c->pool_role, (uint8_t)c->pool_quals};
            put(w->txn, w->inbox_role, pool, 2, c->id, idlen);
        }
    }
    uint8_t st = (uint8_t)c->state;
    put(w->txn, w->by_state, &st, 1, c->id, idlen);
    if (c->app.nip[0])
        put(w->txn, w->by_applicant, c->app.nip, strlen(c->app.nip), c->id, idlen);
    int64_t at[2] = {c->state == CASE_OPEN && !c->warned ? c->warn_at : 0,
                     c->state == CASE_OPEN && !c->overdue ? c->due_at : 0};
    for (int i = 0; i < 2; i++) {
        if (at[i] <= 0)
            continue;
        uint8_t key[8 + CASE_ID_MAX];
        be64(key, (uint64_t)at[i]);
        memcpy(key + 8, c->id, idlen);
        put(w->txn, w->timers, key, 8 + idlen, "", 0);
    }
}

typedef struct {
    case_t c[8];
    int n;
} cases_t;

static int keep_case(const case_t *c, void *arg)
{
    cases_t *all = arg;
    assert_true(all->n < 8);
    all->c[all->n++] = *c;
    return 0;
}


typedef struct {
    record_t r[32];
    int n;
} plain_t;

/* ---- the format-4 writer: format 4 kept every index row in the unnamed
 * database, the inbox ('O' nip NUL id), pool ('P' role quals id) and SLA
 * timer ('T' instant id) rows too; format 5 keeps those in memory. The
 * rows written are kept to compare with what the store rebuilds. */

typedef struct {
    uint8_t key[128];
    size_t len;
} row_t;

static row_t hot_rows[64];
static int n_hot_rows;

static void hot_row(uint8_t prefix, const void *head, size_t hlen, const char *id)
{
    assert_true(n_hot_rows < 64);
    row_t *r = &hot_rows[n_hot_rows++];
    r->key[0] = prefix;
    memcpy(r->key + 1, head, hlen);
    memcpy(r->key + 1 + hlen, id, strlen(id));
    r->len = 1 + hlen + strlen(id);
}

static void read_cases(const char *dir, cases_t *all, plain_t *p);

/* ---- the format-5 writer: format 5 kept the outbox and the certificate
 * register in the named database "applicant" (the keys without the 'U',
 * the sealed records bound to those keys) and the agenda counters in
 * meta ("case:" and the year); format 6 keeps both in the unnamed
 * database, beside the cases. */

typedef struct {
    record_t r[64];
    int n;
} moved_t;

/* The records of the unnamed database's space first (their sealed values
 * opened), taken out. */
static void take_space(store_txn_t *t, uint8_t first, moved_t *m)
{
    MDB_cursor *cur;
    MDB_val k, v;
    assert_int_equal(mdb_cursor_open(t->txn, t->s->dbi[DB_CASES], &cur), 0);
    k = (MDB_val){1, &first};
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0 && ((uint8_t *)k.mv_data)[0] == first;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        assert_true(m->n < 64);
        uint8_t kind = k.mv_size > 1 ? ((uint8_t *)k.mv_data)[1] : 0;
        if (first == KS_APPLICANT && (kind == 'm' || kind == 'c'))
            assert_true(store_value_open(t, &k, &v));
        record_t *r = &m->r[m->n++];
        r->k = malloc(k.mv_size);
        r->v = malloc(v.mv_size ? v.mv_size : 1);
        memcpy(r->k, k.mv_data, r->klen = k.mv_size);
        memcpy(r->v, v.mv_data, r->vlen = v.mv_size);
    }
    mdb_cursor_close(cur);
    for (int i = 0; i < m->n; i++) {
        k = (MDB_val){m->r[i].klen, m->r[i].k};
        assert_int_equal(mdb_del(t->txn, t->s->dbi[DB_CASES], &k, NULL), 0);
    }
}

static void write_format5(const char *dir)
{
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/db", dir);
    store_t *s = store_open(path, err, sizeof err);
    assert_non_null(s);
    store_txn_t *t;
    assert_int_equal(store_begin(s, NULL, true, &t), SERTEL_OK);
    static moved_t appl, agenda;
    appl.n = agenda.n = 0;
    take_space(t, KS_APPLICANT, &appl);
    take_space(t, 'D', &agenda);
    assert_true(appl.n > 0 && agenda.n > 0); /* the intakes queued e-mails, took numbers */
    MDB_dbi named;
    assert_int_equal(mdb_dbi_open(t->txn, "applicant", MDB_CREATE, &named), 0);
    for (int i = 0; i < appl.n; i++) {
        record_t *r = &appl.r[i];
        MDB_val k = {r->klen - 1, r->k + 1};
        if (r->k[1] == 'm' || r->k[1] == 'c') {
            assert_int_equal(store_put_sealed_dbi(t, named, k, r->v, r->vlen), SERTEL_OK);
        } else if (r->k[1] == 'p') { /* format 5's pending marks: oldest first */
            uint8_t seq[9] = {'p'};
            assert_int_equal(r->klen, 10);
            be64(seq + 1, UINT64_MAX - store_from_be64(r->k + 2));
            put(t->txn, named, seq, 9, r->v, r->vlen);
        } else
            put(t->txn, named, r->k + 1, r->klen - 1, r->v, r->vlen);
    }
    for (int i = 0; i < agenda.n; i++) {
        char name[16];
        assert_int_equal(agenda.r[i].klen, 5);
        snprintf(name, sizeof name, "case:%.4s", (const char *)agenda.r[i].k + 1);
        put(t->txn, s->dbi[DB_META], name, 9, agenda.r[i].v, agenda.r[i].vlen);
    }
    put(t->txn, s->dbi[DB_META], "format", 6, "\0\0\0\5", 4);
    assert_int_equal(store_commit(&t), SERTEL_OK);
    store_close(&s);
    records_free(appl.r, appl.n);
    records_free(agenda.r, agenda.n);
}

/* The inbox, pool and timer rows of every case, as format 4 wrote them,
 * put into the unnamed database. */
static void write_hot_rows(const char *dir)
{
    static cases_t all;
    all.n = 0;
    n_hot_rows = 0;
    read_cases(dir, &all, NULL);
    write_format5(dir);
    for (int i = 0; i < all.n; i++) {
        const case_t *c = &all.c[i];
        if (c->state == CASE_OPEN || c->state == CASE_WAITING) {
            uint8_t pool[2] = {(uint8_t)c->pool_role, (uint8_t)c->pool_quals};
            if (c->assignee[0])
                hot_row('O', c->assignee, strlen(c->assignee) + 1, c->id);
            else
                hot_row('P', pool, 2, c->id);
        }
        uint8_t at[8];
        if (c->state == CASE_OPEN && !c->warned && c->warn_at > 0) {
            be64(at, (uint64_t)c->warn_at);
            hot_row('T', at, 8, c->id);
        }
        if (c->state == CASE_OPEN && !c->overdue && c->due_at > 0 && c->due_at != c->warn_at) {
            be64(at, (uint64_t)c->due_at);
            hot_row('T', at, 8, c->id);
        }
    }
    char path[512];
    snprintf(path, sizeof path, "%s/db", dir);
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi main;
    assert_int_equal(mdb_env_create(&env), 0);
    mdb_env_set_maxdbs(env, 32);
    assert_int_equal(mdb_env_open(env, path, MDB_NOTLS, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, NULL, 0, &main), 0);
    for (int i = 0; i < n_hot_rows; i++)
        put(txn, main, hot_rows[i].key, hot_rows[i].len, "", 0);
    MDB_dbi meta = open_db(txn, "meta", 0);
    put(txn, meta, "format", 6, "\0\0\0\4", 4);
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
}

static int row_order(const void *a, const void *b)
{
    const row_t *x = a, *y = b;
    int c = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* The rows a copy of the format-4 store holds in memory once migrated:
 * exactly those format 4 kept, and none of them left in the database. */
static void rebuilt_rows_match(const char *dir)
{
    char to[512], cmd[1600], err[512];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/copy/db' && cp '%s/db/data.mdb' '%s/copy/db/' && cp '%s/data.key' '%s/copy/'",
             dir, dir, dir, dir, dir);
    assert_int_equal(system(cmd), 0);
    snprintf(to, sizeof to, "%s/copy/db", dir);
    store_t *s = store_open(to, err, sizeof err);
    if (!s)
        fail_msg("open the format-4 copy: %s", err);
    qsort(hot_rows, (size_t)n_hot_rows, sizeof *hot_rows, row_order);
    assert_int_equal(store_hot_count(s->hot), n_hot_rows);
    bool timer = false, inbox = false;
    MDB_val k;
    for (int i = 0; i < n_hot_rows; i++) {
        assert_true(i ? store_hot_first(s->hot, k.mv_data, k.mv_size, true, &k)
                      : store_hot_first(s->hot, (const uint8_t *)"", 0, false, &k));
        assert_int_equal(k.mv_size, hot_rows[i].len);
        assert_memory_equal(k.mv_data, hot_rows[i].key, hot_rows[i].len);
        timer |= hot_rows[i].key[0] == 'T';
        inbox |= hot_rows[i].key[0] != 'T';
    }
    assert_true(timer && inbox);
    store_txn_t *t;
    assert_int_equal(store_begin(s, NULL, false, &t), SERTEL_OK);
    MDB_cursor *cur;
    assert_int_equal(mdb_cursor_open(t->txn, t->s->dbi[DB_INDEX], &cur), 0);
    MDB_val v;
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
        assert_true(!k.mv_size || !strchr("OPT", ((char *)k.mv_data)[0]));
    mdb_cursor_close(cur);
    store_abort(&t);
    store_close(&s);
    snprintf(cmd, sizeof cmd, "rm -rf '%s/copy'", dir);
    assert_int_equal(system(cmd), 0);
}

static void write_format4(const char *dir)
{
    write_hot_rows(dir);
    rebuilt_rows_match(dir);
}

/* ---- the format-3 writer: format 3 kept the journal, the cases and the
 * index rows, records as they are now, in three named databases; format 4
 * keeps them in the unnamed database under 0xFF, 'C' and the index bytes. */

static void write_format3(const char *dir)
{
    write_hot_rows(dir);
    char path[512];
    snprintf(path, sizeof path, "%s/db", dir);
    MDB_env *env;
    MDB_txn *txn;
    assert_int_equal(mdb_env_create(&env), 0);
    mdb_env_set_maxdbs(env, 32);
    mdb_env_set_mapsize(env, 256u << 20);
    assert_int_equal(mdb_env_open(env, path, MDB_NOTLS, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
    MDB_dbi main, cases = open_db(txn, "cases", 0), journal = open_db(txn, "journal", 0),
                  index = open_db(txn, "index", 0), meta = open_db(txn, "meta", 0);
    assert_int_equal(mdb_dbi_open(txn, NULL, 0, &main), 0);
    MDB_cursor *cur;
    MDB_val k, v;
    int moved = 0;
    assert_int_equal(mdb_cursor_open(txn, main, &cur), 0);
    int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    while (rc == 0) {
        const uint8_t *b = k.mv_data;
        MDB_dbi to = b[0] == 0xFF ? journal : b[0] == 'C' ? cases
                   : b[0] && strchr("AOPST", b[0]) ? index : 0;
        if (!to) { /* a named database's record */
            rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
            continue;
        }
        size_t skip = to == index ? 0 : 1;
        put(txn, to, b + skip, k.mv_size - skip, v.mv_data, v.mv_size);
        assert_int_equal(mdb_cursor_del(cur, 0), 0);
        moved++;
        rc = mdb_cursor_get(cur, &k, &v, MDB_GET_CURRENT);
        if (rc == EINVAL)
            rc = MDB_NOTFOUND;
    }
    mdb_cursor_close(cur);
    assert_true(moved > 0);
    put(txn, meta, "format", 6, "\0\0\0\3", 4);
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
}

/* ---- the format-2 writer: format 2 had the layout of format 3 but sealed
 * nothing (the case record was [u64 head][packed Case], NIK, e-mail and
 * phone in it), indexed applicants by their NIP in the clear ('A', NIP,
 * NUL, case id), kept the outbox's and the register's records packed in
 * the clear, and had no data key. */

static int keep_item(const Sertel__OutboxItem *item, void *arg)
{
    plain_t *p = arg;
    assert_true(p->n < 32);
    record_t *r = &p->r[p->n++];
    r->klen = 9;
    r->k = malloc(9);
    r->k[0] = 'm';
    be64(r->k + 1, item->id);
    r->v = codec_pack(&item->base, &r->vlen);
    return 0;
}

static int keep_cert(const Sertel__CertRecord *c, void *arg)
{
    plain_t *p = arg;
    assert_true(p->n < 32);
    record_t *r = &p->r[p->n++];
    r->klen = 1 + strlen(c->serial);
    r->k = malloc(r->klen);
    r->k[0] = 'c';
    memcpy(r->k + 1, c->serial, r->klen - 1);
    r->v = codec_pack(&c->base, &r->vlen);
    return 0;
}

/* The cases as the store reads them (their personal data opened) and,
 * when p, the outbox's and the register's records. */
static void read_cases(const char *dir, cases_t *all, plain_t *p)
{
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/db", dir);
    store_t *s = store_open(path, err, sizeof err);
    assert_non_null(s);
    store_txn_t *t;
    assert_int_equal(store_begin(s, NULL, false, &t), SERTEL_OK);
    assert_int_equal(store_cases_all(t, NULL, keep_case, all), SERTEL_OK);
    if (p) {
        assert_int_equal(store_outbox_all(t, keep_item, p), SERTEL_OK);
        assert_int_equal(store_certs(t, keep_cert, p), SERTEL_OK);
    }
    store_abort(&t);
    store_close(&s);
}

static void write_format2(const char *dir)
{
    static cases_t all;
    static plain_t applicant;
    all.n = applicant.n = 0;
    read_cases(dir, &all, &applicant);
    assert_true(applicant.n > 0); /* the intakes queued e-mails */
    write_format3(dir);
    char path[512];
    snprintf(path, sizeof path, "%s/db", dir);
    MDB_env *env;
    MDB_txn *txn;
    assert_int_equal(mdb_env_create(&env), 0);
    mdb_env_set_maxdbs(env, 32);
    assert_int_equal(mdb_env_open(env, path, MDB_NOTLS, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
    MDB_dbi cases = open_db(txn, "cases", 0), index = open_db(txn, "index", 0),
            meta = open_db(txn, "meta", 0), appl = open_db(txn, "applicant", 0);
    MDB_val k, v;
    for (int i = 0; i < all.n; i++) {
        const case_t *c = &all.c[i];
        k = (MDB_val){strlen(c->id), (void *)c->id};
        assert_int_equal(mdb_get(txn, cases, &k, &v), 0);
        uint8_t rec[8 + 4096];
        memcpy(rec, v.mv_data, 8); /* the head: the seq of its last event */
        Sertel__Case pb;
        assert_int_equal(codec_case_to_pb(c, &pb), SERTEL_OK);
        size_t len = protobuf_c_message_get_packed_size(&pb.base);
        assert_true(len <= 4096);
        protobuf_c_message_pack(&pb.base, rec + 8);
        codec_case_pb_clear(&pb);
        put(txn, cases, c->id, strlen(c->id), rec, 8 + len);
    }
    /* The applicant rows by NIP in the clear. */
    MDB_cursor *cur;
    assert_int_equal(mdb_cursor_open(txn, index, &cur), 0);
    k = (MDB_val){1, "A"};
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
         rc == 0 && ((uint8_t *)k.mv_data)[0] == 'A'; rc = mdb_cursor_get(cur, &k, &v, MDB_GET_CURRENT)) {
        assert_int_equal(mdb_cursor_del(cur, 0), 0);
    }
    mdb_cursor_close(cur);
    for (int i = 0; i < all.n; i++) {
        const case_t *c = &all.c[i];
        if (!c->app.nip[0])
            continue;
        uint8_t key[128];
        size_t n = 0;
        key[n++] = 'A';
        memcpy(key + n, c->app.nip, strlen(c->app.nip) + 1);
        n += strlen(c->app.nip) + 1;
        memcpy(key + n, c->id, strlen(c->id));
        n += strlen(c->id);
        put(txn, index, key, n, "", 0);
    }
    for (int i = 0; i < applicant.n; i++)
        put(txn, appl, applicant.r[i].k, applicant.r[i].klen, applicant.r[i].v, applicant.r[i].vlen);
    records_free(applicant.r, applicant.n);
    MDB_val kk = {11, "data-key-id"};
    assert_int_equal(mdb_del(txn, meta, &kk, NULL), 0);
    put(txn, meta, "format", 6, "\0\0\0\2", 4);
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
    snprintf(path, sizeof path, "%s/data.key", dir);
    assert_int_equal(unlink(path), 0);
}

/* Rewrites the directory's store as format 1 stored the same office. */
static void write_format1(const char *dir)
{
    static cases_t all;
    all.n = 0;
    cases_t *cases = &all;
    read_cases(dir, cases, NULL);
    write_format3(dir);
    char path[512];
    snprintf(path, sizeof path, "%s/db", dir);
    MDB_env *env;
    assert_int_equal(mdb_env_create(&env), 0);
    mdb_env_set_maxdbs(env, 32);
    mdb_env_set_mapsize(env, 256u << 20);
    assert_int_equal(mdb_env_open(env, path, MDB_NOTLS, 0600), 0);
    v1_t w;
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &w.txn), 0);
    w.cases = open_db(w.txn, "cases", 0);
    w.journal = open_db(w.txn, "journal", 0);
    w.meta = open_db(w.txn, "meta", 0);
    w.case_events = open_db(w.txn, "case_events", MDB_DUPSORT | MDB_DUPFIXED);
    w.inbox_officer = open_db(w.txn, "inbox_officer", MDB_DUPSORT);
    w.inbox_role = open_db(w.txn, "inbox_role", MDB_DUPSORT);
    w.by_state = open_db(w.txn, "by_state", MDB_DUPSORT);
    w.by_applicant = open_db(w.txn, "by_applicant", MDB_DUPSORT);
    w.timers = open_db(w.txn, "timers", 0);
    w.replies = open_db(w.txn, "replies", 0);
    open_db(w.txn, "stats", 0);
    open_db(w.txn, "reply_times", 0);

    /* Cases: the packed Case alone (format 1 sealed nothing), and their
     * rows. */
    record_t recs[64];
    for (int i = 0; i < cases->n; i++) {
        const case_t *c = &cases->c[i];
        Sertel__Case pb;
        assert_int_equal(codec_case_to_pb(c, &pb), SERTEL_OK);
        size_t len;
        uint8_t *packed = codec_pack(&pb.base, &len);
        put(w.txn, w.cases, c->id, strlen(c->id), packed, len);
        free(packed);
        codec_case_pb_clear(&pb);
        v1_index(&w, c);
    }
    int n;

    /* Journal: the packed Event alone, indexed by case; last_seq in meta. */
    uint64_t last = 0;
    n = read_all(w.txn, w.journal, recs, 64);
    for (int i = 0; i < n; i++) {
        /* A record of this format: [hash][case link][Event], or with the
         * link's top bit [u32 length][Event][the case after it]. */
        const uint8_t *rec = recs[i].v;
        size_t at = 40, len = recs[i].vlen - 40;
        if (rec[32] & 0x80) {
            len = (size_t)rec[40] << 24 | (size_t)rec[41] << 16 | (size_t)rec[42] << 8 | rec[43];
            at = 44;
        }
        Sertel__Event *ev = sertel__event__unpack(NULL, len, rec + at);
        assert_non_null(ev);
        last = ev->seq;
        ev->request_id = 0; /* format 1 had no such field */
        uint8_t *packed = codec_pack(&ev->base, &len);
        put(w.txn, w.journal, recs[i].k, 8, packed, len);
        free(packed);
        if (ev->case_id[0])
            put(w.txn, w.case_events, ev->case_id, strlen(ev->case_id), recs[i].k, 8);
        sertel__event__free_unpacked(ev, NULL);
    }
    records_free(recs, n);
    uint8_t seq[8];
    be64(seq, last);
    put(w.txn, w.meta, "last_seq", 8, seq, 8);
    /* A remembered reply, as format 1 kept them whole. */
    put(w.txn, w.replies, STAF_NIP "\0\0\0\0\0\0\0\1", 26, "reply", 5);

    /* What format 1 did not have (the outbox and the register came later). */
    MDB_dbi index, appl;
    assert_int_equal(mdb_dbi_open(w.txn, "index", 0, &index), 0);
    assert_int_equal(mdb_drop(w.txn, index, 1), 0);
    assert_int_equal(mdb_dbi_open(w.txn, "applicant", 0, &appl), 0);
    assert_int_equal(mdb_drop(w.txn, appl, 1), 0);
    MDB_val fk = {6, "format"}, kk = {11, "data-key-id"};
    assert_int_equal(mdb_del(w.txn, w.meta, &fk, NULL), 0);
    assert_int_equal(mdb_del(w.txn, w.meta, &kk, NULL), 0);
    assert_int_equal(mdb_txn_commit(w.txn), 0);
    mdb_env_close(env);
    /* Format 1 had no data key: the migration makes one. */
    snprintf(path, sizeof path, "%s/data.key", dir);
    assert_int_equal(unlink(path), 0);
}

static bool has_db(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/db", dir);
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    mdb_env_create(&env);
    mdb_env_set_maxdbs(env, 32);
    assert_int_equal(mdb_env_open(env, path, MDB_NOTLS | MDB_RDONLY, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
    bool found = mdb_dbi_open(txn, name, 0, &dbi) == 0;
    mdb_txn_abort(txn);
    mdb_env_close(env);
    return found;
}

/* ---- what must survive */

typedef struct {
    uint8_t *bytes[CASES];
    size_t len[CASES];
    size_t inbox, found;
} seen_t;

static void look(conn_t *staf, char ids[CASES][32], seen_t *s)
{
    for (int i = 0; i < CASES; i++) {
        Sertel__Envelope *r = harness_case(staf, ids[i]);
        assert_int_equal(harness_error(r), 0);
        r->case_detail->case_->work_used = 0; /* the clock moved on */
        for (size_t j = 0; j < r->case_detail->n_history; j++)
            r->case_detail->history[j]->request_id = 0; /* not in format 1 */
        s->bytes[i] = codec_pack(&r->case_detail->base, &s->len[i]);
        assert_true(r->case_detail->n_history >= 2);
        sertel__envelope__free_unpacked(r, NULL);
    }
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    Sertel__InboxQuery q = SERTEL__INBOX_QUERY__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_INBOX;
    req.inbox = &q;
    Sertel__Envelope *r = harness_call(staf, &req);
    assert_int_equal(harness_error(r), 0);
    s->inbox = r->case_list->n_cases;
    sertel__envelope__free_unpacked(r, NULL);
    Sertel__SearchQuery sq = SERTEL__SEARCH_QUERY__INIT;
    sq.nip = "199001012015011001";
    req.body_case = SERTEL__ENVELOPE__BODY_SEARCH;
    req.search = &sq;
    r = harness_call(staf, &req);
    assert_int_equal(harness_error(r), 0);
    s->found = r->case_list->n_cases;
    sertel__envelope__free_unpacked(r, NULL);
}

/* An office's store rewritten by writer in an older format, then the
 * broker started on it: everything as it was, the journal going on. */
/* Whether the file holds text anywhere (a live record or a freed page). */
static bool file_has(const char *path, const char *text)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = strlen(text), cap = 1 << 20, len = 0;
    char *buf = malloc(cap);
    size_t got;
    while ((got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    bool found = false;
    for (size_t i = 0; !found && i + n <= len; i++)
        found = memcmp(buf + i, text, n) == 0;
    free(buf);
    return found;
}

static void migrates(void (*writer)(const char *dir), const char *old_db)
{
    harness_t h;
    assert_true(harness_start(&h));
    keyfile_t key;
    assert_true(harness_enrol(&h, STAF_NIP, "Siti Rahmawati", ROLE_STAF, 0, &key));
    conn_t *staf = harness_connect(&h, &key);
    char ids[CASES][32];
    for (int i = 0; i < CASES; i++) {
        Sertel__Envelope *r = harness_intake(staf, "Budi Santoso", i < 2 ? "199001012015011001" : NULL);
        assert_int_equal(harness_error(r), 0);
        snprintf(ids[i], sizeof ids[i], "%s", r->done->case_id);
        sertel__envelope__free_unpacked(r, NULL);
    }
    Sertel__Envelope *r = harness_complete(staf, ids[0], NULL, "Proses");
    assert_int_equal(harness_error(r), 0);
    sertel__envelope__free_unpacked(r, NULL);
    seen_t before, after;
    look(staf, ids, &before);
    size_t events = harness_journal_len(&h);

    harness_stop(&h, SIGTERM);
    static cases_t all;
    static plain_t outbox, outbox_after;
    all.n = outbox.n = outbox_after.n = 0;
    read_cases(h.dir, &all, &outbox);
    writer(h.dir);
    assert_true(!old_db || has_db(h.dir, old_db));
    bool had_outbox = has_db(h.dir, "applicant");
    assert_true(harness_restart(&h));

    look(staf, ids, &after);
    for (int i = 0; i < CASES; i++) {
        assert_int_equal(after.len[i], before.len[i]);
        assert_memory_equal(after.bytes[i], before.bytes[i], before.len[i]);
        free(before.bytes[i]);
        free(after.bytes[i]);
    }
    assert_int_equal(after.inbox, before.inbox);
    assert_int_equal(after.found, 2);
    assert_int_equal(harness_journal_len(&h), events);
    /* The journal goes on from where it was, the agenda numbers too. */
    r = harness_complete(staf, ids[1], NULL, "Proses");
    assert_int_equal(harness_error(r), 0);
    assert_int_equal(r->done->seq, events + 1);
    sertel__envelope__free_unpacked(r, NULL);
    r = harness_intake(staf, "Budi Santoso", NULL);
    assert_int_equal(harness_error(r), 0);
    char next[32];
    snprintf(next, sizeof next, "%.8s%05d", ids[0], CASES + 1);
    assert_string_equal(r->done->case_id, next);
    sertel__envelope__free_unpacked(r, NULL);
    harness_stop(&h, SIGTERM);
    /* The outbox's and the register's records as they were, opened with
     * the data key (the intake above queued one more). */
    all.n = 0;
    read_cases(h.dir, &all, &outbox_after);
    assert_true(outbox_after.n > (had_outbox ? outbox.n : 0));
    for (int i = 0; had_outbox && i < outbox.n; i++) {
        bool same = false;
        for (int j = 0; !same && j < outbox_after.n; j++)
            same = outbox_after.r[j].klen == outbox.r[i].klen && outbox_after.r[j].vlen == outbox.r[i].vlen &&
                   memcmp(outbox_after.r[j].k, outbox.r[i].k, outbox.r[i].klen) == 0 &&
                   memcmp(outbox_after.r[j].v, outbox.r[i].v, outbox.r[i].vlen) == 0;
        assert_true(same);
    }
    records_free(outbox.r, outbox.n);
    records_free(outbox_after.r, outbox_after.n);
    assert_false(old_db && has_db(h.dir, old_db));
    assert_false(has_db(h.dir, "applicant"));
    assert_false(has_db(h.dir, "replies"));
    assert_false(has_db(h.dir, "journal"));
    assert_false(has_db(h.dir, "cases"));
    /* The applicant's e-mail and phone, in the clear before the formats
     * that seal them, are nowhere in the file: not in a record, not in a
     * page the migration freed. */
    char file[512];
    snprintf(file, sizeof file, "%s/db/data.mdb", h.dir);
    assert_false(file_has(file, "pemohon@ciamiskab.go.id"));
    assert_false(file_has(file, "081234567890"));
    /* The chain, every record and index row, as a fresh store's. */
    char out[4096];
    if (harness_broker_tool(&h, "check", h.dir, out, sizeof out) != 0)
        fail_msg("check after the migration: %s", out);
    conn_close(&staf);
    harness_destroy(&h);
}

static void test_migrates_format1(void **state)
{
    (void)state;
    migrates(write_format1, "case_events");
}

/* Format 2: nothing sealed, the applicants indexed by NIP, no data key. */
static void test_migrates_format2(void **state)
{
    (void)state;
    migrates(write_format2, "journal");
}

/* Format 3: the same records in their own named databases. */
static void test_migrates_format3(void **state)
{
    (void)state;
    migrates(write_format3, "journal");
}

/* Format 4: the inbox, pool and timer rows in the database. */
static void test_migrates_format4(void **state)
{
    (void)state;
    migrates(write_format4, "applicant");
}

/* Format 5: the outbox and the certificate register in their own named
 * database, the agenda counters in meta. */
static void test_migrates_format5(void **state)
{
    (void)state;
    migrates(write_format5, "applicant");
}

/* A format this build does not know: refused with a message, untouched. */
static void test_refuses_newer_format(void **state)
{
    (void)state;
    harness_t h;
    assert_true(harness_start(&h));
    harness_stop(&h, SIGTERM);
    char path[512];
    snprintf(path, sizeof path, "%s/db", h.dir);
    MDB_env *env;
    MDB_txn *txn;
    mdb_env_create(&env);
    mdb_env_set_maxdbs(env, 32);
    assert_int_equal(mdb_env_open(env, path, MDB_NOTLS, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
    MDB_dbi meta = open_db(txn, "meta", 0);
    put(txn, meta, "format", 6, "\0\0\0\x63", 4);
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);

    char err[512];
    store_t *s = store_open(path, err, sizeof err);
    assert_null(s);
    assert_non_null(strstr(err, "format 99"));
    assert_true(has_db(h.dir, "officers"));
    harness_destroy(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migrates_format1),
        cmocka_unit_test(test_migrates_format2),
        cmocka_unit_test(test_migrates_format3),
        cmocka_unit_test(test_migrates_format4),
        cmocka_unit_test(test_migrates_format5),
        cmocka_unit_test(test_refuses_newer_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
