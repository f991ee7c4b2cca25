/* The certificate register: every certificate recorded at step 6 or
 * imported by the administrator, and the expiry reminders already queued
 * for it, so that a reminder is never queued twice (restarts included).
 * Rows in the unnamed database's applicant space (KS_APPLICANT, 'U'):
 *   'U' 'c' + serial                        -> packed CertRecord, sealed
 *   'U' 'r' + serial + '\0' + u16 BE days   -> ""  */
#include <stdio.h>
#include <stdlib.h>

#include "store_internal.h"

enum { KEY_CERT = 'c', KEY_REMINDER = 'r' };
#define CERT_KEY_MAX 80

/* A key of a certificate with no serial is the space's prefix alone. */
#define CERT_PREFIX 2

static MDB_val cert_key(char *buf, const char *serial)
{
    int n = snprintf(buf, CERT_KEY_MAX, "%c%c%s", KS_APPLICANT, KEY_CERT, serial);
    return store_val(buf, n > 0 && n < CERT_KEY_MAX ? (size_t)n : 0);
}

sertel_err_t store_cert_put(store_txn_t *t, const Sertel__CertRecord *r)
{
    char kb[CERT_KEY_MAX];
    MDB_val k = cert_key(kb, r->serial ? r->serial : "");
    return k.mv_size > CERT_PREFIX ? store_put_pb(t, DB_APPLICANT, k, &r->base) : SERTEL_E_INVALID;
}

sertel_err_t store_cert_get(store_txn_t *t, const char *serial, Sertel__CertRecord **r)
{
    char kb[CERT_KEY_MAX];
    MDB_val k = cert_key(kb, serial), v;
    if (k.mv_size <= CERT_PREFIX)
        return SERTEL_E_NOT_FOUND;
    int rc = mdb_get(t->txn, store_dbi(t, DB_APPLICANT), &k, &v);
    if (rc)
        return store_txn_err(t, rc);
    *r = (Sertel__CertRecord *)store_sealed_unpack(t, &k, v, &sertel__cert_record__descriptor);
    return *r ? SERTEL_OK : SERTEL_E_STORAGE;
}

sertel_err_t store_certs(store_txn_t *t, store_cert_fn fn, void *arg)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(t->txn, store_dbi(t, DB_APPLICANT), &cur);
    if (rc)
        return store_txn_err(t, rc);
    const uint8_t space[CERT_PREFIX] = {KS_APPLICANT, KEY_CERT};
    MDB_val k = store_val(space, CERT_PREFIX), v;
    sertel_err_t e = SERTEL_OK;
    int stop = 0;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
         rc == 0 && !stop && k.mv_size > CERT_PREFIX && memcmp(k.mv_data, space, CERT_PREFIX) == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        Sertel__CertRecord *r =
            (Sertel__CertRecord *)store_sealed_unpack(t, &k, v, &sertel__cert_record__descriptor);
        if (!r) {
            e = SERTEL_E_STORAGE;
            break;
        }
        stop = fn(r, arg);
        sertel__cert_record__free_unpacked(r, NULL);
    }
    mdb_cursor_close(cur);
    return e;
}

static MDB_val reminder_key(char *buf, const char *serial, int days)
{
    int n = snprintf(buf, CERT_KEY_MAX, "%c%c%s", KS_APPLICANT, KEY_REMINDER, serial);
    if (n <= 0 || n + 3 > CERT_KEY_MAX)
        return store_val(buf, 0);
    buf[n] = '\0';
    buf[n + 1] = (char)((days >> 8) & 0xff);
    buf[n + 2] = (char)(days & 0xff);
    return store_val(buf, (size_t)n + 3);
}

bool store_reminder_done(store_txn_t *t, const char *serial, int days)
{
    char kb[CERT_KEY_MAX];
    MDB_val k = reminder_key(kb, serial, days), v;
    return k.mv_size && mdb_get(t->txn, store_dbi(t, DB_APPLICANT), &k, &v) == 0;
}

sertel_err_t store_reminder_mark(store_txn_t *t, const char *serial, int days)
{
    char kb[CERT_KEY_MAX];
    MDB_val k = reminder_key(kb, serial, days), v = store_val("", 0);
    if (!k.mv_size)
        return SERTEL_E_INVALID;
    return store_txn_err(t, mdb_put(t->txn, store_dbi(t, DB_APPLICANT), &k, &v, 0));
}
