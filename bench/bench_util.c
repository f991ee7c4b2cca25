/* nftw() is an XSI function. */
#define _XOPEN_SOURCE 700
/* Timing, samples, directories, and the broker process the bench drives
 * (started the way tests/harness.c starts it). */
#include "bench.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <lmdb.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "codec.h"

#define CALL_TIMEOUT_MS 20000

uint64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

double bench_pages(double kib)
{
    return kib * 1024.0 / (double)sysconf(_SC_PAGESIZE);
}

/* ---- samples */

void samples_add(samples_t *s, uint64_t ns)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        uint64_t *v = realloc(s->v, cap * sizeof *v);
        if (!v) {
            bench_error("out of memory for samples");
            return;
        }
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = ns;
}

void samples_merge(samples_t *dst, const samples_t *src)
{
    for (size_t i = 0; i < src->n; i++)
        samples_add(dst, src->v[i]);
}

void samples_free(samples_t *s)
{
    free(s->v);
    memset(s, 0, sizeof *s);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

uint64_t samples_pct(samples_t *s, double p)
{
    if (!s->n)
        return 0;
    qsort(s->v, s->n, sizeof *s->v, cmp_u64);
    size_t rank = (size_t)(p / 100.0 * (double)s->n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > s->n)
        rank = s->n;
    return s->v[rank - 1];
}

uint64_t samples_max(samples_t *s)
{
    return samples_pct(s, 100);
}

/* ---- errors */

static volatile int failed;

void bench_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("  ERROR: ", stdout);
    vprintf(fmt, ap);
    fputc('\n', stdout);
    fflush(stdout);
    va_end(ap);
    failed = 1;
}

bool bench_failed(void)
{
    return failed != 0;
}

/* ---- directories and processes */

bool bench_mkdtemp(const bench_cfg_t *cfg, const char *tag, char *dir, size_t len)
{
    snprintf(dir, len, "%s/sertel-bench-%s-XXXXXX", cfg->tmp, tag);
    if (!mkdtemp(dir)) {
        bench_error("cannot make a directory under %s: %s", cfg->tmp, strerror(errno));
        dir[0] = '\0';
        return false;
    }
    return true;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

void bench_rmtree(const char *dir)
{
    if (dir && dir[0])
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

double bench_cpu_s(pid_t pid)
{
    if (pid == 0) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
               (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    }
    char path[64], buf[2048];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* Fields after the command name (which may hold spaces): utime and
     * stime are the 12th and 13th after the closing parenthesis. */
    char *p = strrchr(buf, ')');
    unsigned long ut = 0, st = 0;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return 0;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

uint64_t bench_write_bytes(pid_t pid)
{
    char path[64], line[256];
    if (pid)
        snprintf(path, sizeof path, "/proc/%d/io", (int)pid);
    else
        snprintf(path, sizeof path, "/proc/self/io");
    FILE *f = fopen(path, "r");
    unsigned long long v = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "wchar: %llu", &v) == 1)
            break;
    if (f)
        fclose(f);
    return (uint64_t)v;
}

void bench_machine_cpu(double *busy_s, double *steal_s)
{
    unsigned long long v[8] = {0};
    FILE *f = fopen("/proc/stat", "r");
    if (!f || fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                     &v[4], &v[5], &v[6], &v[7]) != 8)
        memset(v, 0, sizeof v);
    if (f)
        fclose(f);
    double hz = (double)sysconf(_SC_CLK_TCK);
    *busy_s = (double)(v[0] + v[1] + v[2] + v[5] + v[6]) / hz;
    *steal_s = (double)v[7] / hz;
}

double bench_own_cpu_s(void)
{
    struct rusage self, kids;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &kids);
    return (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec +
                    kids.ru_stime.tv_sec) +
           (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec + kids.ru_utime.tv_usec +
                    kids.ru_stime.tv_usec) / 1e6;
}

long bench_ctxsw(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long total = 0, v;
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "voluntary_ctxt_switches: %ld", &v) == 1 ||
            sscanf(line, "nonvoluntary_ctxt_switches: %ld", &v) == 1)
            total += v;
    fclose(f);
    return total;
}

double bench_runq_wait_s(pid_t pid)
{
    char dir[64];
    if (pid)
        snprintf(dir, sizeof dir, "/proc/%d/task", (int)pid);
    else
        snprintf(dir, sizeof dir, "/proc/self/task");
    DIR *d = opendir(dir);
    unsigned long long total = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[sizeof dir + sizeof e->d_name + 16];
        snprintf(path, sizeof path, "%s/%s/schedstat", dir, e->d_name);
        FILE *f = fopen(path, "r");
        unsigned long long run, wait;
        /* on the CPU, waiting runnable (both ns), times run */
        if (f && fscanf(f, "%llu %llu", &run, &wait) == 2)
            total += wait;
        if (f)
            fclose(f);
    }
    if (d)
        closedir(d);
    return (double)total / 1e9;
}

bench_mem_t bench_mem(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    bench_mem_t m = {0};
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld", &m.rss_kb) != 1 && sscanf(line, "VmHWM: %ld", &m.hwm_kb) != 1 &&
            sscanf(line, "RssAnon: %ld", &m.anon_kb) != 1)
            sscanf(line, "RssFile: %ld", &m.file_kb);
    if (f)
        fclose(f);
    return m;
}

uint64_t bench_file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

long bench_raise_nofile(void)
{
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) != 0)
        return -1;
    if (r.rlim_cur < r.rlim_max) {
        r.rlim_cur = r.rlim_max;
        setrlimit(RLIMIT_NOFILE, &r);
        getrlimit(RLIMIT_NOFILE, &r);
    }
    return r.rlim_cur == RLIM_INFINITY ? -1 : (long)r.rlim_cur;
}

uint64_t bench_lmdb_txnid(const char *db_dir)
{
    MDB_env *env;
    MDB_envinfo info = {0};
    if (mdb_env_create(&env) != 0)
        return 0;
    int rc = mdb_env_set_maxdbs(env, 32);
    if (rc == 0)
        rc = mdb_env_open(env, db_dir, MDB_RDONLY | MDB_NOTLS, 0600);
    if (rc == 0)
        rc = mdb_env_info(env, &info);
    mdb_env_close(env);
    return rc == 0 ? (uint64_t)info.me_last_txnid : 0;
}

static bool run_quiet(const char *const argv[])
{
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int status;
    return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
           WEXITSTATUS(status) == 0;
}

bool broker_proc_make(broker_proc_t *b, const bench_cfg_t *cfg, const char *tag)
{
    memset(b, 0, sizeof *b);
    if (!bench_mkdtemp(cfg, tag, b->dir, sizeof b->dir))
        return false;
    /* The administrator's key lives beside the data directory, never in it. */
    char err[512], path[600];
    snprintf(path, sizeof path, "%s.admin.key", b->dir);
    const char *init[] = {SERTEL_BROKER_BIN, "init", "--data", b->dir, "--endpoint",
                          "tcp://127.0.0.1:0", "--admin-key", path, NULL};
    if (!run_quiet(init)) {
        bench_error("sertel-broker init --data %s failed", b->dir);
        return false;
    }
    if (keyfile_read(path, &b->admin, err, sizeof err) != SERTEL_OK) {
        bench_error("%s", err);
        return false;
    }
    return true;
}

bool broker_proc_init(broker_proc_t *b, const bench_cfg_t *cfg, const char *tag)
{
    return broker_proc_make(b, cfg, tag) && broker_proc_spawn(b);
}

/* The broker prints the endpoint it bound as its first line: once that
 * line exists it listens. Its log goes to DIR/broker.log. */
bool broker_proc_spawn(broker_proc_t *b)
{
    int fds[2];
    char log[600];
    snprintf(log, sizeof log, "%s/broker.log", b->dir);
    if (pipe(fds) != 0) {
        bench_error("pipe: %s", strerror(errno));
        return false;
    }
    b->pid = fork();
    if (b->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(fds[1], 1);
        close(fds[0]);
        int lf = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (lf >= 0)
            dup2(lf, 2);
        /* The bench measures the write path, not the per-key limits
         * (its clients write far faster than an officer may). */
        execl(SERTEL_BROKER_BIN, SERTEL_BROKER_BIN, "--data", b->dir, "--endpoint",
              "tcp://127.0.0.1:0", "--max-writes-per-minute", "0", "--max-in-flight", "0",
              (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    bool ok = f && fgets(b->endpoint, sizeof b->endpoint, f) != NULL;
    if (f)
        fclose(f);
    b->endpoint[strcspn(b->endpoint, "\n")] = '\0';
    if (!ok || b->pid <= 0 || strncmp(b->endpoint, "tcp://", 6) != 0) {
        bench_error("sertel-broker did not start (see %s)", log);
        return false;
    }
    char err[512];
    b->admin_conn = conn_open(&b->admin, b->endpoint, err, sizeof err);
    if (!b->admin_conn) {
        bench_error("admin connection: %s", err);
        return false;
    }
    return true;
}

void broker_proc_stop(broker_proc_t *b)
{
    conn_close(&b->admin_conn);
    if (b->pid > 0) {
        kill(b->pid, SIGTERM);
        waitpid(b->pid, NULL, 0);
        b->pid = 0;
    }
}

void bench_log_tail(const broker_proc_t *b, int lines)
{
    char path[600], line[1024];
    snprintf(path, sizeof path, "%s/broker.log", b->dir);
    FILE *f = fopen(path, "r");
    long n = 0;
    while (f && fgets(line, sizeof line, f))
        n++;
    printf("  the broker's log (%s), its last %d lines:\n", path, lines);
    if (f)
        rewind(f);
    for (long i = 0; f && fgets(line, sizeof line, f); i++)
        if (i >= n - lines)
            printf("    %s", line);
    if (f)
        fclose(f);
}

void broker_proc_destroy(broker_proc_t *b, const bench_cfg_t *cfg)
{
    broker_proc_stop(b);
    if (!b->dir[0])
        return;
    if (cfg->keep)
        printf("  (kept %s)\n", b->dir);
    else {
        char key[600];
        snprintf(key, sizeof key, "%s.admin.key", b->dir);
        unlink(key);
        bench_rmtree(b->dir);
    }
}

/* ---- officers */

void bench_nip(int n, char nip[19])
{
    /* birth 1985-MM-DD, appointed 2010-01, male, serial 001-999: unique
     * for n below 12 * 28 * 999. */
    unsigned u = (unsigned)n;
    unsigned mm = 1 + u % 12, dd = 1 + (u / 12) % 28, serial = 1 + (u / 336) % 999;
    snprintf(nip, 19, "1985%02u%02u2010011%03u", mm % 100, dd % 100, serial % 1000);
}

/* A new key for the next officer of b, and the OfficerAdd that enrols it
 * (pointing into kf, add and pub, which the caller keeps). */
typedef struct {
    Sertel__Officer o;
    Sertel__OfficerAdd add;
    Sertel__Envelope env;
    uint8_t pub[32];
} officer_add_t;

static bool officer_add(broker_proc_t *b, const char *name, role_t role, unsigned quals,
                        keyfile_t *kf, officer_add_t *m)
{
    char err[512];
    memset(kf, 0, sizeof *kf);
    snprintf(kf->endpoint, sizeof kf->endpoint, "%s", b->endpoint);
    memcpy(kf->broker_public, b->admin.broker_public, sizeof kf->broker_public);
    bench_nip(b->next_officer++, kf->nip);
    snprintf(kf->name, sizeof kf->name, "%s", name);
    if (keyfile_generate(kf, err, sizeof err) != SERTEL_OK) {
        bench_error("key generation: %s", err);
        return false;
    }
    zmq_z85_decode(m->pub, kf->public_key);
    sertel__officer__init(&m->o);
    m->o.nip = kf->nip;
    m->o.name = kf->name;
    m->o.role = (Sertel__Role)role;
    m->o.quals = quals;
    m->o.active = true;
    m->o.public_key.data = m->pub;
    m->o.public_key.len = sizeof m->pub;
    sertel__officer_add__init(&m->add);
    m->add.officer = &m->o;
    sertel__envelope__init(&m->env);
    m->env.body_case = SERTEL__ENVELOPE__BODY_OFFICER_ADD;
    m->env.officer_add = &m->add;
    return true;
}

bool bench_enrol(broker_proc_t *b, const char *name, role_t role, unsigned quals, keyfile_t *kf)
{
    officer_add_t m;
    if (!officer_add(b, name, role, quals, kf, &m))
        return false;
    Sertel__Envelope *reply = bench_call(b->admin_conn, &m.env, "officer add");
    sertel__envelope__free_unpacked(reply, NULL);
    return reply != NULL;
}

#define ENROL_WINDOW 64

bool bench_enrol_many(broker_proc_t *b, const char *name, role_t role, int n, keyfile_t *kfs)
{
    void *zctx = zmq_ctx_new();
    void *s = bench_raw_dealer(zctx, &b->admin, b->endpoint);
    int sent = 0, done = 0;
    bool ok = s != NULL;
    while (ok && done < n) {
        while (ok && sent < n && sent - done < ENROL_WINDOW) {
            char full[128];
            officer_add_t m;
            snprintf(full, sizeof full, "%s %d", name, sent + 1);
            ok = officer_add(b, full, role, 0, &kfs[sent], &m);
            m.env.request_id = (uint64_t)sent + 1;
            ok = ok && bench_raw_send(s, &m.env);
            sent++;
        }
        zmq_pollitem_t it = {s, 0, ZMQ_POLLIN, 0};
        if (!ok || zmq_poll(&it, 1, CALL_TIMEOUT_MS) <= 0) {
            bench_error("officer add: no reply within %d ms (%d of %d enrolled)", CALL_TIMEOUT_MS,
                        done, n);
            ok = false;
            break;
        }
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        char why[256] = "";
        Sertel__Envelope *r = NULL;
        if (zmq_msg_recv(&msg, s, 0) >= 0)
            r = codec_envelope_unpack(zmq_msg_data(&msg), zmq_msg_size(&msg), why, sizeof why);
        zmq_msg_close(&msg);
        if (!r || r->body_case == SERTEL__ENVELOPE__BODY_ERROR) {
            bench_error("officer add refused: %s", r ? r->error->message : why);
            ok = false;
        }
        sertel__envelope__free_unpacked(r, NULL);
        done++;
    }
    if (s)
        zmq_close(s);
    zmq_ctx_term(zctx);
    return ok;
}

conn_t *bench_connect(broker_proc_t *b, const keyfile_t *kf)
{
    char err[512];
    conn_t *c = conn_open(kf, b->endpoint, err, sizeof err);
    if (!c)
        bench_error("connect %s: %s", kf->nip, err);
    return c;
}

Sertel__Envelope *bench_call(conn_t *c, Sertel__Envelope *req, const char *what)
{
    return bench_call_ms(c, req, what, CALL_TIMEOUT_MS);
}

Sertel__Envelope *bench_call_ms(conn_t *c, Sertel__Envelope *req, const char *what, int timeout_ms)
{
    Sertel__Envelope *reply = NULL;
    char err[512] = "";
    if (conn_call(c, req, &reply, timeout_ms, err, sizeof err) != SERTEL_OK) {
        bench_error("%s: %s", what, err);
        return NULL;
    }
    if (reply->body_case == SERTEL__ENVELOPE__BODY_ERROR) {
        bench_error("%s refused (%d): %s", what, (int)reply->error->code, reply->error->message);
        sertel__envelope__free_unpacked(reply, NULL);
        return NULL;
    }
    return reply;
}

uint64_t bench_hello(conn_t *c, uint64_t last_seq)
{
    Sertel__Hello hello = SERTEL__HELLO__INIT;
    hello.last_seq = last_seq;
    hello.client = "sertel-bench";
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_HELLO;
    req.hello = &hello;
    Sertel__Envelope *reply = bench_call(c, &req, "hello");
    if (!reply)
        return UINT64_MAX;
    uint64_t seq = reply->body_case == SERTEL__ENVELOPE__BODY_WELCOME ? reply->welcome->last_seq : 0;
    sertel__envelope__free_unpacked(reply, NULL);
    return seq;
}

void *bench_raw_dealer(void *zctx, const keyfile_t *kf, const char *endpoint)
{
    void *s = zmq_socket(zctx, ZMQ_DEALER);
    int zero = 0;
    if (!s || zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero) != 0 ||
        zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, kf->broker_public, Z85_KEY_LEN) != 0 ||
        zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, kf->public_key, Z85_KEY_LEN) != 0 ||
        zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, kf->secret_key, Z85_KEY_LEN) != 0 ||
        zmq_connect(s, endpoint) != 0) {
        bench_error("raw connection to %s: %s", endpoint, zmq_strerror(errno));
        if (s)
            zmq_close(s);
        return NULL;
    }
    return s;
}

void bench_router_echo(void *router)
{
    for (;;) {
        zmq_msg_t rid, body;
        zmq_msg_init(&rid);
        zmq_msg_init(&body);
        if (zmq_msg_recv(&rid, router, 0) < 0 || zmq_msg_recv(&body, router, 0) < 0) {
            zmq_msg_close(&rid);
            zmq_msg_close(&body);
            return;
        }
        bool stop = zmq_msg_size(&body) == 4 && memcmp(zmq_msg_data(&body), "stop", 4) == 0;
        zmq_msg_send(&rid, router, ZMQ_SNDMORE);
        zmq_msg_send(&body, router, 0);
        if (stop)
            return;
    }
}

bool bench_raw_send(void *sock, Sertel__Envelope *env)
{
    env->version = PROTOCOL_VERSION;
    size_t len;
    uint8_t *buf = codec_pack(&env->base, &len);
    bool ok = buf && zmq_send(sock, buf, len, 0) >= 0;
    free(buf);
    return ok;
}

void bench_application(Sertel__Application *app)
{
    /* Each application its own applicant and letter, process-wide: the
     * broker refuses a letter whose applicant and number match an open
     * case (unless forced), and it looks for one among that applicant's
     * cases, so one applicant with 100,000 open cases would make every
     * intake walk them all (not an office's shape). */
    static atomic_uint next;
    unsigned n = atomic_fetch_add(&next, 1);
    static _Thread_local char no[24], nip[19];
    snprintf(no, sizeof no, "800/%u/Disdik", n + 1);
    /* born 1987-MM-DD, appointed 2011-01, serial 001-999: unique for
     * 12 * 28 * 999 applications */
    snprintf(nip, sizeof nip, "1987%02u%02u2011011%03u", 1 + n % 12, 1 + (n / 12) % 28,
             1 + (n / 336) % 999);
    sertel__application__init(app);
    app->name = "Budi Santoso";
    app->nip = nip;
    app->unit = "Dinas Pendidikan";
    app->position = "Analis Kepegawaian";
    app->email = "budi.santoso@ciamiskab.go.id";
    app->phone = "081234567890";
    app->channel = SERTEL__CHANNEL__CHANNEL_SURAT;
    app->letter_no = no;
    app->letter_date = "2026-11-20";
    app->subject = "Permohonan pembaharuan sertifikat elektronik";
    app->urgency = SERTEL__URGENCY__URGENCY_BIASA;
}

void bench_intake(bench_intake_t *x, Sertel__Envelope *req)
{
    bench_application(&x->app);
    sertel__attachment__init(&x->letter);
    x->letter.name = "surat-permohonan.pdf";
    x->letter.content.data = (uint8_t *)BENCH_PDF("surat permohonan");
    x->letter.content.len = strlen((char *)x->letter.content.data);
    x->letters[0] = &x->letter;
    sertel__intake__init(&x->intake);
    x->intake.app = &x->app;
    x->intake.attachments = x->letters;
    x->intake.n_attachments = 1;
    sertel__envelope__init(req);
    req->body_case = SERTEL__ENVELOPE__BODY_INTAKE;
    req->intake = &x->intake;
}
