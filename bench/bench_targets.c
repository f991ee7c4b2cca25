/* The verdicts: every target of the write path (issue 7) and the earlier
 * ones still standing (issue 3), each beside the floor and the peer
 * measured in the same run, as a Markdown table that reads as plain text
 * too (columns padded) and pastes into README as it is.
 *
 * PASS / MISS: measured against the target. SKIP: the target is relative
 * to PostgreSQL and the peer did not run (not installed, or left out).
 * n/a: the section it needs was not run or failed. */
#include "bench.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define FLOOR_X 1.2       /* single-client p50 within 1.2x the floor */
#define PEER_TPS_X 1.5    /* N clients: 1.5x PostgreSQL's transitions/s */
#define PEER_CPU_X 0.5    /* broker CPU per transition: half PostgreSQL's */
#define COMMIT_KIB 24.0   /* written per single-transition commit */
#define PUSH_P99_US 500.0 /* reply -> next officer, N clients */
#define CATCHUP_EVENTS 100000
#define CATCHUP_MS 250.0
#define OFFICERS 1000
#define RSS_MIB 32.0
#define TPS_ISSUE3 20000.0
#define STATS_CASES 1000000
#define STATS_MS 50.0

enum { C_VERDICT, C_TARGET, C_SERTEL, C_FLOOR, C_PEER, N_COLS };
#define MAX_ROWS 16
#define CELL 160

typedef struct {
    char cell[MAX_ROWS + 1][N_COLS][CELL];
    int n; /* rows, the header included */
    int misses;
} table_t;

typedef enum { V_NA, V_SKIP, V_PASS, V_MISS } verdict_t;

static const char *const verdict_text[] = {"n/a", "SKIP", "PASS", "MISS"};

static verdict_t judge(bool measured, bool needs_peer, bool peer_ok, bool pass)
{
    if (needs_peer && !peer_ok)
        return measured ? V_SKIP : V_NA;
    return !measured ? V_NA : pass ? V_PASS : V_MISS;
}

/* A row; the figures are formatted by the caller into cells. */
static char (*row(table_t *t, verdict_t v, const char *target))[CELL]
{
    char(*r)[CELL] = t->cell[t->n++];
    snprintf(r[C_VERDICT], CELL, "%s", verdict_text[v]);
    snprintf(r[C_TARGET], CELL, "%s", target);
    r[C_SERTEL][0] = r[C_FLOOR][0] = r[C_PEER][0] = '\0';
    if (v == V_MISS)
        t->misses++;
    return r;
}

/* 12345.6 -> "12,346" */
static const char *grouped(double v, char buf[32])
{
    char digits[32];
    snprintf(digits, sizeof digits, "%.0f", v < 0 ? 0 : v);
    size_t n = strlen(digits), o = 0;
    for (size_t i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

/* Columns as the eye sees them: UTF-8 continuation bytes take no room. */
static int width(const char *s)
{
    int w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

static void print_table(const table_t *t)
{
    int w[N_COLS] = {0};
    for (int i = 0; i < t->n; i++)
        for (int c = 0; c < N_COLS; c++)
            if (width(t->cell[i][c]) > w[c])
                w[c] = width(t->cell[i][c]);
    for (int i = 0; i < t->n; i++) {
        for (int c = 0; c < N_COLS; c++)
            printf("| %s%*s ", t->cell[i][c], w[c] - width(t->cell[i][c]), "");
        printf("|\n");
        if (i == 0) {
            for (int c = 0; c < N_COLS; c++) {
                printf("|");
                for (int k = 0; k < w[c] + 2; k++)
                    putchar('-');
            }
            printf("|\n");
        }
    }
}

static void single_rows(table_t *t, const bench_results_t *r, bool peer_ok)
{
    const floor_result_t *fl = &r->fl;
    const flow_result_t *one = &r->one;
    /* The round trips and commits timed within the 1-client run, else
     * section (a)'s. */
    bool paired = one->floor_commits > 0, paired_rtt = one->floor_trips > 0;
    double commit_us = paired ? one->floor_commit_p50_us : fl->commit_p50_us;
    double rtt_us = paired_rtt ? one->floor_rtt_p50_us : fl->rtt_p50_us;
    double floor_us = rtt_us + commit_us;
    bool have_floor = (paired_rtt || fl->have_rtt) && (paired || fl->have_commit);
    char(*c)[CELL] =
        row(t, judge(one->have && have_floor, false, true, one->lat_p50_us <= FLOOR_X * floor_us),
            "1 client: transition p50 ≤ 1.2x floor");
    snprintf(c[C_SERTEL], CELL, "p50 %.0f µs = %.2fx floor", one->lat_p50_us,
             floor_us > 0 ? one->lat_p50_us / floor_us : 0);
    if (have_floor)
        snprintf(c[C_FLOOR], CELL, "%.0f µs (RTT %.0f + commit %.0f)", floor_us, rtt_us, commit_us);

    const peer_run_t *pg = &r->pg.one;
    c = row(t, judge(one->have, true, peer_ok && pg->clients, one->lat_p50_us < pg->p50_us),
            "1 client: transition p50 below PostgreSQL's");
    snprintf(c[C_SERTEL], CELL, "p50 %.0f µs", one->lat_p50_us);
    if (peer_ok && pg->clients)
        snprintf(c[C_PEER], CELL, "p50 %.0f µs (Sertel %.2fx)", pg->p50_us,
                 pg->p50_us > 0 ? one->lat_p50_us / pg->p50_us : 0);
}

static void multi_rows(table_t *t, const bench_results_t *r, bool peer_ok)
{
    const flow_result_t *many = &r->many;
    const peer_run_t *pg = &r->pg.many;
    bool pg_ok = peer_ok && pg->clients;
    char a[32], b[32], target[CELL];
    long nproc = sysconf(_SC_NPROCESSORS_ONLN);
    double cpu_per = many->transitions ? (many->broker_cpu_s + many->client_cpu_s) * 1e6 /
                                             (double)many->transitions
                                       : 0;
    double ceiling = cpu_per > 0 ? (double)nproc * 1e6 / cpu_per : 0;

    snprintf(target, sizeof target, "%d clients: transitions/s ≥ 1.5x PostgreSQL's", many->clients);
    char(*c)[CELL] =
        row(t, judge(many->have, true, pg_ok, many->tps >= PEER_TPS_X * pg->tps), target);
    snprintf(c[C_SERTEL], CELL, "%s /s", grouped(many->tps, a));
    snprintf(c[C_FLOOR], CELL, "CPU ceiling %s /s (%ld cores)", grouped(ceiling, b), nproc);
    if (pg_ok)
        snprintf(c[C_PEER], CELL, "%s /s (Sertel %.2fx)", grouped(pg->tps, a),
                 pg->tps > 0 ? many->tps / pg->tps : 0);

    double broker_us = many->transitions ? many->broker_cpu_s * 1e6 / (double)many->transitions : 0;
    snprintf(target, sizeof target, "%d clients: broker CPU per transition ≤ ½ PostgreSQL's",
             many->clients);
    c = row(t, judge(many->have, true, pg_ok, broker_us <= PEER_CPU_X * pg->cpu_us), target);
    snprintf(c[C_SERTEL], CELL, "%.0f µs", broker_us);
    if (pg_ok)
        snprintf(c[C_PEER], CELL, "server %.0f µs (Sertel %.2fx)", pg->cpu_us,
                 pg->cpu_us > 0 ? broker_us / pg->cpu_us : 0);

    snprintf(target, sizeof target, "%d clients: push p99, reply → next officer ≤ 500 µs",
             many->clients);
    c = row(t, judge(many->have, false, true, many->push_p99_us <= PUSH_P99_US), target);
    snprintf(c[C_SERTEL], CELL, "p99 %.0f µs (p50 %.0f)", many->push_p99_us, many->push_p50_us);
    if (r->fl.have_rtt)
        snprintf(c[C_FLOOR], CELL, "RTT p99 %.0f µs", r->fl.rtt_p99_us);
}

static void commit_row(table_t *t, const bench_results_t *r, bool peer_ok)
{
    const flow_result_t *one = &r->one;
    bool measured = one->have && one->commits > 0;
    char(*c)[CELL] = row(t, judge(measured, false, true, one->kb_per_commit <= COMMIT_KIB),
                         "written per single-transition commit ≤ 24 KiB");
    snprintf(c[C_SERTEL], CELL, "%.1f KiB = %.1f pages", one->kb_per_commit,
             bench_pages(one->kb_per_commit));
    if (r->fl.have_commit)
        snprintf(c[C_FLOOR], CELL, "%.1f KiB = %.1f pages", r->fl.commit_kb,
                 bench_pages(r->fl.commit_kb));
    if (peer_ok && r->pg.one.clients)
        snprintf(c[C_PEER], CELL, "WAL %.1f KiB (tables: at checkpoints)",
                 r->pg.one.wal_bytes / 1024.0);
}

static void catchup_row(table_t *t, const bench_results_t *r)
{
    const catchup_result_t *cu = &r->cu;
    double ms = cu->all_ms;
    if (cu->events != CATCHUP_EVENTS && cu->events > 0)
        ms = cu->all_ms * CATCHUP_EVENTS / cu->events;
    char(*c)[CELL] = row(t, judge(cu->have, false, true, cu->complete && ms <= CATCHUP_MS),
                         "catch-up of 100,000 events ≤ 250 ms");
    char a[32];
    if (cu->events == CATCHUP_EVENTS)
        snprintf(c[C_SERTEL], CELL, "%.0f ms%s", cu->all_ms, cu->complete ? "" : " INCOMPLETE");
    else
        snprintf(c[C_SERTEL], CELL, "%.0f ms for %s events, scaled: %.0f ms%s", cu->all_ms,
                 grouped(cu->events, a), ms, cu->complete ? "" : " INCOMPLETE");
}

static void rss_row(table_t *t, const bench_results_t *r)
{
    const conns_result_t *co = &r->co;
    char target[CELL], a[32];
    snprintf(target, sizeof target, "broker RSS, %s officers said Hello ≤ 32 MiB",
             grouped(co->officers ? co->officers : OFFICERS, a));
    double mib = co->after.rss_kb / 1024.0;
    char(*c)[CELL] =
        row(t, judge(co->have && co->officers >= OFFICERS, false, true, mib <= RSS_MIB), target);
    snprintf(c[C_SERTEL], CELL, "%.1f MiB (%.1f with none)", mib, co->before.rss_kb / 1024.0);
    if (co->have_bare && co->have_zap)
        snprintf(c[C_FLOOR], CELL, "bare CURVE ROUTER %.1f MiB, with ZAP %.1f (%.1f idle)",
                 co->bare.rss_kb / 1024.0, co->zap.rss_kb / 1024.0, co->bare_idle.rss_kb / 1024.0);
    else if (co->have_bare)
        snprintf(c[C_FLOOR], CELL, "bare CURVE ROUTER %.1f MiB (%.1f idle)",
                 co->bare.rss_kb / 1024.0, co->bare_idle.rss_kb / 1024.0);
}

static void issue3_rows(table_t *t, const bench_results_t *r)
{
    const flow_result_t *many = &r->many;
    char a[32], target[CELL];
    snprintf(target, sizeof target, "(issue 3) %d clients ≥ 20,000 transitions/s", many->clients);
    char(*c)[CELL] = row(t, judge(many->have, false, true, many->tps >= TPS_ISSUE3), target);
    snprintf(c[C_SERTEL], CELL, "%s /s", grouped(many->tps, a));

    const stats_result_t *st = &r->st;
    double ms = st->all_p50_ms > st->month_p50_ms ? st->all_p50_ms : st->month_p50_ms;
    c = row(t, judge(st->have, false, true, ms < STATS_MS),
            "(issue 3) statistics, 1,000,000 cases < 50 ms");
    snprintf(c[C_SERTEL], CELL, "p50 %.2f ms%s", ms,
             st->cases != STATS_CASES ? " (fewer cases)" : "");
}

int bench_targets(const bench_cfg_t *cfg, const bench_results_t *r)
{
    static table_t t;
    memset(&t, 0, sizeof t);
    bool peer_ok = r->pg.ran && r->pg.installed;
    char peer_head[CELL];
    snprintf(peer_head, sizeof peer_head, "PostgreSQL %s", peer_ok ? r->pg.version : "(skipped)");
    char(*h)[CELL] = t.cell[t.n++];
    snprintf(h[C_VERDICT], CELL, "verdict");
    snprintf(h[C_TARGET], CELL, "target");
    snprintf(h[C_SERTEL], CELL, "Sertel");
    snprintf(h[C_FLOOR], CELL, "floor / machine");
    snprintf(h[C_PEER], CELL, "%s", peer_head);

    single_rows(&t, r, peer_ok);
    multi_rows(&t, r, peer_ok);
    commit_row(&t, r, peer_ok);
    catchup_row(&t, r);
    rss_row(&t, r);
    issue3_rows(&t, r);

    printf("\n== targets: figures of this run beside the floor and the peer%s ==\n\n",
           cfg->quick ? " (QUICK run: scaled down, not for README)" : "");
    print_table(&t);
    printf("\nfloor: a bare CURVE round trip (p50) + a bare durable LMDB commit of one put\n"
           "(p50), each timed once before every request of the 1-client run, on this\n"
           "machine, in this run. Written per commit: the bytes the broker passed to\n"
           "write()/pwrite() (wchar of /proc/PID/io) less its log file's growth, over the\n"
           "1-client run's LMDB commits (one transition each), in pages of %ld bytes; the\n"
           "floor's: the same for its bare commits; PostgreSQL's: WAL bytes per transition.\n",
           sysconf(_SC_PAGESIZE));
    if (!peer_ok)
        printf("PostgreSQL-relative targets print SKIP: %s.\n",
               r->pg.skipped[0]   ? r->pg.skipped
               : cfg->peer_script ? "the peer failed (see above)"
                                  : "the peer was left out (--no-peer)");
    return t.misses;
}
