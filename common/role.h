/* The office's roles, their superiors (for escalation) and the
 * qualifications an officer can hold. Numbers are on the wire. */
#ifndef SERTEL_ROLE_H
#define SERTEL_ROLE_H

typedef enum {
    ROLE_NONE = 0,
    ROLE_STAF = 1,  /* staf, front office or verifier */
    ROLE_JF = 2,    /* JF Keamanan Informasi */
    ROLE_KABID = 3, /* Kepala Bidang Persandian dan KAMI */
    ROLE_KADIS = 4, /* Kepala Dinas */
    ROLE_ADMIN = 5, /* system administrator */
    ROLE_NOTIFIER = 6, /* sertel-notifier: the outbox's sender, no case work */
    ROLE__COUNT
} role_t;

/* Qualification bits. */
enum { QUAL_VERIFIKATOR = 1u << 0 };

/* "staf", "jf", ... ; NULL for an out-of-range value. */
const char *role_code(role_t r);
/* Translated title: "Kepala Dinas", ... */
const char *role_title(role_t r);
/* ROLE_NONE when the code is unknown. */
role_t role_from_code(const char *code);
/* staf -> jf -> kabid -> kadis; ROLE_NONE above kadis. */
role_t role_superior(role_t r);

/* "verifikator" -> QUAL_VERIFIKATOR; 0 when unknown. */
unsigned qual_from_code(const char *code);
/* Comma-separated codes of the bits in q, into buf. */
const char *qual_codes(unsigned q, char *buf, unsigned len);

#endif
