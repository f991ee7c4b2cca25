/* The renewed certificate, read from a file for `sertel certificate
 * --file`: DER as is, PEM turned into DER. It is parsed here too, so that
 * the wrong file is refused before anything is sent; the broker reads the
 * serial number and expiry from the DER it receives. */
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "officer.h"

/* A certificate is a few KiB; a larger file is not one. */
#define CERT_MAX_BYTES (64u * 1024)

static X509 *parse_certificate(const uint8_t *buf, size_t len)
{
    const unsigned char *p = buf;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (x && p == buf + len)
        return x;
    X509_free(x);
    BIO *bio = BIO_new_mem_buf(buf, (int)len);
    x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    return x;
}

/* i2d_X509 allocates with OpenSSL's allocator; the caller frees with free(). */
static uint8_t *to_der(X509 *x, size_t *len)
{
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    uint8_t *copy = n > 0 ? malloc((size_t)n) : NULL;
    if (copy) {
        memcpy(copy, der, (size_t)n);
        *len = (size_t)n;
    }
    OPENSSL_free(der);
    return copy;
}

uint8_t *officer_read_certificate(const char *prog, const char *path, size_t *len)
{
    size_t n;
    uint8_t *buf = cli_read_file(prog, path, CERT_MAX_BYTES, &n);
    if (!buf)
        return NULL;
    X509 *x = parse_certificate(buf, n);
    free(buf);
    uint8_t *der = x ? to_der(x, len) : NULL;
    X509_free(x);
    if (!der)
        cli_error(prog, _("%s: not an X.509 certificate (DER or PEM)"), path);
    return der;
}
