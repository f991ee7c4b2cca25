/* The SLA sweep, a pipeline of its own: due timers -> apply (engine) ->
 * commit -> fan out (pushes). */
#ifndef SERTEL_SWEEP_H
#define SERTEL_SWEEP_H

#include "state.h"

/* Warns and escalates the steps whose timers are due, and forgets
 * request ids remembered long enough. */
void sweep_due(broker_t *b);

#endif
