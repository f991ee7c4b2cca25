#include "conn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <zmq.h>

#include "codec.h"
#include "i18n.h"

#define PUSH_QUEUE_MAX 4096

struct conn {
    void *ctx, *sock, *monitor;
    char endpoint[256];
    uint64_t next_id;
    bool auth_failed;
    unsigned handshakes;
    Sertel__Envelope *queue[PUSH_QUEUE_MAX];
    int q_head, q_len;
};

static void drain_monitor(conn_t *c);

static bool set_keys(void *sock, const keyfile_t *kf)
{
    return zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, kf->broker_public, Z85_KEY_LEN) == 0 &&
           zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, kf->public_key, Z85_KEY_LEN) == 0 &&
           zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, kf->secret_key, Z85_KEY_LEN) == 0;
}

/* The monitor tells a refused key (ZAP said no) from a broker that is
 * simply not there. */
static void *open_monitor(conn_t *c)
{
    char addr[64];
    snprintf(addr, sizeof addr, "inproc://conn-monitor-%p", (void *)c);
    if (zmq_socket_monitor(c->sock, addr,
                           ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_SUCCEEDED) != 0)
        return NULL;
    void *m = zmq_socket(c->ctx, ZMQ_PAIR);
    if (m && zmq_connect(m, addr) != 0) {
        zmq_close(m);
        return NULL;
    }
    return m;
}

conn_t *conn_open(const keyfile_t *kf, const char *endpoint, char *err, size_t errlen)
{
    conn_t *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    snprintf(c->endpoint, sizeof c->endpoint, "%s", endpoint && *endpoint ? endpoint : kf->endpoint);
    if (getrandom(&c->next_id, sizeof c->next_id, 0) != sizeof c->next_id)
        c->next_id = (uint64_t)time(NULL) << 20;
    c->next_id |= 1;
    c->ctx = zmq_ctx_new();
    c->sock = zmq_socket(c->ctx, ZMQ_DEALER);
    int zero = 0, ivl = 5000, timeout = 15000;
    zmq_setsockopt(c->sock, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(c->sock, ZMQ_HEARTBEAT_IVL, &ivl, sizeof ivl);
    zmq_setsockopt(c->sock, ZMQ_HEARTBEAT_TIMEOUT, &timeout, sizeof timeout);
    if (!set_keys(c->sock, kf) || !(c->monitor = open_monitor(c)) ||
        zmq_connect(c->sock, c->endpoint) != 0) {
        diag_at(err, errlen, c->endpoint, 0, _("cannot connect: %s"), zmq_strerror(errno));
        conn_close(&c);
        return NULL;
    }
    return c;
}

void conn_close(conn_t **cp)
{
    conn_t *c = cp ? *cp : NULL;
    if (!c)
        return;
    while (c->q_len) {
        sertel__envelope__free_unpacked(c->queue[c->q_head], NULL);
        c->q_head = (c->q_head + 1) % PUSH_QUEUE_MAX;
        c->q_len--;
    }
    if (c->monitor) {
        zmq_socket_monitor(c->sock, NULL, 0);
        zmq_close(c->monitor);
    }
    if (c->sock)
        zmq_close(c->sock);
    /* Interrupted by a signal (Ctrl-C on a watch), it must be finished,
     * or libzmq's threads outlive the client. */
    while (zmq_ctx_term(c->ctx) != 0 && errno == EINTR)
        ;
    free(c);
    *cp = NULL;
}

const char *conn_endpoint(const conn_t *c)
{
    return c->endpoint;
}

void *conn_socket(conn_t *c)
{
    return c->sock;
}

unsigned conn_handshakes(conn_t *c)
{
    drain_monitor(c);
    return c->handshakes;
}

static void drain_monitor(conn_t *c)
{
    zmq_msg_t m;
    zmq_msg_init(&m);
    while (zmq_msg_recv(&m, c->monitor, ZMQ_DONTWAIT) >= 0) {
        if (zmq_msg_size(&m) >= 2) {
            uint16_t ev;
            memcpy(&ev, zmq_msg_data(&m), 2);
            if (ev == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
                c->auth_failed = true;
            else if (ev == ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
                c->handshakes++;
        }
    }
    zmq_msg_close(&m);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What the broker sends unasked: pushes, and the notice that pushes
 * stopped because we did not read (Behind). */
static bool unasked(const Sertel__Envelope *env)
{
    return env->body_case == SERTEL__ENVELOPE__BODY_PUSH ||
           env->body_case == SERTEL__ENVELOPE__BODY_BEHIND;
}

static Sertel__Envelope *dequeue(conn_t *c)
{
    if (!c->q_len)
        return NULL;
    Sertel__Envelope *env = c->queue[c->q_head];
    c->q_head = (c->q_head + 1) % PUSH_QUEUE_MAX;
    c->q_len--;
    return env;
}

static void enqueue(conn_t *c, Sertel__Envelope *env)
{
    if (c->q_len < PUSH_QUEUE_MAX)
        c->queue[(c->q_head + c->q_len++) % PUSH_QUEUE_MAX] = env;
    else
        sertel__envelope__free_unpacked(env, NULL);
}

/* A batch of replayed events (a Hello that asked for batches) is queued
 * as one push each, in order: callers see single pushes either way. */
static void enqueue_batch(conn_t *c, Sertel__Envelope *batch)
{
    Sertel__EventBatch *b = batch->pushes;
    for (size_t i = 0; i < b->n_events; i++) {
        Sertel__Envelope *env = malloc(sizeof *env);
        if (!env) {
            sertel__event__free_unpacked(b->events[i], NULL);
            continue;
        }
        sertel__envelope__init(env);
        env->version = batch->version;
        env->body_case = SERTEL__ENVELOPE__BODY_PUSH;
        env->push = b->events[i];
        enqueue(c, env);
    }
    b->n_events = 0; /* each event is now its push's */
    sertel__envelope__free_unpacked(batch, NULL);
}

/* Receives one envelope within the deadline; pushes are queued and the
 * wait goes on unless want_push. */
static Sertel__Envelope *receive(conn_t *c, int64_t deadline, bool want_push)
{
    for (bool first = true;; first = false) {
        /* A deadline already passed still polls once, without waiting
         * (conn_next_push(c, 0) must see what has arrived), and only once:
         * a socket that reports input it then does not give must not
         * keep us spinning. */
        int64_t left = deadline < 0 ? -1 : deadline - now_ms();
        if (deadline >= 0 && left <= 0) {
            if (!first)
                return NULL;
            left = 0;
        }
        zmq_pollitem_t items[] = {{c->sock, 0, ZMQ_POLLIN, 0}, {c->monitor, 0, ZMQ_POLLIN, 0}};
        if (zmq_poll(items, 2, (long)left) < 0)
            return NULL;
        if (items[1].revents & ZMQ_POLLIN)
            drain_monitor(c);
        if (c->auth_failed)
            return NULL;
        if (!(items[0].revents & ZMQ_POLLIN))
            continue;
        zmq_msg_t m;
        zmq_msg_init(&m);
        int n = zmq_msg_recv(&m, c->sock, 0);
        char why[256];
        Sertel__Envelope *env = n < 0 ? NULL
            : codec_envelope_unpack(zmq_msg_data(&m), zmq_msg_size(&m), why, sizeof why);
        zmq_msg_close(&m);
        if (!env)
            continue;
        if (env->body_case == SERTEL__ENVELOPE__BODY_PUSHES) {
            enqueue_batch(c, env);
            if (want_push && c->q_len)
                return dequeue(c);
            continue;
        }
        if (!unasked(env) || want_push)
            return env;
        enqueue(c, env);
    }
}

static bool send_env(conn_t *c, Sertel__Envelope *req)
{
    size_t len;
    uint8_t *buf = codec_pack(&req->base, &len);
    bool ok = buf && zmq_send(c->sock, buf, len, 0) >= 0;
    free(buf);
    return ok;
}

sertel_err_t conn_call(conn_t *c, Sertel__Envelope *req, Sertel__Envelope **reply,
                       int timeout_ms, char *err, size_t errlen)
{
    req->version = PROTOCOL_VERSION;
    /* Refusal reasons come back in the user's language. */
    req->lang = (char *)(i18n_is_english() ? "en" : "id");
    req->request_id = c->next_id++;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!send_env(c, req))
            break;
        int64_t deadline = now_ms() + timeout_ms / 2;
        Sertel__Envelope *env;
        while ((env = receive(c, deadline, false)) != NULL) {
            if (env->request_id == req->request_id) {
                *reply = env;
                return SERTEL_OK;
            }
            sertel__envelope__free_unpacked(env, NULL); /* a stale reply */
        }
        if (c->auth_failed) {
            diag_at(err, errlen, c->endpoint, 0,
                    _("the broker does not know this key: ask the administrator to enrol it"));
            return SERTEL_E_DENIED;
        }
    }
    diag_at(err, errlen, c->endpoint, 0, _("the broker did not answer in time"));
    return SERTEL_E_IO;
}

Sertel__Envelope *conn_next_push(conn_t *c, int timeout_ms)
{
    if (c->q_len)
        return dequeue(c);
    int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
    for (;;) {
        Sertel__Envelope *env = receive(c, deadline, true);
        if (!env || unasked(env))
            return env;
        sertel__envelope__free_unpacked(env, NULL); /* a late reply */
    }
}
