/* The certificate register inside the broker: certificates recorded at
 * step 6 enter it, the administrator imports the holders the office
 * already has, and the sweep queues the reminders before expiry (once
 * each, marks kept in the store) to the holder and to the verifiers. */
#ifndef SERTEL_CERTS_H
#define SERTEL_CERTS_H

#include "cmd.h"
#include "template.h"

/* EV_CERTIFIED: the case's certificate enters the register and the
 * holder's older certificates are marked renewed by this case. */
sertel_err_t certs_after_event(cmd_ctx_t *ctx, const event_t *ev, const case_t *c);
/* Checks one record for the register (an import row) and normalises its
 * phone; the reason in ctx->why. */
sertel_err_t certs_check(cmd_ctx_t *ctx, Sertel__CertRecord *r, char *phone, size_t phone_len);
/* Queues the reminders due at ctx->now (at most once a minute of the
 * broker's clock); returns how many certificates were reminded, or -1
 * with *e set on a store failure. */
int certs_remind(cmd_ctx_t *ctx, sertel_err_t *e);
/* The register changed: the next sweep looks for reminders at once. */
void certs_wake(void);
/* The reminder template's days, largest first; returns how many (0 when
 * the template is missing). */
int certs_days(cmd_ctx_t *ctx, int days[TEMPLATE_MAX_DAYS]);
/* Bits of the reminders already queued for serial (bit i: days[i]). */
uint32_t certs_reminded(cmd_ctx_t *ctx, const char *serial, const int *days, int n_days);

#endif
