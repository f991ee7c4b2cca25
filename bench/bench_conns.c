/* (e) Connected officers: the broker's memory with N officers (1,000 by
 * default) connected at once, each over its own CURVE connection with its
 * own key, each having said Hello and been welcomed, as an office's
 * workstations sit through the day.
 *
 * The officers are enrolled pipelined on one admin connection; then one
 * raw DEALER per officer, all in this process (one ZeroMQ context, its
 * socket limit raised; the open-file limit raised to its hard limit
 * before any broker starts, so the broker inherits it too). Every key
 * has one connection, so the broker's per-key limits do not apply. The
 * broker's VmRSS (and its anonymous and file-backed parts) is read from
 * /proc/PID/status before the first connection, once every Welcome has
 * arrived, and SETTLE_MS later: the officers then sit connected, as
 * through the day, and the broker has renewed its key check's socket
 * twice (once a second), which drops the pipe libzmq keeps from each
 * connection to it (server/zap.c).
 *
 * Beside it, the floor: the same number of CURVE connections to a bare
 * ROUTER that echoes one small message per connection, in a process of
 * its own (this program run as `sertel-bench --bare-router KEY`): what
 * ZeroMQ alone keeps per connection on this machine. */
#include "bench.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "codec.h"

#define WELCOME_WAIT_MS 60000
#define SETTLE_MS 2500
#define HELLO_ID 7

static bool send_hello(void *sock)
{
    Sertel__Hello hello = SERTEL__HELLO__INIT;
    hello.client = "sertel-bench";
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_HELLO;
    req.hello = &hello;
    req.request_id = HELLO_ID;
    return bench_raw_send(sock, &req);
}

/* Reads what arrived on sock; true once it was the Welcome. */
static bool welcomed(void *sock, int *refused)
{
    zmq_msg_t m;
    zmq_msg_init(&m);
    bool yes = false;
    while (zmq_msg_recv(&m, sock, ZMQ_DONTWAIT) >= 0) {
        char why[256];
        Sertel__Envelope *env =
            codec_envelope_unpack(zmq_msg_data(&m), zmq_msg_size(&m), why, sizeof why);
        if (env && env->body_case == SERTEL__ENVELOPE__BODY_ERROR) {
            bench_error("hello refused: %s", env->error->message);
            (*refused)++;
        }
        yes = yes || (env && env->body_case == SERTEL__ENVELOPE__BODY_WELCOME &&
                      env->request_id == HELLO_ID);
        sertel__envelope__free_unpacked(env, NULL);
    }
    zmq_msg_close(&m);
    return yes;
}

/* Connects every officer and says Hello; returns how many were welcomed
 * within WELCOME_WAIT_MS. */
static int connect_all(const broker_proc_t *b, const keyfile_t *kfs, int n, void *zctx,
                       void **socks)
{
    for (int i = 0; i < n; i++) {
        socks[i] = bench_raw_dealer(zctx, &kfs[i], b->endpoint);
        if (!socks[i] || !send_hello(socks[i])) {
            bench_error("officer %d: cannot connect or say Hello: %s", i + 1, zmq_strerror(errno));
            return 0;
        }
    }
    zmq_pollitem_t *items = calloc((size_t)n, sizeof *items);
    bool *done = calloc((size_t)n, sizeof *done);
    int welcomed_n = 0, refused = 0;
    uint64_t deadline = bench_now_ns() + (uint64_t)WELCOME_WAIT_MS * 1000000u;
    while (items && done && welcomed_n < n && bench_now_ns() < deadline && !refused) {
        int m = 0;
        for (int i = 0; i < n; i++)
            if (!done[i])
                items[m++] = (zmq_pollitem_t){socks[i], 0, ZMQ_POLLIN, 0};
        if (zmq_poll(items, m, 1000) < 0)
            break;
        for (int i = 0; i < n; i++)
            if (!done[i] && welcomed(socks[i], &refused)) {
                done[i] = true;
                welcomed_n++;
            }
    }
    free(items);
    free(done);
    return welcomed_n;
}

/* ---- the floor: a bare CURVE ROUTER */

/* Answers one ZAP request: every key is welcome (the floor measures what
 * libzmq keeps per connection with a handler, not a key check). */
static void admit_all(void *zap)
{
    zmq_msg_t f[8];
    int n = 0;
    for (int more = 1; more && n < 8; n++) {
        zmq_msg_init(&f[n]);
        if (zmq_msg_recv(&f[n], zap, 0) < 0)
            return;
        more = zmq_msg_more(&f[n]);
    }
    const char *reply[] = {"1.0", NULL, "200", "OK", "floor", ""};
    for (int i = 0; i < 6; i++) {
        int flags = i < 5 ? ZMQ_SNDMORE : 0;
        if (i == 1)
            zmq_send(zap, zmq_msg_data(&f[1]), n > 1 ? zmq_msg_size(&f[1]) : 0, flags);
        else
            zmq_send(zap, reply[i], strlen(reply[i]), flags);
    }
    for (int i = 0; i < n; i++)
        zmq_msg_close(&f[i]);
}

/* Echoes every message until one says "stop", answering ZAP meanwhile. */
static void echo_with_zap(void *router, void *zap)
{
    for (bool stop = false; !stop;) {
        zmq_pollitem_t items[] = {{zap, 0, ZMQ_POLLIN, 0}, {router, 0, ZMQ_POLLIN, 0}};
        if (zmq_poll(items, 2, -1) < 0)
            return;
        if (items[0].revents & ZMQ_POLLIN)
            admit_all(zap);
        zmq_msg_t rid, body;
        zmq_msg_init(&rid);
        zmq_msg_init(&body);
        while (!stop && zmq_msg_recv(&rid, router, ZMQ_DONTWAIT) >= 0 &&
               zmq_msg_recv(&body, router, 0) >= 0) {
            stop = zmq_msg_size(&body) == 4 && memcmp(zmq_msg_data(&body), "stop", 4) == 0;
            zmq_msg_send(&rid, router, ZMQ_SNDMORE);
            zmq_msg_send(&body, router, 0);
        }
        zmq_msg_close(&rid);
        zmq_msg_close(&body);
    }
}

int bench_bare_router_main(const char *secret_z85, bool with_zap)
{
    void *ctx = zmq_ctx_new();
    zmq_ctx_set(ctx, 10, 0); /* ZMQ_ZERO_COPY_RECV off, as the broker (broker.c) */
    /* Bound before the ROUTER, as the broker's (zap.c). */
    void *zap = with_zap ? zmq_socket(ctx, ZMQ_REP) : NULL;
    if (with_zap && (!zap || zmq_bind(zap, "inproc://zeromq.zap.01") != 0))
        return 1;
    void *r = zmq_socket(ctx, ZMQ_ROUTER);
    int one = 1;
    char ep[256];
    size_t len = sizeof ep;
    if (!r || zmq_setsockopt(r, ZMQ_CURVE_SERVER, &one, sizeof one) != 0 ||
        zmq_setsockopt(r, ZMQ_CURVE_SECRETKEY, secret_z85, 40) != 0 ||
        (zap && zmq_setsockopt(r, ZMQ_ZAP_DOMAIN, "floor", 5) != 0) ||
        zmq_bind(r, "tcp://127.0.0.1:0") != 0 ||
        zmq_getsockopt(r, ZMQ_LAST_ENDPOINT, ep, &len) != 0)
        return 1;
    printf("%s\n", ep);
    fflush(stdout);
    if (zap)
        echo_with_zap(r, zap);
    else
        bench_router_echo(r);
    zmq_close(r);
    if (zap)
        zmq_close(zap);
    zmq_ctx_term(ctx);
    return 0;
}

/* n CURVE DEALERs to a bare ROUTER process, one echoed message each. */
static bool bare_rss(int n, bool zap, bench_mem_t *idle, bench_mem_t *busy)
{
    char spub[41], ssec[41], ep[256] = "";
    int fds[2];
    if (zmq_curve_keypair(spub, ssec) != 0 || pipe(fds) != 0)
        return false;
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(fds[1], 1);
        close(fds[0]);
        execl("/proc/self/exe", "sertel-bench", "--bare-router", ssec, zap ? "zap" : "no-zap",
              (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    bool ok = pid > 0 && f && fgets(ep, sizeof ep, f) != NULL;
    if (f)
        fclose(f);
    ep[strcspn(ep, "\n")] = '\0';
    if (ok)
        *idle = bench_mem(pid);
    void *ctx = zmq_ctx_new();
    zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, n + 16);
    void **socks = calloc((size_t)n, sizeof *socks);
    int zero = 0, echoed = 0;
    for (int i = 0; ok && socks && i < n; i++) {
        char cpub[41], csec[41];
        zmq_curve_keypair(cpub, csec);
        void *d = socks[i] = zmq_socket(ctx, ZMQ_DEALER);
        ok = d && zmq_setsockopt(d, ZMQ_LINGER, &zero, sizeof zero) == 0 &&
             zmq_setsockopt(d, ZMQ_CURVE_SERVERKEY, spub, 40) == 0 &&
             zmq_setsockopt(d, ZMQ_CURVE_PUBLICKEY, cpub, 40) == 0 &&
             zmq_setsockopt(d, ZMQ_CURVE_SECRETKEY, csec, 40) == 0 && zmq_connect(d, ep) == 0 &&
             zmq_send(d, "hello, bare router", 18, 0) == 18;
    }
    int rcvtimeo = WELCOME_WAIT_MS;
    char buf[64];
    for (int i = 0; ok && socks && i < n; i++) {
        zmq_setsockopt(socks[i], ZMQ_RCVTIMEO, &rcvtimeo, sizeof rcvtimeo);
        echoed += zmq_recv(socks[i], buf, sizeof buf, 0) == 18;
    }
    ok = ok && echoed == n;
    if (ok)
        *busy = bench_mem(pid);
    if (socks && socks[0])
        zmq_send(socks[0], "stop", 4, 0);
    for (int i = 0; socks && i < n; i++)
        if (socks[i])
            zmq_close(socks[i]);
    free(socks);
    zmq_ctx_term(ctx);
    if (pid > 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
    }
    return ok;
}

/* One letter taken in, with its scan, by the first officer, who then
 * disconnects: the broker measured is one that has worked (an intake is
 * its first morning's work, and an attachment's hash starts OpenSSL),
 * not one that has only enrolled. */
static bool take_one_letter(broker_proc_t *b, const keyfile_t *staf)
{
    conn_t *c = bench_connect(b, staf);
    if (!c)
        return false;
    bench_intake_t intake;
    Sertel__Envelope req;
    bench_intake(&intake, &req);
    Sertel__Envelope *r = bench_call(c, &req, "intake");
    sertel__envelope__free_unpacked(r, NULL);
    conn_close(&c);
    return r != NULL;
}

static void print_mem(const char *when, bench_mem_t m)
{
    printf("      %-36s VmRSS %6.1f MiB (anonymous %.1f, file-backed %.1f); peak %.1f MiB\n", when,
           m.rss_kb / 1024.0, m.anon_kb / 1024.0, m.file_kb / 1024.0, m.hwm_kb / 1024.0);
}

/* Where the broker's memory is, before and after, and what each part
 * grew by per officer. */
static void print_parts(const conns_result_t *r)
{
    printf("      %-40s %9s %9s %12s\n", "of which (KiB):", "none", "all", "per officer");
    for (int i = 0; i < MEM_PARTS; i++)
        printf("        %-38s %9ld %9ld %12.2f\n", bench_mem_part_names[i], r->parts_before.kb[i],
               r->parts_after.kb[i],
               (double)(r->parts_after.kb[i] - r->parts_before.kb[i]) / r->officers);
}

static void print_floor(const char *what, int n, bench_mem_t idle, bench_mem_t busy)
{
    printf("      %-36s VmRSS %6.1f MiB idle, %.1f MiB connected = %.1f KiB per connection\n", what,
           idle.rss_kb / 1024.0, busy.rss_kb / 1024.0, (double)(busy.rss_kb - idle.rss_kb) / n);
}

/* The two floors, in processes of their own, with the broker's context
 * options: what libzmq keeps per CURVE connection, and per connection
 * with a ZAP handler (the broker has one: each connection keeps a pipe
 * to it). */
static void floors(int n, conns_result_t *out)
{
    out->have_bare = bare_rss(n, false, &out->bare_idle, &out->bare);
    out->have_zap = bare_rss(n, true, &out->zap_idle, &out->zap);
    if (!out->have_bare && !out->have_zap)
        return;
    printf("  floor: a bare CURVE ROUTER process, %d DEALERs, one message echoed each:\n", n);
    if (out->have_bare)
        print_floor("without ZAP:", n, out->bare_idle, out->bare);
    if (out->have_zap)
        print_floor("with a ZAP handler (as the broker):", n, out->zap_idle, out->zap);
    if (out->have && out->have_zap)
        printf("      the broker less the ZAP floor: %.1f MiB idle, %.2f KiB per officer\n",
               (out->before.rss_kb - out->zap_idle.rss_kb) / 1024.0,
               (double)((out->after.rss_kb - out->before.rss_kb) -
                        (out->zap.rss_kb - out->zap_idle.rss_kb)) /
                   n);
}

bool bench_conns(const bench_cfg_t *cfg, conns_result_t *out)
{
    memset(out, 0, sizeof *out);
    int n = cfg->officers;
    out->officers = n;
    out->nofile = bench_raise_nofile();
    broker_proc_t b = {.pid = 0};
    keyfile_t *kfs = calloc((size_t)n, sizeof *kfs);
    void **socks = calloc((size_t)n, sizeof *socks);
    bool ok = kfs && socks && broker_proc_init(&b, cfg, "conns");
    uint64_t t0 = bench_now_ns();
    ok = ok && bench_enrol_many(&b, "Staf", ROLE_STAF, n, kfs);
    out->enrol_s = (double)(bench_now_ns() - t0) / 1e9;
    void *zctx = zmq_ctx_new();
    /* Each DEALER is a socket of its own: past ZeroMQ's default of 1023. */
    zmq_ctx_set(zctx, ZMQ_MAX_SOCKETS, n + 16);
    if (ok) {
        printf("  %d officers enrolled (pipelined) in %.2f s; open-file limit %ld\n", n,
               out->enrol_s, out->nofile);
        ok = take_one_letter(&b, &kfs[0]);
        printf("  one letter taken in (with its scan) by the first officer, who left%s\n",
               ok ? "" : ": FAILED");
    }
    if (ok) {
        out->before = bench_mem(b.pid);
        bench_mem_parts(b.pid, &out->parts_before);
        double cpu0 = bench_cpu_s(b.pid);
        t0 = bench_now_ns();
        out->welcomed = connect_all(&b, kfs, n, zctx, socks);
        out->connect_s = (double)(bench_now_ns() - t0) / 1e9;
        out->at_welcome = bench_mem(b.pid);
        out->broker_cpu_ms = (bench_cpu_s(b.pid) - cpu0) * 1e3;
        nanosleep(&(struct timespec){SETTLE_MS / 1000, SETTLE_MS % 1000 * 1000000L}, NULL);
        out->after = bench_mem(b.pid);
        bench_mem_parts(b.pid, &out->parts_after);
        ok = out->welcomed == n;
        if (!ok)
            bench_error("only %d of %d officers were welcomed within %d ms", out->welcomed, n,
                        WELCOME_WAIT_MS);
        out->have = ok;
        printf("  %d CURVE connections, one key each, Hello -> Welcome for all in %.2f s;"
               " broker CPU %.0f ms\n",
               out->welcomed, out->connect_s, out->broker_cpu_ms);
        print_mem("broker, no officer connected:", out->before);
        print_mem("broker, at the last Welcome:", out->at_welcome);
        print_mem("broker, every officer welcomed, 2.5 s on:", out->after);
        printf("      = %.1f KiB more per connected officer\n",
               (double)(out->after.rss_kb - out->before.rss_kb) / n);
        print_parts(out);
    }
    if (ok)
        floors(n, out);
    for (int i = 0; socks && i < n; i++)
        if (socks[i])
            zmq_close(socks[i]);
    zmq_ctx_term(zctx);
    if (b.dir[0] && !ok)
        bench_log_tail(&b, 20);
    broker_proc_destroy(&b, cfg);
    free(socks);
    free(kfs);
    return ok;
}
