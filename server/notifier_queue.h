/* The notifier's queue: which outbox item to send next, and when. Pure
 * (time is an argument). Rules (docs/notifier.md):
 *  - per recipient, in outbox order: a later message to the same address
 *    waits until the earlier one is sent or given up;
 *  - a failed try waits retry_first * 2^(tries-1) seconds, at most
 *    retry_max;
 *  - per channel, at most rate sends in any 60 seconds. */
#ifndef SERTEL_NOTIFIER_QUEUE_H
#define SERTEL_NOTIFIER_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "sertel.pb-c.h"

#define NQ_CHANNELS 4

typedef struct {
    int retry_first, retry_max;
    int rate[NQ_CHANNELS]; /* per MessageChannel, sends per minute */
} nq_rules_t;

typedef struct nq nq_t;

nq_t *nq_new(const nq_rules_t *rules);
void nq_destroy(nq_t **q);
/* Takes item (owned from now on) unless its id is already queued:
 * returns false then, and the caller keeps it. */
bool nq_add(nq_t *q, Sertel__OutboxItem *item);
/* The item to send now, or NULL with *wake set to when one may be due
 * (INT64_MAX: nothing queued). */
Sertel__OutboxItem *nq_next(nq_t *q, int64_t now, int64_t *wake);
/* A send happened on the channel at now (for the rate limit). */
void nq_note_send(nq_t *q, Sertel__MessageChannel ch, int64_t now);
/* The item waits before its next try (its tries counted so far). */
void nq_backoff(nq_t *q, uint64_t id, unsigned tries, int64_t now);
/* The item waits delay seconds (e.g. the broker is unreachable). */
void nq_defer(nq_t *q, uint64_t id, int64_t until);
/* Done with the item (sent or given up): removed and freed. */
void nq_remove(nq_t *q, uint64_t id);
size_t nq_len(const nq_t *q);

#endif
