#include "push.h"

#include <string.h>

#include "text.h"

/* Per event kind: who hears of it. */
enum {
    TO_ASSIGNEE = 1u << 0,  /* the officer (or pool) now holding the case */
    TO_ACTOR = 1u << 1,     /* whoever caused it */
    TO_PAST = 1u << 2,      /* everyone who acted on the case */
    TO_KADIS = 1u << 3,     /* the Kepala Dinas sees every new application */
    TO_SUPERIOR = 1u << 4,  /* escalation */
    TO_POOL = 1u << 5,      /* the step's pool, named holder or not: the case leaves their inboxes */
    TO_PREVIOUS = 1u << 6,  /* the holder before a reassignment (in the note) */
};

static const unsigned rules[] = {
    [EV_RECEIVED] = TO_ASSIGNEE | TO_KADIS,
    [EV_DISPOSED] = TO_ASSIGNEE | TO_ACTOR,
    [EV_ARCHIVED] = TO_PAST | TO_ACTOR,
    [EV_RETURNED] = TO_ASSIGNEE | TO_ACTOR,
    [EV_RESUMED] = TO_ASSIGNEE | TO_ACTOR,
    [EV_REJECTED] = TO_PAST | TO_ACTOR,
    [EV_WITHDRAWN] = TO_PAST | TO_ACTOR,
    [EV_ATTACHED] = TO_ASSIGNEE,
    [EV_CONTACTED] = TO_ASSIGNEE,
    [EV_CERTIFIED] = TO_ASSIGNEE,
    [EV_WARNED] = TO_ASSIGNEE,
    [EV_OVERDUE] = TO_ASSIGNEE | TO_SUPERIOR,
    [EV_TAKEN] = TO_ASSIGNEE | TO_POOL,
    [EV_REASSIGNED] = TO_ASSIGNEE | TO_POOL | TO_ACTOR | TO_PREVIOUS,
};

uint32_t push_pool(role_t role, unsigned quals)
{
    return (uint32_t)role << 8 | (quals & 0xffu);
}

bool push_pool_has(uint32_t pool, role_t role, unsigned quals)
{
    unsigned need = pool & 0xffu;
    return (role_t)(pool >> 8) == role && (need & ~quals) == 0;
}

static void add_nip(push_targets_t *t, const char *nip)
{
    if (!nip[0])
        return;
    for (int i = 0; i < t->n_nips; i++)
        if (strcmp(t->nips[i], nip) == 0)
            return;
    if (t->n_nips < PUSH_MAX_NOTIFY)
        text_copy(t->nips[t->n_nips++], NIP_LEN + 1, nip, NIP_LEN);
}

static void add_pool(push_targets_t *t, uint32_t pool)
{
    for (int i = 0; i < t->n_pools; i++)
        if (t->pools[i] == pool)
            return;
    if (t->n_pools < PUSH_MAX_POOLS)
        t->pools[t->n_pools++] = pool;
}

void push_targets(const event_t *ev, const case_t *c, push_targets_t *out)
{
    memset(out, 0, sizeof *out);
    unsigned r = (int)ev->kind > 0 && (size_t)ev->kind < sizeof rules / sizeof rules[0]
                     ? rules[ev->kind] : 0;
    if ((r & TO_ASSIGNEE) && c->assignee[0])
        add_nip(out, c->assignee);
    else if (r & TO_ASSIGNEE)
        add_pool(out, push_pool(c->pool_role, c->pool_quals));
    if (r & TO_ACTOR) {
        add_nip(out, ev->actor);
        add_nip(out, ev->acting_for);
    }
    for (int i = 0; (r & TO_PAST) && i < c->n_actors; i++)
        add_nip(out, c->actors[i]);
    if (r & TO_POOL)
        add_pool(out, push_pool(c->pool_role, c->pool_quals));
    if (r & TO_PREVIOUS)
        add_nip(out, ev->note);
    if (r & TO_KADIS)
        add_pool(out, push_pool(ROLE_KADIS, 0));
    if ((r & TO_SUPERIOR) && ev->escalate_to != ROLE_NONE)
        add_pool(out, push_pool(ev->escalate_to, 0));
}

void push_scope_add(push_scope_t *s, const officer_t *o)
{
    if (s->n == SCOPE_MAX)
        return;
    text_copy(s->nips[s->n], sizeof s->nips[s->n], o->nip, NIP_LEN);
    s->roles[s->n] = o->role;
    s->quals[s->n++] = o->quals;
}

bool push_scope_names(const push_scope_t *s, const char *nip, size_t len)
{
    for (int j = 0; j < s->n; j++)
        if (strlen(s->nips[j]) == len && memcmp(s->nips[j], nip, len) == 0)
            return true;
    return false;
}

static bool in_pool(uint32_t pool, role_t role, unsigned quals)
{
    if (pool == PUSH_POOL_OFFICE)
        return role > ROLE_NONE && role < ROLE_NOTIFIER;
    return push_pool_has(pool, role, quals);
}

bool push_scope_in_pool(const push_scope_t *s, uint32_t pool)
{
    for (int j = 0; j < s->n; j++)
        if (in_pool(pool, s->roles[j], s->quals[j]))
            return true;
    return false;
}

bool push_concerns(const Sertel__Event *ev, const push_scope_t *scope)
{
    for (size_t i = 0; i < ev->n_notify; i++)
        if (push_scope_names(scope, ev->notify[i], strlen(ev->notify[i])))
            return true;
    for (size_t i = 0; i < ev->n_notify_pools; i++)
        if (push_scope_in_pool(scope, ev->notify_pools[i]))
            return true;
    return false;
}

bool push_targets_concern(const push_targets_t *t, const push_scope_t *scope)
{
    /* Asked for every live session and event: terminated strings on both
     * sides, compared without measuring them first. */
    for (int i = 0; i < t->n_nips; i++)
        for (int j = 0; j < scope->n; j++)
            if (strcmp(t->nips[i], scope->nips[j]) == 0)
                return true;
    for (int i = 0; i < t->n_pools; i++)
        if (push_scope_in_pool(scope, t->pools[i]))
            return true;
    return false;
}
