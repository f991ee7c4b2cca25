#include "keyuse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Entries are allocated one by one and never move: requests waiting in
 * the backlog point at their key's entry while the table grows. */
struct limits {
    key_use_t **slots; /* open addressing; NULL: empty */
    size_t cap, n;
};

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static key_use_t **probe(key_use_t **slots, size_t cap, const char *nip)
{
    size_t i = hash(nip) & (cap - 1);
    while (slots[i] && strcmp(slots[i]->nip, nip) != 0)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static bool grow(limits_t *l)
{
    size_t cap = l->cap ? l->cap * 2 : 64;
    key_use_t **slots = calloc(cap, sizeof *slots);
    if (!slots)
        return false;
    for (size_t i = 0; i < l->cap; i++)
        if (l->slots[i])
            *probe(slots, cap, l->slots[i]->nip) = l->slots[i];
    free(l->slots);
    l->slots = slots;
    l->cap = cap;
    return true;
}

limits_t *limits_new(void)
{
    limits_t *l = calloc(1, sizeof *l);
    if (l && !grow(l)) {
        free(l);
        l = NULL;
    }
    return l;
}

void limits_destroy(limits_t **l)
{
    if (!l || !*l)
        return;
    for (size_t i = 0; i < (*l)->cap; i++)
        free((*l)->slots[i]);
    free((*l)->slots);
    free(*l);
    *l = NULL;
}

key_use_t *limits_key(limits_t *l, const char *nip)
{
    key_use_t **slot = probe(l->slots, l->cap, nip);
    if (*slot)
        return *slot;
    if (2 * (l->n + 1) > l->cap) {
        if (!grow(l))
            return NULL;
        slot = probe(l->slots, l->cap, nip);
    }
    key_use_t *k = calloc(1, sizeof *k);
    if (!k)
        return NULL;
    snprintf(k->nip, sizeof k->nip, "%s", nip);
    *slot = k;
    l->n++;
    return k;
}

bool limits_take_write(key_use_t *k, int per_minute, int64_t now)
{
    if (per_minute <= 0)
        return true;
    int64_t full = (int64_t)per_minute * 60;
    if (!k->filled) {
        k->writes_left = full;
        k->refilled_at = now;
        k->filled = true;
    }
    /* per_minute changes in 60 s: per_minute sixtieths a second. */
    if (now > k->refilled_at) {
        int64_t add = (now - k->refilled_at) * per_minute;
        k->writes_left = k->writes_left + add > full ? full : k->writes_left + add;
    }
    k->refilled_at = now;
    if (k->writes_left < 60)
        return false;
    k->writes_left -= 60;
    return true;
}

int limits_write_wait(const key_use_t *k, int per_minute)
{
    if (per_minute <= 0 || k->writes_left >= 60)
        return 0;
    int64_t missing = 60 - k->writes_left;
    return (int)((missing + per_minute - 1) / per_minute);
}
