/* The request path, one batch at a time, in one direction:
 * receive -> authorise -> apply -> commit -> fan out. */
#ifndef SERTEL_DISPATCH_H
#define SERTEL_DISPATCH_H

#include "state.h"

/* Reads the requests waiting on the socket and takes them through every
 * stage. */
void dispatch_batch(broker_t *b);

#endif
