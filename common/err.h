/* Error codes shared by the engine, the broker and the clients. The
 * numbers are part of the wire protocol (proto/sertel.proto ErrorCode):
 * append, never renumber. */
#ifndef SERTEL_ERR_H
#define SERTEL_ERR_H

#include <stddef.h>

typedef enum {
    SERTEL_OK = 0,
    SERTEL_E_INVALID = 1,     /* input fails validation */
    SERTEL_E_NOMEM = 2,
    SERTEL_E_IO = 3,
    SERTEL_E_NOT_FOUND = 4,
    SERTEL_E_WRONG_ACTOR = 5, /* the case is assigned to someone else */
    SERTEL_E_WRONG_ROLE = 6,  /* the actor's role may not do this */
    SERTEL_E_WRONG_STEP = 7,  /* not possible at the case's current step */
    SERTEL_E_CLOSED = 8,      /* the case is archived, rejected or withdrawn */
    SERTEL_E_DUPLICATE = 9,   /* request id already applied */
    SERTEL_E_INCOMPLETE = 10, /* a Kelengkapan of the step is missing */
    SERTEL_E_STATE = 11,      /* not possible in the case's state */
    SERTEL_E_DENIED = 12,     /* not authorised */
    SERTEL_E_EXISTS = 13,
    SERTEL_E_FULL = 14,       /* a fixed capacity is reached */
    SERTEL_E_PROTOCOL = 15,   /* malformed or unsupported message */
    SERTEL_E_STORAGE = 16,    /* the store failed; nothing was changed */
    SERTEL_E_MAP_FULL = 17,   /* the database map is full: the broker grows it and retries */
    SERTEL_E_LIMIT = 20,      /* a limit of the officer's key is reached (connections, requests, changes) */
    SERTEL_E_LIKELY_DUPLICATE = 24, /* the letter matches an open case; send again with force */
    SERTEL_E_NO_ADDRESS = 28, /* no e-mail or phone for the chosen channel */
    SERTEL_E_MESSAGE_FINAL = 29, /* the message is already sent or given up */
    SERTEL_E__COUNT
} sertel_err_t;

/* Translated one-line description of an error code. */
const char *sertel_strerror(sertel_err_t e);

/* Writes a reason (already translated by the caller) into why, which may
 * be NULL, and returns e: the one way a refusal is explained. */
sertel_err_t err_set(sertel_err_t e, char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Formats "FILE:LINE: message" (or "FILE: message" when line is 0) into
 * buf; the message is already translated by the caller. */
void diag_at(char *buf, size_t len, const char *file, int line,
             const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
