/* Stages 3 and 4 of the request path: apply and commit. Every admitted
 * request of the batch runs in one write transaction (each command in a
 * nested one, so that a refusal undoes only itself); the batch commits
 * once (group commit). A repeated request id gets its first answer back
 * and changes nothing. On a full map the map grows and the batch runs
 * again; when the commit fails every request is answered with the
 * failure. Nothing leaves the broker in these stages. */
#ifndef SERTEL_APPLY_H
#define SERTEL_APPLY_H

#include "receive.h"

/* SERTEL_OK when the batch is durable; otherwise every item's reply says
 * why it was not applied. */
sertel_err_t apply_batch(broker_t *b, batch_t *batch, int64_t now);

#endif
