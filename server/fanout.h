/* Stage 5 of the request path, and the last step of the sweep: fan out.
 * Runs only after a successful commit: replies go to their callers (a
 * Welcome after the catch-up it announces), then the committed events go
 * to the live sessions they concern. The only stage that sends. */
#ifndef SERTEL_FANOUT_H
#define SERTEL_FANOUT_H

#include "receive.h"

/* Answers every item of the batch, replaying the journal before each
 * Welcome. */
void fanout_replies(broker_t *b, batch_t *batch);
/* Pushes the events kept by the committed transaction, then forgets them. */
void fanout_push(broker_t *b);
/* Tells each session whose queue filled up (now that it has room again)
 * that it missed pushes and must catch up (a Behind message). */
void fanout_behind(broker_t *b);

#endif
