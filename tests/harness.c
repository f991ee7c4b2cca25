#include "harness.h"

#include "codec.h"

#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define CALL_TIMEOUT_MS 10000

static bool run(const char *const argv[])
{
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", 1);
        dup2(null, 1);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int status;
    return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
           WEXITSTATUS(status) == 0;
}

/* Starts the broker and reads the endpoint it prints as its first line:
 * the broker is listening once that line exists, so nothing sleeps. */
static bool spawn_broker(harness_t *h, const char *endpoint)
{
    int fds[2];
    if (pipe(fds) != 0)
        return false;
    h->pid = fork();
    if (h->pid == 0) {
        /* The broker dies with the test, even when the test is killed. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(fds[1], 1);
        close(fds[0]);
        const char *argv[8 + HARNESS_ARGS_MAX] = {SERTEL_BROKER_BIN, "--data", h->dir,
                                                  "--endpoint", endpoint};
        for (int i = 0; h->args && h->args[i] && i < HARNESS_ARGS_MAX; i++)
            argv[5 + i] = h->args[i];
        execv(SERTEL_BROKER_BIN, (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    bool ok = f && fgets(h->endpoint, sizeof h->endpoint, f) != NULL;
    if (f)
        fclose(f);
    h->endpoint[strcspn(h->endpoint, "\n")] = '\0';
    return ok && h->pid > 0;
}

bool harness_start(harness_t *h)
{
    return harness_start_args(h, NULL);
}

bool harness_start_args(harness_t *h, const char *const *args)
{
    memset(h, 0, sizeof *h);
    h->args = args;
    snprintf(h->dir, sizeof h->dir, "/tmp/sertel-test-XXXXXX");
    if (!mkdtemp(h->dir))
        return false;
    /* The administrator's key is never inside the data directory: it
     * lives beside it, and goes with it in harness_destroy. */
    char err[512], path[512];
    snprintf(path, sizeof path, "%s.admin.key", h->dir);
    const char *init[] = {SERTEL_BROKER_BIN, "init", "--data", h->dir, "--endpoint",
                          "tcp://127.0.0.1:0", "--admin-key", path, NULL};
    if (!run(init) || keyfile_read(path, &h->admin, err, sizeof err) != SERTEL_OK)
        return false;
    if (!spawn_broker(h, "tcp://127.0.0.1:0"))
        return false;
    h->admin_conn = conn_open(&h->admin, h->endpoint, err, sizeof err);
    return h->admin_conn != NULL;
}

bool harness_restart(harness_t *h)
{
    char endpoint[256];
    snprintf(endpoint, sizeof endpoint, "%s", h->endpoint);
    return spawn_broker(h, endpoint);
}

/* Being traced at exit means LeakSanitizer is suspending the process to
 * look for leaks; under load on this kind of machine that can hang. */
static bool traced(pid_t pid)
{
    char path[64], line[128];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    int tracer = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "TracerPid: %d", &tracer) == 1)
            break;
    if (f)
        fclose(f);
    return tracer > 0;
}

void harness_stop(harness_t *h, int sig)
{
    if (h->pid <= 0)
        return;
    kill(h->pid, sig);
    h->exit_status = -1;
    /* At most 20 s: under LeakSanitizer an exiting process can, rarely,
     * hang in the sanitizer's thread suspension, and a test must not. */
    struct timespec tick = {0, 50 * 1000 * 1000};
    for (int i = 0; i < 400 && waitpid(h->pid, &h->exit_status, WNOHANG) == 0; i++)
        nanosleep(&tick, NULL);
    if (h->exit_status == -1 && kill(h->pid, 0) == 0) {
        bool leak_check = traced(h->pid);
        print_message("note: broker %d did not stop within 20 s; killed%s\n", (int)h->pid,
                      leak_check ? " (hung in LeakSanitizer's check at exit)" : "");
        kill(h->pid, SIGKILL);
        waitpid(h->pid, &h->exit_status, 0);
        /* It had finished; only the sanitizer's own suspension hung. */
        if (leak_check)
            h->exit_status = 0;
    }
    h->pid = 0;
}

void harness_destroy(harness_t *h)
{
    conn_close(&h->admin_conn);
    harness_stop(h, SIGTERM);
    char key[300];
    snprintf(key, sizeof key, "%s.admin.key", h->dir);
    const char *rm[] = {"/bin/rm", "-rf", h->dir, key, NULL};
    run(rm);
}

Sertel__Envelope *harness_call(conn_t *c, Sertel__Envelope *req)
{
    Sertel__Envelope *reply = NULL;
    char err[512] = "";
    sertel_err_t e = conn_call(c, req, &reply, CALL_TIMEOUT_MS, err, sizeof err);
    if (e != SERTEL_OK)
        fail_msg("call failed: %s", err);
    return reply;
}

int harness_error(const Sertel__Envelope *reply)
{
    return reply->body_case == SERTEL__ENVELOPE__BODY_ERROR ? (int)reply->error->code : 0;
}

bool harness_enrol(harness_t *h, const char *nip, const char *name, role_t role,
                   unsigned quals, keyfile_t *kf)
{
    char err[512], path[512];
    memset(kf, 0, sizeof *kf);
    snprintf(kf->endpoint, sizeof kf->endpoint, "%s", h->endpoint);
    memcpy(kf->broker_public, h->admin.broker_public, sizeof kf->broker_public);
    snprintf(kf->nip, sizeof kf->nip, "%s", nip);
    snprintf(kf->name, sizeof kf->name, "%s", name);
    if (keyfile_generate(kf, err, sizeof err) != SERTEL_OK)
        return false;
    uint8_t pub[32];
    zmq_z85_decode(pub, kf->public_key);
    Sertel__Officer o = SERTEL__OFFICER__INIT;
    o.nip = (char *)nip;
    o.name = (char *)name;
    o.role = (Sertel__Role)role;
    o.quals = quals;
    o.active = true;
    o.public_key.data = pub;
    o.public_key.len = 32;
    Sertel__OfficerAdd add = SERTEL__OFFICER_ADD__INIT;
    add.officer = &o;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_OFFICER_ADD;
    req.officer_add = &add;
    Sertel__Envelope *reply = harness_call(h->admin_conn, &req);
    bool ok = harness_error(reply) == 0;
    if (!ok)
        print_error("enrol %s: %s\n", nip, reply->error->message);
    sertel__envelope__free_unpacked(reply, NULL);
    snprintf(path, sizeof path, "%s/%s.key", h->dir, nip);
    return ok && keyfile_write(path, kf, err, sizeof err) == SERTEL_OK;
}

conn_t *harness_connect(harness_t *h, const keyfile_t *kf)
{
    char err[512];
    return conn_open(kf, h->endpoint, err, sizeof err);
}

uint64_t harness_hello(conn_t *c, uint64_t last_seq)
{
    Sertel__Hello hello = SERTEL__HELLO__INIT;
    hello.last_seq = last_seq;
    hello.batch = CONN_HELLO_BATCH;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_HELLO;
    req.hello = &hello;
    Sertel__Envelope *reply = harness_call(c, &req);
    if (harness_error(reply))
        fail_msg("hello refused: %s", reply->error->message);
    uint64_t seq = reply->welcome->last_seq;
    sertel__envelope__free_unpacked(reply, NULL);
    return seq;
}

/* ---- shared by the integration tests */

sertel_err_t harness_try_call(conn_t *c, Sertel__Envelope *req, Sertel__Envelope **reply,
                              int timeout_ms)
{
    char err[512];
    *reply = NULL;
    return conn_call(c, req, reply, timeout_ms, err, sizeof err);
}

void harness_application(Sertel__Application *app, const char *applicant, const char *applicant_nip)
{
    sertel__application__init(app);
    app->name = (char *)applicant;
    app->nip = (char *)(applicant_nip ? applicant_nip : "198707072011011001");
    app->unit = "Dinas Pendidikan";
    app->position = "Analis Kepegawaian";
    app->email = "pemohon@ciamiskab.go.id";
    app->phone = "081234567890";
    app->channel = SERTEL__CHANNEL__CHANNEL_SURAT;
    /* Each application its own letter: the broker refuses a letter whose
     * applicant and number match an open case, unless forced. */
    static char numbers[1u << 17][24]; /* more than any test registers */
    static unsigned n;
    char *no = numbers[n++ % (1u << 17)];
    snprintf(no, sizeof numbers[0], "800/%u/Disdik", n);
    app->letter_no = no;
    app->letter_date = "2026-11-20";
    app->subject = "Permohonan pembaharuan sertifikat elektronik";
    app->urgency = SERTEL__URGENCY__URGENCY_BIASA;
}

const uint8_t *harness_pdf(const char *text, size_t *len)
{
    static char buf[1024];
    int o1 = snprintf(buf, sizeof buf, "%%PDF-1.4\n");
    int o2 = o1 + snprintf(buf + o1, sizeof buf - (size_t)o1,
                           "1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n");
    int x = o2 + snprintf(buf + o2, sizeof buf - (size_t)o2,
                          "2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n%% %s\n", text);
    int n = x + snprintf(buf + x, sizeof buf - (size_t)x,
                         "xref\n0 3\n0000000000 65535 f \n%010d 00000 n \n%010d 00000 n \n"
                         "trailer << /Size 3 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n",
                         o1, o2, x);
    *len = (size_t)n;
    return (const uint8_t *)buf;
}

void harness_pdf_fill(uint8_t *buf, size_t size, char fill)
{
    static const char head[] = "%PDF-1.4\nxref\n0 1\n0000000000 65535 f \n"
                               "trailer << /Size 1 >>\n%";
    static const char tail[] = "\nstartxref\n9\n%%EOF\n";
    memset(buf, fill, size);
    memcpy(buf, head, sizeof head - 1);
    memcpy(buf + size - (sizeof tail - 1), tail, sizeof tail - 1);
}

Sertel__Envelope *harness_intake(conn_t *c, const char *applicant, const char *applicant_nip)
{
    size_t len;
    const uint8_t *pdf = harness_pdf("surat permohonan", &len);
    return harness_intake_letter(c, applicant, applicant_nip, pdf, len);
}

Sertel__Envelope *harness_intake_letter(conn_t *c, const char *applicant, const char *applicant_nip,
                                        const uint8_t *letter_bytes, size_t len)
{
    Sertel__Application app;
    harness_application(&app, applicant, applicant_nip);
    Sertel__Attachment letter = SERTEL__ATTACHMENT__INIT;
    letter.name = "surat-permohonan.pdf";
    letter.content.data = (uint8_t *)letter_bytes;
    letter.content.len = len;
    Sertel__Attachment *atts[] = {&letter};
    Sertel__Intake in = SERTEL__INTAKE__INIT;
    in.app = &app;
    in.attachments = atts;
    in.n_attachments = 1;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_INTAKE;
    req.intake = &in;
    return harness_call(c, &req);
}

Sertel__Envelope *harness_complete(conn_t *c, const char *case_id, const char *to_nip,
                                   const char *instruction)
{
    Sertel__Complete in = SERTEL__COMPLETE__INIT;
    in.case_id = (char *)case_id;
    in.to_nip = (char *)(to_nip ? to_nip : "");
    in.instruction = (char *)(instruction ? instruction : "");
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_COMPLETE;
    req.complete = &in;
    return harness_call(c, &req);
}

Sertel__Envelope *harness_case(conn_t *c, const char *case_id)
{
    Sertel__CaseQuery q = SERTEL__CASE_QUERY__INIT;
    q.case_id = (char *)case_id;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_CASE_QUERY;
    req.case_query = &q;
    return harness_call(c, &req);
}

Sertel__Envelope *harness_journal(harness_t *h, uint64_t since)
{
    Sertel__JournalQuery q = SERTEL__JOURNAL_QUERY__INIT;
    q.since = since;
    q.limit = 100000;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_JOURNAL;
    req.journal = &q;
    Sertel__Envelope *reply = harness_call(h->admin_conn, &req);
    if (reply->body_case != SERTEL__ENVELOPE__BODY_EVENTS)
        fail_msg("journal refused: %s", harness_error(reply) ? reply->error->message : "?");
    return reply;
}

size_t harness_journal_len(harness_t *h)
{
    Sertel__Envelope *j = harness_journal(h, 0);
    size_t n = j->events->n_events;
    sertel__envelope__free_unpacked(j, NULL);
    return n;
}

bool harness_raw_open(harness_t *h, const keyfile_t *kf, harness_raw_t *r)
{
    return harness_raw_open_queue(h, kf, r, 0);
}

bool harness_raw_open_queue(harness_t *h, const keyfile_t *kf, harness_raw_t *r, int rcvhwm)
{
    int zero = 0;
    char addr[64];
    memset(r, 0, sizeof *r);
    r->ctx = zmq_ctx_new();
    r->sock = r->ctx ? zmq_socket(r->ctx, ZMQ_DEALER) : NULL;
    if (!r->sock)
        return false;
    zmq_setsockopt(r->sock, ZMQ_LINGER, &zero, sizeof zero);
    if (rcvhwm > 0) {
        /* A client that takes little at a time: the kernel's buffer too. */
        int rcvbuf = 4096;
        zmq_setsockopt(r->sock, ZMQ_RCVHWM, &rcvhwm, sizeof rcvhwm);
        zmq_setsockopt(r->sock, ZMQ_RCVBUF, &rcvbuf, sizeof rcvbuf);
    }
    /* The monitor reports the broker closing the connection. */
    snprintf(addr, sizeof addr, "inproc://raw-monitor-%p", (void *)r);
    if (zmq_socket_monitor(r->sock, addr, ZMQ_EVENT_DISCONNECTED) != 0 ||
        !(r->monitor = zmq_socket(r->ctx, ZMQ_PAIR)) || zmq_connect(r->monitor, addr) != 0)
        return false;
    return zmq_setsockopt(r->sock, ZMQ_CURVE_SERVERKEY, kf->broker_public, Z85_KEY_LEN) == 0 &&
           zmq_setsockopt(r->sock, ZMQ_CURVE_PUBLICKEY, kf->public_key, Z85_KEY_LEN) == 0 &&
           zmq_setsockopt(r->sock, ZMQ_CURVE_SECRETKEY, kf->secret_key, Z85_KEY_LEN) == 0 &&
           zmq_connect(r->sock, h->endpoint) == 0;
}

void harness_raw_close(harness_raw_t *r)
{
    if (r->monitor) {
        zmq_socket_monitor(r->sock, NULL, 0);
        zmq_close(r->monitor);
    }
    if (r->sock)
        zmq_close(r->sock);
    if (r->ctx)
        zmq_ctx_term(r->ctx);
    r->sock = r->ctx = r->monitor = NULL;
}

bool harness_raw_send(harness_raw_t *r, const void *data, size_t len, bool more)
{
    return zmq_send(r->sock, data, len, more ? ZMQ_SNDMORE : 0) == (int)len;
}

bool harness_raw_send_env(harness_raw_t *r, Sertel__Envelope *env)
{
    env->version = PROTOCOL_VERSION;
    size_t len = protobuf_c_message_get_packed_size(&env->base);
    uint8_t *buf = malloc(len ? len : 1);
    bool ok = buf && protobuf_c_message_pack(&env->base, buf) == len &&
              harness_raw_send(r, buf, len, false);
    free(buf);
    return ok;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

Sertel__Envelope *harness_raw_reply(harness_raw_t *r, int timeout_ms, uint8_t **raw, size_t *rawlen)
{
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        zmq_pollitem_t item = {r->sock, 0, ZMQ_POLLIN, 0};
        int64_t left = deadline - now_ms();
        if (left <= 0 || zmq_poll(&item, 1, (long)left) <= 0)
            return NULL;
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, r->sock, 0) < 0) {
            zmq_msg_close(&m);
            return NULL;
        }
        /* An empty frame is the broker's liveness probe: not a reply. */
        Sertel__Envelope *env = zmq_msg_size(&m) == 0 ? NULL
            : sertel__envelope__unpack(NULL, zmq_msg_size(&m), zmq_msg_data(&m));
        if (env && env->body_case != SERTEL__ENVELOPE__BODY_PUSH &&
            env->body_case != SERTEL__ENVELOPE__BODY_BEHIND) {
            if (raw) {
                *rawlen = zmq_msg_size(&m);
                *raw = malloc(*rawlen ? *rawlen : 1);
                memcpy(*raw, zmq_msg_data(&m), *rawlen);
            }
            zmq_msg_close(&m);
            return env;
        }
        zmq_msg_close(&m);
        if (env)
            sertel__envelope__free_unpacked(env, NULL);
    }
}

bool harness_raw_disconnected(harness_raw_t *r, int timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        zmq_pollitem_t item = {r->monitor, 0, ZMQ_POLLIN, 0};
        int64_t left = deadline - now_ms();
        if (left <= 0 || zmq_poll(&item, 1, (long)left) <= 0)
            return false;
        zmq_msg_t m;
        zmq_msg_init(&m);
        int n = zmq_msg_recv(&m, r->monitor, 0);
        uint16_t ev = 0;
        if (n >= 2)
            memcpy(&ev, zmq_msg_data(&m), 2);
        bool more = zmq_msg_more(&m);
        zmq_msg_close(&m);
        while (more) { /* the event's second frame: the endpoint */
            zmq_msg_init(&m);
            zmq_msg_recv(&m, r->monitor, 0);
            more = zmq_msg_more(&m);
            zmq_msg_close(&m);
        }
        if (ev == ZMQ_EVENT_DISCONNECTED)
            return true;
    }
}

void harness_bulk_intakes(harness_t *h, const keyfile_t *kf, int total, int burst)
{
    harness_raw_t raw;
    assert_true(harness_raw_open(h, kf, &raw));
    Sertel__Application app;
    harness_application(&app, "Pemohon Massal", NULL);
    Sertel__Intake in = SERTEL__INTAKE__INIT;
    in.app = &app;
    /* One letter, many cases: the volume is the point, not the letter. */
    in.force = true;
    in.force_reason = "uji beban";
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_INTAKE;
    req.intake = &in;
    for (int done = 0; done < total; done += burst) {
        int n = total - done < burst ? total - done : burst;
        for (int i = 0; i < n; i++) {
            req.request_id = 5000000 + (uint64_t)(done + i);
            assert_true(harness_raw_send_env(&raw, &req));
        }
        for (int i = 0; i < n; i++) {
            Sertel__Envelope *r = harness_raw_reply(&raw, 10000, NULL, NULL);
            assert_non_null(r);
            if (harness_error(r))
                fail_msg("bulk intake refused: %s", r->error->message);
            sertel__envelope__free_unpacked(r, NULL);
        }
    }
    harness_raw_close(&raw);
}

void harness_clock_start(harness_clock_t *c, int64_t t)
{
    snprintf(c->path, sizeof c->path, "/tmp/sertel-clock-XXXXXX");
    int fd = mkstemp(c->path);
    assert_true(fd >= 0);
    close(fd);
    harness_clock_set(c, t);
    setenv("SERTEL_CLOCK_FILE", c->path, 1);
}

void harness_clock_set(const harness_clock_t *c, int64_t t)
{
    /* Written whole and renamed, so the broker never reads half a number. */
    char tmp[sizeof c->path + 8];
    snprintf(tmp, sizeof tmp, "%s.new", c->path);
    FILE *f = fopen(tmp, "w");
    assert_non_null(f);
    fprintf(f, "%lld\n", (long long)t);
    fclose(f);
    assert_int_equal(rename(tmp, c->path), 0);
}

void harness_clock_stop(const harness_clock_t *c)
{
    unlink(c->path);
    unsetenv("SERTEL_CLOCK_FILE");
}

int harness_broker_tool(harness_t *h, const char *sub, const char *dir, char *out, size_t len)
{
    char cmd[1024];
    /* In English, which the tests read. */
    snprintf(cmd, sizeof cmd, "LANGUAGE=en '%s' %s --data '%s' 2>&1", SERTEL_BROKER_BIN, sub,
             dir ? dir : h->dir);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t n = fread(out, 1, len - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
