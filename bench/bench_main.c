/* sertel-bench: measures Sertel on this machine and prints each figure
 * beside its target and beside the floor measured in the same run.
 *
 *   (a) floor: bare CURVE round trip, bare durable LMDB commit
 *   (b) seven-step renewals through a real broker, 1 and N clients
 *   (p) the peer: the same lifecycle on bare PostgreSQL (bench/pg_peer.sh),
 *       right after (b)
 *   (c) catch-up of an officer who missed 100,000 events
 *   (d) statistics query over 1,000,000 archived cases
 *   (e) the broker's memory with 1,000 officers connected
 *
 * then every target as PASS / MISS beside the floor and the peer
 * (bench_targets.c).
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
        .catchup_events = quick ? 20000 : 100000,
        .stats_cases = quick ? 50000 : 1000000,
        .stats_months = 24,
        .stats_officers = 50,
        .stats_runs = quick ? 11 : 21,
        .officers = 1000,
        .peer_script = SERTEL_BENCH_PEER_SCRIPT,
        .peer_s = quick ? 3 : 10,
    };
}

static void usage(FILE *to)
{
    fprintf(to,
            "Usage: sertel-bench [--quick] [--only abcdep] [--clients N] [--single-secs S]\n"
            "                    [--multi-secs S] [--catchup N] [--stats-cases N]\n"
            "                    [--officers N] [--peer SCRIPT | --no-peer] [--peer-secs S]\n"
            "                    [--tmp DIR] [--keep] [--pages]\n"
            "Environment: SERTEL_BENCH_QUICK=1 (a smoke run under a minute), SERTEL_BENCH_ONLY,\n"
            "SERTEL_BENCH_CLIENTS, SERTEL_BENCH_TMP, SERTEL_BENCH_KEEP=1, SERTEL_BENCH_PEER=0.\n"
            "Sections: a floor, b lifecycles, c catch-up, d statistics, e connected officers,\n"
            "p the peer (PostgreSQL).\n"
            "--pages: (b)'s 1-client run also counts the pages each transition's commit wrote,\n"
            "by kind of transition (slower: fewer transitions in the same time).\n");
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
    if (getenv("SERTEL_BENCH_PEER") && strcmp(getenv("SERTEL_BENCH_PEER"), "0") == 0)
        c->peer_script = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--quick") == 0)
            continue;
        else if (strcmp(a, "--keep") == 0)
            c->keep = true;
        else if (strcmp(a, "--no-peer") == 0)
            c->peer_script = NULL;
        else if (strcmp(a, "--pages") == 0)
            c->pages = true;
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
        else if (strcmp(a, "--officers") == 0)
            c->officers = atoi(v), i++;
        else if (strcmp(a, "--peer") == 0)
            c->peer_script = v, i++;
        else if (strcmp(a, "--peer-secs") == 0)
            c->peer_s = atof(v), i++;
        else
            return usage(stderr), false;
    }
    if (c->clients < 1 || c->clients > 256 || c->catchup_events < 1 || c->stats_cases < 1 ||
        c->officers < 1 || c->officers > 100000 || c->peer_s <= 0) {
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
static void section_end(bool others_measured)
{
    double busy, steal, secs = (double)(bench_now_ns() - sec_t) / 1e9;
    bench_machine_cpu(&busy, &steal);
    double others = (busy - sec_busy - (bench_own_cpu_s() - sec_own)) / secs;
    if (others < 0)
        others = 0;
    if (!others_measured) {
        printf("  [section: %.1f s; PostgreSQL's processes are not this bench's children, so the"
               " load of other processes is not told apart here]\n",
               secs);
        return;
    }
    if (others > worst_others)
        worst_others = others;
    printf("  [section: %.1f s; other processes on this machine used %.2f cores on average,"
           " hypervisor steal %.2f cores%s]\n",
           secs, others, (steal - sec_steal) / secs, others > 0.1 ? ": NOISY" : "");
}

int main(int argc, char **argv)
{
    if ((argc == 3 || argc == 4) && strcmp(argv[1], "--bare-router") == 0)
        return bench_bare_router_main(argv[2], argc == 4 && strcmp(argv[3], "zap") == 0);
    i18n_init();
    bench_cfg_t cfg;
    if (!parse(argc, argv, &cfg))
        return 2;
    setvbuf(stdout, NULL, _IOLBF, 0);
    /* Before any broker starts: they inherit it (section e needs it). */
    bench_raise_nofile();
    print_machine(&cfg);
    uint64_t t0 = bench_now_ns();

    static bench_results_t r;
    static const struct {
        char letter;
        const char *title;
    } sections[] = {
        {'a', "(a) floor"},
        {'b', "(b) seven-step renewals through sertel-broker (10 durable transitions and 8 awaited"
              " pushes per case)"},
        /* right after (b): the disk's fsync drifts with the machine's load */
        {'p', "(p) the peer: the same lifecycle on bare PostgreSQL (bench/pg_peer.sh)"},
        {'c', "(c) catch-up"},
        {'d', "(d) statistics"},
        {'e', "(e) connected officers: the broker's memory"},
    };
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        char l = sections[i].letter;
        if (!wanted(&cfg, l) || (l == 'p' && !cfg.peer_script))
            continue;
        printf("%s%s\n", i ? "\n" : "", sections[i].title);
        section_begin();
        if (l == 'a')
            bench_floor(&cfg, &r.fl);
        else if (l == 'b')
            bench_flow(&cfg, &r.one, &r.many);
        else if (l == 'c')
            bench_catchup(&cfg, &r.cu);
        else if (l == 'd')
            bench_stats(&cfg, &r.st);
        else if (l == 'e')
            bench_conns(&cfg, &r.co);
        else
            bench_peer(&cfg, cfg.clients, &r.pg);
        section_end(l != 'p');
    }
    if (!cfg.peer_script)
        snprintf(r.pg.skipped, sizeof r.pg.skipped, "the peer was left out (--no-peer)");

    int misses = bench_targets(&cfg, &r);
    /* Only when it adds up: on a loaded machine the commits may be timed
     * in a worse minute than the transitions. */
    double rtt_us = r.one.floor_trips ? r.one.floor_rtt_p50_us : r.fl.rtt_p50_us;
    if (r.one.have && (r.one.floor_trips || r.fl.have_rtt) && r.fl.have_shaped &&
        r.one.lat_p50_us >= rtt_us + r.fl.shaped_p50_us)
        printf("1 client, roughly: RTT %.0f + a commit shaped like one transition %.0f + the rest"
               " %.0f µs (request handling, pushes, client).\n",
               rtt_us, r.fl.shaped_p50_us, r.one.lat_p50_us - rtt_us - r.fl.shaped_p50_us);
    if (worst_others > 0.1)
        printf("\nNOTE: other processes used up to %.2f of %ld cores during a section: this"
               " run is pessimistic; run it again on a quiet machine.\n",
               worst_others, sysconf(_SC_NPROCESSORS_ONLN));
    printf("\n%d target%s missed; total time %.0f s; %s\n", misses, misses == 1 ? "" : "s",
           (double)(bench_now_ns() - t0) / 1e9,
           bench_failed() ? "ERRORS occurred (see above): exit status 1" : "no errors");
    return bench_failed() ? 1 : 0;
}
