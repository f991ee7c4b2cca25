/* sertel-bench: measures Sertel on this machine and prints each figure
 * beside its target and beside the floor measured in the same run.
 *
 *   (a) floor: bare CURVE round trip, bare durable LMDB commit
 *   (b) seven-step renewals through a real broker, 1 and N clients
 *   (c) catch-up of an officer who missed 100,000 events
 *   (d) statistics query over 1,000,000 archived cases
 *
 * A MISS is a measurement, not a failure: the exit status is 1 only when
 * something went wrong (a refused request, a broker that did not start,
 * a lost push). How to run it: bench/run.sh. */
#include "bench.h"

#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zmq.h>

#include "i18n.h"

#define TARGET_SINGLE_X 1.5
#define TARGET_TPS 20000.0
#define TARGET_PUSH_US 1000.0
#define TARGET_CATCHUP_EVENTS 100000
#define TARGET_CATCHUP_MS 1000.0
#define TARGET_STATS_CASES 1000000
#define TARGET_STATS_MS 50.0

static void defaults(bench_cfg_t *c, bool quick)
{
    *c = (bench_cfg_t){
        .quick = quick,
        .tmp = "/tmp",
        .floor_rtt_n = quick ? 3000 : 20000,
        .floor_commit_n = quick ? 500 : 5000,
        .floor_commit_s = quick ? 1.5 : 5.0,
        .clients = 16,
        .single_s = quick ? 3 : 15,
        .multi_s = quick ? 5 : 30,
        .catchup_events = quick ? 20000 : TARGET_CATCHUP_EVENTS,
        .stats_cases = quick ? 100000 : TARGET_STATS_CASES,
        .stats_months = 24,
        .stats_officers = 50,
        .stats_runs = quick ? 11 : 21,
    };
}

static void usage(FILE *to)
{
    fprintf(to,
            "Usage: sertel-bench [--quick] [--only abcd] [--clients N] [--single-secs S]\n"
            "                    [--multi-secs S] [--catchup N] [--stats-cases N]\n"
            "                    [--tmp DIR] [--keep]\n"
            "Environment: SERTEL_BENCH_QUICK=1 (a ~20 s smoke run), SERTEL_BENCH_ONLY,\n"
            "SERTEL_BENCH_CLIENTS, SERTEL_BENCH_TMP, SERTEL_BENCH_KEEP=1.\n"
            "Sections: a floor, b lifecycles, c catch-up, d statistics.\n");
}

static bool env_true(const char *name)
{
    const char *v = getenv(name);
    return v && *v && strcmp(v, "0") != 0;
}

static bool parse(int argc, char **argv, bench_cfg_t *c)
{
    bool quick = env_true("SERTEL_BENCH_QUICK");
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--quick") == 0)
            quick = true;
    defaults(c, quick);
    c->keep = env_true("SERTEL_BENCH_KEEP");
    if (getenv("SERTEL_BENCH_TMP") && *getenv("SERTEL_BENCH_TMP"))
        c->tmp = getenv("SERTEL_BENCH_TMP");
    if (getenv("SERTEL_BENCH_ONLY") && *getenv("SERTEL_BENCH_ONLY"))
        c->only = getenv("SERTEL_BENCH_ONLY");
    if (getenv("SERTEL_BENCH_CLIENTS"))
        c->clients = atoi(getenv("SERTEL_BENCH_CLIENTS"));
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--quick") == 0)
            continue;
        else if (strcmp(a, "--keep") == 0)
            c->keep = true;
        else if (strcmp(a, "--help") == 0)
            return usage(stdout), exit(0), false;
        else if (!v)
            return usage(stderr), false;
        else if (strcmp(a, "--only") == 0)
            c->only = v, i++;
        else if (strcmp(a, "--clients") == 0)
            c->clients = atoi(v), i++;
        else if (strcmp(a, "--single-secs") == 0)
            c->single_s = atof(v), i++;
        else if (strcmp(a, "--multi-secs") == 0)
            c->multi_s = atof(v), i++;
        else if (strcmp(a, "--catchup") == 0)
            c->catchup_events = atoi(v), i++;
        else if (strcmp(a, "--stats-cases") == 0)
            c->stats_cases = atoi(v), i++;
        else if (strcmp(a, "--tmp") == 0)
            c->tmp = v, i++;
        else
            return usage(stderr), false;
    }
    if (c->clients < 1 || c->clients > 256 || c->catchup_events < 1 || c->stats_cases < 1) {
        usage(stderr);
        return false;
    }
    return true;
}

static bool wanted(const bench_cfg_t *c, char section)
{
    return !c->only || strchr(c->only, section) != NULL;
}

/* ---- the machine */

static void first_match(const char *file, const char *key, char *out, size_t len)
{
    FILE *f = fopen(file, "r");
    char line[512];
    snprintf(out, len, "?");
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, key, strlen(key)) == 0) {
            const char *p = strchr(line, ':');
            p = p ? p + 1 : line + strlen(key);
            while (*p == ' ' || *p == '\t')
                p++;
            snprintf(out, len, "%s", p);
            out[strcspn(out, "\n")] = '\0';
            break;
        }
    if (f)
        fclose(f);
}

/* The mount (device and file system) holding dir: the longest match. */
static void mount_of(const char *dir, char *out, size_t len)
{
    char real[4096], dev[256], mnt[1024], type[64], best[1024] = "";
    snprintf(out, len, "?");
    if (!realpath(dir, real))
        return;
    FILE *f = fopen("/proc/mounts", "r");
    size_t best_len = 0;
    while (f && fscanf(f, "%255s %1023s %63s %*[^\n]", dev, mnt, type) == 3) {
        size_t n = strlen(mnt);
        bool under = strncmp(real, mnt, n) == 0 && (real[n] == '/' || real[n] == '\0' || n == 1);
        if (under && n >= best_len) {
            best_len = n;
            snprintf(best, sizeof best, "%s", mnt);
            snprintf(out, len, "%s on %s (%s)", dev, best, type);
        }
    }
    if (f)
        fclose(f);
}

static void print_machine(const bench_cfg_t *cfg)
{
    char model[256], mem[128], fs[1400], load[128];
    struct utsname u;
    uname(&u);
    first_match("/proc/cpuinfo", "model name", model, sizeof model);
    first_match("/proc/meminfo", "MemTotal", mem, sizeof mem);
    long kb = atol(mem);
    if (kb > 0)
        snprintf(mem, sizeof mem, "%.1f GiB", (double)kb / (1024.0 * 1024.0));
    mount_of(cfg->tmp, fs, sizeof fs);
    FILE *lf = fopen("/proc/loadavg", "r");
    if (!lf || !fgets(load, sizeof load, lf))
        snprintf(load, sizeof load, "?");
    if (lf)
        fclose(lf);
    load[strcspn(load, "\n")] = '\0';
    int maj, min, pat;
    zmq_version(&maj, &min, &pat);
    printf("sertel-bench %s (%s build)%s\n", SERTEL_VERSION, SERTEL_BENCH_BUILD_TYPE,
           cfg->quick ? "  QUICK smoke run: scaled-down parameters" : "");
    printf("machine: nproc %ld, CPU %s, memory %s, %s %s %s\n", sysconf(_SC_NPROCESSORS_ONLN),
           model, mem, u.sysname, u.release, u.machine);
    printf("data in %s: %s; libzmq %d.%d.%d, %s; load average %s\n\n", cfg->tmp, fs, maj, min,
           pat, mdb_version(NULL, NULL, NULL), load);
}

/* ---- other load on the machine during a section: the figures are only
 * as good as the machine was quiet */

static double sec_busy, sec_steal, sec_own;
static uint64_t sec_t;
static double worst_others;

static void section_begin(void)
{
    bench_machine_cpu(&sec_busy, &sec_steal);
    sec_own = bench_own_cpu_s();
    sec_t = bench_now_ns();
}

/* Children still running (the broker of a section) are counted as
 * "other" only until reaped, so sections stop their broker first. */
static void section_end(void)
{
    double busy, steal, secs = (double)(bench_now_ns() - sec_t) / 1e9;
    bench_machine_cpu(&busy, &steal);
    double others = (busy - sec_busy - (bench_own_cpu_s() - sec_own)) / secs;
    if (others < 0)
        others = 0;
    if (others > worst_others)
        worst_others = others;
    printf("  [section: %.1f s; other processes on this machine used %.2f cores on average,"
           " hypervisor steal %.2f cores%s]\n",
           secs, others, (steal - sec_steal) / secs, others > 0.1 ? ": NOISY" : "");
}

/* ---- verdicts */

static int misses;

static void verdict(const char *target, const char *figure, bool have, bool pass, const char *note)
{
    const char *v = !have ? "n/a" : pass ? "PASS" : "MISS";
    if (have && !pass)
        misses++;
    if (!have) {
        printf("  %-4s  %-44s (not measured in this run)\n", v, target);
        return;
    }
    printf("  %-4s  %-44s %s%s%s\n", v, target, figure, note && *note ? "  " : "", note ? note : "");
}

int main(int argc, char **argv)
{
    i18n_init();
    bench_cfg_t cfg;
    if (!parse(argc, argv, &cfg))
        return 2;
    setvbuf(stdout, NULL, _IOLBF, 0);
    print_machine(&cfg);
    uint64_t t0 = bench_now_ns();

    floor_result_t fl = {0};
    flow_result_t one = {0}, many = {0};
    catchup_result_t cu = {0};
    stats_result_t st = {0};
    if (wanted(&cfg, 'a')) {
        printf("(a) floor\n");
        section_begin();
        bench_floor(&cfg, &fl);
        section_end();
    }
    if (wanted(&cfg, 'b')) {
        printf("\n(b) seven-step renewals through sertel-broker (10 durable transitions and"
               " 8 awaited pushes per case)\n");
        section_begin();
        bench_flow(&cfg, &one, &many);
        section_end();
    }
    if (wanted(&cfg, 'c')) {
        printf("\n(c) catch-up\n");
        section_begin();
        bench_catchup(&cfg, &cu);
        section_end();
    }
    if (wanted(&cfg, 'd')) {
        printf("\n(d) statistics\n");
        section_begin();
        bench_stats(&cfg, &st);
        section_end();
    }

    printf("\n== targets (figures from this run; floor = CURVE round trip p50 + durable"
           " commit p50) ==\n");
    char fig[512], note[256];
    double floor_us = fl.rtt_p50_us + fl.commit_p50_us;
    bool have_floor = fl.have_rtt && fl.have_commit;
    snprintf(fig, sizeof fig, "p50 %.0f us vs %.1f x floor %.0f us = %.0f us (%.2f x)",
             one.lat_p50_us, TARGET_SINGLE_X, floor_us, TARGET_SINGLE_X * floor_us,
             floor_us > 0 ? one.lat_p50_us / floor_us : 0);
    snprintf(note, sizeof note, "[RTT %.0f + commit %.0f us]", fl.rtt_p50_us, fl.commit_p50_us);
    verdict("single-client transition p50 <= 1.5x floor", fig, one.have && have_floor,
            one.lat_p50_us <= TARGET_SINGLE_X * floor_us, note);
    if (one.have && fl.have_rtt && fl.have_shaped)
        printf("        roughly: RTT %.0f + a commit shaped like one transition (10 databases) %.0f"
               " + the rest %.0f us (request handling, pushes, client)\n",
               fl.rtt_p50_us, fl.shaped_p50_us, one.lat_p50_us - fl.rtt_p50_us - fl.shaped_p50_us);

    snprintf(fig, sizeof fig, "%.0f durable transitions/s with %d clients", many.tps, many.clients);
    snprintf(note, sizeof note, "[floor: %.0f bare commits/s; %.1f transitions per commit]",
             fl.commits_per_s, many.commits ? (double)many.transitions / (double)many.commits : 0.0);
    verdict("N clients >= 20,000 durable transitions/s", fig, many.have, many.tps >= TARGET_TPS,
            note);

    snprintf(fig, sizeof fig, "p99 %.0f us (p50 %.0f us), 1 client", one.push_p99_us,
             one.push_p50_us);
    verdict("push p99 < 1 ms (reply -> push), 1 client", fig, one.have,
            one.push_p99_us < TARGET_PUSH_US, "");
    snprintf(fig, sizeof fig, "p99 %.0f us (p50 %.0f us), %d clients", many.push_p99_us,
             many.push_p50_us, many.clients);
    verdict("push p99 < 1 ms (reply -> push), N clients", fig, many.have,
            many.push_p99_us < TARGET_PUSH_US, "");

    double cu_ms = cu.all_ms;
    bool cu_scaled = cu.events != TARGET_CATCHUP_EVENTS;
    if (cu_scaled && cu.events > 0)
        cu_ms = cu.all_ms * TARGET_CATCHUP_EVENTS / cu.events;
    snprintf(fig, sizeof fig, "%.0f ms for %d events%s%s", cu.all_ms, cu.events,
             cu.complete ? "" : " (INCOMPLETE)", cu.hellos > 1 ? " (in Hello rounds)" : "");
    snprintf(note, sizeof note, cu_scaled ? "[scaled to 100,000: %.0f ms]" : "", cu_ms);
    verdict("catch-up of 100,000 events < 1 s", fig, cu.have,
            cu.complete && cu_ms < TARGET_CATCHUP_MS, note);

    double st_ms = st.all_p50_ms > st.month_p50_ms ? st.all_p50_ms : st.month_p50_ms;
    snprintf(fig, sizeof fig, "whole period p50 %.2f ms, one month p50 %.2f ms (%ld cases)",
             st.all_p50_ms, st.month_p50_ms, st.cases);
    snprintf(note, sizeof note, "%s[aggregates written with the store API, not via the broker]",
             st.cases != TARGET_STATS_CASES ? "[not 1,000,000 cases] " : "");
    verdict("statistics < 50 ms", fig, st.have, st_ms < TARGET_STATS_MS, note);

    if (worst_others > 0.1)
        printf("\n  NOTE: other processes used up to %.2f of %ld cores during a section: this"
               " run is pessimistic; run it again on a quiet machine.\n",
               worst_others, sysconf(_SC_NPROCESSORS_ONLN));
    printf("\n%d target%s missed; total time %.0f s; %s\n", misses, misses == 1 ? "" : "s",
           (double)(bench_now_ns() - t0) / 1e9,
           bench_failed() ? "ERRORS occurred (see above): exit status 1" : "no errors");
    return bench_failed() ? 1 : 0;
}
