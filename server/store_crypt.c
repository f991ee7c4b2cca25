/* Personal data at rest (UU 27/2022 PDP): the data key and what is made
 * with it.
 *
 * The data key is 32 random bytes in its own file, DIR/data.key (0600,
 * beside db/, never inside data.mdb or its backups), made by `sertel-broker
 * init` or when an older store is opened. Two keys are derived from it
 * (libsodium's crypto_kdf): one seals values with XChaCha20-Poly1305
 * (a random 24-byte nonce in front, the record's key as associated data,
 * so a sealed value cannot be moved to another record), one makes the
 * keyed BLAKE2b hash under which an applicant's NIP is indexed. meta
 * "data-key-id" names the key the store was sealed with, so a wrong key
 * file is refused instead of read as damage. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"
#include "store_internal.h"

#define KEY_HEADER "# Sertel data key: sealing the applicants' personal data in data.mdb.\n" \
                   "# Keep a copy apart from the data directory and its backups.\n"

static void derive(store_t *s, const uint8_t key[STORE_DATA_KEY_LEN])
{
    crypto_kdf_derive_from_key(s->seal_key, sizeof s->seal_key, 1, "sertelpd", key);
    crypto_kdf_derive_from_key(s->index_key, sizeof s->index_key, 2, "sertelpd", key);
    uint8_t id[crypto_generichash_BYTES_MIN];
    crypto_generichash(id, sizeof id, (const uint8_t *)"sertel data key id", 18, key,
                       STORE_DATA_KEY_LEN);
    memcpy(s->key_id, id, sizeof s->key_id);
    s->keyed = true;
}

bool store_key_parse(const char *text, uint8_t key[STORE_DATA_KEY_LEN])
{
    const char *p = strstr(text, "key = ");
    size_t bin_len = 0;
    return p && sodium_hex2bin(key, STORE_DATA_KEY_LEN, p + 6, 2 * STORE_DATA_KEY_LEN, NULL,
                               &bin_len, NULL) == 0 &&
           bin_len == STORE_DATA_KEY_LEN;
}

/* Reads a key file: private to its owner, one "key = HEX" line. */
sertel_err_t store_key_read(const char *path, uint8_t key[STORE_DATA_KEY_LEN], char *err,
                            size_t errlen)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    char text[512];
    ssize_t n = fd >= 0 && fstat(fd, &st) == 0 ? read(fd, text, sizeof text - 1) : -1;
    int saved = errno;
    if (fd >= 0)
        close(fd);
    if (n < 0) {
        if (saved == ENOENT)
            return SERTEL_E_NOT_FOUND;
        diag_at(err, errlen, path, 0, _("cannot read the data key: %s"), strerror(saved));
        return SERTEL_E_IO;
    }
    if (st.st_mode & 077) {
        diag_at(err, errlen, path, 0, _("the data key is readable by others (mode %04o): "
                                        "chmod 600 it"), (unsigned)(st.st_mode & 07777));
        return SERTEL_E_DENIED;
    }
    text[n] = '\0';
    if (!store_key_parse(text, key)) {
        diag_at(err, errlen, path, 0, "%s", _("not a Sertel data key file"));
        return SERTEL_E_INVALID;
    }
    return SERTEL_OK;
}

sertel_err_t store_key_write(const char *path, const uint8_t key[STORE_DATA_KEY_LEN], char *err,
                             size_t errlen)
{
    char hex[2 * STORE_DATA_KEY_LEN + 1];
    sodium_bin2hex(hex, sizeof hex, key, STORE_DATA_KEY_LEN);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    bool ok = f && fprintf(f, KEY_HEADER "key = %s\n", hex) > 0 && fflush(f) == 0 &&
              fsync(fd) == 0;
    int saved = errno;
    if (f)
        ok = fclose(f) == 0 && ok;
    else if (fd >= 0)
        close(fd);
    sodium_memzero(hex, sizeof hex);
    if (!ok) {
        diag_at(err, errlen, path, 0, _("cannot write the data key: %s"), strerror(saved));
        return SERTEL_E_IO;
    }
    return SERTEL_OK;
}

/* DIR/data.key for a store in DIR/db; DIR/data.key for a bare store
 * directory (tests, the bench). */
void store_key_path(const char *store_dir, const char *suffix, char *out, size_t len)
{
    size_t n = strlen(store_dir);
    bool in_db = n >= 3 && strcmp(store_dir + n - 3, "/db") == 0;
    snprintf(out, len, "%.*s/data.key%s", (int)(in_db ? n - 3 : n), store_dir, suffix);
}

/* The key file a store with key id want uses: data.key, or data.key.new
 * left by a rotation that committed but did not rename (finished here). */
static sertel_err_t load_for(store_t *s, const uint8_t *want, char *err, size_t errlen)
{
    char path[4200], fresh[4200];
    uint8_t key[STORE_DATA_KEY_LEN];
    store_key_path(s->dir, "", path, sizeof path);
    store_key_path(s->dir, ".new", fresh, sizeof fresh);
    sertel_err_t e = store_key_read(path, key, err, errlen);
    if (e == SERTEL_OK)
        derive(s, key);
    if (e == SERTEL_OK && (!want || memcmp(s->key_id, want, sizeof s->key_id) == 0)) {
        unlink(fresh); /* a rotation that never committed */
        sodium_memzero(key, sizeof key);
        return SERTEL_OK;
    }
    if (want && (e == SERTEL_OK || e == SERTEL_E_NOT_FOUND) &&
        store_key_read(fresh, key, err, errlen) == SERTEL_OK) {
        derive(s, key);
        if (memcmp(s->key_id, want, sizeof s->key_id) == 0 && rename(fresh, path) == 0) {
            sodium_memzero(key, sizeof key);
            return SERTEL_OK;
        }
    }
    sodium_memzero(key, sizeof key);
    s->keyed = false;
    if (e == SERTEL_OK || e == SERTEL_E_NOT_FOUND)
        diag_at(err, errlen, path, 0, "%s",
                e == SERTEL_OK ? _("this data key is not the one the store was sealed with")
                               : _("the data key is missing; restore it from its backup"));
    return e == SERTEL_OK || e == SERTEL_E_NOT_FOUND ? SERTEL_E_DENIED : e;
}

sertel_err_t store_keys_load(store_t *s, store_txn_t *t, bool create, char *err, size_t errlen)
{
    MDB_val k = store_str("data-key-id"), v;
    int rc = mdb_get(t->txn, store_dbi(t, DB_META), &k, &v);
    if (rc == 0 && v.mv_size == sizeof s->key_id)
        return load_for(s, v.mv_data, err, errlen);
    if (rc != MDB_NOTFOUND)
        return rc ? store_txn_err(t, rc) : SERTEL_E_STORAGE;
    /* Nothing sealed yet: the key file there, or a new one. */
    sertel_err_t e = load_for(s, NULL, err, errlen);
    if (e == SERTEL_OK || !create)
        return e == SERTEL_E_DENIED && !create ? SERTEL_OK : e;
    uint8_t key[STORE_DATA_KEY_LEN];
    char path[4200];
    randombytes_buf(key, sizeof key);
    store_key_path(s->dir, "", path, sizeof path);
    if (errlen)
        err[0] = '\0';
    e = store_key_write(path, key, err, errlen);
    if (e == SERTEL_OK)
        derive(s, key);
    sodium_memzero(key, sizeof key);
    return e == SERTEL_OK ? store_key_note(t) : e;
}

sertel_err_t store_key_note(store_txn_t *t)
{
    MDB_val k = store_str("data-key-id"), v = store_val(t->s->key_id, sizeof t->s->key_id);
    return store_txn_err(t, mdb_put(t->txn, store_dbi(t, DB_META), &k, &v, 0));
}

size_t store_sealed_len(size_t plain)
{
    return plain ? crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + plain +
                       crypto_aead_xchacha20poly1305_ietf_ABYTES
                 : 0;
}

void store_seal(const store_t *s, const void *ad, size_t adlen, const uint8_t *plain, size_t len,
                uint8_t *out)
{
    if (!len)
        return;
    randombytes_buf(out, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    crypto_aead_xchacha20poly1305_ietf_encrypt(out + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
                                               NULL, plain, len, ad, adlen, NULL, out, s->seal_key);
}

bool store_unseal(const store_t *s, const void *ad, size_t adlen, const uint8_t *sealed,
                  size_t len, uint8_t *out, size_t *out_len)
{
    size_t over = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES +
                  crypto_aead_xchacha20poly1305_ietf_ABYTES;
    unsigned long long n = 0;
    if (!s->keyed || len < over)
        return false;
    bool ok = crypto_aead_xchacha20poly1305_ietf_decrypt(
                  out, &n, NULL, sealed + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
                  len - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, ad, adlen, sealed,
                  s->seal_key) == 0;
    *out_len = (size_t)n;
    return ok;
}

size_t store_applicant_key(const store_t *s, const char *nip, uint8_t out[STORE_APPLICANT_KEY_MAX])
{
    crypto_generichash(out, STORE_APPLICANT_KEY_MAX, (const uint8_t *)nip, strnlen(nip, NIP_LEN),
                       s->index_key, sizeof s->index_key);
    return STORE_APPLICANT_KEY_MAX;
}

/* ---- rotation */

static void id_hex(const uint8_t id[8], char out[17])
{
    sodium_bin2hex(out, 17, id, 8);
}

/* The case's applicant row under the keyed hash of to, not of t->s. */
static sertel_err_t swap_applicant_row(store_txn_t *t, const store_t *to, const case_t *c)
{
    index_row_t rows[MAX_ROWS];
    int n = store_index_rows(t->s, c, rows);
    MDB_val empty = store_val("", 0);
    for (int i = 0; i < n; i++) {
        if (rows[i].key[0] != IX_APPLICANT)
            continue;
        MDB_val k = store_val(rows[i].key, rows[i].len);
        int rc = mdb_del(t->txn, store_dbi(t, DB_INDEX), &k, NULL);
        if (rc != 0 && rc != MDB_NOTFOUND)
            return store_txn_err(t, rc);
        store_applicant_key(to, c->app.nip, rows[i].key + 1);
        rc = mdb_put(t->txn, store_dbi(t, DB_INDEX), &k, &empty, 0);
        if (rc != 0)
            return store_txn_err(t, rc);
    }
    return SERTEL_OK;
}

/* Every sealed value and applicant row rewritten from the keys of t->s to
 * those of to (same environment). */
static sertel_err_t reseal(store_txn_t *t, store_t *to)
{
    store_txn_t nt = *t;
    nt.s = to;
    nt.scratch = NULL;
    MDB_cursor *cur;
    /* Every case record current first: its head row goes with it. */
    sertel_err_t e = store_heads_flush(t);
    if (e != SERTEL_OK)
        return e;
    case_t *c = malloc(sizeof *c);
    int rc = c ? mdb_cursor_open(t->txn, store_dbi(t, DB_CASES), &cur) : ENOMEM;
    if (rc != 0) {
        free(c);
        return store_txn_err(t, rc);
    }
    MDB_val k, v;
    for (rc = store_space_first(t, cur, DB_CASES, &k, &v); rc == 0 && e == SERTEL_OK;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (((uint8_t *)k.mv_data)[0] != KS_CASE)
            break; /* past the cases' space */
        char why[256], id[CASE_ID_MAX + 1];
        e = store_case_decode(t->s, &k, &v, c, why, sizeof why);
        snprintf(id, sizeof id, "%s", c->id);
        uint64_t head = e == SERTEL_OK ? store_from_be64(v.mv_data) : 0;
        if (e == SERTEL_OK)
            e = swap_applicant_row(t, to, c);
        if (e == SERTEL_OK)
            e = store_case_write(&nt, c, head);
        uint8_t key[CASE_KEY_MAX];
        MDB_val again = store_val(key, store_case_key(t->s, id, key));
        if (e == SERTEL_OK && mdb_cursor_get(cur, &again, &v, MDB_SET) != 0)
            e = SERTEL_E_STORAGE;
    }
    mdb_cursor_close(cur);
    free(c);
    if (e != SERTEL_OK || (rc = mdb_cursor_open(t->txn, store_dbi(t, DB_APPLICANT), &cur)) != 0)
        return e != SERTEL_OK ? e : store_txn_err(t, rc);
    /* The applicant's space: its sealed records ('m' items, 'c' certificates). */
    uint8_t space = KS_APPLICANT;
    k = store_val(&space, 1);
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0 && e == SERTEL_OK;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (((uint8_t *)k.mv_data)[0] != KS_APPLICANT)
            break; /* past the space */
        uint8_t kind = k.mv_size > 1 ? ((uint8_t *)k.mv_data)[1] : 0;
        if (kind != 'm' && kind != 'c')
            continue;
        uint8_t key[256];
        size_t klen = k.mv_size < sizeof key ? k.mv_size : sizeof key;
        memcpy(key, k.mv_data, klen);
        MDB_val kk = store_val(key, klen);
        if (!store_value_open(t, &k, &v))
            e = store_damaged(t->s, "sealed record", "rotation");
        if (e == SERTEL_OK) {
            e = store_put_sealed(&nt, DB_APPLICANT, kk, v.mv_data, v.mv_size);
            store_value_close(t); /* the clear copy, wiped at once */
        }
        if (e == SERTEL_OK && mdb_cursor_get(cur, &kk, &v, MDB_SET) != 0)
            e = SERTEL_E_STORAGE;
    }
    mdb_cursor_close(cur);
    return e == SERTEL_OK ? store_key_note(&nt) : e;
}

sertel_err_t store_rotate_key(store_t *s, char *old_id, char *new_id, char *err, size_t errlen)
{
    if (!s->keyed) {
        diag_at(err, errlen, s->dir, 0, "%s", _("the data key is missing; restore it from its backup"));
        return SERTEL_E_DENIED;
    }
    uint8_t key[STORE_DATA_KEY_LEN];
    char path[4200], fresh[4200], kept[4300];
    store_key_path(s->dir, "", path, sizeof path);
    store_key_path(s->dir, ".new", fresh, sizeof fresh);
    id_hex(s->key_id, old_id);
    snprintf(kept, sizeof kept, "%s.%s", path, old_id);
    randombytes_buf(key, sizeof key);
    store_t *to = malloc(sizeof *to);
    sertel_err_t e = to ? store_key_write(fresh, key, err, errlen) : SERTEL_E_NOMEM;
    if (e == SERTEL_OK) {
        *to = *s;
        derive(to, key);
        store_txn_t *t;
        e = store_begin(s, NULL, true, &t);
        if (e == SERTEL_OK)
            e = reseal(t, to);
        if (e == SERTEL_OK)
            e = store_commit(&t);
        else
            store_abort(&t);
    }
    /* Committed: the new key takes the file's place, the old one stays
     * for the backups sealed with it. A crash in between is finished at
     * the next open (store_keys_load finds data.key.new). */
    if (e == SERTEL_OK && (link(path, kept) != 0 || rename(fresh, path) != 0)) {
        diag_at(err, errlen, path, 0, _("cannot put the new data key in place: %s"), strerror(errno));
        e = SERTEL_E_IO;
    }
    if (e == SERTEL_OK) {
        memcpy(s->seal_key, to->seal_key, sizeof s->seal_key);
        memcpy(s->index_key, to->index_key, sizeof s->index_key);
        memcpy(s->key_id, to->key_id, sizeof s->key_id);
        id_hex(s->key_id, new_id);
    } else {
        unlink(fresh);
    }
    if (to)
        sodium_memzero(to, sizeof *to);
    free(to);
    sodium_memzero(key, sizeof key);
    return e;
}
