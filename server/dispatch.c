/* Drives one batch through the stages. Each stage only reads what the
 * one before left in the batch; none calls back. Nothing is acknowledged
 * or pushed before the commit returned success (group commit). */
#include "dispatch.h"

#include "apply.h"
#include "authorise.h"
#include "fanout.h"
#include "receive.h"

bool dispatch_pending(const broker_t *b)
{
    return receive_pending(b);
}

void dispatch_batch(broker_t *b)
{
    static batch_t batch;
    if (!receive_batch(b, &batch))
        return;
    int64_t now = b->batch_now = broker_now(b);
    authorise_batch(b, &batch, now);
    sertel_err_t committed = apply_batch(b, &batch, now);
    if (committed == SERTEL_OK)
        broker_after_commit(b);
    fanout_batch(b, &batch, committed == SERTEL_OK);
    batch_free(&batch);
}
