/* The journal's hash chain as printed documents use it: the hash at the
 * record a document was sealed at, and the head, so that `sertel verify`
 * can tell a sheet from a journal rewritten since, and the archive can
 * name the head it was exported at. The hashes reveal nothing of the
 * events, so any officer may ask. */
#include <stdio.h>

#include "cmd.h"
#include "i18n.h"

CMD(cmd_chain_query)
{
    const Sertel__ChainQuery *q = req->chain_query;
    Sertel__ChainHash *h = cmd_alloc(ctx, sizeof *h);
    char *head = cmd_alloc(ctx, 65), *at = cmd_alloc(ctx, 65);
    if (!h || !head || !at)
        return SERTEL_E_NOMEM;
    sertel__chain_hash__init(h);
    sertel_err_t e = store_chain_head(ctx->txn, &h->head_seq, head);
    h->seq = q->seq ? q->seq : h->head_seq;
    if (e == SERTEL_OK && q->seq && (q->seq > h->head_seq ||
                                     store_chain_at(ctx->txn, q->seq, at) != SERTEL_OK))
        return cmd_fail(ctx, SERTEL_E_NOT_FOUND, _("the journal has no record %llu"),
                        (unsigned long long)q->seq);
    if (e != SERTEL_OK)
        return e;
    h->head_hash = head;
    h->hash = q->seq ? at : head;
    reply->body_case = SERTEL__ENVELOPE__BODY_CHAIN_HASH;
    reply->chain_hash = h;
    return SERTEL_OK;
}
