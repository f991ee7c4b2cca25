/* The answer to a request applied before (same officer, same request id):
 * rebuilt from the journal event it made, nothing applied again. The
 * store keeps only request id -> journal seq, not whole replies. */
#include <stdlib.h>

#include "cmd.h"

/* Done with the case as the request left it: the working time used is
 * taken at the event's instant, so a repeat reads as the first answer. */
static sertel_err_t repeat_done(cmd_ctx_t *ctx, const Sertel__Event *ev, Sertel__Envelope *reply)
{
    case_t *c = cmd_alloc(ctx, sizeof *c);
    Sertel__Done *done = cmd_alloc(ctx, sizeof *done);
    if (!c || !done)
        return SERTEL_E_NOMEM;
    sertel_err_t e = store_case_get(ctx->txn, ev->case_id, c);
    if (e != SERTEL_OK)
        return e;
    sertel__done__init(done);
    done->case_id = cmd_strdup(ctx, ev->case_id);
    done->seq = ev->seq;
    if (ev->kind == SERTEL__EVENT_KIND__EV_MESSAGE_QUEUED)
        done->message_id = ev->message_id;
    int64_t now = ctx->now;
    ctx->now = ev->at;
    done->case_ = cmd_case_pb(ctx, c);
    ctx->now = now;
    reply->body_case = SERTEL__ENVELOPE__BODY_DONE;
    reply->done = done;
    return done->case_id && done->case_ ? SERTEL_OK : SERTEL_E_NOMEM;
}

sertel_err_t cmd_repeat(cmd_ctx_t *ctx, uint64_t seq, Sertel__Envelope *reply)
{
    Sertel__Event *ev;
    sertel_err_t e = store_journal_get(ctx->txn, seq, &ev);
    if (e != SERTEL_OK)
        return e;
    switch (ev->kind) {
    case SERTEL__EVENT_KIND__EV_ACTING_CHANGED:
        e = cmd_acting_list(ctx, NULL, reply);
        break;
    case SERTEL__EVENT_KIND__EV_MESSAGE_STATE: /* the notifier's report */
        e = cmd_outbox_item(ctx, ev->message_id, reply);
        break;
    case SERTEL__EVENT_KIND__EV_CERT_REGISTERED: /* an import */
    case SERTEL__EVENT_KIND__EV_OFFICER_CHANGED:
    case SERTEL__EVENT_KIND__EV_SOP_LOADED:
        e = cmd_ping(ctx, NULL, reply);
        break;
    default:
        e = ev->case_id && ev->case_id[0] ? repeat_done(ctx, ev, reply) : SERTEL_E_STORAGE;
        break;
    }
    sertel__event__free_unpacked(ev, NULL);
    return e;
}
