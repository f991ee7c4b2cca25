/* SOP-compliance statistics, folded from the journal into memory.
 *
 * Nothing is written per transition: the view keeps one stats_agg_t per
 * month and subject, under keys that sort by month first,
 *
 *   "YYYY-MM/s/<step>"   completed steps of that step number (and the
 *                        steps the SLA sweep marked overdue)
 *   "YYYY-MM/o/<nip>"    steps completed by that officer
 *   "YYYY-MM/w"          waits on the applicant (wall time)
 *   "YYYY-MM/c"          cases registered (a count)
 *   "YYYY-MM/f"          cases archived, with their end-to-end working time
 *
 * built when first asked from the last checkpoint (store_stats_save.c:
 * the view as it was at a journal sequence, saved now and then by the
 * sweep and when the store closes) and the journal after it, then brought
 * up to date with the events committed since (a handful, as queries and
 * the sweep keep it current). A query merges the aggregates of its months: its cost
 * does not grow with the number of cases. The month is the office's
 * (calendar_utc_offset) month of the event. */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>

#include "stats.h"


/* ---- the view: fold side */

static stats_agg_t *view_get(store_stats_view_t *w, const char *key)
{
    size_t lo = 0, hi = w->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(w->v[mid].key, key);
        if (c == 0)
            return &w->v[mid].agg;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        view_row_t *v = realloc(w->v, cap * sizeof *v);
        if (!v)
            return NULL;
        w->v = v;
        w->cap = cap;
    }
    memmove(&w->v[lo + 1], &w->v[lo], (w->n - lo) * sizeof *w->v);
    w->n++;
    memset(&w->v[lo], 0, sizeof w->v[lo]);
    snprintf(w->v[lo].key, sizeof w->v[lo].key, "%s", key);
    return &w->v[lo].agg;
}

static bool agg_add(store_stats_view_t *w, const char *key, int64_t seconds, int64_t standard,
                    bool overdue)
{
    stats_agg_t *a = view_get(w, key);
    if (a)
        stats_agg_add(a, seconds, standard, overdue);
    return a != NULL;
}

static bool fold_step(store_stats_view_t *w, const char *month, const Sertel__Event *ev)
{
    char key[STATS_KEY_MAX];
    snprintf(key, sizeof key, "%s/s/%d", month, ev->step);
    /* Overdue per step comes from EV_OVERDUE (once per step, even for a
     * step never completed), so not here. */
    if (!agg_add(w, key, ev->work, ev->standard, false))
        return false;
    if (!ev->actor || !ev->actor[0])
        return true;
    /* Per officer, overdue means "completed late": EV_OVERDUE may find
     * the step in a role pool, with no officer to charge it to. */
    bool late = ev->standard > 0 && ev->work > ev->standard;
    snprintf(key, sizeof key, "%s/o/%s", month, ev->actor);
    return agg_add(w, key, ev->work, ev->standard, late);
}

/* A step's waits on the applicant, summed by the engine, as one sample;
 * kept apart because it is not the officers' time. */
static bool fold_wait(store_stats_view_t *w, const char *month, const Sertel__Event *ev)
{
    if (ev->wait_wall <= 0)
        return true;
    char key[STATS_KEY_MAX];
    snprintf(key, sizeof key, "%s/w", month);
    return agg_add(w, key, ev->wait_wall, 0, false);
}

/* A case end to end: registered (counted), archived (its whole working
 * time against the sum of its steps' Mutu Baku). */
static bool fold_case(store_stats_view_t *w, const char *month, const Sertel__Event *ev)
{
    char key[STATS_KEY_MAX];
    bool done = ev->kind == SERTEL__EVENT_KIND__EV_ARCHIVED;
    snprintf(key, sizeof key, "%s/%c", month, done ? 'f' : 'c');
    if (!done)
        return agg_add(w, key, 0, 0, false);
    bool late = ev->case_standard > 0 && ev->case_work > ev->case_standard;
    return agg_add(w, key, ev->case_work, ev->case_standard, late);
}

static bool fold(store_stats_view_t *w, const Sertel__Event *ev)
{
    char month[STATS_MONTH_KEY_LEN];
    stats_month_key(ev->at, w->offset, month);
    switch (ev->kind) {
    case SERTEL__EVENT_KIND__EV_RECEIVED:
        return fold_case(w, month, ev);
    case SERTEL__EVENT_KIND__EV_DISPOSED:
        return fold_step(w, month, ev) && fold_wait(w, month, ev);
    case SERTEL__EVENT_KIND__EV_ARCHIVED:
        return fold_step(w, month, ev) && fold_wait(w, month, ev) && fold_case(w, month, ev);
    case SERTEL__EVENT_KIND__EV_REJECTED:
    case SERTEL__EVENT_KIND__EV_WITHDRAWN:
        return fold_wait(w, month, ev);
    case SERTEL__EVENT_KIND__EV_OVERDUE: {
        char key[STATS_KEY_MAX];
        snprintf(key, sizeof key, "%s/s/%d", month, ev->step);
        stats_agg_t *a = view_get(w, key);
        if (a)
            stats_agg_mark_overdue(a);
        return a != NULL;
    }
    default:
        return true; /* the other events carry no timing */
    }
}

typedef struct {
    store_t *s;
    uint64_t upto;
} fold_one_limit_t;

static int fold_until(const Sertel__Event *ev, void *arg)
{
    fold_one_limit_t *l = arg;
    if (ev->seq > l->upto || !fold(l->s->stats, ev))
        return 1;
    l->s->stats->seq = ev->seq;
    l->s->stats_folded++;
    return 0;
}

void store_stats_view_free(store_stats_view_t **w)
{
    if (!*w)
        return;
    free((*w)->v);
    free(*w);
    *w = NULL;
}

size_t store_stats_view_size(const store_t *s)
{
    return s->stats ? s->stats->n : 0;
}

/* The view, folded up to the journal as this transaction sees it
 * committed (a write transaction's own events may still be undone). */
static sertel_err_t view_current(store_txn_t *t, int offset, store_stats_view_t **out)
{
    store_t *s = t->s;
    if (s->stats && s->stats->offset != offset)
        store_stats_view_free(&s->stats); /* another zone: cut again */
    if (!s->stats)
        s->stats = store_stats_load(t, offset);
    if (!s->stats && !(s->stats = calloc(1, sizeof *s->stats)))
        return SERTEL_E_NOMEM;
    store_stats_view_t *w = s->stats;
    w->offset = offset;
    uint64_t upto = t->write ? t->base_seq : store_last_seq(t);
    sertel_err_t e = SERTEL_OK;
    if (w->seq < upto) {
        fold_one_limit_t lim = {s, upto};
        e = store_journal_since(t, w->seq, fold_until, &lim);
        if (e == SERTEL_OK && w->seq < upto)
            e = SERTEL_E_NOMEM; /* a fold stopped for lack of memory */
    }
    if (e != SERTEL_OK)
        store_stats_view_free(&s->stats); /* rebuilt whole next time */
    *out = s->stats;
    return e;
}

sertel_err_t store_stats_refresh(store_txn_t *t, const calendar_t *cal)
{
    store_stats_view_t *w;
    return view_current(t, calendar_utc_offset(cal), &w);
}

/* ---- read side: merge the aggregates of a period by subject */

typedef struct {
    char key[STATS_KEY_MAX];
    long step; /* steps only: they sort numerically */
    stats_agg_t agg;
} group_t;

/* Groups kept sorted by key, so that rows come out in order and a lookup
 * is a binary search; distinct keys are few (steps, officers, months). */
typedef struct {
    group_t *v;
    size_t n, cap;
    bool numeric;
} table_t;

typedef struct {
    table_t steps, officers, months;
    stats_agg_t waits, opened, done;
} acc_t;

static int group_cmp(const table_t *tb, const group_t *g, const char *key, long step)
{
    if (tb->numeric)
        return (g->step > step) - (g->step < step);
    return strcmp(g->key, key);
}

static size_t table_find(const table_t *tb, const char *key, long step, bool *found)
{
    size_t lo = 0, hi = tb->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = group_cmp(tb, &tb->v[mid], key, step);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

/* The group for key, inserted empty in its place if new; NULL: no memory. */
static group_t *table_get(table_t *tb, const char *key, long step)
{
    bool found;
    size_t i = table_find(tb, key, step, &found);
    if (found)
        return &tb->v[i];
    if (tb->n == tb->cap) {
        size_t cap = tb->cap ? tb->cap * 2 : 16;
        group_t *v = realloc(tb->v, cap * sizeof *v);
        if (!v)
            return NULL;
        tb->v = v;
        tb->cap = cap;
    }
    memmove(&tb->v[i + 1], &tb->v[i], (tb->n - i) * sizeof *tb->v);
    tb->n++;
    group_t *g = &tb->v[i];
    memset(g, 0, sizeof *g);
    snprintf(g->key, sizeof g->key, "%s", key);
    g->step = step;
    return g;
}

static sertel_err_t table_merge(table_t *tb, const char *key, long step, const stats_agg_t *a)
{
    group_t *g = table_get(tb, key, step);
    if (!g)
        return SERTEL_E_NOMEM;
    stats_agg_merge(&g->agg, a);
    return SERTEL_OK;
}

/* One aggregate of the view into its subject's group. Months merge the
 * step aggregates only: each completion is also in an officer's, and must
 * not count twice. */
static sertel_err_t acc_take(acc_t *acc, const view_row_t *r)
{
    char key[STATS_KEY_MAX];
    memcpy(key, r->key, sizeof key);
    const char *subject = key + STATS_MONTH_KEY_LEN; /* "s/3", "o/<nip>", "w" */
    key[STATS_MONTH_KEY_LEN - 1] = '\0';             /* key is now the month */
    stats_agg_t *whole = subject[0] == 'w' ? &acc->waits : subject[0] == 'c' ? &acc->opened
                         : subject[0] == 'f' ? &acc->done : NULL;
    if (whole) {
        stats_agg_merge(whole, &r->agg);
        return SERTEL_OK;
    }
    if (subject[0] == 'o')
        return table_merge(&acc->officers, subject + 2, 0, &r->agg);
    sertel_err_t e = table_merge(&acc->steps, subject + 2, strtol(subject + 2, NULL, 10), &r->agg);
    return e != SERTEL_OK ? e : table_merge(&acc->months, key, 0, &r->agg);
}

/* Month keys sort as months (fixed width), so the period is a range of
 * the view [month of from, month of to], each end open when 0. */
static sertel_err_t walk(const store_stats_view_t *w, int64_t from, int64_t to, acc_t *acc)
{
    char lo[STATS_MONTH_KEY_LEN], hi[STATS_MONTH_KEY_LEN];
    stats_month_key(from, w->offset, lo);
    stats_month_key(to, w->offset, hi);
    size_t month_len = STATS_MONTH_KEY_LEN - 1;
    sertel_err_t e = SERTEL_OK;
    for (size_t i = 0; i < w->n && e == SERTEL_OK; i++) {
        const char *key = w->v[i].key;
        if (from && memcmp(key, lo, month_len) < 0)
            continue;
        if (to && memcmp(key, hi, month_len) > 0)
            break;
        e = acc_take(acc, &w->v[i]);
    }
    return e;
}

static Sertel__StatsRow *row_new(const group_t *g, bool with_standard)
{
    Sertel__StatsRow *r = malloc(sizeof *r);
    char *key = strdup(g->key);
    if (!r || !key) {
        free(r);
        free(key);
        return NULL;
    }
    *r = (Sertel__StatsRow)SERTEL__STATS_ROW__INIT; /* label: static "" */
    r->key = key;
    r->cases = g->agg.count;
    r->median_work = stats_agg_percentile(&g->agg, 50);
    r->p90_work = stats_agg_percentile(&g->agg, 90);
    r->within = g->agg.within;
    r->overdue = g->agg.overdue;
    r->standard = with_standard ? g->agg.standard : 0;
    return r;
}

/* Fills rows from tb; *n counts the rows made so far, so that
 * store_stats_clear can undo a partial fill. */
static sertel_err_t rows_fill(const table_t *tb, bool with_standard, Sertel__StatsRow ***rows,
                              size_t *n)
{
    if (tb->n == 0)
        return SERTEL_OK;
    *rows = calloc(tb->n, sizeof **rows);
    if (!*rows)
        return SERTEL_E_NOMEM;
    for (size_t i = 0; i < tb->n; i++) {
        (*rows)[i] = row_new(&tb->v[i], with_standard);
        if (!(*rows)[i])
            return SERTEL_E_NOMEM;
        (*n)++;
    }
    return SERTEL_OK;
}

static sertel_err_t acc_fill(const acc_t *acc, Sertel__Stats *out)
{
    sertel_err_t e = rows_fill(&acc->steps, true, &out->steps, &out->n_steps);
    if (e == SERTEL_OK)
        e = rows_fill(&acc->officers, false, &out->officers, &out->n_officers);
    if (e == SERTEL_OK)
        e = rows_fill(&acc->months, false, &out->months, &out->n_months);
    out->waits = acc->waits.count;
    out->median_wait = stats_agg_percentile(&acc->waits, 50);
    out->p90_wait = stats_agg_percentile(&acc->waits, 90);
    out->cases_opened = acc->opened.count;
    group_t done = {.agg = acc->done};
    if (e == SERTEL_OK && !(out->cases_done = row_new(&done, false)))
        e = SERTEL_E_NOMEM;
    return e;
}

sertel_err_t store_stats_query(store_txn_t *t, int64_t from, int64_t to, const calendar_t *cal,
                               Sertel__Stats *out)
{
    acc_t acc = {.steps = {.numeric = true}};
    store_stats_view_t *w;
    sertel_err_t e = view_current(t, calendar_utc_offset(cal), &w);
    if (e == SERTEL_OK)
        e = walk(w, from, to, &acc);
    if (e == SERTEL_OK)
        e = acc_fill(&acc, out);
    if (e != SERTEL_OK)
        store_stats_clear(out);
    free(acc.steps.v);
    free(acc.officers.v);
    free(acc.months.v);
    return e;
}

static void rows_free(Sertel__StatsRow ***rows, size_t *n)
{
    for (size_t i = 0; i < *n; i++) {
        free((*rows)[i]->key);
        free((*rows)[i]);
    }
    free(*rows);
    *rows = NULL;
    *n = 0;
}

/* Labels are not freed: query leaves them as the static "", and whoever
 * fills them owns what they point to. */
void store_stats_clear(Sertel__Stats *out)
{
    rows_free(&out->steps, &out->n_steps);
    rows_free(&out->officers, &out->n_officers);
    rows_free(&out->months, &out->n_months);
    if (out->cases_done) {
        free(out->cases_done->key);
        free(out->cases_done);
        out->cases_done = NULL;
    }
    out->cases_opened = 0;
    out->waits = 0;
    out->median_wait = 0;
    out->p90_wait = 0;
}
