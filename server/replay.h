/* Part of stage 5 (fan out): the catch-up a Hello asked for, sent before
 * its Welcome, one bounded round at a time. */
#ifndef SERTEL_REPLAY_H
#define SERTEL_REPLAY_H

#include "state.h"

/* Sends s, as pushes, the journal events after since (up to upto) that
 * concern its officer, one round: fewer when the client's queue fills
 * up first. Returns how many; *last is the seq of the last one sent,
 * *more whether events are left, *failed a journal record that could not
 * be read (the round stops there). */
int replay_round(broker_t *b, session_t *s, uint64_t since, uint64_t upto, uint64_t *last,
                 bool *more, sertel_err_t *failed);

#endif
