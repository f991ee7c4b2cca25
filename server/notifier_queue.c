#include "notifier_queue.h"

#include <stdlib.h>
#include <string.h>

#define RATE_WINDOW 60
#define RATE_MAX 1000

typedef struct {
    Sertel__OutboxItem *item;
    int64_t not_before;
} entry_t;

struct nq {
    nq_rules_t rules;
    entry_t *e; /* in outbox id order */
    size_t n, cap;
    /* per channel: the instants of the last sends, a ring */
    int64_t sends[NQ_CHANNELS][RATE_MAX];
    size_t n_sends[NQ_CHANNELS], head[NQ_CHANNELS];
};

nq_t *nq_new(const nq_rules_t *rules)
{
    nq_t *q = calloc(1, sizeof *q);
    if (q)
        q->rules = *rules;
    return q;
}

void nq_destroy(nq_t **q)
{
    if (!q || !*q)
        return;
    for (size_t i = 0; i < (*q)->n; i++)
        sertel__outbox_item__free_unpacked((*q)->e[i].item, NULL);
    free((*q)->e);
    free(*q);
    *q = NULL;
}

static size_t find(const nq_t *q, uint64_t id)
{
    for (size_t i = 0; i < q->n; i++)
        if (q->e[i].item->id == id)
            return i;
    return q->n;
}

bool nq_add(nq_t *q, Sertel__OutboxItem *item)
{
    if (find(q, item->id) < q->n)
        return false;
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 64;
        entry_t *grown = realloc(q->e, cap * sizeof *grown);
        if (!grown)
            return false;
        q->e = grown;
        q->cap = cap;
    }
    size_t at = q->n;
    while (at > 0 && q->e[at - 1].item->id > item->id)
        at--;
    memmove(&q->e[at + 1], &q->e[at], (q->n - at) * sizeof *q->e);
    q->e[at] = (entry_t){item, 0};
    q->n++;
    return true;
}

static int rate_of(const nq_t *q, Sertel__MessageChannel ch)
{
    int r = (int)ch > 0 && (int)ch < NQ_CHANNELS ? q->rules.rate[ch] : 0;
    return r > 0 && r < RATE_MAX ? r : RATE_MAX - 1;
}

/* When the channel may send again: now, or when its oldest send in the
 * window leaves it. */
static int64_t rate_free_at(const nq_t *q, Sertel__MessageChannel ch, int64_t now)
{
    if ((int)ch <= 0 || (int)ch >= NQ_CHANNELS)
        return now;
    size_t n = q->n_sends[ch], rate = (size_t)rate_of(q, ch);
    if (n < rate)
        return now;
    /* The rate-th most recent send: once it is out of the window, one more fits. */
    size_t idx = (q->head[ch] + RATE_MAX - rate) % RATE_MAX;
    int64_t t = q->sends[ch][idx] + RATE_WINDOW;
    return t > now ? t : now;
}

void nq_note_send(nq_t *q, Sertel__MessageChannel ch, int64_t now)
{
    if ((int)ch <= 0 || (int)ch >= NQ_CHANNELS)
        return;
    q->sends[ch][q->head[ch]] = now;
    q->head[ch] = (q->head[ch] + 1) % RATE_MAX;
    if (q->n_sends[ch] < RATE_MAX)
        q->n_sends[ch]++;
}

/* Is an earlier item queued for the same channel and address? */
static bool waits_behind(const nq_t *q, size_t i)
{
    const Sertel__OutboxItem *it = q->e[i].item;
    for (size_t j = 0; j < i; j++)
        if (q->e[j].item->channel == it->channel && strcmp(q->e[j].item->to, it->to) == 0)
            return true;
    return false;
}

Sertel__OutboxItem *nq_next(nq_t *q, int64_t now, int64_t *wake)
{
    *wake = INT64_MAX;
    for (size_t i = 0; i < q->n; i++) {
        if (waits_behind(q, i))
            continue;
        int64_t ready = q->e[i].not_before;
        int64_t rate = rate_free_at(q, q->e[i].item->channel, now);
        if (rate > ready)
            ready = rate;
        if (ready <= now)
            return q->e[i].item;
        if (ready < *wake)
            *wake = ready;
    }
    return NULL;
}

void nq_backoff(nq_t *q, uint64_t id, unsigned tries, int64_t now)
{
    int64_t delay = q->rules.retry_first > 0 ? q->rules.retry_first : 1;
    for (unsigned i = 1; i < tries && delay < q->rules.retry_max; i++)
        delay *= 2;
    if (delay > q->rules.retry_max && q->rules.retry_max > 0)
        delay = q->rules.retry_max;
    nq_defer(q, id, now + delay);
}

void nq_defer(nq_t *q, uint64_t id, int64_t until)
{
    size_t i = find(q, id);
    if (i < q->n)
        q->e[i].not_before = until;
}

void nq_remove(nq_t *q, uint64_t id)
{
    size_t i = find(q, id);
    if (i == q->n)
        return;
    sertel__outbox_item__free_unpacked(q->e[i].item, NULL);
    memmove(&q->e[i], &q->e[i + 1], (q->n - i - 1) * sizeof *q->e);
    q->n--;
}

size_t nq_len(const nq_t *q)
{
    return q->n;
}
