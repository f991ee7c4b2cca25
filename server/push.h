/* Who is told of an event: decided once, when the event is written, and
 * kept in the journal so that catch-up replays exactly what live pushes
 * delivered. Pure. */
#ifndef SERTEL_PUSH_H
#define SERTEL_PUSH_H

#include <stdbool.h>

#include "engine.h"
#include "sertel.pb-c.h"

#define PUSH_MAX_NOTIFY (CASE_MAX_ACTORS + 2)
#define PUSH_MAX_POOLS 3

typedef struct {
    char nips[PUSH_MAX_NOTIFY][NIP_LEN + 1];
    int n_nips;
    uint32_t pools[PUSH_MAX_POOLS]; /* role << 8 | quals */
    int n_pools;
} push_targets_t;

/* The officers and role pools concerned by ev on case c (c as it is
 * after the event). */
void push_targets(const event_t *ev, const case_t *c, push_targets_t *out);

/* An officer of (role, quals) is in pool p when the role matches and they
 * hold the pool's qualifications. */
bool push_pool_has(uint32_t pool, role_t role, unsigned quals);
uint32_t push_pool(role_t role, unsigned quals);

/* Does the journal event concern this officer, given the roles they hold
 * now (their own, and those they act for)? */
bool push_concerns(const Sertel__Event *ev, const char *nip, const role_t *roles,
                   const unsigned *quals, int n_roles);

#endif
