/* Sending one outbox item over its channel with libcurl: SMTP (STARTTLS
 * or smtps) for e-mail, an HTTP gateway shaped by its profile for
 * WhatsApp and SMS. The outcome says whether a retry can help. */
#ifndef SERTEL_NOTIFIER_SEND_H
#define SERTEL_NOTIFIER_SEND_H

#include <stddef.h>

#include "notifier_config.h"
#include "sertel.pb-c.h"

typedef enum {
    SEND_OK,
    SEND_RETRY,     /* temporary: the server or gateway down, busy, 4xx SMTP */
    SEND_PERMANENT, /* a retry cannot help: address refused (5xx), request refused (4xx HTTP) */
} send_result_t;

/* Sends item; on failure a reason (no secret, no address) in why. */
send_result_t notifier_send(const ncfg_t *cfg, const Sertel__OutboxItem *item, char *why, size_t whylen);
/* Does the channel de-duplicate a resent message by its outbox id? */
bool notifier_channel_dedups(const ncfg_t *cfg, Sertel__MessageChannel ch);

#endif
