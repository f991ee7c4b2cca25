/* The request path, one batch at a time, in one direction:
 * receive -> authorise -> apply -> commit -> fan out. */
#ifndef SERTEL_DISPATCH_H
#define SERTEL_DISPATCH_H

#include "state.h"

/* Requests received but left for a later batch (see receive.h)? */
bool dispatch_pending(const broker_t *b);
/* Reads the requests waiting on the socket and takes the next batch
 * through every stage. */
void dispatch_batch(broker_t *b);

#endif
