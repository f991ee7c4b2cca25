/* sertel-notifier's configuration: where and how each channel sends,
 * with its secrets, and the delivery rules. A `kunci = nilai` text file
 * that must be mode 0600 (its secrets live nowhere else). The gateway's
 * request shape is data: a profile (fonnte, wablas, zenziva) or custom
 * keys, never code. See docs/notifier.md. */
#ifndef SERTEL_NOTIFIER_CONFIG_H
#define SERTEL_NOTIFIER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define NCFG_VALUE_MAX 512

/* One HTTP gateway (WhatsApp or SMS). */
typedef struct {
    char profile[32];            /* fonnte, wablas, zenziva, custom; empty: channel off */
    char url[NCFG_VALUE_MAX];
    char token[NCFG_VALUE_MAX];  /* sent in token_header */
    char user[NCFG_VALUE_MAX];   /* sent in user_field (zenziva: userkey) */
    char key[NCFG_VALUE_MAX];    /* sent in key_field (zenziva: passkey) */
    char method[8];              /* POST or GET */
    char token_header[64];
    char number_field[64];
    char text_field[64];
    char user_field[64];
    char key_field[64];
    char success[128];           /* "json:KEY=VALUE" or "http" (any 2xx) */
    char idempotency_header[64]; /* a header the gateway de-duplicates on, or empty */
} ncfg_gateway_t;

typedef struct {
    char smtp_url[NCFG_VALUE_MAX]; /* smtp://HOST:PORT (STARTTLS) or smtps://HOST:PORT */
    char smtp_user[NCFG_VALUE_MAX];
    char smtp_password[NCFG_VALUE_MAX];
    char smtp_from[NCFG_VALUE_MAX];
    bool smtp_starttls;            /* smtp-tls = starttls (default) or tidak */
    ncfg_gateway_t whatsapp, sms;
    int max_tries;                 /* then given up */
    int retry_first, retry_max;    /* seconds: backoff doubles from first up to max */
    int rate[4];                   /* per MessageChannel: sends per minute */
    int timeout;                   /* seconds per send */
    int log_level;                 /* log-level: a log_level_t + 1; 0 when not set */
} ncfg_t;

/* Reads and checks path (0600 or refused). On error false with
 * "PATH:LINE: reason" in err; secrets never appear in err. */
bool ncfg_read(const char *path, ncfg_t *cfg, char *err, size_t errlen);
/* Parses a config text (no permission check): for tests and ncfg_read. */
bool ncfg_parse(char *text, const char *name, ncfg_t *cfg, char *err, size_t errlen);
/* Wipes the secrets from memory. */
void ncfg_clear(ncfg_t *cfg);

#endif
