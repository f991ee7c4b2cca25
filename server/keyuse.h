/* Per-key accounting for the limits of broker_limits_t: requests a key
 * has waiting and the bucket of changes it may still make this minute.
 * One entry per key heard from (enrolled officers only: ZAP lets no
 * other key in), kept for the broker's life. */
#ifndef SERTEL_KEYUSE_H
#define SERTEL_KEYUSE_H

#include <stdbool.h>
#include <stdint.h>

#include "case.h"

typedef struct {
    char nip[NIP_LEN + 1];
    int waiting;            /* received, not yet answered */
    int64_t writes_left;    /* in the bucket, times 60 (refilled per second) */
    int64_t refilled_at;    /* wall clock of the last refill */
    bool filled;            /* the bucket was ever filled */
    /* the receive stage's share-out of one turn (turn: which one) */
    uint64_t turn;
    int turn_taken;
    bool turn_heavy, turn_closed;
} key_use_t;

typedef struct limits limits_t;

limits_t *limits_new(void);
void limits_destroy(limits_t **l);
/* The entry of nip, added when new (it stays where it is for the
 * table's life); NULL on no memory. */
key_use_t *limits_key(limits_t *l, const char *nip);
/* Takes one change from the key's bucket (per_minute changes a minute,
 * refilled continuously by the wall clock at now; a clock stepped back
 * refills nothing). False when the bucket is empty. */
bool limits_take_write(key_use_t *k, int per_minute, int64_t now);
/* Seconds until the bucket holds one change again. */
int limits_write_wait(const key_use_t *k, int per_minute);

#endif
