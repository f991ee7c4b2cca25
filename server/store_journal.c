/* The append-only journal: every event under a global sequence number
 * without gaps, each record chained to the one before by SHA-256 and
 * linked to the previous event of its case. It is the audit log, the
 * source of pushes and catch-up, and what the statistics and the request
 * memory are folded from. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

#include "codec.h"
#include "evwire.h"
#include "i18n.h"
#include "store_internal.h"

void store_chain_hash(const uint8_t prev[STORE_HASH_LEN], uint64_t seq, uint64_t case_prev,
                      const uint8_t *event, size_t len, uint8_t out[STORE_HASH_LEN])
{
    uint8_t head[16];
    store_be64(head, seq);
    store_be64(head + 8, case_prev);
    /* libsodium's SHA-256 (the same digest): OpenSSL's EVP would start
     * its providers for the first commit, 2 MiB of resident memory a
     * broker that only moves cases never needs (certificates and
     * attachments, which use OpenSSL, start them when they come). */
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, prev, STORE_HASH_LEN);
    crypto_hash_sha256_update(&st, head, 16);
    crypto_hash_sha256_update(&st, event, len);
    crypto_hash_sha256_final(&st, out);
}

bool store_jrec_parse(uint64_t seq, const MDB_val *v, store_jrec_t *r)
{
    if (v->mv_size < JOURNAL_HEAD)
        return false;
    const uint8_t *p = v->mv_data;
    uint64_t link = store_from_be64(p + STORE_HASH_LEN);
    r->seq = seq;
    r->hash = p;
    r->case_prev = link & ~JOURNAL_SNAP_FLAG;
    r->event = p + JOURNAL_HEAD;
    r->event_len = v->mv_size - JOURNAL_HEAD;
    r->snap = NULL;
    r->snap_len = 0;
    if (!(link & JOURNAL_SNAP_FLAG))
        return true;
    /* The event's length, then the event, then the case: a record too
     * short for the length is damaged, not an empty event. */
    if (v->mv_size < JOURNAL_HEAD + 4)
        return false;
    const uint8_t *n = p + JOURNAL_HEAD;
    size_t len = (size_t)n[0] << 24 | (size_t)n[1] << 16 | (size_t)n[2] << 8 | n[3];
    if (len > v->mv_size - JOURNAL_HEAD - 4)
        return false;
    r->event = n + 4;
    r->event_len = len;
    r->snap = n + 4 + len;
    r->snap_len = v->mv_size - JOURNAL_HEAD - 4 - len;
    return true;
}

/* The last record: its seq (0: none) and hash (zeros before the first). */
static sertel_err_t journal_last(store_txn_t *t, uint64_t *seq, uint8_t hash[STORE_HASH_LEN])
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(t->txn, store_dbi(t, DB_JOURNAL), &cur);
    if (rc != 0)
        return store_txn_err(t, rc);
    MDB_val k, v;
    rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
    mdb_cursor_close(cur);
    *seq = 0;
    if (hash)
        memset(hash, 0, STORE_HASH_LEN);
    /* The journal's space is the last: a last key outside it means none. */
    if (rc == MDB_NOTFOUND ||
        (rc == 0 && t->s->flat && ((const uint8_t *)k.mv_data)[0] != KS_JOURNAL))
        return SERTEL_OK;
    store_jrec_t r = {0};
    if (rc != 0)
        return store_txn_err(t, rc);
    if (!store_seq_key_of(t->s, &k, seq) || !store_jrec_parse(*seq, &v, &r))
        return store_damaged(t->s, "journal", "last record");
    if (hash)
        memcpy(hash, r.hash, STORE_HASH_LEN);
    return SERTEL_OK;
}

uint64_t store_last_seq(store_txn_t *t)
{
    uint64_t seq = 0;
    journal_last(t, &seq, NULL);
    return seq;
}

sertel_err_t store_chain_head(store_txn_t *t, uint64_t *seq, char hex[2 * STORE_HASH_LEN + 1])
{
    uint8_t hash[STORE_HASH_LEN];
    sertel_err_t e = journal_last(t, seq, hash);
    for (int i = 0; e == SERTEL_OK && i < STORE_HASH_LEN; i++)
        snprintf(hex + 2 * i, 3, "%02x", hash[i]);
    return e;
}

/* Points the case's head at its newest event; returns the one before.
 * With the rows in memory (format 5) the head is a head row until the
 * next flush (store_heads.c); snap: this event's record holds the case. */
sertel_err_t store_journal_link(store_txn_t *t, const char *case_id, uint64_t seq, uint64_t *prev,
                                bool snap)
{
    uint8_t key[CASE_KEY_MAX];
    MDB_val k = store_val(key, store_case_key(t->s, case_id, key)), v;
    int rc = k.mv_size ? mdb_get(t->txn, store_dbi(t, DB_CASES), &k, &v) : MDB_NOTFOUND;
    *prev = 0;
    if (rc == MDB_NOTFOUND)
        return SERTEL_OK; /* an event about a case not (or no longer) stored */
    if (rc != 0)
        return store_txn_err(t, rc);
    if (v.mv_size < CASE_HEAD)
        return store_damaged(t->s, "case", case_id);
    *prev = store_case_head_of(t, case_id, &v);
    if (t->s->hot) {
        uint64_t head, last_snap = 0;
        if (!store_head_get(t->s, case_id, &head, &last_snap))
            last_snap = 0;
        return store_head_set(t->s, case_id, seq, snap ? seq : last_snap, true);
    }
    uint8_t *copy = malloc(v.mv_size);
    if (!copy)
        return SERTEL_E_NOMEM;
    memcpy(copy, v.mv_data, v.mv_size);
    store_be64(copy, seq);
    MDB_val nv = store_val(copy, v.mv_size);
    rc = mdb_put(t->txn, store_dbi(t, DB_CASES), &k, &nv, 0);
    free(copy);
    return store_txn_err(t, rc);
}

static sertel_err_t remember_request(store_txn_t *t, const Sertel__Event *ev)
{
    if (!ev->request_id || !ev->actor || !ev->actor[0] || !t->pending)
        return SERTEL_OK;
    store_pending_list_t *l = t->pending;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        store_pending_t *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return SERTEL_E_NOMEM;
        l->v = v;
        l->cap = cap;
    }
    store_pending_t *p = &l->v[l->n++];
    snprintf(p->nip, sizeof p->nip, "%s", ev->actor);
    p->request_id = ev->request_id;
    p->seq = ev->seq;
    p->at = ev->at;
    return SERTEL_OK;
}

sertel_err_t store_journal_append_pb(store_txn_t *t, Sertel__Event *ev, uint64_t *seq)
{
    uint8_t prev_hash[STORE_HASH_LEN];
    uint64_t last, case_prev = 0;
    sertel_err_t e = journal_last(t, &last, prev_hash);
    uint64_t next = last + 1;
    ev->seq = next;
    bool about_case = ev->case_id && ev->case_id[0];
    /* The case the transition put, after its first event (store_heads.c). */
    size_t snap_len = 0;
    uint8_t *snap = e == SERTEL_OK && about_case && store_staged(t, ev->case_id)
                        ? store_staged_take(t, ev->case_id, &snap_len) : NULL;
    if (e == SERTEL_OK && about_case && store_staged(t, ev->case_id) && !snap)
        e = SERTEL_E_NOMEM;
    if (e == SERTEL_OK && about_case)
        e = store_journal_link(t, ev->case_id, next, &case_prev, snap != NULL);
    if (e != SERTEL_OK) {
        free(snap);
        return e;
    }
    uint8_t key[SEQ_KEY_MAX], head[JOURNAL_HEAD + 4];
    size_t evlen = protobuf_c_message_get_packed_size(&ev->base), hlen = JOURNAL_HEAD + (snap ? 4 : 0);
    store_be64(head + STORE_HASH_LEN, case_prev | (snap ? JOURNAL_SNAP_FLAG : 0));
    memset(head, 0, STORE_HASH_LEN);
    if (snap) {
        uint8_t *n = head + JOURNAL_HEAD;
        n[0] = (uint8_t)(evlen >> 24), n[1] = (uint8_t)(evlen >> 16), n[2] = (uint8_t)(evlen >> 8),
        n[3] = (uint8_t)evlen;
    }
    /* Appended in key order: LMDB fills the last page without a search. */
    MDB_val k = store_val(key, store_seq_key(t->s, next, key)), v = {hlen + evlen + snap_len, NULL};
    int rc = mdb_put(t->txn, store_dbi(t, DB_JOURNAL), &k, &v, MDB_RESERVE | MDB_APPEND);
    if (rc != 0) {
        free(snap);
        return store_txn_err(t, rc);
    }
    uint8_t *rec = v.mv_data;
    memcpy(rec, head, hlen);
    size_t len = protobuf_c_message_pack(&ev->base, rec + hlen);
    if (snap)
        memcpy(rec + hlen + len, snap, snap_len);
    free(snap);
    store_chain_hash(prev_hash, next, case_prev, rec + hlen, len, rec);
    e = remember_request(t, ev);
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

/* The record's Event, or damage noted: a record that does not decode is
 * an error, never the silent end of a replay. */
static sertel_err_t unpack_rec(store_txn_t *t, const store_jrec_t *r, Sertel__Event **out)
{
    Sertel__Event *ev = sertel__event__unpack(NULL, r->event_len, r->event);
    if (!ev || ev->seq != r->seq) {
        if (ev)
            sertel__event__free_unpacked(ev, NULL);
        char where[32];
        snprintf(where, sizeof where, "seq %llu", (unsigned long long)r->seq);
        return store_damaged(t->s, "journal", where);
    }
    *out = ev;
    return SERTEL_OK;
}

static sertel_err_t get_rec(store_txn_t *t, uint64_t seq, store_jrec_t *r)
{
    uint8_t key[SEQ_KEY_MAX];
    MDB_val k = store_val(key, store_seq_key(t->s, seq, key)), v;
    int rc = mdb_get(t->txn, store_dbi(t, DB_JOURNAL), &k, &v);
    if (rc != 0)
        return store_txn_err(t, rc);
    if (!store_jrec_parse(seq, &v, r)) {
        char where[32];
        snprintf(where, sizeof where, "seq %llu", (unsigned long long)seq);
        return store_damaged(t->s, "journal", where);
    }
    return SERTEL_OK;
}

sertel_err_t store_chain_at(store_txn_t *t, uint64_t seq, char hex[2 * STORE_HASH_LEN + 1])
{
    store_jrec_t r = {0};
    sertel_err_t e = get_rec(t, seq, &r);
    for (int i = 0; e == SERTEL_OK && i < STORE_HASH_LEN; i++)
        snprintf(hex + 2 * i, 3, "%02x", r.hash[i]);
    return e;
}

sertel_err_t store_journal_get(store_txn_t *t, uint64_t seq, Sertel__Event **ev)
{
    store_jrec_t r = {0};
    sertel_err_t e = get_rec(t, seq, &r);
    return e == SERTEL_OK ? unpack_rec(t, &r, ev) : e;
}

static sertel_err_t emit(store_txn_t *t, const store_jrec_t *r, store_event_fn fn, void *arg,
                         int *stop)
{
    Sertel__Event *ev = NULL;
    sertel_err_t e = unpack_rec(t, r, &ev);
    if (e != SERTEL_OK)
        return e;
    *stop = fn(ev, arg);
    sertel__event__free_unpacked(ev, NULL);
    return SERTEL_OK;
}

/* One record of a walk in order: emit, or emit_packed. */
typedef sertel_err_t (*visit_fn)(store_txn_t *t, const store_jrec_t *r, void *fn, void *arg,
                                 int *stop);

static sertel_err_t visit_unpacked(store_txn_t *t, const store_jrec_t *r, void *fn, void *arg,
                                   int *stop)
{
    return emit(t, r, *(store_event_fn *)fn, arg, stop);
}

/* The record checked as unpack_rec would check it, without unpacking
 * it (but for a nested message, which only an unpack can check). */
static sertel_err_t visit_packed(store_txn_t *t, const store_jrec_t *r, void *fn, void *arg,
                                 int *stop)
{
    evwire_t w;
    Sertel__Event *ev = NULL;
    bool good = evwire_read(r->event, r->event_len, &w) && w.seq == r->seq;
    if (good && w.nested) {
        sertel_err_t e = unpack_rec(t, r, &ev);
        if (e != SERTEL_OK)
            return e;
        sertel__event__free_unpacked(ev, NULL);
    }
    if (!good) {
        char where[32];
        snprintf(where, sizeof where, "seq %llu", (unsigned long long)r->seq);
        return store_damaged(t->s, "journal", where);
    }
    store_jevent_t je = {.seq = r->seq, .kind = w.kind, .event = r->event, .len = r->event_len,
                         .rcpt = r->event + w.rcpt_at, .rcpt_len = w.rcpt_len};
    *stop = (*(store_jevent_fn *)fn)(&je, arg);
    return SERTEL_OK;
}

static sertel_err_t walk_since(store_txn_t *t, uint64_t since, visit_fn visit, void *fn,
                               void *arg)
{
    if (since == UINT64_MAX)
        return SERTEL_OK; /* nothing comes after the last possible event */
    MDB_cursor *cur;
    int rc = mdb_cursor_open(t->txn, store_dbi(t, DB_JOURNAL), &cur);
    if (rc != 0)
        return store_txn_err(t, rc);
    uint8_t start[SEQ_KEY_MAX];
    MDB_val k = store_val(start, store_seq_key(t->s, since + 1, start)), v;
    sertel_err_t e = SERTEL_OK;
    int stop = 0;
    uint64_t expect = since + 1;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0 && e == SERTEL_OK && !stop;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        store_jrec_t r = {0};
        uint64_t seq;
        /* A gap is damage too: a replay must not skip what it cannot read. */
        if (!store_seq_key_of(t->s, &k, &seq) || seq != expect || !store_jrec_parse(seq, &v, &r)) {
            char where[32];
            snprintf(where, sizeof where, "seq %llu", (unsigned long long)expect);
            e = store_damaged(t->s, "journal", where);
            break;
        }
        expect = seq + 1;
        e = visit(t, &r, fn, arg, &stop);
    }
    mdb_cursor_close(cur);
    if (e == SERTEL_OK && rc != 0 && rc != MDB_NOTFOUND)
        e = store_txn_err(t, rc);
    return e;
}

sertel_err_t store_journal_since(store_txn_t *t, uint64_t since, store_event_fn fn, void *arg)
{
    return walk_since(t, since, visit_unpacked, &fn, arg);
}

sertel_err_t store_journal_packed_since(store_txn_t *t, uint64_t since, store_jevent_fn fn, void *arg)
{
    return walk_since(t, since, visit_packed, &fn, arg);
}

/* The case's event seqs, oldest first, by its links backwards. */
static sertel_err_t case_seqs(store_txn_t *t, const char *case_id, uint64_t **out, size_t *n)
{
    uint8_t key[CASE_KEY_MAX];
    MDB_val k = store_val(key, store_case_key(t->s, case_id, key)), v;
    int rc = k.mv_size ? mdb_get(t->txn, store_dbi(t, DB_CASES), &k, &v) : MDB_NOTFOUND;
    *out = NULL;
    *n = 0;
    if (rc != 0)
        return store_txn_err(t, rc);
    if (v.mv_size < CASE_HEAD)
        return store_damaged(t->s, "case", case_id);
    size_t cap = 0;
    sertel_err_t e = SERTEL_OK;
    for (uint64_t seq = store_case_head_of(t, case_id, &v); seq && e == SERTEL_OK;) {
        store_jrec_t r = {0};
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            uint64_t *grown = realloc(*out, cap * sizeof *grown);
            if (!grown) {
                e = SERTEL_E_NOMEM;
                break;
            }
            *out = grown;
        }
        /* A link must point backwards, or a damaged one could loop. */
        e = get_rec(t, seq, &r);
        if (e == SERTEL_OK && r.case_prev >= seq)
            e = store_damaged(t->s, "journal link", case_id);
        if (e == SERTEL_OK) {
            (*out)[(*n)++] = seq;
            seq = r.case_prev;
        }
    }
    if (e == SERTEL_E_NOT_FOUND)
        e = store_damaged(t->s, "journal link", case_id);
    return e;
}

sertel_err_t store_journal_of_case(store_txn_t *t, const char *case_id, store_event_fn fn, void *arg)
{
    uint64_t *seqs;
    size_t n;
    sertel_err_t e = case_seqs(t, case_id, &seqs, &n);
    if (e == SERTEL_E_NOT_FOUND)
        e = SERTEL_OK; /* no such case: no events */
    int stop = 0;
    for (size_t i = n; i-- > 0 && e == SERTEL_OK && !stop;) {
        store_jrec_t r = {0};
        e = get_rec(t, seqs[i], &r);
        if (e == SERTEL_OK)
            e = emit(t, &r, fn, arg, &stop);
    }
    free(seqs);
    return e;
}
