/* Input validation shared by the broker and the clients. Each check
 * returns SERTEL_OK or SERTEL_E_INVALID and, on failure, writes a
 * translated reason that names the field into why (may be NULL). Pure. */
#ifndef SERTEL_VALIDATE_H
#define SERTEL_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* NIP: 18 digits = birth date YYYYMMDD, appointment YYYYMM, sex (1 or 2),
 * serial 001-999. Dates must be real; appointment after birth. */
sertel_err_t validate_nip(const char *nip, char *why, size_t whylen);
/* NIK: 16 digits; province/regency/district codes nonzero; the birth date
 * DDMMYY (women +40 on the day) must be a real day. */
sertel_err_t validate_nik(const char *nik, char *why, size_t whylen);
/* local@domain.tld, ASCII, no spaces, at most 254 bytes. */
sertel_err_t validate_email(const char *email, char *why, size_t whylen);
/* Indonesian phone: optional leading +62 or 0, then 8-13 digits; spaces
 * and dashes allowed between digits. */
sertel_err_t validate_phone(const char *phone, char *why, size_t whylen);
/* A valid phone as gateways want it: digits only, 62 first ("0812-345"
 * -> "62812345"). False (out empty) when validate_phone refuses it. */
bool phone_normalise(const char *phone, char *out, size_t len);
/* Well-formed UTF-8 (no overlongs, no surrogates), no control characters
 * other than newline and tab, length 1..max bytes (0 allowed when
 * !required). field is the user-facing field name, used in why. */
sertel_err_t validate_text(const char *field, const char *s, size_t max,
                           bool required, char *why, size_t whylen);
/* YYYY-MM-DD and a real calendar day. */
sertel_err_t validate_date(const char *field, const char *s, char *why, size_t whylen);

bool utf8_valid(const char *s, size_t len);
/* Proleptic Gregorian: true when y-m-d is a real day. */
bool date_is_real(int y, int m, int d);

#endif
