/* The statistics checkpoint: the folded view (store_stats.c) written to
 * meta "stats" now and then, so that the first query after a restart
 * folds only the journal after it, not the whole history.
 *
 * The record: [u32 version][u64 seq][32 bytes: the chain hash of record
 * seq][i32 zone offset][u32 n] then n rows of [u8 key length][key][u64
 * count][u64 within][u64 overdue][i64 standard][u16 m][m x (u16 bucket,
 * u32 samples)] (the buckets that are not zero), all big-endian. The hash
 * ties it to this journal: a checkpoint from another history (a restore,
 * a copy) does not match and the journal is folded whole. Change
 * CHECKPOINT_VERSION whenever fold() counts differently: an older
 * checkpoint is then ignored, not mixed in. */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>

#include "i18n.h"
#include "log.h"

#define CHECKPOINT_VERSION 2
#define CHECKPOINT_HEAD (4 + 8 + STORE_HASH_LEN + 4 + 4)
#define ROW_FIXED (1 + 8 + 8 + 8 + 8 + 2)

typedef struct {
    uint8_t *p;
    size_t n, cap;
    bool failed;
} buf_t;

static void put_bytes(buf_t *b, const void *data, size_t len)
{
    if (b->failed)
        return;
    if (b->n + len > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->n + len)
            cap *= 2;
        uint8_t *p = realloc(b->p, cap);
        if (!p) {
            b->failed = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, data, len);
    b->n += len;
}

static void put_uint(buf_t *b, uint64_t v, int bytes)
{
    uint8_t be[8];
    for (int i = bytes - 1; i >= 0; i--, v >>= 8)
        be[i] = (uint8_t)v;
    put_bytes(b, be, (size_t)bytes);
}

static void put_row(buf_t *b, const view_row_t *r)
{
    size_t klen = strnlen(r->key, STATS_KEY_MAX - 1);
    put_uint(b, klen, 1);
    put_bytes(b, r->key, klen);
    put_uint(b, r->agg.count, 8);
    put_uint(b, r->agg.within, 8);
    put_uint(b, r->agg.overdue, 8);
    put_uint(b, (uint64_t)r->agg.standard, 8);
    unsigned m = 0;
    for (int i = 0; i < STATS_BUCKETS; i++)
        m += r->agg.buckets[i] != 0;
    put_uint(b, m, 2);
    for (int i = 0; i < STATS_BUCKETS; i++) {
        if (!r->agg.buckets[i])
            continue;
        put_uint(b, (uint64_t)i, 2);
        put_uint(b, r->agg.buckets[i], 4);
    }
}

static bool chain_hash_at(store_txn_t *t, uint64_t seq, uint8_t out[STORE_HASH_LEN])
{
    char hex[2 * STORE_HASH_LEN + 1];
    if (store_chain_at(t, seq, hex) != SERTEL_OK)
        return false;
    for (int i = 0; i < STORE_HASH_LEN; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return false;
        out[i] = (uint8_t)v;
    }
    return true;
}

sertel_err_t store_stats_save(store_txn_t *t, const store_stats_view_t *w)
{
    uint8_t hash[STORE_HASH_LEN];
    if (!w->seq || !chain_hash_at(t, w->seq, hash))
        return SERTEL_E_NOT_FOUND;
    buf_t b = {0};
    put_uint(&b, CHECKPOINT_VERSION, 4);
    put_uint(&b, w->seq, 8);
    put_bytes(&b, hash, STORE_HASH_LEN);
    put_uint(&b, (uint32_t)w->offset, 4);
    put_uint(&b, w->n, 4);
    for (size_t i = 0; i < w->n; i++)
        put_row(&b, &w->v[i]);
    sertel_err_t e = b.failed ? SERTEL_E_NOMEM : SERTEL_OK;
    if (e == SERTEL_OK) {
        MDB_val k = store_str("stats"), v = store_val(b.p, b.n);
        e = store_txn_err(t, mdb_put(t->txn, store_dbi(t, DB_META), &k, &v, 0));
    }
    free(b.p);
    if (e == SERTEL_OK)
        t->s->stats_saved = w->seq;
    return e;
}

/* ---- reading it back: every length checked against what is left */

typedef struct {
    const uint8_t *p;
    size_t left;
} rd_t;

static bool take(rd_t *r, void *out, size_t len)
{
    if (r->left < len)
        return false;
    if (out)
        memcpy(out, r->p, len);
    r->p += len;
    r->left -= len;
    return true;
}

static bool take_uint(rd_t *r, int bytes, uint64_t *v)
{
    uint8_t be[8];
    if (!take(r, be, (size_t)bytes))
        return false;
    *v = 0;
    for (int i = 0; i < bytes; i++)
        *v = *v << 8 | be[i];
    return true;
}

static bool take_row(rd_t *r, view_row_t *row, const view_row_t *before)
{
    uint64_t klen, std, m;
    memset(row, 0, sizeof *row);
    if (!take_uint(r, 1, &klen) || klen == 0 || klen >= STATS_KEY_MAX || !take(r, row->key, klen) ||
        memchr(row->key, '\0', klen) || (before && strcmp(before->key, row->key) >= 0) ||
        !take_uint(r, 8, &row->agg.count) || !take_uint(r, 8, &row->agg.within) ||
        !take_uint(r, 8, &row->agg.overdue) || !take_uint(r, 8, &std) || !take_uint(r, 2, &m) ||
        m > STATS_BUCKETS)
        return false;
    row->agg.standard = (int64_t)std;
    for (uint64_t i = 0; i < m; i++) {
        uint64_t at, n;
        if (!take_uint(r, 2, &at) || at >= STATS_BUCKETS || !take_uint(r, 4, &n))
            return false;
        row->agg.buckets[at] = (uint32_t)n;
    }
    return true;
}

static store_stats_view_t *parse(store_txn_t *t, const MDB_val *v, int offset)
{
    rd_t r = {v->mv_data, v->mv_size};
    uint64_t version, seq, off, n;
    uint8_t hash[STORE_HASH_LEN], chain[STORE_HASH_LEN];
    if (!take_uint(&r, 4, &version) || version != CHECKPOINT_VERSION || !take_uint(&r, 8, &seq) ||
        !take(&r, hash, STORE_HASH_LEN) || !take_uint(&r, 4, &off) || !take_uint(&r, 4, &n) ||
        (int32_t)(uint32_t)off != offset || n > r.left / ROW_FIXED || !seq ||
        seq > store_last_seq(t) || !chain_hash_at(t, seq, chain) ||
        memcmp(hash, chain, STORE_HASH_LEN) != 0)
        return NULL;
    store_stats_view_t *w = calloc(1, sizeof *w);
    if (w && n && !(w->v = calloc(n, sizeof *w->v)))
        store_stats_view_free(&w);
    for (size_t i = 0; w && i < n; i++) {
        if (!take_row(&r, &w->v[i], i ? &w->v[i - 1] : NULL)) {
            store_stats_view_free(&w);
            break;
        }
        w->n++;
    }
    if (w) {
        w->cap = n;
        w->seq = seq;
        w->offset = offset;
    }
    return w;
}

store_stats_view_t *store_stats_load(store_txn_t *t, int offset)
{
    MDB_val k = store_str("stats"), v;
    if (mdb_get(t->txn, store_dbi(t, DB_META), &k, &v) != 0)
        return NULL;
    store_stats_view_t *w = parse(t, &v, offset);
    if (w) {
        t->s->stats_saved = w->seq;
        log_msg(LOG_INFO, _("statistics: checkpoint at event %llu; only the journal after it is folded"),
                (unsigned long long)w->seq);
    } else {
        log_msg(LOG_INFO, "%s", _("statistics: the checkpoint does not fit this journal or "
                                  "zone; the whole journal is folded"));
    }
    return w;
}

bool store_stats_checkpoint(store_txn_t *t, bool force)
{
    const store_stats_view_t *w = t->s->stats;
    if (!w || w->seq <= t->s->stats_saved ||
        (!force && w->seq - t->s->stats_saved < STORE_STATS_SAVE_EVERY))
        return false;
    return store_stats_save(t, w) == SERTEL_OK;
}

uint64_t store_stats_folded(const store_t *s)
{
    return s->stats_folded;
}
