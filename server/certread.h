/* A certificate sent whole (DER X.509): what the broker reads from it. */
#ifndef SERTEL_CERTREAD_H
#define SERTEL_CERTREAD_H

#include <stddef.h>
#include <stdint.h>

#include "case.h"

typedef struct {
    char serial[SERIAL_MAX + 1]; /* hex, as OpenSSL writes it */
    int64_t not_after;
    char holder[NAME_MAX_LEN + 1]; /* subject CN */
    char holder_id[NIP_LEN + 1];   /* digits of the subject's serialNumber, if 16 or 18 */
} cert_facts_t;

typedef enum {
    CERTREAD_OK,
    CERTREAD_NOT_DER,    /* not a DER X.509 certificate */
    CERTREAD_UNREADABLE, /* its serial or expiry cannot be read */
    CERTREAD_NO_LIBRARY, /* OpenSSL's libcrypto cannot be loaded */
} certread_t;

/* OpenSSL is loaded at the first call (certread.c says why). */
certread_t certread_der(const uint8_t *der, size_t len, cert_facts_t *out);

#endif
