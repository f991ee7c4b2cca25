/* The applicant's outbox: every message to an applicant or certificate
 * holder, written in the same transaction as the event that caused it.
 * Rows in the unnamed database's applicant space (KS_APPLICANT, 'U'):
 *   'U' 'n'              -> u64 BE: the next item id
 *   'U' 'm' + u64 BE id  -> packed OutboxItem, sealed
 *   'U' 'p' + u64 BE (UINT64_MAX - seq) -> u64 BE id, while the item is
 *                        not final: newest first, right after the counter,
 *                        so an intake's item and mark share its leaf
 * The pending rows, in journal order, are where a notifier's catch-up
 * starts: everything not yet sent or given up is replayed to it. */
#include <stdlib.h>

#include "store_internal.h"

enum { KEY_NEXT = 'n', KEY_ITEM = 'm', KEY_PENDING = 'p' };
#define KEY_LEN 10

static MDB_val key_u64(uint8_t buf[KEY_LEN], char prefix, uint64_t v)
{
    buf[0] = KS_APPLICANT;
    buf[1] = (uint8_t)prefix;
    store_be64(buf + 2, v);
    return store_val(buf, KEY_LEN);
}

/* The pending mark of the item queued with the event seq. */
static MDB_val pending_key(uint8_t buf[KEY_LEN], uint64_t seq)
{
    return key_u64(buf, KEY_PENDING, UINT64_MAX - seq);
}

/* A key of the kind prefix (key_u64's), found by a cursor. */
static bool is_key(const MDB_val *k, char prefix)
{
    const uint8_t *b = k->mv_data;
    return k->mv_size == KEY_LEN && b[0] == KS_APPLICANT && b[1] == (uint8_t)prefix;
}

sertel_err_t store_outbox_next_id(store_txn_t *t, uint64_t *id)
{
    uint8_t kb[2] = {KS_APPLICANT, KEY_NEXT};
    MDB_val k = store_val(kb, 2), v;
    uint64_t next = 1;
    int rc = mdb_get(t->txn, store_dbi(t, DB_APPLICANT), &k, &v);
    if (rc == 0 && v.mv_size == 8)
        next = store_from_be64(v.mv_data);
    else if (rc != MDB_NOTFOUND)
        return rc ? store_txn_err(t, rc) : SERTEL_E_STORAGE;
    uint8_t nb[8];
    store_be64(nb, next + 1);
    MDB_val nv = store_val(nb, 8);
    rc = mdb_put(t->txn, store_dbi(t, DB_APPLICANT), &k, &nv, 0);
    if (rc == 0)
        *id = next;
    return store_txn_err(t, rc);
}

static bool is_final(Sertel__MessageState s)
{
    return s == SERTEL__MESSAGE_STATE__MSG_SENT || s == SERTEL__MESSAGE_STATE__MSG_GIVEN_UP;
}

sertel_err_t store_outbox_put(store_txn_t *t, const Sertel__OutboxItem *item)
{
    uint8_t kb[KEY_LEN], pb[KEY_LEN], idb[8];
    sertel_err_t e = store_put_pb(t, DB_APPLICANT, key_u64(kb, KEY_ITEM, item->id), &item->base);
    if (e != SERTEL_OK)
        return e;
    MDB_val pk = pending_key(pb, item->seq);
    store_be64(idb, item->id);
    MDB_val pv = store_val(idb, 8);
    int rc = is_final(item->state) ? mdb_del(t->txn, store_dbi(t, DB_APPLICANT), &pk, NULL)
                                   : mdb_put(t->txn, store_dbi(t, DB_APPLICANT), &pk, &pv, 0);
    return rc == MDB_NOTFOUND ? SERTEL_OK : store_txn_err(t, rc);
}

sertel_err_t store_outbox_get(store_txn_t *t, uint64_t id, Sertel__OutboxItem **item)
{
    uint8_t kb[KEY_LEN];
    MDB_val k = key_u64(kb, KEY_ITEM, id), v;
    int rc = mdb_get(t->txn, store_dbi(t, DB_APPLICANT), &k, &v);
    if (rc)
        return store_txn_err(t, rc);
    *item = (Sertel__OutboxItem *)store_sealed_unpack(t, &k, v, &sertel__outbox_item__descriptor);
    return *item ? SERTEL_OK : store_damaged(t->s, "outbox item", "sealed value");
}

uint64_t store_outbox_first_pending(store_txn_t *t)
{
    MDB_cursor *cur;
    if (mdb_cursor_open(t->txn, store_dbi(t, DB_APPLICANT), &cur) != 0)
        return 0;
    /* The oldest is the space's last mark. */
    uint8_t kb[2] = {KS_APPLICANT, KEY_PENDING + 1};
    MDB_val k = store_val(kb, 2), v;
    uint64_t seq = 0;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    rc = rc == 0 ? mdb_cursor_get(cur, &k, &v, MDB_PREV) : mdb_cursor_get(cur, &k, &v, MDB_LAST);
    if (rc == 0 && is_key(&k, KEY_PENDING))
        seq = UINT64_MAX - store_from_be64((uint8_t *)k.mv_data + 2);
    mdb_cursor_close(cur);
    return seq;
}

sertel_err_t store_outbox_all(store_txn_t *t, store_outbox_fn fn, void *arg)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(t->txn, store_dbi(t, DB_APPLICANT), &cur);
    if (rc)
        return store_txn_err(t, rc);
    /* From the last item back: the newest messages matter most. */
    uint8_t kb[KEY_LEN];
    MDB_val k = key_u64(kb, KEY_ITEM, UINT64_MAX), v;
    rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    rc = rc == 0 ? mdb_cursor_get(cur, &k, &v, MDB_PREV) : mdb_cursor_get(cur, &k, &v, MDB_LAST);
    sertel_err_t e = SERTEL_OK;
    for (int stop = 0; rc == 0 && !stop && is_key(&k, KEY_ITEM);
         rc = mdb_cursor_get(cur, &k, &v, MDB_PREV)) {
        Sertel__OutboxItem *item =
            (Sertel__OutboxItem *)store_sealed_unpack(t, &k, v, &sertel__outbox_item__descriptor);
        if (!item) {
            e = SERTEL_E_STORAGE;
            break;
        }
        stop = fn(item, arg);
        sertel__outbox_item__free_unpacked(item, NULL);
    }
    mdb_cursor_close(cur);
    return e;
}
