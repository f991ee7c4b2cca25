/* Requests about the store itself: the journal's hash chain verified by
 * the live broker (the same walk as sertel-broker verify, in the read
 * view the request runs in). */
#include <stdio.h>

#include "cmd.h"

CMD(cmd_journal_verify)
{
    (void)req;
    store_chain_report_t r;
    sertel_err_t e = store_verify_chain(ctx->txn, &r);
    if (e != SERTEL_OK && !r.bad_seq)
        return e; /* could not read at all: not a verdict */
    Sertel__JournalVerifyReply *v = cmd_alloc(ctx, sizeof *v);
    if (!v)
        return SERTEL_E_NOMEM;
    sertel__journal_verify_reply__init(v);
    v->events = r.events;
    v->head_seq = r.head_seq;
    v->bad_seq = r.bad_seq;
    v->head_hash = cmd_strdup(ctx, r.head);
    v->problem = cmd_strdup(ctx, r.problem);
    if (!v->head_hash || !v->problem)
        return SERTEL_E_NOMEM;
    reply->body_case = SERTEL__ENVELOPE__BODY_JOURNAL_VERIFIED;
    reply->journal_verified = v;
    return SERTEL_OK;
}
