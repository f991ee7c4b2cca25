/* Stage 5 of the request path, and the last step of the sweep: fan out.
 * Replies go to their callers (a Welcome after the catch-up it
 * announces); after a successful commit, each reply is followed by the
 * pushes of its request's events to the live sessions they concern. The
 * only stage that sends. */
#ifndef SERTEL_FANOUT_H
#define SERTEL_FANOUT_H

#include "receive.h"

/* Answers every item of the batch, replaying the journal before each
 * Welcome; when the batch was committed, each reply is followed by the
 * pushes of the events its request made (so a push waits for one reply,
 * not the whole batch's). Then forgets the events. */
void fanout_batch(broker_t *b, batch_t *batch, bool committed);
/* Pushes the events kept by the committed transaction (the sweep's),
 * then forgets them. */
void fanout_push(broker_t *b);
/* Tells each session whose queue filled up (now that it has room again)
 * that it missed pushes and must catch up (a Behind message). */
void fanout_behind(broker_t *b);

#endif
