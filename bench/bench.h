/* sertel-bench: shared pieces of the benchmark (timing, samples, the
 * broker process, officers). Not a test: it measures, prints and only
 * fails on errors. See bench/run.sh for how to run it. */
#ifndef SERTEL_BENCH_H
#define SERTEL_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "conn.h"
#include "keyfile.h"
#include "role.h"

/* ---- parameters (flags and SERTEL_BENCH_* environment) */

typedef struct {
    bool quick;
    bool keep;                 /* keep data directories */
    const char *tmp;           /* where data directories go */
    const char *only;          /* sections to run: letters of "abcdep", NULL: all */
    int floor_rtt_n;           /* CURVE round trips */
    int floor_commit_n;        /* LMDB commits (also bounded by floor_commit_s) */
    double floor_commit_s;
    int clients;               /* concurrent clients of (b) */
    double single_s;           /* seconds of the 1-client run */
    double multi_s;            /* seconds of the N-client run */
    int catchup_events;
    int stats_cases;
    int stats_months, stats_officers, stats_runs;
    int officers;              /* connected officers of (e) */
    const char *peer_script;   /* bench/pg_peer.sh; NULL: no peer */
    double peer_s;             /* seconds of each peer run */
    bool pages;                /* (b): count each transition's pages (slower) */
} bench_cfg_t;

/* ---- time and samples */

static inline double ns_to_us(uint64_t ns)
{
    return (double)ns / 1e3;
}
uint64_t bench_now_ns(void);
/* KiB as pages of this machine (LMDB's page is the OS page). */
double bench_pages(double kib);

typedef struct {
    uint64_t *v;
    size_t n, cap;
} samples_t;

void samples_add(samples_t *s, uint64_t ns);
void samples_merge(samples_t *dst, const samples_t *src);
void samples_free(samples_t *s);
/* Nearest-rank percentile in ns (sorts the samples); 0 when empty. */
uint64_t samples_pct(samples_t *s, double p);
uint64_t samples_max(samples_t *s);

/* ---- errors: the bench stops a section on the first one */

void bench_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool bench_failed(void);

/* ---- processes and directories */

/* A fresh directory under cfg->tmp; "" on failure. */
bool bench_mkdtemp(const bench_cfg_t *cfg, const char *tag, char *dir, size_t len);
void bench_rmtree(const char *dir);
/* CPU seconds (user + system) used so far by pid (0: this process). */
double bench_cpu_s(pid_t pid);
/* Bytes pid (0: this process) has passed to write()/pwrite() so far
 * (wchar of /proc/PID/io; sockets written with send() are not in it,
 * eventfd signals are, 8 bytes each). write_bytes would count whole
 * large folios on ext4, so it is not used. */
uint64_t bench_write_bytes(pid_t pid);
/* The whole machine from /proc/stat, in CPU seconds: busy (user, nice,
 * system, irq, softirq) and stolen by the hypervisor. */
void bench_machine_cpu(double *busy_s, double *steal_s);
/* CPU seconds of this process and its reaped children. */
double bench_own_cpu_s(void);

/* From /proc/PID/status: VmRSS, VmHWM, RssAnon, RssFile in KiB (0 if
 * absent). */
typedef struct {
    long rss_kb, hwm_kb, anon_kb, file_kb;
} bench_mem_t;
bench_mem_t bench_mem(pid_t pid);
/* The same resident memory by kind of mapping, from /proc/PID/smaps
 * (bench_smaps.c says how anonymous mappings are told apart). */
enum {
    MEM_LIBS, MEM_EXE, MEM_LMDB, MEM_HEAP, MEM_ARENAS, MEM_STACKS, MEM_ANON, MEM_OTHER,
    MEM_PARTS
};
typedef struct {
    long kb[MEM_PARTS];
} bench_mem_parts_t;
extern const char *const bench_mem_part_names[MEM_PARTS];
bool bench_mem_parts(pid_t pid, bench_mem_parts_t *out);
/* Size of a file in bytes; 0 when it does not exist. */
uint64_t bench_file_size(const char *path);
/* Raises this process's open-file limit to its hard limit (brokers it
 * starts inherit it); returns the soft limit in force. */
long bench_raise_nofile(void);

/* Context switches (voluntary + involuntary) of pid so far. */
long bench_ctxsw(pid_t pid);
/* Time the threads of pid (0: this process) alive now have spent
 * runnable but waiting for a CPU (/proc/PID/task/TID/schedstat), in
 * seconds: the scheduling delays, which no CPU figure shows. */
double bench_runq_wait_s(pid_t pid);
/* The last committed LMDB transaction id of a live environment (opened
 * read-only for a moment, as mdb_stat does); 0 on failure. */
uint64_t bench_lmdb_txnid(const char *db_dir);

/* ---- a real broker process */

typedef struct {
    char dir[512];
    char endpoint[256];
    pid_t pid;
    keyfile_t admin;
    conn_t *admin_conn;
    int next_officer;          /* for NIP serial numbers */
} broker_proc_t;

/* sertel-admin init DIR (a fresh dir) and the admin's key; no broker. */
bool broker_proc_make(broker_proc_t *b, const bench_cfg_t *cfg, const char *tag);
/* broker_proc_make, then broker_proc_spawn. */
bool broker_proc_init(broker_proc_t *b, const bench_cfg_t *cfg, const char *tag);
/* Starts sertel-broker on b->dir and connects the admin. */
bool broker_proc_spawn(broker_proc_t *b);
void broker_proc_stop(broker_proc_t *b);
/* Prints the last lines of the broker's log (after an error: the data
 * directory is removed with the run). */
void bench_log_tail(const broker_proc_t *b, int lines);
/* Stops it and removes the directory (unless cfg->keep). */
void broker_proc_destroy(broker_proc_t *b, const bench_cfg_t *cfg);

/* A valid 18-digit NIP for serial n (0..99999). */
void bench_nip(int n, char nip[19]);
/* Enrols an officer (OfficerAdd through the admin key); fills kf. */
bool bench_enrol(broker_proc_t *b, const char *name, role_t role, unsigned quals, keyfile_t *kf);
/* Enrols n officers at once, pipelined on one admin connection (so the
 * broker commits them in groups); fills kfs[0..n). */
bool bench_enrol_many(broker_proc_t *b, const char *name, role_t role, int n, keyfile_t *kfs);
conn_t *bench_connect(broker_proc_t *b, const keyfile_t *kf);

/* One call; NULL (and bench_error) on no reply or an Error reply. */
Sertel__Envelope *bench_call(conn_t *c, Sertel__Envelope *req, const char *what);
Sertel__Envelope *bench_call_ms(conn_t *c, Sertel__Envelope *req, const char *what, int timeout_ms);
/* Hello(last_seq); returns the Welcome's last_seq, or UINT64_MAX on error. */
uint64_t bench_hello(conn_t *c, uint64_t last_seq);

/* A raw CURVE DEALER to the broker with an officer's keys (for pipelining
 * and for catch-up, which conn_t is not built for). */
void *bench_raw_dealer(void *zctx, const keyfile_t *kf, const char *endpoint);
/* Echoes every message of a ROUTER back to its sender until one says
 * "stop" (echoed too) or the socket is closed. */
void bench_router_echo(void *router);
/* Packs and sends one envelope on a raw socket. */
bool bench_raw_send(void *sock, Sertel__Envelope *env);

/* The smallest whole PDF the broker takes as a letter or report: the
 * cross-reference right after the header (offset 9), text in a comment. */
#define BENCH_PDF(text)                                                                   \
    ("%PDF-1.4\nxref\n0 1\n0000000000 65535 f \ntrailer << /Size 1 >>\n% " text            \
     "\nstartxref\n9\n%%EOF\n")

/* A valid application for an intake, a new applicant and letter each
 * call (the strings live until the calling thread's next call). */
void bench_application(Sertel__Application *app);

/* An intake of a new application (bench_application) with one letter,
 * as the front office registers it: req points into *x. */
typedef struct {
    Sertel__Application app;
    Sertel__Attachment letter, *letters[1];
    Sertel__Intake intake;
} bench_intake_t;
void bench_intake(bench_intake_t *x, Sertel__Envelope *req);

/* ---- the floor's durable commit, also timed between the 1-client
 * lifecycles of (b) so that both are measured in the same minutes */

typedef struct bench_commits bench_commits_t;
/* A fresh LMDB environment under cfg->tmp (removed by close). */
bench_commits_t *bench_commits_open(const bench_cfg_t *cfg);
/* One durable commit of one put of 64 B, as the floor's. */
bool bench_commit(bench_commits_t *c);
void bench_commits_close(bench_commits_t **c);

/* ---- the floor's CURVE round trip, likewise: a DEALER -> ROUTER echo
 * of 32 B on loopback, each side with a context of its own */

typedef struct bench_echo bench_echo_t;
bench_echo_t *bench_echo_open(void);
/* One round trip, its time in *ns. */
bool bench_echo_trip(bench_echo_t *e, uint64_t *ns);
void bench_echo_close(bench_echo_t **e);

/* ---- sections; each returns false on an error */

typedef struct {
    double rtt_p50_us, rtt_p99_us;
    double commit_p50_us, commit_p99_us, commits_per_s;
    double commit_cpu_us, commit_kb;      /* per commit */
    /* informative: a commit shaped like one broker transition */
    double shaped_p50_us, shaped_p99_us, shaped_cpu_us, shaped_kb;
    bool have_rtt, have_commit, have_shaped;
} floor_result_t;

typedef struct {
    bool have;
    int clients;
    double secs;
    long lifecycles, transitions, pushes_seen;
    double tps;                 /* durable transitions per second */
    double lat_p50_us, lat_p99_us, lat_max_us;
    double push_p50_us, push_p99_us, push_max_us;     /* reply -> push */
    double reqpush_p50_us, reqpush_p99_us;            /* request -> push */
    double kind_p50_us[4];      /* intake, complete, contact, certificate */
    double broker_cpu_s, client_cpu_s;
    double others_cores, steal_cores;  /* other processes, hypervisor */
    long broker_ctxsw;
    /* Runnable but waiting for a CPU during the run, in seconds: the
     * broker's threads, the clients' (their libzmq threads too). */
    double broker_runq_s, client_runq_s;
    uint64_t commits;           /* LMDB write transactions in the run */
    /* Bytes the broker passed to write()/pwrite() during the run (wchar
     * of /proc/PID/io) less its log file's growth: the data file's
     * pages and meta writes (and 8-byte eventfd signals). */
    uint64_t data_bytes, log_bytes;
    double kb_per_commit;       /* data_bytes / commits, KiB */
    long pushes_delivered;      /* every push the clients read */
    /* the floor's commit, timed between lifecycles (1 client only) */
    long floor_commits;
    double floor_commit_p50_us, floor_commit_p99_us;
    /* the floor's round trip, timed likewise */
    long floor_trips;
    double floor_rtt_p50_us, floor_rtt_p99_us;
} flow_result_t;

typedef struct {
    bool have;
    int events;
    double setup_s, setup_rate;  /* pipelined intakes per second */
    uint64_t setup_commits;
    double first_push_ms, welcome_ms, all_ms; /* from Hello */
    long received;              /* pushes received in the end */
    long first_round;           /* pushes received before the first stall */
    int hellos;                 /* Hello rounds needed */
    bool welcome_first_round;
    bool complete;
    double broker_cpu_s;
    double client_cpu_s;        /* the bench's own (the Kadis's client: receiving, decoding) */
    double other_ping_ms;       /* another officer's Ping during the replay */
} catchup_result_t;

typedef struct {
    bool have;
    long cases, events;
    double write_s;
    double all_p50_ms, all_p99_ms, month_p50_ms, month_p99_ms;
    double rpc_all_p50_ms, rpc_month_p50_ms; /* StatsQuery through the broker */
    double rpc_first_ms;        /* its first StatsQuery after start */
    bool have_rpc;
    long rows_steps, rows_officers, rows_months;
    uint64_t db_bytes;
} stats_result_t;

typedef struct {
    bool have;
    int officers, welcomed;
    double enrol_s, connect_s;     /* enrolment; connect + Hello -> every Welcome */
    bench_mem_t before, after;     /* the broker: no officer connected; all said Hello,
                                      SETTLE_MS after the last Welcome */
    bench_mem_t at_welcome;        /* the same at the last Welcome */
    bench_mem_parts_t parts_before, parts_after; /* the broker's, by kind of mapping */
    bool have_bare, have_zap;
    bench_mem_t bare_idle, bare;   /* floor: a bare CURVE ROUTER, idle and connected */
    bench_mem_t zap_idle, zap;     /* the same with a ZAP handler that admits every key */
    double broker_cpu_ms;          /* for the connections and Hellos */
    long nofile;                   /* open-file limit of the bench (and broker) */
} conns_result_t;

/* The peer: the same lifecycle on bare PostgreSQL (bench/pg_peer.sh). */
typedef struct {
    int clients;
    long transitions;
    double tps, p50_us, cpu_us, wal_bytes;
} peer_run_t;

typedef struct {
    bool ran;                      /* the script ran and said what it did */
    bool installed;
    char version[32], skipped[256];
    peer_run_t one, many;          /* clients == 0: not measured */
} peer_result_t;

/* Everything one run measured; a section not run has have == false. */
typedef struct {
    floor_result_t fl;
    flow_result_t one, many;
    catchup_result_t cu;
    stats_result_t st;
    conns_result_t co;
    peer_result_t pg;
} bench_results_t;

/* ---- the pages one commit wrote (bench_pages.c) */

#define BENCH_LMDB_PAGE 4096
typedef struct {
    long total;    /* pages the newest snapshot has and the one before not */
    long branches; /* of them: branch pages of the unnamed database */
    long named;    /* pages of named databases */
    long free;     /* LMDB's free list */
} bench_pages_t;
/* The broker's last commit in DIR/data.mdb (DIR: its db directory). */
bool bench_pages_last_commit(const char *db_dir, bench_pages_t *out);

bool bench_floor(const bench_cfg_t *cfg, floor_result_t *out);
bool bench_flow(const bench_cfg_t *cfg, flow_result_t *single, flow_result_t *multi);
bool bench_catchup(const bench_cfg_t *cfg, catchup_result_t *out);
bool bench_stats(const bench_cfg_t *cfg, stats_result_t *out);
bool bench_conns(const bench_cfg_t *cfg, conns_result_t *out);
/* The bare ROUTER of (e)'s floor: `sertel-bench --bare-router SECRET
 * [zap]` (zap: with a ZAP handler that admits every key). */
int bench_bare_router_main(const char *secret_z85, bool zap);
bool bench_peer(const bench_cfg_t *cfg, int clients, peer_result_t *out);

/* Prints every target as PASS / MISS / SKIP / n/a beside the floor and
 * the peer, as a Markdown table; returns the number of MISSes. */
int bench_targets(const bench_cfg_t *cfg, const bench_results_t *r);

#endif
