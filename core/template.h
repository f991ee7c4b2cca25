/* Message templates the office edits (sop/pesan/NAME.pesan): a subject, the
 * channels an automatic message goes out on, and a body, with fields in
 * braces filled per message. Pure: text in, text out.
 *
 * Format (UTF-8 text; '#' starts a comment line in the header):
 *   subjek = Permohonan {nomor perkara} diterima
 *   otomatis = email            (email, whatsapp, sms, comma-separated; or "tidak")
 *   hari = 60, 30, 7            (reminders only: days before expiry, at most 8)
 *   ---
 *   Yth. {nama}, ...            (the body, up to the end of the file)
 *
 * Fields: {nama}, {nomor perkara}, {langkah}, {batas waktu}, {alasan},
 * {berlaku sampai}. An unknown field is refused when the file is read. */
#ifndef SERTEL_TEMPLATE_H
#define SERTEL_TEMPLATE_H

#include <stddef.h>

typedef struct template template_t;

/* Channel bits of `otomatis`, numbered as MessageChannel. */
enum { TEMPLATE_EMAIL = 1u << 1, TEMPLATE_WHATSAPP = 1u << 2, TEMPLATE_SMS = 1u << 3 };

typedef enum {
    FIELD_NAME,     /* nama */
    FIELD_CASE,     /* nomor perkara */
    FIELD_STEP,     /* langkah */
    FIELD_DEADLINE, /* batas waktu */
    FIELD_REASON,   /* alasan */
    FIELD_VALID,    /* berlaku sampai */
    FIELD__COUNT
} template_field_t;

typedef struct {
    const char *v[FIELD__COUNT]; /* NULL: "-" */
} template_values_t;

/* On error returns NULL with "NAME:LINE: reason" in err. */
template_t *template_parse(const char *text, const char *name, char *err, size_t errlen);
void template_destroy(template_t **t);
unsigned template_auto(const template_t *t);
#define TEMPLATE_MAX_DAYS 8
/* The `hari` list, largest first, into days; returns how many (60, 30, 7
 * when the file has none). */
int template_days(const template_t *t, int days[TEMPLATE_MAX_DAYS]);
/* Subject and body with the fields filled in (malloc'd). */
char *template_subject(const template_t *t, const template_values_t *v);
char *template_body(const template_t *t, const template_values_t *v);
/* Fills a free text the same way (a verifier's message may use fields);
 * NULL when it names an unknown field. */
char *template_fill(const char *text, const template_values_t *v);

#endif
