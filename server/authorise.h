/* Stage 2 of the request path: authorise. Decodes each request, finds
 * the officer of the connection's key, checks the command table's roles
 * and opens the session of a Hello. A request refused here is answered
 * at once (its reply is packed) and never reaches the apply stage. */
#ifndef SERTEL_AUTHORISE_H
#define SERTEL_AUTHORISE_H

#include "receive.h"

void authorise_batch(broker_t *b, batch_t *batch, int64_t now);

#endif
