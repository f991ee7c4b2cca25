#include "harness.h"

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
        execl(SERTEL_BROKER_BIN, SERTEL_BROKER_BIN, "--data", h->dir, "--endpoint", endpoint,
              (char *)NULL);
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
    memset(h, 0, sizeof *h);
    snprintf(h->dir, sizeof h->dir, "/tmp/sertel-test-XXXXXX");
    if (!mkdtemp(h->dir))
        return false;
    const char *init[] = {SERTEL_ADMIN_BIN, "init", "--data", h->dir, "--endpoint",
                          "tcp://127.0.0.1:0", NULL};
    char err[512], path[512];
    snprintf(path, sizeof path, "%s/admin.key", h->dir);
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

void harness_stop(harness_t *h, int sig)
{
    if (h->pid <= 0)
        return;
    kill(h->pid, sig);
    waitpid(h->pid, NULL, 0);
    h->pid = 0;
}

void harness_destroy(harness_t *h)
{
    conn_close(&h->admin_conn);
    harness_stop(h, SIGTERM);
    const char *rm[] = {"/bin/rm", "-rf", h->dir, NULL};
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
