/* Case records written late (format 5). A transition's commit used to
 * rewrite the case's record ('C' space) beside the journal's tail: two
 * places in the B-tree, each with its leaf and the branch above it. Now
 * the case as the transition left it (without the sealed personal data)
 * rides in the transition's own journal record, after the Event and
 * outside its hash, and the broker keeps in memory, per case changed
 * since the last flush, the seq of its newest event (its head) and of the
 * record holding its newest state (its snapshot):
 *
 *   store_hot row 'H' id NUL, u64 BE head, u64 BE snapshot seq (0: none,
 *   the 'C' record's own state is current)
 *
 * Every STORE_FLUSH_EVENTS events (and when the store closes) one commit
 * writes those cases' records and meta "cases-at", the seq up to which
 * the 'C' records are complete. At open, the journal after "cases-at" is
 * read again to rebuild the rows: nothing acknowledged lives only in
 * memory, and a start reads at most about STORE_FLUSH_EVENTS records.
 *
 * A case put with no event of its own in the same transaction (the sweep
 * rewriting a case for a stale timer) is written at once, with a flush,
 * so that an older snapshot can never be read again after a restart. The
 * sealed part stays in the 'C' record: a change of the applicant's data
 * writes it at once too (the snapshot never holds personal data, so the
 * journal never needs resealing when the data key is rotated). */
#include <stdio.h>
#include <stdlib.h>

#include "codec.h"
#include "store_internal.h"

#define HEAD_ROW 'H'

static size_t head_prefix(const char *id, uint8_t out[ROW_MAX])
{
    size_t n = strnlen(id, CASE_ID_MAX);
    out[0] = HEAD_ROW;
    memcpy(out + 1, id, n);
    out[1 + n] = '\0';
    return n + 2;
}

bool store_head_get(const store_t *s, const char *id, uint64_t *head, uint64_t *snap)
{
    uint8_t p[ROW_MAX];
    size_t n = head_prefix(id, p);
    MDB_val k;
    if (!s->hot || !store_hot_first(s->hot, p, n, false, &k) || k.mv_size != n + 16 ||
        memcmp(k.mv_data, p, n) != 0)
        return false;
    *head = store_from_be64((const uint8_t *)k.mv_data + n);
    *snap = store_from_be64((const uint8_t *)k.mv_data + n + 8);
    return true;
}

static sertel_err_t head_drop(store_t *s, const char *id, bool log)
{
    uint8_t p[ROW_MAX];
    size_t n = head_prefix(id, p);
    uint64_t head, snap;
    if (!store_head_get(s, id, &head, &snap))
        return SERTEL_OK;
    store_be64(p + n, head);
    store_be64(p + n + 8, snap);
    return store_hot_del(s->hot, p, n + 16, log);
}

sertel_err_t store_head_set(store_t *s, const char *id, uint64_t head, uint64_t snap, bool log)
{
    uint8_t was[ROW_MAX], p[ROW_MAX];
    size_t n = head_prefix(id, p);
    uint64_t h0, s0;
    bool had = store_head_get(s, id, &h0, &s0);
    memcpy(was, p, n);
    store_be64(was + n, had ? h0 : 0);
    store_be64(was + n + 8, had ? s0 : 0);
    store_be64(p + n, head);
    store_be64(p + n + 8, snap);
    /* In place: 'H' id NUL tells the rows apart, the seqs after it do not
     * move the row. */
    return had ? store_hot_replace(s->hot, was, n + 16, p, n + 16, log)
               : store_hot_put(s->hot, p, n + 16, log);
}

bool store_heads_pending(const store_t *s)
{
    uint8_t first = HEAD_ROW;
    MDB_val k;
    return s->hot && store_hot_first(s->hot, &first, 1, false, &k) && store_is_head_row(&k);
}

bool store_is_head_row(const MDB_val *k)
{
    return k->mv_size && ((const uint8_t *)k->mv_data)[0] == HEAD_ROW;
}

/* ---- the case a transition put, until its event is appended */

sertel_err_t store_stage(store_txn_t *t, const case_t *c)
{
    store_t *s = t->s;
    if (!s->staged && !(s->staged = malloc(sizeof *s->staged)))
        return SERTEL_E_NOMEM;
    *s->staged = *c;
    s->staged_by = t;
    return SERTEL_OK;
}

const case_t *store_staged(const store_txn_t *t, const char *id)
{
    const store_t *s = t->s;
    return t->write && s->staged_by && strcmp(s->staged->id, id) == 0 ? s->staged : NULL;
}

uint8_t *store_staged_take(store_txn_t *t, const char *id, size_t *len)
{
    const case_t *c = store_staged(t, id);
    if (!c)
        return NULL;
    Sertel__Case pb;
    if (codec_case_to_pb(c, &pb) != SERTEL_OK)
        return NULL;
    if (pb.app) /* sealed in the 'C' record, never in the journal */
        pb.app->nik = pb.app->email = pb.app->phone = (char *)"";
    *len = protobuf_c_message_get_packed_size(&pb.base);
    uint8_t *out = malloc(*len ? *len : 1);
    if (out)
        protobuf_c_message_pack(&pb.base, out);
    codec_case_pb_clear(&pb);
    if (out) {
        store_casecache_put(t, c, out, *len); /* the next read of it, undecoded */
        t->s->staged_by = NULL;
    }
    return out;
}

void store_staged_drop(store_txn_t *t)
{
    if (t->s->staged_by == t)
        t->s->staged_by = NULL;
}

/* ---- the 'C' record as it is now */

MDB_val store_case_now(store_txn_t *t, const char *id, const MDB_val *v, uint8_t **buf)
{
    uint64_t head, snap;
    *buf = NULL;
    if (!store_head_get(t->s, id, &head, &snap) || v->mv_size < CASE_HEAD)
        return *v;
    const uint8_t *p = v->mv_data;
    size_t keep = CASE_HEAD + ((size_t)p[8] << 8 | p[9]);
    store_jrec_t r = {0};
    uint8_t key[SEQ_KEY_MAX];
    MDB_val k = store_val(key, store_seq_key(t->s, snap, key)), rec;
    bool from_journal = snap && keep <= v->mv_size &&
                        mdb_get(t->txn, store_dbi(t, DB_JOURNAL), &k, &rec) == 0 &&
                        store_jrec_parse(snap, &rec, &r) && r.snap;
    if (snap && !from_journal)
        return store_val(NULL, 0); /* a snapshot named but not there: damage */
    size_t tail = from_journal ? r.snap_len : v->mv_size - CASE_HEAD;
    if (!from_journal)
        keep = CASE_HEAD;
    *buf = malloc(keep + tail);
    if (!*buf)
        return store_val(NULL, 0);
    memcpy(*buf, p, keep);
    memcpy(*buf + keep, from_journal ? r.snap : p + CASE_HEAD, tail);
    store_be64(*buf, head);
    return store_val(*buf, keep + tail);
}

uint64_t store_case_head_of(store_txn_t *t, const char *id, const MDB_val *v)
{
    uint64_t head, snap;
    if (store_head_get(t->s, id, &head, &snap))
        return head;
    return v && v->mv_size >= CASE_HEAD ? store_from_be64(v->mv_data) : 0;
}

/* ---- writing them */

/* The staged case's record now, its head as it is. */
static sertel_err_t write_staged(store_txn_t *t)
{
    store_t *s = t->s;
    if (!s->staged_by)
        return SERTEL_OK;
    const case_t *c = s->staged;
    s->staged_by = NULL;
    uint8_t key[CASE_KEY_MAX];
    MDB_val k = store_val(key, store_case_key(s, c->id, key)), v;
    int rc = mdb_get(t->txn, store_dbi(t, DB_CASES), &k, &v);
    uint64_t head = store_case_head_of(t, c->id, rc == 0 ? &v : NULL);
    sertel_err_t e = store_case_write(t, c, head);
    return e == SERTEL_OK ? store_head_set(s, c->id, head, 0, true) : e;
}

/* Every case changed since the last flush written, the rows forgotten,
 * meta "cases-at" moved to the last event. */
sertel_err_t store_heads_flush(store_txn_t *t)
{
    store_t *s = t->s;
    if (!s->hot)
        return SERTEL_OK;
    sertel_err_t e = write_staged(t);
    uint8_t first = HEAD_ROW;
    MDB_val row;
    while (e == SERTEL_OK && store_hot_first(s->hot, &first, 1, false, &row) &&
           store_is_head_row(&row)) {
        char id[CASE_ID_MAX + 1];
        snprintf(id, sizeof id, "%s", (const char *)row.mv_data + 1);
        uint8_t key[CASE_KEY_MAX], *buf;
        MDB_val k = store_val(key, store_case_key(s, id, key)), v;
        int rc = mdb_get(t->txn, store_dbi(t, DB_CASES), &k, &v);
        MDB_val now = rc == 0 ? store_case_now(t, id, &v, &buf) : store_val(NULL, 0);
        if (rc == 0 && !now.mv_data)
            e = store_damaged(s, "case", id);
        else if (rc == 0)
            e = store_txn_err(t, mdb_put(t->txn, store_dbi(t, DB_CASES), &k, &now, 0));
        else if (rc != MDB_NOTFOUND)
            e = store_txn_err(t, rc);
        if (rc == 0)
            free(buf);
        if (e == SERTEL_OK)
            e = head_drop(s, id, true);
    }
    uint64_t last = store_last_seq(t);
    if (e == SERTEL_OK)
        e = store_meta_put(t, "cases-at", last);
    if (e == SERTEL_OK)
        t->flushed = last;
    return e;
}

sertel_err_t store_heads_before_commit(store_txn_t *t)
{
    store_t *s = t->s;
    if (!t->write || !s->hot)
        return SERTEL_OK;
    /* A case put with no event of its own: written now, and every other
     * one with it, so that no older snapshot of it is read after a start. */
    if (s->staged_by == t)
        return store_heads_flush(t);
    if (!t->parent && store_last_seq(t) >= s->cases_at + STORE_FLUSH_EVENTS)
        return store_heads_flush(t);
    return SERTEL_OK;
}

/* ---- at open: the rows again from the journal after "cases-at" */

sertel_err_t store_heads_load(store_t *s)
{
    store_txn_t *t = NULL;
    sertel_err_t e = store_begin(s, NULL, false, &t);
    if (e != SERTEL_OK)
        return e;
    s->cases_at = store_meta_get(t, "cases-at");
    MDB_cursor *cur = NULL;
    int rc = mdb_cursor_open(t->txn, store_dbi(t, DB_JOURNAL), &cur);
    if (rc != 0)
        cur = NULL;
    uint8_t key[SEQ_KEY_MAX];
    MDB_val k = store_val(key, store_seq_key(s, s->cases_at + 1, key)), v;
    for (rc = rc ? rc : mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0 && e == SERTEL_OK;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        uint64_t seq, head, snap;
        store_jrec_t r = {0};
        if (!store_seq_key_of(s, &k, &seq))
            break; /* past the journal */
        Sertel__Event *ev = store_jrec_parse(seq, &v, &r)
                                ? sertel__event__unpack(NULL, r.event_len, r.event)
                                : NULL;
        if (!ev) {
            e = store_damaged(s, "journal", "after cases-at");
            break;
        }
        uint8_t ck[CASE_KEY_MAX];
        MDB_val cv,
            c = store_val(ck, ev->case_id && *ev->case_id ? store_case_key(s, ev->case_id, ck) : 0);
        if (c.mv_size && mdb_get(t->txn, store_dbi(t, DB_CASES), &c, &cv) == 0) {
            if (!store_head_get(s, ev->case_id, &head, &snap))
                snap = 0;
            e = store_head_set(s, ev->case_id, seq, r.snap ? seq : snap, false);
        }
        sertel__event__free_unpacked(ev, NULL);
    }
    if (cur)
        mdb_cursor_close(cur);
    store_abort(&t);
    return e == SERTEL_OK && rc != 0 && rc != MDB_NOTFOUND ? store_map_err(rc) : e;
}
