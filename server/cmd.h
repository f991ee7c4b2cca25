/* Command handlers of the broker, grouped by file: cmd_case.c (the
 * workflow), cmd_query.c (reads and the session), cmd_admin.c
 * (administration). Each fills reply's body or returns an error with
 * ctx->why set; the dispatcher commits, replies and pushes. */
#ifndef SERTEL_CMD_H
#define SERTEL_CMD_H

#include "broker_internal.h"

#define CMD(name) sertel_err_t name(cmd_ctx_t *ctx, const Sertel__Envelope *req, Sertel__Envelope *reply)

CMD(cmd_hello);
CMD(cmd_ping);
CMD(cmd_intake);
CMD(cmd_complete);
CMD(cmd_return);
CMD(cmd_resume);
CMD(cmd_reject);
CMD(cmd_withdraw);
CMD(cmd_attach);
CMD(cmd_contact);
CMD(cmd_certificate);
CMD(cmd_inbox);
CMD(cmd_case_query);
CMD(cmd_search);
CMD(cmd_officer_add);
CMD(cmd_officer_list);
CMD(cmd_officer_disable);
CMD(cmd_officer_role);
CMD(cmd_acting_add);
CMD(cmd_acting_list);
CMD(cmd_acting_end);
CMD(cmd_sop_load);
CMD(cmd_stats);
CMD(cmd_backup);
CMD(cmd_journal);
CMD(cmd_attachment);

/* A Case message for the reply (with the working time used so far),
 * living until the reply is packed. */
Sertel__Case *cmd_case_pb(cmd_ctx_t *ctx, const case_t *c);
/* A copy of a journalled event for the reply. */
Sertel__Event *cmd_event_copy(cmd_ctx_t *ctx, const Sertel__Event *ev);
/* Sets ctx->why from a format and returns e. */
sertel_err_t cmd_fail(cmd_ctx_t *ctx, sertel_err_t e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The acting assignment (Plt/Plh) valid now that lets the officer act on
 * c's current step, copied into *out; NULL when none. */
const acting_t *cmd_acting_for(cmd_ctx_t *ctx, const case_t *c, const sop_t *sop, acting_t *out);

#endif
