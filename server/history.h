/* The broker's place in its history (see identity.h): at start, a store
 * found behind the journal head the directory recorded was put back from
 * a copy, which begins a new epoch, and agenda numbers continue after a
 * gap so that none already given to an applicant is given again; while
 * the broker runs, the head is recorded about once a second. */
#ifndef SERTEL_HISTORY_H
#define SERTEL_HISTORY_H

#include "state.h"

/* Agenda numbers left unused after a restore, beyond the highest this
 * directory recorded (up to a second late) or, without a record, beyond
 * the store's plus the events lost (each case began with one). */
#define HISTORY_CASE_MARGIN 100

/* With the store open: logs the identity and epoch, begins a new epoch
 * when the store went back. */
sertel_err_t history_start(broker_t *b, char *err, size_t errlen);
/* Records the committed journal head and agenda numbers in the identity
 * file if they moved. */
void history_record(broker_t *b);

/* After the store went back by lost events: every year's agenda numbers
 * continue after max(the store's + lost, the recorded) + margin; says the
 * next numbers in said. */
sertel_err_t history_continue_numbering(store_t *s, const identity_t *id, int year_now,
                                        uint64_t lost, uint64_t margin, char *said,
                                        size_t saidlen);

#endif
