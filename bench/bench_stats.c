/* (d) Statistics over a million archived cases.
 *
 * The cases are NOT driven through the broker: their seven step-completion
 * events (EV_DISPOSED for steps 1-6, EV_ARCHIVED for step 7) are appended
 * to the journal directly with the store API, in a data directory made by
 * `sertel-broker init` (so that a real broker can open it afterwards), in
 * large transactions. Cases are spread evenly over the months and their
 * steps over the officers; durations are drawn around each step's Mutu
 * Baku. No case records or indexes: the statistics read only the journal.
 *
 * The statistics are folded from the journal into memory when first
 * asked: the first store_stats_query() is timed alone (the fold of every
 * event), then the query for the whole period and for one month (read
 * transaction included), and the same two as StatsQuery requests through
 * a broker started on that directory (whose first query folds again). */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine.h"
#include "store.h"
#include "worktime.h"

#define CASES_PER_TXN 20000
#define N_STEPS 7
#define WIB (7 * 3600)

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint64_t rng(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static double rng_unit(void)
{
    return (double)(rng() >> 11) / (double)(1ull << 53);
}

/* 00:00 WIB on the first of the month. */
static int64_t month_start(int y, int m)
{
    while (m > 12) {
        m -= 12;
        y++;
    }
    return days_from_civil(y, m, 1) * 86400 - WIB;
}

/* Officers who act at each step: 50 officers by default, by role. */
typedef struct {
    char nip[64][19];
    role_t role[64];
    int first[N_STEPS + 1], count[N_STEPS + 1];
} roster_t;

static void make_roster(roster_t *r, int n)
{
    if (n > 64)
        n = 64;
    if (n < 7)
        n = 7;
    for (int i = 0; i < n; i++)
        bench_nip(1000 + i, r->nip[i]);
    /* staf 20%, kadis 1 (+1 Plt), kabid 10%, jf 10%, the rest verifiers. */
    int staf = n / 5, kadis = 2, kabid = n / 10 ? n / 10 : 1, jf = n / 10 ? n / 10 : 1;
    int verif = n - staf - kadis - kabid - jf;
    int at = 0;
    r->first[1] = at, r->count[1] = staf, at += staf;
    r->first[2] = r->first[7] = at, r->count[2] = r->count[7] = kadis, at += kadis;
    r->first[3] = at, r->count[3] = kabid, at += kabid;
    r->first[4] = at, r->count[4] = jf, at += jf;
    r->first[5] = r->first[6] = at, r->count[5] = r->count[6] = verif;
    static const role_t roles[N_STEPS + 1] = {0, ROLE_STAF, ROLE_KADIS, ROLE_KABID, ROLE_JF,
                                              ROLE_STAF, ROLE_STAF, ROLE_KADIS};
    for (int s = 1; s <= N_STEPS; s++)
        for (int i = 0; i < r->count[s]; i++)
            r->role[r->first[s] + i] = roles[s];
}

static sertel_err_t write_cases(store_t *st, const calendar_t *cal, const bench_cfg_t *cfg,
                                int64_t t_start, int64_t t_end, long *events)
{
    roster_t r;
    make_roster(&r, cfg->stats_officers);
    /* Mutu Baku in working seconds: 10, 10, 10, 20, 60 minutes, 1 day, 60 minutes. */
    const int64_t standard[N_STEPS + 1] = {0, 600, 600, 600, 1200, 3600,
                                           calendar_day_seconds(cal), 3600};
    double span = (double)(t_end - t_start - 14 * 86400);
    long n = cfg->stats_cases;
    for (long base = 0; base < n; base += CASES_PER_TXN) {
        store_txn_t *t;
        sertel_err_t e = store_begin(st, NULL, true, &t);
        if (e != SERTEL_OK)
            return e;
        for (long i = base; e == SERTEL_OK && i < n && i < base + CASES_PER_TXN; i++) {
            int64_t at = t_start + (int64_t)(span * (double)i / (double)n);
            /* Working hours: 08:00-15:00 WIB. */
            at += 3600 + (int64_t)(rng() % (7 * 3600));
            char id[CASE_ID_MAX + 1];
            snprintf(id, sizeof id, "SE-BENCH-%07ld", i);
            for (int s = 1; e == SERTEL_OK && s <= N_STEPS; s++) {
                event_t ev;
                memset(&ev, 0, sizeof ev);
                ev.kind = s < N_STEPS ? EV_DISPOSED : EV_ARCHIVED;
                snprintf(ev.case_id, sizeof ev.case_id, "%s", id);
                ev.step = s;
                ev.next_step = s < N_STEPS ? s + 1 : 0;
                int who = r.first[s] + (int)(rng() % (uint64_t)r.count[s]);
                snprintf(ev.actor, sizeof ev.actor, "%s", r.nip[who]);
                ev.actor_role = r.role[who];
                ev.standard = standard[s];
                /* 0.3x to 1.5x of the Mutu Baku: about a sixth late. */
                ev.work = (int64_t)((double)standard[s] * (0.3 + 1.2 * rng_unit()));
                ev.wall = ev.work + ev.work / 2;
                if (s == 5 && rng() % 20 == 0) { /* 5%: returned to the applicant */
                    ev.wait_wall = 86400 + (int64_t)(rng() % (3 * 86400));
                    ev.wall += ev.wait_wall;
                }
                at += ev.wall;
                ev.at = at;
                e = store_journal_append(t, &ev, NULL);
                (*events)++;
            }
        }
        if (e == SERTEL_OK)
            e = store_commit(&t);
        else
            store_abort(&t);
        if (e == SERTEL_E_MAP_FULL) { /* the journal outgrew the map: again, bigger */
            e = store_grow(st);
            base -= CASES_PER_TXN;
            *events = base + CASES_PER_TXN > 0 ? (base + CASES_PER_TXN) * N_STEPS : 0;
        }
        if (e != SERTEL_OK)
            return e;
    }
    return SERTEL_OK;
}

/* Times one query n times; checks it against the cases expected. */
static bool time_query(store_t *st, const calendar_t *cal, int64_t from, int64_t to, int runs,
                       double *p50_ms, double *p99_ms, Sertel__Stats *keep)
{
    samples_t s = {0};
    bool ok = true;
    for (int i = 0; ok && i < runs; i++) {
        Sertel__Stats out = SERTEL__STATS__INIT;
        store_txn_t *t;
        uint64_t t0 = bench_now_ns();
        ok = store_begin(st, NULL, false, &t) == SERTEL_OK;
        sertel_err_t e = ok ? store_stats_query(t, from, to, cal, &out) : SERTEL_E_STORAGE;
        store_abort(&t);
        samples_add(&s, bench_now_ns() - t0);
        if (e != SERTEL_OK) {
            bench_error("store_stats_query: %s", sertel_strerror(e));
            ok = false;
        }
        if (ok && i == 0 && keep)
            *keep = out;
        else
            store_stats_clear(&out);
    }
    *p50_ms = (double)samples_pct(&s, 50) / 1e6;
    *p99_ms = (double)samples_pct(&s, 99) / 1e6;
    samples_free(&s);
    return ok;
}

/* runs StatsQuery calls; the first may fold the whole journal (the
 * broker's first query after start), so it may take up to FIRST_RPC_MS
 * and is timed apart into *first_ms when first_ms is not NULL. */
#define FIRST_RPC_MS 600000
static bool time_rpc(broker_proc_t *b, int64_t from, int64_t to, int runs, double *p50_ms,
                     double *first_ms)
{
    samples_t s = {0};
    bool ok = true;
    for (int i = first_ms ? -1 : 0; ok && i < runs; i++) {
        Sertel__StatsQuery q = SERTEL__STATS_QUERY__INIT;
        q.from = from;
        q.to = to;
        Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
        req.body_case = SERTEL__ENVELOPE__BODY_STATS;
        req.stats = &q;
        uint64_t t0 = bench_now_ns();
        Sertel__Envelope *r =
            bench_call_ms(b->admin_conn, &req, "stats", i < 0 ? FIRST_RPC_MS : 20000);
        if (i < 0)
            *first_ms = (double)(bench_now_ns() - t0) / 1e6;
        else
            samples_add(&s, bench_now_ns() - t0);
        ok = r && r->body_case == SERTEL__ENVELOPE__BODY_STATS_REPLY;
        if (r)
            sertel__envelope__free_unpacked(r, NULL);
    }
    *p50_ms = (double)samples_pct(&s, 50) / 1e6;
    samples_free(&s);
    return ok;
}

bool bench_stats(const bench_cfg_t *cfg, stats_result_t *out)
{
    memset(out, 0, sizeof *out);
    broker_proc_t b;
    if (!broker_proc_make(&b, cfg, "stats"))
        return false;
    char db[600], err[512];
    snprintf(db, sizeof db, "%s/db", b.dir);
    store_t *st = store_open(db, err, sizeof err);
    if (!st) {
        bench_error("%s", err);
        return false;
    }
    /* The broker's calendar: the one sertel-broker init stored. */
    calendar_t *cal = NULL;
    char *text = NULL;
    store_txn_t *t;
    if (store_begin(st, NULL, false, &t) == SERTEL_OK) {
        if (store_text_get(t, "calendar", "default", &text) == SERTEL_OK)
            cal = calendar_parse(text, "kalender-kerja.conf", err, sizeof err);
        store_abort(&t);
    }
    free(text);
    if (!cal)
        cal = calendar_default();

    int months = cfg->stats_months;
    int64_t t_start = month_start(2024, 11), t_end = month_start(2024, 11 + months);
    uint64_t t0 = bench_now_ns();
    sertel_err_t e = write_cases(st, cal, cfg, t_start, t_end, &out->events);
    out->write_s = (double)(bench_now_ns() - t0) / 1e9;
    out->cases = cfg->stats_cases;
    bool ok = e == SERTEL_OK;
    if (!ok)
        bench_error("writing the aggregates: %s", sertel_strerror(e));
    struct stat sb;
    char path[700];
    snprintf(path, sizeof path, "%s/data.mdb", db);
    if (stat(path, &sb) == 0)
        out->db_bytes = (uint64_t)sb.st_size;
    if (ok)
        printf("  written directly with the store API (not through the broker): %ld cases x 7"
               " step events = %ld store_journal_append() calls,\n"
               "      %d months from 2024-11, %d officers, %d cases per transaction,"
               " in %.1f s; data.mdb %.1f MB\n",
               out->cases, out->events, months, cfg->stats_officers, CASES_PER_TXN, out->write_s,
               (double)out->db_bytes / 1e6);

    /* One month in the middle of the period. */
    int64_t m_from = month_start(2024, 11 + months / 2),
            m_to = month_start(2024, 11 + months / 2 + 1) - 1;
    Sertel__Stats all = SERTEL__STATS__INIT;
    double fold_ms = 0, unused;
    ok = ok && time_query(st, cal, 0, 0, 1, &fold_ms, &unused, NULL);
    if (ok)
        printf("  first store_stats_query (folds the %ld journal events into memory): %.0f ms\n",
               out->events, fold_ms);
    ok = ok && time_query(st, cal, 0, 0, cfg->stats_runs, &out->all_p50_ms, &out->all_p99_ms, &all);
    ok = ok && time_query(st, cal, m_from, m_to, cfg->stats_runs, &out->month_p50_ms,
                          &out->month_p99_ms, NULL);
    if (ok) {
        out->rows_steps = (long)all.n_steps;
        out->rows_officers = (long)all.n_officers;
        out->rows_months = (long)all.n_months;
        uint64_t step1 = all.n_steps ? all.steps[0]->cases : 0;
        if (step1 != (uint64_t)out->cases) {
            bench_error("whole-period statistics count %lu cases at step 1, expected %ld",
                        (unsigned long)step1, out->cases);
            ok = false;
        }
        printf("  store_stats_query, %d runs each (read txn included; page cache warm):\n"
               "      whole period (%ld step rows, %ld officer rows, %ld month rows):"
               " p50 %.3f ms  p99 %.3f ms\n"
               "      one month:                                            "
               "          p50 %.3f ms  p99 %.3f ms\n",
               cfg->stats_runs, out->rows_steps, out->rows_officers, out->rows_months,
               out->all_p50_ms, out->all_p99_ms, out->month_p50_ms, out->month_p99_ms);
    }
    store_stats_clear(&all);
    store_close(&st);
    calendar_destroy(&cal);

    /* The same through a real broker: StatsQuery from the administrator. */
    if (ok && broker_proc_spawn(&b)) {
        out->have_rpc =
            time_rpc(&b, 0, 0, cfg->stats_runs, &out->rpc_all_p50_ms, &out->rpc_first_ms) &&
            time_rpc(&b, m_from, m_to, cfg->stats_runs, &out->rpc_month_p50_ms, NULL);
        if (out->have_rpc)
            printf("  StatsQuery through sertel-broker (CURVE, admin): the first after the broker"
                   " started %.0f ms;\n"
                   "      then whole period p50 %.3f ms, one month p50 %.3f ms\n",
                   out->rpc_first_ms, out->rpc_all_p50_ms, out->rpc_month_p50_ms);
        ok = out->have_rpc;
    }
    out->have = ok;
    broker_proc_destroy(&b, cfg);
    return ok;
}
