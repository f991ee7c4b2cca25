/* The broker's two clocks: the wall clock (injectable, for event times
 * and deadlines) and the monotonic clock (for scheduling its own work,
 * which a wall-clock step must not stall). */
#ifndef SERTEL_CLOCK_H
#define SERTEL_CLOCK_H

#include <stdint.h>

#include "state.h"

/* Unix seconds, from the injected clock when the configuration has one. */
int64_t broker_now(broker_t *b);
/* Milliseconds of CLOCK_MONOTONIC. */
int64_t broker_mono_ms(void);

#endif
