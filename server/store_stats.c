/* SOP-compliance statistics in DB_STATS, kept at write time.
 *
 * One stats_agg_t per month and subject, under keys that sort by month
 * first, so a period is one cursor range:
 *
 *   "YYYY-MM/s/<step>"   completed steps of that step number (and the
 *                        steps the SLA sweep marked overdue)
 *   "YYYY-MM/o/<nip>"    steps completed by that officer
 *   "YYYY-MM/w"          waits on the applicant (wall time)
 *
 * The month is the office's (calendar_utc_offset) month of the event.
 * Values are the raw struct, host-endian: the data never leaves this
 * machine except in an mdb_copy backup restored on the same kind of host,
 * and the size check below refuses anything else. */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>

#include "stats.h"

#define STATS_KEY_MAX 64

/* ---- write side */

/* A missing aggregate reads as empty: the first event of a month makes it. */
static sertel_err_t agg_load(store_txn_t *t, const char *key, stats_agg_t *a)
{
    MDB_val k = store_str(key), v;
    int rc = mdb_get(t->txn, store_dbi(t, DB_STATS), &k, &v);
    memset(a, 0, sizeof *a);
    if (rc == MDB_NOTFOUND)
        return SERTEL_OK;
    if (rc != 0)
        return store_map_err(rc);
    if (v.mv_size != sizeof *a)
        return SERTEL_E_STORAGE;
    memcpy(a, v.mv_data, sizeof *a); /* LMDB gives no alignment guarantee */
    return SERTEL_OK;
}

static sertel_err_t agg_save(store_txn_t *t, const char *key, const stats_agg_t *a)
{
    MDB_val k = store_str(key), v = store_val(a, sizeof *a);
    return store_map_err(mdb_put(t->txn, store_dbi(t, DB_STATS), &k, &v, 0));
}

static sertel_err_t agg_add(store_txn_t *t, const char *key, int64_t seconds, int64_t standard,
                            bool overdue)
{
    stats_agg_t a;
    sertel_err_t e = agg_load(t, key, &a);
    if (e != SERTEL_OK)
        return e;
    stats_agg_add(&a, seconds, standard, overdue);
    return agg_save(t, key, &a);
}

static sertel_err_t record_step(store_txn_t *t, const char *month, const event_t *ev)
{
    char key[STATS_KEY_MAX];
    snprintf(key, sizeof key, "%s/s/%d", month, ev->step);
    /* Overdue per step comes from EV_OVERDUE (once per step, even for a
     * step never completed), so not here. */
    sertel_err_t e = agg_add(t, key, ev->work, ev->standard, false);
    if (e != SERTEL_OK || !ev->actor[0])
        return e;
    /* Per officer, overdue means "completed late": EV_OVERDUE may find
     * the step in a role pool, with no officer to charge it to. */
    bool late = ev->standard > 0 && ev->work > ev->standard;
    snprintf(key, sizeof key, "%s/o/%s", month, ev->actor);
    return agg_add(t, key, ev->work, ev->standard, late);
}

static sertel_err_t record_overdue(store_txn_t *t, const char *month, const event_t *ev)
{
    char key[STATS_KEY_MAX];
    snprintf(key, sizeof key, "%s/s/%d", month, ev->step);
    stats_agg_t a;
    sertel_err_t e = agg_load(t, key, &a);
    if (e != SERTEL_OK)
        return e;
    stats_agg_mark_overdue(&a);
    return agg_save(t, key, &a);
}

/* A step's waits on the applicant, summed by the engine, as one sample;
 * kept apart because it is not the officers' time. */
static sertel_err_t record_wait(store_txn_t *t, const char *month, const event_t *ev)
{
    if (ev->wait_wall <= 0)
        return SERTEL_OK;
    char key[STATS_KEY_MAX];
    snprintf(key, sizeof key, "%s/w", month);
    return agg_add(t, key, ev->wait_wall, 0, false);
}

sertel_err_t store_stats_record(store_txn_t *t, const event_t *ev, const calendar_t *cal)
{
    char month[STATS_MONTH_KEY_LEN];
    stats_month_key(ev->at, calendar_utc_offset(cal), month);
    sertel_err_t e;
    switch (ev->kind) {
    case EV_DISPOSED:
    case EV_ARCHIVED:
        e = record_step(t, month, ev);
        return e != SERTEL_OK ? e : record_wait(t, month, ev);
    case EV_REJECTED:
    case EV_WITHDRAWN:
        return record_wait(t, month, ev);
    case EV_OVERDUE:
        return record_overdue(t, month, ev);
    default:
        return SERTEL_OK; /* the other events carry no timing */
    }
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
    stats_agg_t waits;
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

/* One aggregate of the cursor walk into its subject's group. Months merge
 * the step aggregates only: each completion is also in an officer's, and
 * must not count twice. */
static sertel_err_t acc_take(acc_t *acc, const MDB_val *k, const MDB_val *v)
{
    char key[STATS_KEY_MAX];
    if (k->mv_size < STATS_MONTH_KEY_LEN + 1 || k->mv_size >= sizeof key ||
        v->mv_size != sizeof(stats_agg_t))
        return SERTEL_E_STORAGE;
    memcpy(key, k->mv_data, k->mv_size);
    key[k->mv_size] = '\0';
    if (key[STATS_MONTH_KEY_LEN - 1] != '/')
        return SERTEL_E_STORAGE;
    stats_agg_t a;
    memcpy(&a, v->mv_data, sizeof a);
    const char *subject = key + STATS_MONTH_KEY_LEN; /* "s/3", "o/<nip>", "w" */
    key[STATS_MONTH_KEY_LEN - 1] = '\0';             /* key is now the month */
    if (subject[0] == 'w') {
        stats_agg_merge(&acc->waits, &a);
        return SERTEL_OK;
    }
    if (subject[0] == 'o' && subject[1] == '/')
        return table_merge(&acc->officers, subject + 2, 0, &a);
    if (subject[0] != 's' || subject[1] != '/')
        return SERTEL_E_STORAGE;
    sertel_err_t e = table_merge(&acc->steps, subject + 2, strtol(subject + 2, NULL, 10), &a);
    return e != SERTEL_OK ? e : table_merge(&acc->months, key, 0, &a);
}

/* Month keys sort as months (fixed width), so the period is a key range
 * [month of from, month of to], each end open when 0. */
static sertel_err_t walk(store_txn_t *t, int64_t from, int64_t to, int offset, acc_t *acc)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(t->txn, store_dbi(t, DB_STATS), &cur);
    if (rc != 0)
        return store_map_err(rc);
    char lo[STATS_MONTH_KEY_LEN], hi[STATS_MONTH_KEY_LEN];
    stats_month_key(from, offset, lo);
    stats_month_key(to, offset, hi);
    MDB_val k = store_str(lo), v;
    rc = mdb_cursor_get(cur, &k, &v, from ? MDB_SET_RANGE : MDB_FIRST);
    sertel_err_t e = SERTEL_OK;
    for (; rc == 0 && e == SERTEL_OK; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        size_t month_len = STATS_MONTH_KEY_LEN - 1;
        if (to && memcmp(k.mv_data, hi, k.mv_size < month_len ? k.mv_size : month_len) > 0)
            break;
        e = acc_take(acc, &k, &v);
    }
    mdb_cursor_close(cur);
    if (e != SERTEL_OK)
        return e;
    return rc == 0 || rc == MDB_NOTFOUND ? SERTEL_OK : store_map_err(rc);
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
    return e;
}

sertel_err_t store_stats_query(store_txn_t *t, int64_t from, int64_t to, const calendar_t *cal,
                               Sertel__Stats *out)
{
    acc_t acc = {.steps = {.numeric = true}};
    sertel_err_t e = walk(t, from, to, calendar_utc_offset(cal), &acc);
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
    out->waits = 0;
    out->median_wait = 0;
    out->p90_wait = 0;
}
