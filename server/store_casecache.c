/* Cases as the transitions that wrote them left them, so that the next
 * transition on a case reads it without decoding it (unpacking the Case,
 * converting it, opening its sealed part: the single largest read of a
 * transition).
 *
 * An entry is keyed by content: the bytes the decode would read (the
 * length and ciphertext of the sealed part from the 'C' record, then the
 * Case as journalled, store_case_now), kept when the transition's event
 * takes its case into the journal (store_staged_take). A read whose bytes
 * are the entry's gets the entry's case; any other read decodes. So an
 * entry can never be stale: a transaction aborted, a case rewritten, a
 * flush or a new seal all give other bytes. What it relies on is that
 * decoding the bytes a case was written as gives that case back: the
 * codec's round trip is exact (test_codec) but for what is not stored,
 * the attachments' type, which is cleared here as the decode leaves it.
 * Builds with sanitizers (the CI's second run) decode on every hit as
 * well and abort when the two differ.
 *
 * One direct-mapped table of STORE_CASECACHE_SLOTS cases (by a hash of
 * the id), allocated as it fills; an entry replaced is overwritten by the
 * next case, and the applicant's personal data in it wiped when the store
 * closes. Only with the
 * data key loaded: without it a read gets no personal data, which the
 * cached case has. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "store_internal.h"

#define STORE_CASECACHE_SLOTS 32

typedef struct {
    case_t c;
    size_t len, cap;
    uint8_t *bytes; /* u16 BE sealed length, sealed part, Case */
} cached_case_t;

struct store_casecache {
    cached_case_t *slot[STORE_CASECACHE_SLOTS];
};

static unsigned slot_of(const char *id)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *id; id++)
        h = (h ^ (uint8_t)*id) * 16777619u;
    return h % STORE_CASECACHE_SLOTS;
}

static void wipe(cached_case_t *e)
{
    sodium_memzero(&e->c, sizeof e->c);
    if (e->bytes)
        sodium_memzero(e->bytes, e->cap);
    e->len = 0;
}

void store_casecache_free(store_t *s)
{
    if (!s->casecache)
        return;
    for (int i = 0; i < STORE_CASECACHE_SLOTS; i++) {
        cached_case_t *e = s->casecache->slot[i];
        if (!e)
            continue;
        wipe(e);
        free(e->bytes);
        free(e);
    }
    free(s->casecache);
    s->casecache = NULL;
}

void store_casecache_put(store_txn_t *t, const case_t *c, const uint8_t *snap, size_t snap_len)
{
    store_t *s = t->s;
    if (!s->keyed || (!s->casecache && !(s->casecache = calloc(1, sizeof *s->casecache))))
        return;
    cached_case_t **slot = &s->casecache->slot[slot_of(c->id)];
    if (!*slot && !(*slot = calloc(1, sizeof **slot)))
        return;
    cached_case_t *e = *slot;
    e->len = 0; /* matches nothing until filled */
    /* The sealed part as the 'C' record holds it now (store_case_put
     * wrote it for this case's personal data, or kept the one it was
     * read with). */
    uint8_t key[CASE_KEY_MAX];
    MDB_val k = store_val(key, store_case_key(s, c->id, key)), v;
    if (!k.mv_size || mdb_get(t->txn, store_dbi(t, DB_CASES), &k, &v) != 0 || v.mv_size < CASE_HEAD)
        return;
    const uint8_t *p = v.mv_data;
    size_t slen = (size_t)p[8] << 8 | p[9], len = 2 + slen + snap_len;
    if (CASE_HEAD + slen > v.mv_size)
        return;
    if (len > e->cap) {
        uint8_t *grown = realloc(e->bytes, len);
        if (!grown)
            return;
        e->bytes = grown;
        e->cap = len;
    }
    memcpy(e->bytes, p + 8, 2 + slen);
    memcpy(e->bytes + 2 + slen, snap, snap_len);
    e->len = len;
    e->c = *c;
    for (int i = 0; i < e->c.n_attachments; i++)
        e->c.attachments[i].type = 0; /* not stored: 0 once read back */
}

bool store_casecache_get(const store_t *s, const char *id, const MDB_val *now, case_t *out)
{
    if (!s->casecache || now->mv_size < CASE_HEAD)
        return false;
    const cached_case_t *e = s->casecache->slot[slot_of(id)];
    if (!e || !e->len || e->len != now->mv_size - 8 || strcmp(e->c.id, id) != 0 ||
        memcmp(e->bytes, (const uint8_t *)now->mv_data + 8, e->len) != 0)
        return false;
    *out = e->c;
    return true;
}
