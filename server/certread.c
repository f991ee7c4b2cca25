/* A certificate sent whole, read with OpenSSL's libcrypto, which the
 * broker loads (dlopen) at the first one instead of linking: linked, its
 * relocated pages stay resident from the start, 1.4 MiB of a broker that
 * may never see a certificate sent whole (most are typed: serial and
 * expiry). Hashes are libsodium's. The functions come from a table, each
 * looked up by name; a library without one of them is not used. */
#include <dlfcn.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "certread.h"

/* SERTEL_LIBCRYPTO: the soname of the OpenSSL found at configure time
 * (server/CMakeLists.txt), whose headers this file is compiled with. */
static struct {
    __typeof__(d2i_X509) *d2i_X509;
    __typeof__(X509_free) *X509_free;
    __typeof__(X509_get0_serialNumber) *X509_get0_serialNumber;
    __typeof__(X509_get0_notAfter) *X509_get0_notAfter;
    __typeof__(X509_get_subject_name) *X509_get_subject_name;
    __typeof__(X509_NAME_get_index_by_NID) *X509_NAME_get_index_by_NID;
    __typeof__(X509_NAME_get_entry) *X509_NAME_get_entry;
    __typeof__(X509_NAME_ENTRY_get_data) *X509_NAME_ENTRY_get_data;
    __typeof__(ASN1_STRING_to_UTF8) *ASN1_STRING_to_UTF8;
    __typeof__(ASN1_INTEGER_to_BN) *ASN1_INTEGER_to_BN;
    __typeof__(ASN1_TIME_to_tm) *ASN1_TIME_to_tm;
    __typeof__(BN_bn2hex) *BN_bn2hex;
    __typeof__(BN_free) *BN_free;
    __typeof__(CRYPTO_free) *CRYPTO_free;
} ssl;

/* clang-format off */
#define FN(name) {#name, (void **)&ssl.name}
/* clang-format on */
static const struct {
    const char *name;
    void **slot;
} functions[] = {
    FN(d2i_X509),
    FN(X509_free),
    FN(X509_get0_serialNumber),
    FN(X509_get0_notAfter),
    FN(X509_get_subject_name),
    FN(X509_NAME_get_index_by_NID),
    FN(X509_NAME_get_entry),
    FN(X509_NAME_ENTRY_get_data),
    FN(ASN1_STRING_to_UTF8),
    FN(ASN1_INTEGER_to_BN),
    FN(ASN1_TIME_to_tm),
    FN(BN_bn2hex),
    FN(BN_free),
    FN(CRYPTO_free),
};
#undef FN

/* Loaded once for the broker's life (never closed: OpenSSL keeps state
 * of its own). */
static bool load(void)
{
    static int loaded; /* 0: not tried; 1: ready; -1: unusable */
    if (loaded)
        return loaded > 0;
    void *lib = dlopen(SERTEL_LIBCRYPTO, RTLD_NOW | RTLD_LOCAL);
    loaded = lib ? 1 : -1;
    for (size_t i = 0; lib && i < sizeof functions / sizeof functions[0]; i++)
        if (!(*functions[i].slot = dlsym(lib, functions[i].name)))
            loaded = -1;
    return loaded > 0;
}

static void ssl_free(void *p)
{
    ssl.CRYPTO_free(p, __FILE__, __LINE__);
}

/* One attribute of the subject as UTF-8 into out ("" when absent or too long). */
static void subject_entry(X509_NAME *name, int nid, char *out, size_t len)
{
    out[0] = '\0';
    int i = ssl.X509_NAME_get_index_by_NID(name, nid, -1);
    X509_NAME_ENTRY *e = i >= 0 ? ssl.X509_NAME_get_entry(name, i) : NULL;
    unsigned char *utf8 = NULL;
    int n = e ? ssl.ASN1_STRING_to_UTF8(&utf8, ssl.X509_NAME_ENTRY_get_data(e)) : -1;
    if (n > 0 && (size_t)n < len)
        snprintf(out, len, "%s", (const char *)utf8);
    ssl_free(utf8);
}

/* "NIK:3207..." or "3207...": the digits, kept when they make a NIK or a NIP. */
static void holder_id(X509_NAME *name, char *out, size_t len)
{
    char raw[128], digits[sizeof raw];
    size_t d = 0;
    subject_entry(name, NID_serialNumber, raw, sizeof raw);
    for (const char *p = raw; *p; p++)
        if (*p >= '0' && *p <= '9')
            digits[d++] = *p;
    digits[d] = '\0';
    snprintf(out, len, "%s", d == NIK_LEN || d == NIP_LEN ? digits : "");
}

certread_t certread_der(const uint8_t *der, size_t len, cert_facts_t *f)
{
    if (!load())
        return CERTREAD_NO_LIBRARY;
    const unsigned char *p = der;
    X509 *x = ssl.d2i_X509(NULL, &p, (long)len);
    if (!x)
        return CERTREAD_NOT_DER;
    BIGNUM *bn = ssl.ASN1_INTEGER_to_BN(ssl.X509_get0_serialNumber(x), NULL);
    char *hex = bn ? ssl.BN_bn2hex(bn) : NULL;
    struct tm tm;
    bool ok = hex && strlen(hex) < sizeof f->serial &&
              ssl.ASN1_TIME_to_tm(ssl.X509_get0_notAfter(x), &tm) == 1;
    if (ok) {
        snprintf(f->serial, sizeof f->serial, "%s", hex);
        f->not_after = (int64_t)timegm(&tm);
        subject_entry(ssl.X509_get_subject_name(x), NID_commonName, f->holder, sizeof f->holder);
        holder_id(ssl.X509_get_subject_name(x), f->holder_id, sizeof f->holder_id);
    }
    ssl_free(hex);
    ssl.BN_free(bn);
    ssl.X509_free(x);
    return ok ? CERTREAD_OK : CERTREAD_UNREADABLE;
}
