/* sertel-bench-docs: how long the office's documents take (a measurement,
 * not a test; run it by hand: build/bench/sertel-bench-docs [CASES [RUNS]]).
 *
 * (a) The lembar disposisi and the laporan of one case with a full chain
 *     (seven dispositions, one by a Plh., contacts, long names), rendered
 *     from memory N times: target <= 50 ms a lembar.
 * (b) The SOP-monitoring report for one year over 100,000 archived cases:
 *     a data directory made by `sertel-broker init`, the cases' 700,000
 *     step events appended to its journal with the store API (as
 *     sertel-bench's statistics section does), a real broker started on
 *     it; then StatsQuery over CURVE and the PDF rendered, timed apart and
 *     together, the first time (the broker folds the journal into its
 *     statistics) and warm; and `sertel-admin report` end to end. Target:
 *     <= 1 s for the report. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "doc.h"
#include "engine.h"
#include "i18n.h"
#include "store.h"
#include "text.h"

#define WIB (7 * 3600)
#define LEMBAR_TARGET_MS 50.0
#define REPORT_TARGET_MS 1000.0

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* CPU time of this process: on a busy machine, what a render costs apart
 * from waiting for a core. */
static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p)
{
    qsort(v, (size_t)n, sizeof *v, by_double);
    int i = (int)(p / 100.0 * n + 0.5) - 1;
    return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

static const char *verdict(double v, double target)
{
    return v <= target ? "PASS" : "MISS";
}

/* ---- (a) one case's documents */

static Sertel__Event *event(int kind, int64_t at, int step, const char *actor, int role,
                            int next, int to_role, const char *text)
{
    Sertel__Event *e = calloc(1, sizeof *e);
    sertel__event__init(e);
    static uint64_t seq = 100;
    e->seq = seq++;
    e->kind = kind;
    e->case_id = "SE-2026-00042";
    e->at = at;
    e->step = step;
    e->actor = (char *)actor;
    e->actor_role = role;
    e->next_step = next;
    e->assignee_role = to_role;
    e->text = (char *)text;
    e->work = 540;
    e->standard = 600;
    return e;
}

static const char *name_of(void *arg, const char *nip)
{
    (void)arg;
    static const struct {
        const char *nip, *name;
    } people[] = {
        {"198503142010011003", "Siti Rahmawati"},
        {"197503042001121002", "Drs. Tino Armyanto, M.Si."},
        {"197904042005011004", "Hj. Euis Sútisna, S.Sos."},
        {"197806122003121001", "Dedi Supriadi, S.Kom., M.T."},
        {"198801012012011002", "Rina Kurniasih, S.T."},
        {"199002022015031001", "Asep Hidayat, A.Md."},
    };
    for (size_t i = 0; i < sizeof people / sizeof people[0]; i++)
        if (strcmp(people[i].nip, nip) == 0)
            return people[i].name;
    return nip;
}

static bool bench_case_docs(const office_t *office, const calendar_t *cal, const char *dir, int runs)
{
    Sertel__Application app = SERTEL__APPLICATION__INIT;
    app.name = "Dra. Hj. Ñoño Sútisna Wiraatmadja Kusumahdinata, M.Si.";
    app.nip = "198707072011011001";
    app.nik = "3207014507870001";
    app.unit = "Dinas Pendidikan dan Kebudayaan";
    app.position = "Analis Kepegawaian Ahli Muda";
    app.email = "nono@ciamiskab.go.id";
    app.phone = "081234567890";
    app.letter_no = "800/123/Disdik";
    app.letter_date = "2026-11-20";
    app.subject = "Permohonan pembaharuan sertifikat elektronik untuk penandatanganan naskah "
                  "dinas secara elektronik pada aplikasi SRIKANDI";
    app.urgency = 2;
    Sertel__Case c = SERTEL__CASE__INIT;
    c.id = "SE-2026-00042";
    c.app = &app;
    c.state = SERTEL__CASE_STATE__STATE_DONE;
    c.created_at = 1795485600;
    c.cert_serial = "5A3F09C1";
    c.cert_not_after = 1858557600;
    int64_t t = c.created_at;
    Sertel__Event *h[] = {
        event(1, t, 1, "198503142010011003", 1, 1, 1, ""),
        event(2, t + 300, 1, "198503142010011003", 1, 2, 4, "Mohon disposisi"),
        event(2, t + 900, 2, "197904042005011004", 3, 3, 3, "Proses sesuai SOP"),
        event(2, t + 1500, 3, "197806122003121001", 3, 4, 2, "Tindak lanjuti"),
        event(2, t + 2400, 4, "198801012012011002", 2, 5, 1, "Verifikasi dan asistensi"),
        event(9, t + 2700, 5, "199002022015031001", 1, 0, 0, "Diminta memperbarui di aplikasi BSrE"),
        event(2, t + 3000, 5, "199002022015031001", 1, 6, 1, ""),
        event(10, t + 3600, 6, "199002022015031001", 1, 0, 0, "5A3F09C1"),
        event(2, t + 4200, 6, "199002022015031001", 1, 7, 4, "Laporan terlampir"),
        event(3, t + 4800, 7, "197503042001121002", 4, 0, 0, "Arsipkan"),
    };
    h[2]->acting = SERTEL__ACTING_KIND__ACTING_PLH;
    h[2]->acting_for = "197503042001121002";
    h[5]->note = "email";
    Sertel__CaseDetail d = SERTEL__CASE_DETAIL__INIT;
    d.case_ = &c;
    d.history = h;
    d.n_history = sizeof h / sizeof h[0];
    doc_seal_t seal = {"lembar", "SE-2026-00042", 0, "", ""};
    int64_t at;
    seal.seq = doc_case_seq(&d, &at);
    doc_case_digest(&d, seal.seq, seal.digest);
    char text[DOC_SEAL_MAX], path[600], err[256];
    doc_seal_format(&seal, text, sizeof text);
    doc_case_t dc = {office, NULL, 0, cal, &d, name_of, NULL, text, seal.seq, at};
    static const struct {
        const char *what;
        sertel_err_t (*fn)(const char *, const doc_case_t *, char *, size_t);
    } kinds[] = {{"lembar disposisi", doc_lembar}, {"laporan", doc_laporan}};
    bool ok = true;
    double *ms = calloc((size_t)runs, sizeof *ms), *cpu = calloc((size_t)runs, sizeof *cpu);
    for (size_t k = 0; ok && k < 2; k++) {
        snprintf(path, sizeof path, "%s/doc-%zu.pdf", dir, k);
        for (int i = 0; ok && i < runs; i++) {
            double t0 = now_ms(), c0 = cpu_ms();
            ok = kinds[k].fn(path, &dc, err, sizeof err) == SERTEL_OK;
            ms[i] = now_ms() - t0;
            cpu[i] = cpu_ms() - c0;
        }
        double first = ms[0], p50 = pct(ms, runs, 50), max = pct(ms, runs, 100);
        double cpu50 = pct(cpu, runs, 50);
        printf("  %-17s %d renders: first %.1f ms (fonts loaded), p50 %.1f ms (CPU %.1f ms),"
               " max %.1f ms   target <= %.0f ms: %s\n",
               kinds[k].what, runs, first, p50, cpu50, max, LEMBAR_TARGET_MS,
               verdict(p50, LEMBAR_TARGET_MS));
    }
    free(ms);
    free(cpu);
    for (size_t i = 0; i < sizeof h / sizeof h[0]; i++)
        free(h[i]);
    if (!ok)
        fprintf(stderr, "bench-docs: %s\n", err);
    return ok;
}

/* ---- (b) the report over a year of cases */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t rng(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static const char *const nips[] = {
    "198503142010011003", "197503042001121002", "197806122003121001", "198801012012011002",
    "199002022015031001", "199105052016041002", "198912122014031005", "199203032017011001",
};

static bool seed(const char *dir, long cases, int64_t start, int64_t span)
{
    char db[700], err[256];
    snprintf(db, sizeof db, "%s/db", dir);
    store_t *st = store_open(db, err, sizeof err);
    if (!st) {
        fprintf(stderr, "bench-docs: %s\n", err);
        return false;
    }
    static const int64_t standard[8] = {0, 600, 600, 600, 1200, 3600, 27000, 3600};
    static const int who[8] = {0, 0, 1, 2, 3, 4, 5, 1};
    static const role_t roles[8] = {0, ROLE_STAF, ROLE_KADIS, ROLE_KABID, ROLE_JF, ROLE_STAF,
                                    ROLE_STAF, ROLE_KADIS};
    sertel_err_t e = SERTEL_OK;
    for (long base = 0; e == SERTEL_OK && base < cases; base += 20000) {
        store_txn_t *t;
        if ((e = store_begin(st, NULL, true, &t)) != SERTEL_OK)
            break;
        for (long i = base; e == SERTEL_OK && i < cases && i < base + 20000; i++) {
            int64_t at = start + span * i / cases + 3600 + (int64_t)(rng() % 25200);
            for (int s = 1; e == SERTEL_OK && s <= 7; s++) {
                event_t ev;
                memset(&ev, 0, sizeof ev);
                ev.kind = s < 7 ? EV_DISPOSED : EV_ARCHIVED;
                snprintf(ev.case_id, sizeof ev.case_id, "SE-BENCH-%07ld", i);
                ev.step = s;
                ev.next_step = s < 7 ? s + 1 : 0;
                int w = who[s] + (s >= 5 ? (int)(rng() % 3) : 0);
                snprintf(ev.actor, sizeof ev.actor, "%s", nips[w]);
                ev.actor_role = roles[s];
                ev.standard = standard[s];
                ev.work = (int64_t)(standard[s] * (30 + rng() % 120) / 100);
                ev.wall = ev.work * 3 / 2;
                if (s == 5 && rng() % 20 == 0)
                    ev.wait_wall = 86400 + (int64_t)(rng() % 259200), ev.wall += ev.wait_wall;
                at += ev.wall;
                ev.at = at;
                e = store_journal_append(t, &ev, NULL);
            }
        }
        if (e == SERTEL_OK)
            e = store_commit(&t);
        else
            store_abort(&t);
        if (e == SERTEL_E_MAP_FULL && store_grow(st) == SERTEL_OK)
            e = SERTEL_OK, base -= 20000;
    }
    store_close(&st);
    if (e != SERTEL_OK)
        fprintf(stderr, "bench-docs: seeding: %s\n", sertel_strerror(e));
    return e == SERTEL_OK;
}

/* Runs a command and waits; its exit status. */
static int run(char *const argv[])
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        /* Only the figures on the terminal. */
        freopen("/dev/null", "w", stdout);
        freopen("/dev/null", "w", stderr);
        execv(argv[0], argv);
        _exit(127);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The broker on dir at an ephemeral port; its endpoint from its first line. */
static pid_t start_broker(const char *dir, char *endpoint, size_t len)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        freopen("/dev/null", "w", stderr);
        execl(SERTEL_BROKER_BIN, SERTEL_BROKER_BIN, "--data", dir, "--endpoint",
              "tcp://127.0.0.1:0", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    bool ok = f && fgets(endpoint, (int)len, f);
    if (f)
        fclose(f);
    endpoint[strcspn(endpoint, "\n")] = '\0';
    return ok ? pid : -1;
}

static bool bench_report(const office_t *office, const calendar_t *cal, const char *dir, long cases)
{
    char data[600], key[700], endpoint[256] = "", out[700], err[256];
    snprintf(data, sizeof data, "%s/data", dir);
    /* The administrator's key lives beside the data directory, never in it. */
    snprintf(key, sizeof key, "%s/admin.key", dir);
    char *init[] = {SERTEL_BROKER_BIN, "init", "--data", data, "--endpoint", "tcp://127.0.0.1:0",
                    "--admin-key", key, NULL};
    int64_t start = days_from_civil(2026, 1, 1) * 86400 - WIB, span = 365 * 86400 - 14 * 86400;
    double t0 = now_ms();
    if (run(init) != 0 || !seed(data, cases, start, span))
        return false;
    printf("  %ld archived cases (x 7 step events) appended to a fresh journal in %.1f s\n", cases,
           (now_ms() - t0) / 1e3);
    pid_t broker = start_broker(data, endpoint, sizeof endpoint);
    if (broker < 0)
        return false;
    keyfile_t kf;
    conn_t *c = NULL;
    bool ok = keyfile_read(key, &kf, err, sizeof err) == SERTEL_OK &&
              (c = conn_open(&kf, endpoint, err, sizeof err)) != NULL;
    int64_t from = start, to = start + 365 * 86400;
    for (int round = 0; ok && round < 3; round++) {
        Sertel__StatsQuery q = SERTEL__STATS_QUERY__INIT;
        q.from = from;
        q.to = to;
        Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply = NULL;
        req.body_case = SERTEL__ENVELOPE__BODY_STATS;
        req.stats = &q;
        double a = now_ms();
        ok = conn_call(c, &req, &reply, 60000, err, sizeof err) == SERTEL_OK &&
             reply->body_case == SERTEL__ENVELOPE__BODY_STATS_REPLY;
        double b = now_ms();
        snprintf(out, sizeof out, "%s/report-%d.pdf", dir, round);
        doc_report_t r = {office, NULL, 0, cal, ok ? reply->stats_reply : NULL, from, to,
                          "Drs. Tino Armyanto, M.Si.", "197503042001121002"};
        ok = ok && doc_report(out, &r, err, sizeof err) == SERTEL_OK;
        double e = now_ms();
        if (ok)
            printf("  report %s: StatsQuery %.1f ms + PDF %.1f ms = %.1f ms   target <= %.0f ms: %s"
                   " (step 1 counts %llu cases)\n",
                   round ? "warm " : "first", b - a, e - b, e - a, REPORT_TARGET_MS,
                   verdict(e - a, REPORT_TARGET_MS),
                   (unsigned long long)(reply->stats_reply->n_steps ? reply->stats_reply->steps[0]->cases : 0));
        if (reply)
            sertel__envelope__free_unpacked(reply, NULL);
    }
    conn_close(&c);
    /* And as the administrator runs it, process start and all. */
    snprintf(out, sizeof out, "%s/report-cli.pdf", dir);
    char *cli[] = {SERTEL_ADMIN_BIN, "report", "--from", "2026-01-01", "--to", "2026-12-31",
                   "--out", out, "--key", key, "--endpoint", endpoint, NULL};
    double a = now_ms();
    int rc = ok ? run(cli) : -1;
    if (ok)
        printf("  sertel-admin report --from 2026-01-01 --to 2026-12-31, end to end: %.1f ms"
               " (exit %d)   target <= %.0f ms: %s\n",
               now_ms() - a, rc, REPORT_TARGET_MS, verdict(now_ms() - a, REPORT_TARGET_MS));
    kill(broker, SIGTERM);
    waitpid(broker, NULL, 0);
    if (!ok)
        fprintf(stderr, "bench-docs: %s\n", err);
    return ok && rc == 0;
}

int main(int argc, char **argv)
{
    i18n_init();
    long cases = argc > 1 ? atol(argv[1]) : 100000;
    int runs = argc > 2 ? atoi(argv[2]) : 50;
    char dir[] = "/tmp/sertel-bench-docs-XXXXXX", err[512];
    if (!mkdtemp(dir) || cases < 1 || runs < 1) {
        fprintf(stderr, "usage: sertel-bench-docs [CASES [RUNS]]\n");
        return 2;
    }
    char *text = text_read_file(SERTEL_SOURCE_DIR "/sop/kantor.conf", OFFICE_FILE_MAX, NULL, err,
                                sizeof err);
    office_t office;
    calendar_t *cal = calendar_default();
    bool ok = text && office_parse(text, "kantor.conf", &office, err, sizeof err) == SERTEL_OK;
    printf("sertel-bench-docs (%s build), output in %s\n", SERTEL_BENCH_BUILD_TYPE, dir);
    printf("(a) one case's documents, from memory\n");
    ok = ok && bench_case_docs(&office, cal, dir, runs);
    printf("(b) the SOP-monitoring report for one year over %ld cases\n", cases);
    ok = ok && bench_report(&office, cal, dir, cases);
    if (!ok && text)
        fprintf(stderr, "bench-docs: failed\n");
    else if (!text)
        fprintf(stderr, "bench-docs: %s\n", err);
    free(text);
    calendar_destroy(&cal);
    doc_release();
    char *rm[] = {"/bin/rm", "-rf", dir, NULL};
    if (!getenv("SERTEL_BENCH_KEEP"))
        run(rm);
    return ok ? 0 : 1;
}
