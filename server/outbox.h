/* The applicant's outbox inside the broker: messages queued in the same
 * transaction as the event that causes them, the notifier's reports on
 * them, and what a push to the notifier carries. The notifier itself
 * (sertel-notifier) only sends. */
#ifndef SERTEL_OUTBOX_H
#define SERTEL_OUTBOX_H

#include "cmd.h"
#include "message.h"
#include "template.h"

/* Queues item (case_id, channel, to, subject, body, cause, step and
 * template set by the caller): gives it its id, journals
 * EV_MESSAGE_QUEUED for the notifier and stores it as queued. */
sertel_err_t outbox_queue(cmd_ctx_t *ctx, Sertel__OutboxItem *item);
/* The automatic message an engine event sends to the applicant, when its
 * template says so (received, returned, rejected, renewed). *seq and
 * *message_id get the last queued message's event and id. */
sertel_err_t outbox_after_event(cmd_ctx_t *ctx, const event_t *ev, const case_t *c, uint64_t *seq,
                                uint64_t *message_id);
/* The office's template NAME (DATA/pesan/NAME.pesan), read again only
 * when the file changed. NULL with ctx->why set when it is missing or
 * wrong. The broker's: valid until the next call. */
const template_t *outbox_template(cmd_ctx_t *ctx, const char *name);
/* Forgets the templates kept (when the broker ends). */
void outbox_templates_free(broker_t *b);
/* The fields of a message about case c (reason: {alasan}, may be NULL);
 * deadline and valid hold the formatted dates. */
void outbox_case_values(cmd_ctx_t *ctx, const case_t *c, const char *reason, template_values_t *v,
                        char deadline[64], char valid[64]);
/* Queues template t's message (name, cause) to c's applicant on channel
 * ch, as item. SERTEL_E_NO_ADDRESS when there is no address. */
sertel_err_t outbox_from_template(cmd_ctx_t *ctx, const template_t *t, const char *name,
                                  const char *cause, Sertel__MessageChannel ch, const case_t *c,
                                  const template_values_t *v, Sertel__OutboxItem *item);
/* The applicant's address on a channel (e-mail, or the phone as 628...);
 * false when there is none. */
bool outbox_address(Sertel__MessageChannel ch, const char *email, const char *phone,
                    char *out, size_t len);
/* The push of ev to a notifier session: the event with its queued message
 * attached, packed. NULL with *skip when the message is already final. */
uint8_t *outbox_pack_push(store_txn_t *t, const Sertel__Event *ev, size_t *len, bool *skip);
/* Where a notifier's catch-up starts: before its oldest message not yet
 * final, never before since. */
uint64_t outbox_replay_from(store_txn_t *t, uint64_t since, uint64_t upto);

#endif
