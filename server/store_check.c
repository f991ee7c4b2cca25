/* Verifying a store: the journal's hash chain (sertel-broker verify, the
 * live JournalVerify request) and the full check an operator runs before
 * trusting or restoring a data directory (sertel-broker check): every
 * record decodes, the journal is complete and chained, every case's event
 * links hold, and the index rows are exactly those the cases imply. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "codec.h"
#include "i18n.h"
#include "log.h"
#include "store_internal.h"

store_t *store_open_readonly(const char *dir, char *err, size_t errlen)
{
    store_t *s = calloc(1, sizeof *s);
    MDB_txn *txn = NULL;
    if (!s) {
        diag_at(err, errlen, dir, 0, "%s", sertel_strerror(SERTEL_E_NOMEM));
        return NULL;
    }
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    int rc = mdb_env_create(&s->env);
    if (rc == 0)
        rc = mdb_env_set_maxdbs(s->env, 32);
    if (rc == 0)
        rc = mdb_env_open(s->env, dir, MDB_NOTLS | MDB_RDONLY, 0600);
    if (rc == 0)
        rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
    unsigned format = 0;
    MDB_dbi meta;
    MDB_val k = store_str("format"), v;
    if (rc == 0 && mdb_dbi_open(txn, "meta", 0, &meta) == 0 && mdb_get(txn, meta, &k, &v) == 0 &&
        v.mv_size == 4) {
        const uint8_t *b = v.mv_data;
        format = (unsigned)b[0] << 24 | (unsigned)b[1] << 16 | (unsigned)b[2] << 8 | b[3];
    }
    bool ok = rc == 0 && format == STORE_FORMAT;
    s->flat = true;
    s->readonly = true;
    for (int i = 0; ok && i < DB__COUNT; i++)
        ok = store_open_dbi(s, txn, i) == 0;
    if (rc != 0)
        diag_at(err, errlen, dir, 0, _("cannot open the database: %s"), mdb_strerror(rc));
    else if (format != STORE_FORMAT)
        diag_at(err, errlen, dir, 0,
                _("the store has format %u, this broker reads format %d (an older store is "
                  "migrated when the broker starts on it)"), format, STORE_FORMAT);
    else if (!ok)
        diag_at(err, errlen, dir, 0, "%s", _("a database of the store is missing"));
    if (txn && ok) {
        /* The data key where the store's directory keeps it, if there. */
        store_txn_t t = {.s = s, .txn = txn};
        sertel_err_t ke = store_keys_load(s, &t, false, err, errlen);
        /* No key (a backup copied alone): the sealed parts stay shut. */
        ok = ke == SERTEL_OK || ke == SERTEL_E_DENIED || ke == SERTEL_E_NOT_FOUND;
        if (ok)
            err[0] = '\0';
        ok = ok && mdb_txn_commit(txn) == 0; /* keeps the handles open */
        txn = NULL;
        ok = ok && store_hot_ready(s, err, errlen);
    }
    if (txn)
        mdb_txn_abort(txn);
    if (!ok) {
        mdb_env_close(s->env);
        store_hot_free(&s->hot);
        free(s);
        return NULL;
    }
    return s;
}

static void hex_of(const uint8_t *hash, char out[2 * STORE_HASH_LEN + 1])
{
    for (int i = 0; i < STORE_HASH_LEN; i++)
        snprintf(out + 2 * i, 3, "%02x", hash[i]);
}

/* One record against the one before; false with r->problem set. */
static bool verify_record(const store_t *s, const MDB_val *k, const MDB_val *v, uint64_t expect,
                          const uint8_t prev[STORE_HASH_LEN], store_chain_report_t *r)
{
    uint64_t seq = 0;
    store_seq_key_of(s, k, &seq);
    store_jrec_t rec;
    uint8_t hash[STORE_HASH_LEN];
    r->bad_seq = expect;
    if (seq != expect) {
        snprintf(r->problem, sizeof r->problem, _("record %llu is missing (the next one is %llu)"),
                 (unsigned long long)expect, (unsigned long long)seq);
        return false;
    }
    if (!store_jrec_parse(seq, v, &rec)) {
        snprintf(r->problem, sizeof r->problem, "%s", _("the record is too short"));
        return false;
    }
    store_chain_hash(prev, seq, rec.case_prev, rec.event, rec.event_len, hash);
    if (memcmp(hash, rec.hash, STORE_HASH_LEN) != 0) {
        snprintf(r->problem, sizeof r->problem, "%s",
                 _("its hash does not match its content and the record before it "
                   "(edited, or an earlier record removed)"));
        return false;
    }
    Sertel__Event *ev = sertel__event__unpack(NULL, rec.event_len, rec.event);
    bool ok = ev && ev->seq == seq && rec.case_prev < seq;
    if (ev)
        sertel__event__free_unpacked(ev, NULL);
    if (!ok)
        snprintf(r->problem, sizeof r->problem, "%s", _("the event does not decode"));
    return ok;
}

sertel_err_t store_verify_chain(store_txn_t *t, store_chain_report_t *r)
{
    memset(r, 0, sizeof *r);
    MDB_cursor *cur;
    int rc = mdb_cursor_open(t->txn, store_dbi(t, DB_JOURNAL), &cur);
    if (rc != 0)
        return store_txn_err(t, rc);
    uint8_t prev[STORE_HASH_LEN] = {0};
    MDB_val k, v;
    bool ok = true;
    for (rc = store_space_first(t, cur, DB_JOURNAL, &k, &v); rc == 0 && ok;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        ok = verify_record(t->s, &k, &v, r->events + 1, prev, r);
        if (ok) {
            memcpy(prev, v.mv_data, STORE_HASH_LEN);
            r->events++;
        }
    }
    mdb_cursor_close(cur);
    if (!ok) {
        char where[32];
        snprintf(where, sizeof where, "seq %llu", (unsigned long long)r->bad_seq);
        return store_damaged(t->s, "journal chain", where);
    }
    r->bad_seq = 0;
    r->head_seq = r->events;
    hex_of(prev, r->head);
    return rc == MDB_NOTFOUND ? SERTEL_OK : store_txn_err(t, rc);
}

void store_log_chain_head(store_t *s, int64_t now, bool force)
{
    if (!force && now - s->head_logged_at < 86400)
        return;
    store_txn_t *t;
    uint64_t seq;
    char hex[2 * STORE_HASH_LEN + 1];
    if (store_begin(s, NULL, false, &t) != SERTEL_OK)
        return;
    if (store_chain_head(t, &seq, hex) == SERTEL_OK) {
        /* Kept in the log (and in every backup's manifest), so that a
         * journal rewritten whole with a fresh chain still shows. */
        log_msg(LOG_INFO, _("journal chain head: seq %llu, SHA-256 %s"), (unsigned long long)seq,
                hex);
        s->head_logged_at = now;
    }
    store_abort(&t);
}

/* ---- the full check */

typedef struct {
    store_problem_fn fn;
    void *arg;
    long problems;
} report_t;

static void problem(report_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(report_t *r, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    r->problems++;
    r->fn(text, r->arg);
}

typedef struct {
    index_row_t *v;
    size_t n, cap;
} rows_t;

static bool rows_add(rows_t *rows, const index_row_t *r, int n)
{
    if (rows->n + (size_t)n > rows->cap) {
        size_t cap = rows->cap ? rows->cap * 2 : 1024;
        while (cap < rows->n + (size_t)n)
            cap *= 2;
        index_row_t *v = realloc(rows->v, cap * sizeof *v);
        if (!v)
            return false;
        rows->v = v;
        rows->cap = cap;
    }
    memcpy(rows->v + rows->n, r, (size_t)n * sizeof *r);
    rows->n += (size_t)n;
    return true;
}

/* LMDB's default key order: bytes, then the shorter first. */
static int key_cmp(const void *a, size_t alen, const void *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c ? c : (alen > blen) - (alen < blen);
}

static int row_cmp(const void *a, const void *b)
{
    const index_row_t *x = a, *y = b;
    return key_cmp(x->key, x->len, y->key, y->len);
}

/* The case's links back through the journal: each an event of this case,
 * strictly older. */
static void check_links(store_txn_t *t, const case_t *c, uint64_t head, uint64_t last, report_t *r)
{
    for (uint64_t seq = head; seq;) {
        Sertel__Event *ev = NULL;
        uint8_t key[SEQ_KEY_MAX];
        MDB_val k = store_val(key, store_seq_key(t->s, seq, key)), v;
        store_jrec_t rec;
        if (seq > last || mdb_get(t->txn, store_dbi(t, DB_JOURNAL), &k, &v) != 0 ||
            !store_jrec_parse(seq, &v, &rec) ||
            !(ev = sertel__event__unpack(NULL, rec.event_len, rec.event))) {
            problem(r, _("case %s: its event %llu is missing from the journal"), c->id,
                    (unsigned long long)seq);
            return;
        }
        bool mine = ev->case_id && strcmp(ev->case_id, c->id) == 0;
        sertel__event__free_unpacked(ev, NULL);
        if (!mine || rec.case_prev >= seq) {
            problem(r, _("case %s: journal record %llu is not its event"), c->id,
                    (unsigned long long)seq);
            return;
        }
        seq = rec.case_prev;
    }
}

/* The agenda counter of the case's year has given its number: the next
 * intake cannot give it again. */
static void check_agenda(store_txn_t *t, const case_t *c, report_t *r)
{
    int year = 0;
    unsigned long long number = 0;
    if (sscanf(c->id, "SE-%4d-%llu", &year, &number) != 2)
        return;
    uint64_t counter = store_case_number(t, year);
    if (counter < number)
        problem(r, _("case %s: the agenda counter of %d is behind it (%llu)"), c->id, year,
                (unsigned long long)counter);
}

/* rows gets the index rows the cases imply that the database keeps, hot
 * those kept in memory (store_hot.c). */
static void check_cases(store_txn_t *t, uint64_t last, rows_t *rows, rows_t *hot, report_t *r)
{
    MDB_cursor *cur;
    if (mdb_cursor_open(t->txn, store_dbi(t, DB_CASES), &cur) != 0)
        return problem(r, "%s", _("the cases cannot be read"));
    case_t *c = malloc(sizeof *c);
    MDB_val k, v, id;
    for (int rc = store_space_first(t, cur, DB_CASES, &k, &v); c && rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (((uint8_t *)k.mv_data)[0] != KS_CASE)
            break; /* past the cases' space */
        char why[256] = "", cid[CASE_ID_MAX + 1] = "";
        if (store_case_key_id(t->s, &k, &id))
            snprintf(cid, sizeof cid, "%.*s", (int)(id.mv_size < CASE_ID_MAX ? id.mv_size : CASE_ID_MAX),
                     (const char *)id.mv_data);
        /* As it is now: its head row and snapshot (store_heads.c). */
        uint8_t *buf;
        MDB_val now = store_case_now(t, cid, &v, &buf);
        sertel_err_t e = now.mv_data ? store_case_decode(t->s, &k, &now, c, why, sizeof why)
                                     : SERTEL_E_STORAGE;
        if (!now.mv_data)
            snprintf(why, sizeof why, "%s", "(its snapshot is not in the journal)");
        free(buf);
        /* Without the data key the sealed part stays shut: the rest is checked. */
        bool ok = (e == SERTEL_OK || e == SERTEL_E_DENIED) && store_case_key_id(t->s, &k, &id) &&
                  id.mv_size == strlen(c->id) && memcmp(id.mv_data, c->id, id.mv_size) == 0;
        if (!ok) {
            problem(r, _("case record '%.*s' does not decode %s"), (int)(k.mv_size < 64 ? k.mv_size : 64),
                    (const char *)k.mv_data, why);
            continue;
        }
        index_row_t mine[MAX_ROWS];
        int n = store_index_rows(t->s, c, mine);
        for (int i = 0; i < n; i++) {
            bool in_memory = t->s->hot && store_is_hot_row(mine[i].key[0]);
            if ((t->s->keyed || mine[i].key[0] != IX_APPLICANT) &&
                !rows_add(in_memory ? hot : rows, &mine[i], 1))
                problem(r, "%s", sertel_strerror(SERTEL_E_NOMEM));
        }
        check_links(t, c, store_case_head_of(t, cid, &v), last, r);
        check_agenda(t, c, r);
    }
    free(c);
    mdb_cursor_close(cur);
}

static void row_problem(report_t *r, const index_row_t *row, const char *what)
{
    char shown[2 * ROW_MAX + 1];
    size_t o = 0;
    for (size_t i = 0; i < row->len && o + 3 < sizeof shown; i++) {
        uint8_t ch = row->key[i];
        o += (size_t)snprintf(shown + o, sizeof shown - o, ch >= 0x20 && ch < 0x7f ? "%c" : "\\x%02x", ch);
    }
    problem(r, "%s: %s", what, shown);
}

/* A row there that no case needs. */
static void row_extra(report_t *r, const MDB_val *k)
{
    index_row_t extra = {.len = k->mv_size < ROW_MAX ? k->mv_size : ROW_MAX};
    memcpy(extra.key, k->mv_data, extra.len);
    row_problem(r, &extra, _("index row without a case that needs it"));
}

/* The index against what the cases imply, both in key order. */
static void check_index(store_txn_t *t, rows_t *rows, report_t *r)
{
    qsort(rows->v, rows->n, sizeof *rows->v, row_cmp);
    MDB_cursor *cur;
    if (mdb_cursor_open(t->txn, store_dbi(t, DB_INDEX), &cur) != 0)
        return problem(r, "%s", _("the index cannot be read"));
    size_t i = 0;
    MDB_val k, v;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    while (rc == 0 || i < rows->n) {
        if (rc == 0 && ((uint8_t *)k.mv_data)[0] > IX_TIMER) {
            rc = MDB_NOTFOUND; /* the names and the journal come after every index row */
            continue;
        }
        /* The other spaces of the database; the applicant rows are keyed
         * hashes: without the key, not checked. */
        if (rc == 0 && (!store_is_index_key(&k) ||
                        (!t->s->keyed && ((uint8_t *)k.mv_data)[0] == IX_APPLICANT))) {
            rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
            continue;
        }
        int c = rc != 0 ? 1 : i == rows->n ? -1
                : key_cmp(k.mv_data, k.mv_size, rows->v[i].key, rows->v[i].len);
        if (c < 0) {
            row_extra(r, &k);
        } else if (c > 0) {
            row_problem(r, &rows->v[i], _("index row missing"));
        }
        if (c <= 0)
            rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
        if (c >= 0)
            i++;
    }
    mdb_cursor_close(cur);
}

/* The rows kept in memory, rebuilt from the cases the state rows name in
 * flight when the store opened, against what every case implies. */
static void check_hot(store_txn_t *t, rows_t *rows, report_t *r)
{
    qsort(rows->v, rows->n, sizeof *rows->v, row_cmp);
    const store_hot_t *h = t->s->hot;
    MDB_val k;
    bool have = h && store_hot_first(h, (const uint8_t *)"", 0, false, &k);
    size_t i = 0;
    while (have || i < rows->n) {
        if (have && store_is_head_row(&k)) { /* the heads of cases written late, not index rows */
            have = store_hot_first(h, k.mv_data, k.mv_size, true, &k);
            continue;
        }
        int c = !have ? 1 : i == rows->n ? -1 : key_cmp(k.mv_data, k.mv_size, rows->v[i].key, rows->v[i].len);
        if (c < 0)
            row_extra(r, &k);
        else if (c > 0)
            row_problem(r, &rows->v[i], _("index row missing"));
        if (c <= 0)
            have = store_hot_first(h, k.mv_data, k.mv_size, true, &k);
        if (c >= 0)
            i++;
    }
}

/* Records of the registry: each decodes, each key names its officer. */
static void check_registry(store_txn_t *t, report_t *r)
{
    MDB_cursor *cur;
    MDB_val k, v;
    if (mdb_cursor_open(t->txn, store_dbi(t, DB_OFFICERS), &cur) == 0) {
        for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
             rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            Sertel__Officer *o = sertel__officer__unpack(NULL, v.mv_size, v.mv_data);
            if (!o)
                problem(r, _("officer record '%.*s' does not decode"), (int)(k.mv_size < 32 ? k.mv_size : 32),
                        (const char *)k.mv_data);
            else
                sertel__officer__free_unpacked(o, NULL);
        }
        mdb_cursor_close(cur);
    }
    if (mdb_cursor_open(t->txn, store_dbi(t, DB_KEYS), &cur) == 0) {
        for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
             rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            char nip[NIP_LEN + 1];
            snprintf(nip, sizeof nip, "%.*s", (int)(v.mv_size < NIP_LEN ? v.mv_size : NIP_LEN),
                     (const char *)v.mv_data);
            officer_t o;
            if (k.mv_size != 32 || store_officer_get(t, nip, &o, NULL) != SERTEL_OK)
                problem(r, _("a key names officer %s, who is not enrolled"), nip);
        }
        mdb_cursor_close(cur);
    }
    if (mdb_cursor_open(t->txn, store_dbi(t, DB_ACTINGS), &cur) == 0) {
        for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
             rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            Sertel__Acting *a = sertel__acting__unpack(NULL, v.mv_size, v.mv_data);
            if (!a)
                problem(r, "%s", _("an acting assignment does not decode"));
            else
                sertel__acting__free_unpacked(a, NULL);
        }
        mdb_cursor_close(cur);
    }
}

/* The applicant's space (store_outbox.c, store_certs.c): each sealed
 * record opens (with the data key) and decodes under its own key; each
 * pending mark names an item of its seq that is not final. */
static void check_applicant(store_txn_t *t, report_t *r)
{
    MDB_cursor *cur;
    if (mdb_cursor_open(t->txn, store_dbi(t, DB_APPLICANT), &cur) != 0)
        return problem(r, "%s", _("the outbox cannot be read"));
    uint8_t space = KS_APPLICANT;
    MDB_val k = store_val(&space, 1), v;
    uint64_t last_item = 0, next = 0;
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
         rc == 0 && ((uint8_t *)k.mv_data)[0] == KS_APPLICANT; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        const uint8_t *b = k.mv_data;
        uint8_t kind = k.mv_size > 1 ? b[1] : 0;
        uint64_t n = k.mv_size == 10 ? store_from_be64(b + 2) : 0;
        bool ok = true;
        if (kind == 'm' && t->s->keyed) {
            Sertel__OutboxItem *item = (Sertel__OutboxItem *)store_sealed_unpack(
                t, &k, v, &sertel__outbox_item__descriptor);
            ok = item && k.mv_size == 10 && item->id == n;
            if (item)
                sertel__outbox_item__free_unpacked(item, NULL);
            last_item = n;
        } else if (kind == 'm') {
            last_item = n;
        } else if (kind == 'c' && t->s->keyed) {
            Sertel__CertRecord *c = (Sertel__CertRecord *)store_sealed_unpack(
                t, &k, v, &sertel__cert_record__descriptor);
            ok = c && c->serial && strlen(c->serial) == k.mv_size - 2 &&
                 memcmp(c->serial, b + 2, k.mv_size - 2) == 0;
            if (c)
                sertel__cert_record__free_unpacked(c, NULL);
        } else if (kind == 'p') {
            Sertel__OutboxItem *item = NULL;
            ok = k.mv_size == 10 && v.mv_size == 8 &&
                 (!t->s->keyed ||
                  (store_outbox_get(t, store_from_be64(v.mv_data), &item) == SERTEL_OK &&
                   item->seq == UINT64_MAX - n && item->state != SERTEL__MESSAGE_STATE__MSG_SENT &&
                   item->state != SERTEL__MESSAGE_STATE__MSG_GIVEN_UP));
            if (item)
                sertel__outbox_item__free_unpacked(item, NULL);
        } else if (kind == 'n') {
            ok = k.mv_size == 2 && v.mv_size == 8;
            next = ok ? store_from_be64(v.mv_data) : 0;
        } else {
            ok = kind == 'r' || kind == 'c';
        }
        if (!ok) {
            index_row_t bad = {.len = k.mv_size < ROW_MAX ? k.mv_size : ROW_MAX};
            memcpy(bad.key, k.mv_data, bad.len);
            row_problem(r, &bad, _("outbox or certificate record does not decode"));
        }
    }
    mdb_cursor_close(cur);
    if (last_item && next <= last_item)
        problem(r, _("the outbox's next item number (%llu) is not past its last item (%llu)"),
                (unsigned long long)next, (unsigned long long)last_item);
}

long store_check(store_txn_t *t, store_problem_fn fn, void *arg, store_chain_report_t *chain)
{
    report_t r = {fn, arg, 0};
    if (store_verify_chain(t, chain) != SERTEL_OK)
        problem(&r, _("journal record %llu: %s"), (unsigned long long)chain->bad_seq, chain->problem);
    uint64_t last = store_last_seq(t);
    rows_t rows = {0}, hot = {0};
    check_cases(t, last, &rows, &hot, &r);
    check_index(t, &rows, &r);
    check_hot(t, &hot, &r);
    free(rows.v);
    free(hot.v);
    check_registry(t, &r);
    check_applicant(t, &r);
    return r.problems;
}
