/* Officer registry and key index, acting assignments, texts (SOPs and
 * the calendar) and attachment blobs. */
#include <stdio.h>
#include <stdlib.h>

#include "codec.h"
#include "store_internal.h"

/* ---- officers */

static sertel_err_t officer_from_val(const MDB_val *v, officer_t *o, uint8_t key[32])
{
    Sertel__Officer *pb = sertel__officer__unpack(NULL, v->mv_size, v->mv_data);
    if (!pb)
        return SERTEL_E_STORAGE;
    char why[256];
    sertel_err_t e = codec_officer_from_pb(pb, o, why, sizeof why);
    if (e == SERTEL_OK && key) {
        if (pb->public_key.len == 32)
            memcpy(key, pb->public_key.data, 32);
        else
            memset(key, 0, 32);
    }
    sertel__officer__free_unpacked(pb, NULL);
    return e == SERTEL_OK ? SERTEL_OK : SERTEL_E_STORAGE;
}

sertel_err_t store_officer_get(store_txn_t *t, const char *nip, officer_t *o, uint8_t key[32])
{
    MDB_val k = store_str(nip), v;
    int rc = mdb_get(t->txn, store_dbi(t, DB_OFFICERS), &k, &v);
    return rc ? store_txn_err(t, rc) : officer_from_val(&v, o, key);
}

sertel_err_t store_officer_put(store_txn_t *t, const officer_t *o, const uint8_t key[32])
{
    officer_t old;
    uint8_t old_key[32];
    bool existed = store_officer_get(t, o->nip, &old, old_key) == SERTEL_OK;
    const uint8_t *k32 = key ? key : existed ? old_key : NULL;
    if (!k32)
        return SERTEL_E_INVALID;
    if (key) {
        /* A key belongs to one officer only. */
        MDB_val kk = store_val(key, 32), owner;
        if (mdb_get(t->txn, store_dbi(t, DB_KEYS), &kk, &owner) == 0 &&
            (owner.mv_size != strlen(o->nip) || memcmp(owner.mv_data, o->nip, owner.mv_size)))
            return SERTEL_E_EXISTS;
        if (existed) {
            MDB_val ok = store_val(old_key, 32);
            mdb_del(t->txn, store_dbi(t, DB_KEYS), &ok, NULL);
        }
        MDB_val nip = store_str(o->nip);
        int rc = mdb_put(t->txn, store_dbi(t, DB_KEYS), &kk, &nip, 0);
        if (rc)
            return store_txn_err(t, rc);
    }
    Sertel__Officer pb;
    codec_officer_to_pb(o, &pb);
    pb.public_key.data = (uint8_t *)k32;
    pb.public_key.len = 32;
    return store_put_pb(t, DB_OFFICERS, store_str(o->nip), &pb.base);
}

sertel_err_t store_officer_by_key(store_txn_t *t, const uint8_t key[32], officer_t *o)
{
    MDB_val k = store_val(key, 32), nip;
    int rc = mdb_get(t->txn, store_dbi(t, DB_KEYS), &k, &nip);
    if (rc)
        return store_txn_err(t, rc);
    char buf[NIP_LEN + 1];
    if (nip.mv_size > NIP_LEN)
        return SERTEL_E_STORAGE;
    memcpy(buf, nip.mv_data, nip.mv_size);
    buf[nip.mv_size] = '\0';
    return store_officer_get(t, buf, o, NULL);
}

sertel_err_t store_officers(store_txn_t *t, store_officer_fn fn, void *arg)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(t->txn, store_dbi(t, DB_OFFICERS), &cur);
    if (rc)
        return store_txn_err(t, rc);
    MDB_val k, v;
    sertel_err_t e = SERTEL_OK;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && e == SERTEL_OK;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        officer_t o;
        e = officer_from_val(&v, &o, NULL);
        if (e == SERTEL_OK && fn(&o, arg))
            break;
    }
    mdb_cursor_close(cur);
    return e;
}

/* ---- acting assignments */

sertel_err_t store_acting_put(store_txn_t *t, Sertel__Acting *a)
{
    if (a->id == 0) {
        MDB_cursor *cur;
        int rc = mdb_cursor_open(t->txn, store_dbi(t, DB_ACTINGS), &cur);
        if (rc)
            return store_txn_err(t, rc);
        MDB_val k, v;
        a->id = mdb_cursor_get(cur, &k, &v, MDB_LAST) == 0 && k.mv_size == 8
                    ? store_from_be64(k.mv_data) + 1 : 1;
        mdb_cursor_close(cur);
    }
    uint8_t key[8];
    store_be64(key, a->id);
    return store_put_pb(t, DB_ACTINGS, store_val(key, 8), &a->base);
}

sertel_err_t store_acting_get(store_txn_t *t, uint64_t id, Sertel__Acting **a)
{
    uint8_t key[8];
    store_be64(key, id);
    MDB_val k = store_val(key, 8), v;
    int rc = mdb_get(t->txn, store_dbi(t, DB_ACTINGS), &k, &v);
    if (rc)
        return store_txn_err(t, rc);
    *a = sertel__acting__unpack(NULL, v.mv_size, v.mv_data);
    return *a ? SERTEL_OK : SERTEL_E_STORAGE;
}

sertel_err_t store_actings(store_txn_t *t, store_acting_fn fn, void *arg)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(t->txn, store_dbi(t, DB_ACTINGS), &cur);
    if (rc)
        return store_txn_err(t, rc);
    MDB_val k, v;
    sertel_err_t e = SERTEL_OK;
    int stop = 0;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && !stop;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        Sertel__Acting *a = sertel__acting__unpack(NULL, v.mv_size, v.mv_data);
        if (!a) {
            e = SERTEL_E_STORAGE;
            break;
        }
        stop = fn(a, arg);
        sertel__acting__free_unpacked(a, NULL);
    }
    mdb_cursor_close(cur);
    return e;
}

/* ---- texts and blobs */

static size_t text_key(char *buf, size_t len, const char *kind, const char *name)
{
    int n = snprintf(buf, len, "%s/%s", kind, name);
    return n < 0 || (size_t)n >= len ? 0 : (size_t)n;
}

sertel_err_t store_text_put(store_txn_t *t, const char *kind, const char *name, const char *text)
{
    char key[256];
    size_t klen = text_key(key, sizeof key, kind, name);
    if (!klen)
        return SERTEL_E_INVALID;
    MDB_val k = store_val(key, klen), v = store_str(text);
    return store_txn_err(t, mdb_put(t->txn, store_dbi(t, DB_TEXTS), &k, &v, 0));
}

sertel_err_t store_text_get(store_txn_t *t, const char *kind, const char *name, char **text)
{
    char key[256];
    size_t klen = text_key(key, sizeof key, kind, name);
    MDB_val k = store_val(key, klen), v;
    int rc = klen ? mdb_get(t->txn, store_dbi(t, DB_TEXTS), &k, &v) : MDB_NOTFOUND;
    if (rc)
        return store_txn_err(t, rc);
    *text = malloc(v.mv_size + 1);
    if (!*text)
        return SERTEL_E_NOMEM;
    memcpy(*text, v.mv_data, v.mv_size);
    (*text)[v.mv_size] = '\0';
    return SERTEL_OK;
}

sertel_err_t store_texts(store_txn_t *t, const char *kind, store_text_fn fn, void *arg)
{
    char prefix[128];
    size_t plen = text_key(prefix, sizeof prefix, kind, "");
    MDB_cursor *cur;
    int rc = mdb_cursor_open(t->txn, store_dbi(t, DB_TEXTS), &cur);
    if (rc)
        return store_txn_err(t, rc);
    MDB_val k = store_val(prefix, plen), v;
    sertel_err_t e = SERTEL_OK;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0)
            break;
        char *name = strndup((char *)k.mv_data + plen, k.mv_size - plen);
        char *text = strndup(v.mv_data, v.mv_size);
        int stop = 1;
        if (name && text)
            stop = fn(name, text, arg);
        else
            e = SERTEL_E_NOMEM;
        free(name);
        free(text);
        if (stop)
            break;
    }
    mdb_cursor_close(cur);
    return e;
}

sertel_err_t store_blob_put(store_txn_t *t, const char *hash, const void *data, size_t len)
{
    MDB_val k = store_str(hash), v = store_val(data, len);
    int rc = mdb_put(t->txn, store_dbi(t, DB_BLOBS), &k, &v, MDB_NOOVERWRITE);
    return rc == MDB_KEYEXIST ? SERTEL_OK : store_txn_err(t, rc);
}

sertel_err_t store_blob_get(store_txn_t *t, const char *hash, uint8_t **data, size_t *len)
{
    MDB_val k = store_str(hash), v;
    int rc = mdb_get(t->txn, store_dbi(t, DB_BLOBS), &k, &v);
    if (rc)
        return store_txn_err(t, rc);
    *data = malloc(v.mv_size ? v.mv_size : 1);
    if (!*data)
        return SERTEL_E_NOMEM;
    memcpy(*data, v.mv_data, v.mv_size);
    *len = v.mv_size;
    return SERTEL_OK;
}

bool store_blob_has(store_txn_t *t, const char *hash)
{
    MDB_val k = store_str(hash), v;
    return mdb_get(t->txn, store_dbi(t, DB_BLOBS), &k, &v) == 0;
}
