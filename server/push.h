/* Who is told of an event: decided once, when the event is written, and
 * kept in the journal so that catch-up replays exactly what live pushes
 * delivered. Pure. */
#ifndef SERTEL_PUSH_H
#define SERTEL_PUSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "sertel.pb-c.h"

#define PUSH_MAX_NOTIFY (CASE_MAX_ACTORS + 2)
#define PUSH_MAX_POOLS 3
/* Every officer of the office, whatever their role (not the notifier):
 * what changes how every client shows things, as a new working calendar
 * changes the zone of every time shown. Role 255 is no role. */
#define PUSH_POOL_OFFICE 0xff00u

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

#define SCOPE_MAX 8

/* Whom an officer answers for now: themselves, and the officials they
 * stand in for as Plt/Plh (their NIP, role and qualifications). */
typedef struct {
    char nips[SCOPE_MAX][NIP_LEN + 1];
    role_t roles[SCOPE_MAX];
    unsigned quals[SCOPE_MAX];
    int n;
} push_scope_t;

/* Adds one identity to the scope (ignored when full). */
void push_scope_add(push_scope_t *s, const officer_t *o);
/* Is the officer nip (len bytes) in the scope, or is anyone in it in the
 * pool? */
bool push_scope_names(const push_scope_t *s, const char *nip, size_t len);
bool push_scope_in_pool(const push_scope_t *s, uint32_t pool);
/* Does the journal event concern anyone in the scope? */
bool push_concerns(const Sertel__Event *ev, const push_scope_t *scope);
/* The same for an event's targets before they are journalled. */
bool push_targets_concern(const push_targets_t *t, const push_scope_t *scope);

#endif
