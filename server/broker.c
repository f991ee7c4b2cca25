/* The broker: the loop and nothing else. It owns the sockets and hands
 * work to the pipelines, which never call back into it:
 *
 *   request path (dispatch.c), one batch at a time:
 *     receive.c    read up to BATCH_MAX requests off the ROUTER socket
 *     authorise.c  decode; the key's officer, the role, the session
 *     apply.c      run each command (cmd_*.c: engine + store) in one
 *                  write transaction, then commit it once
 *     fanout.c     replies (a Welcome after its catch-up), each followed
 *                  by the pushes of its committed events to the live
 *                  sessions
 *   SLA sweep (sweep.c), scheduled on the monotonic clock:
 *     due timers -> engine -> commit -> fanout_push
 *   key check (zap.c): ZAP requests, answered from the store
 *
 * docs/architecture.md walks one request and one push through them. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "clock.h"
#include "dispatch.h"
#include "fanout.h"
#include "receive.h"
#include "history.h"
#include "i18n.h"
#include "log.h"
#include "outbox.h"
#include "sops.h"
#include "sweep.h"
#include "zap.h"

#define SWEEP_MS 1000
#define READER_CHECK_MS 60000

const char *broker_endpoint(const broker_t *b)
{
    return b->endpoint;
}

/* ---- sockets */

static bool setup_sockets(broker_t *b, const char *endpoint, char *err, size_t errlen)
{
    b->ctx = zmq_ctx_new();
    /* ZMQ_ZERO_COPY_RECV (10, a draft context option that libzmq 4.3
     * honours in every build) off: a message read off a connection is
     * copied out of its receive buffer instead of pointing into it. The
     * buffer is then reused and its tail, where the zero-copy messages'
     * reference counts would go, never touched: 3.8 KiB less per
     * connection (bench e), and a request waiting in the backlog no
     * longer pins its connection's whole 18 KiB buffer. Requests are
     * small; the copy costs less than the reference counting. */
    zmq_ctx_set(b->ctx, 10, 0);
    if (!zap_start(b)) {
        diag_at(err, errlen, endpoint, 0, _("cannot start the key check (ZAP): %s"),
                zmq_strerror(errno));
        return false;
    }
    b->router = zmq_socket(b->ctx, ZMQ_ROUTER);
    int one = 1, ivl = 5000, timeout = 15000, linger = 1000;
    int64_t maxmsg = FRAME_MAX + 1024;
    zmq_setsockopt(b->router, ZMQ_CURVE_SERVER, &one, sizeof one);
    zmq_setsockopt(b->router, ZMQ_CURVE_SECRETKEY, b->key.secret_key, Z85_KEY_LEN);
    zmq_setsockopt(b->router, ZMQ_ZAP_DOMAIN, ZAP_DOMAIN, strlen(ZAP_DOMAIN));
    /* ZMQ_ZAP_ENFORCE_DOMAIN (93) is a draft option: where libzmq has it,
     * a socket without a domain is never let in unauthenticated. The ZAP
     * handler, bound before this socket, refuses any other domain. Only
     * then may the handler's socket be renewed (zap.c). */
    b->zap_renewable = zmq_setsockopt(b->router, 93, &one, sizeof one) == 0;
    zmq_setsockopt(b->router, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
    /* Messages queued per peer (--send-queue; 0: unbounded). A client
     * that does not read cannot grow the broker: past the limit a send
     * fails at once (ROUTER_MANDATORY), the replay round ends there, and
     * a live session stops receiving pushes and is told to catch up from
     * the journal (fanout.c). Heartbeats drop dead peers. */
    int sndhwm = b->cfg.limits.send_queue;
    zmq_setsockopt(b->router, ZMQ_SNDHWM, &sndhwm, sizeof sndhwm);
    /* A peer that sends more than a frame may hold is disconnected by
     * libzmq before the bytes are buffered. */
    zmq_setsockopt(b->router, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
    zmq_setsockopt(b->router, ZMQ_HEARTBEAT_IVL, &ivl, sizeof ivl);
    zmq_setsockopt(b->router, ZMQ_HEARTBEAT_TIMEOUT, &timeout, sizeof timeout);
    /* A handshake that stalls (its key check's request lost with a
     * renewed handler's socket, zap.c) is dropped after 5 s, not libzmq's
     * 30, and its client connects again. */
    zmq_setsockopt(b->router, ZMQ_HANDSHAKE_IVL, &ivl, sizeof ivl);
    zmq_setsockopt(b->router, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_bind(b->router, endpoint) != 0) {
        diag_at(err, errlen, endpoint, 0, _("cannot listen: %s"), zmq_strerror(errno));
        return false;
    }
    size_t len = sizeof b->endpoint;
    zmq_getsockopt(b->router, ZMQ_LAST_ENDPOINT, b->endpoint, &len);
    return true;
}

broker_t *broker_new(const broker_config_t *cfg, char *err, size_t errlen)
{
    broker_t *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->cfg = *cfg;
    b->officers_gen = 1;
    b->sessions = calloc(MAX_SESSIONS, sizeof *b->sessions);
    b->limits = limits_new();
    char path[4096];
    snprintf(path, sizeof path, "%s/broker.key", cfg->data_dir);
    /* The directory is ours (locked, identified, its database whole)
     * before LMDB maps anything in it. */
    bool ok = b->sessions && b->limits && receive_init(b) && (b->datadir = datadir_open(cfg->data_dir, err, errlen)) != NULL &&
              keyfile_read(path, &b->key, err, errlen) == SERTEL_OK;
    snprintf(path, sizeof path, "%s/db", cfg->data_dir);
    if (ok)
        ok = (b->store = store_open(path, err, errlen)) != NULL;
    if (ok)
        store_log_chain_head(b->store, broker_now(b), true);
    store_txn_t *t = NULL;
    if (ok)
        ok = store_begin(b->store, NULL, false, &t) == SERTEL_OK &&
             sops_load(b, t, err, errlen) == SERTEL_OK;
    store_abort(&t);
    if (ok)
        ok = history_start(b, err, errlen) == SERTEL_OK;
    if (ok)
        ok = setup_sockets(b, cfg->endpoint ? cfg->endpoint : b->key.endpoint, err, errlen);
    if (ok)
        datadir_note_endpoint(b->datadir, b->endpoint);
    if (!ok)
        broker_destroy(&b);
    return b;
}

void broker_destroy(broker_t **bp)
{
    broker_t *b = bp ? *bp : NULL;
    if (!b)
        return;
    receive_free(b); /* requests never answered hold messages of the sockets */
    if (b->router)
        zmq_close(b->router);
    zap_stop(b);
    if (b->ctx)
        /* A second SIGTERM (timeout(1) passes one on) interrupts the
         * termination; it must be finished, or libzmq's threads outlive
         * main. */
        while (zmq_ctx_term(b->ctx) != 0 && errno == EINTR)
            ;
    sops_free(b);
    outbox_templates_free(b);
    if (b->store && b->datadir)
        history_record(b);
    store_close(&b->store);
    datadir_destroy(&b->datadir); /* the lock goes last */
    free(b->sessions);
    limits_destroy(&b->limits);
    free(b);
    *bp = NULL;
}

/* ---- the loop */

/* The loop waits in poll(2) on the sockets' ZMQ_FD rather than in
 * zmq_poll, which asks every socket for ZMQ_EVENTS before and after its
 * wait (each a poll(2) and a getpid(2) inside libzmq): some eight system
 * calls a request at one client. ZMQ_FD is edge-triggered: it signals
 * that the socket's state may have changed, so a socket is asked for
 * ZMQ_EVENTS after any operation on it, before the loop sleeps. The
 * router is used on nearly every turn (requests, replies, pushes, the
 * sweep's notices), so it is asked on every turn; the ZAP socket only
 * after its FD signalled or it was used. */
static int socket_fd(void *sock)
{
    int fd = -1;
    size_t len = sizeof fd;
    return zmq_getsockopt(sock, ZMQ_FD, &fd, &len) == 0 ? fd : -1;
}

static bool readable(void *sock)
{
    uint32_t ev = 0;
    size_t len = sizeof ev;
    return zmq_getsockopt(sock, ZMQ_EVENTS, &ev, &len) == 0 && (ev & ZMQ_POLLIN);
}

/* The poll set: the key check's sockets (the bound one and the one it
 * replaced, zap.c) and the router; renewed with the key check's. */
enum { FD_ZAP, FD_ZAP_PREV, FD_ROUTER, N_FDS };

static void watch_zap(const broker_t *b, struct pollfd *fds)
{
    fds[FD_ZAP] = (struct pollfd){socket_fd(b->zap), POLLIN, 0};
    /* poll(2) skips a negative descriptor. */
    fds[FD_ZAP_PREV] = (struct pollfd){b->zap_prev ? socket_fd(b->zap_prev) : -1, POLLIN, 0};
}

/* Renews the key check's socket when it is due (zap.c); the poll set
 * and the ZMQ_EVENTS owed follow the sockets. */
static void renew_zap(broker_t *b, int64_t now_ms, struct pollfd *fds, bool zap_check[2])
{
    if (zap_renew(b, now_ms)) {
        watch_zap(b, fds);
        zap_check[0] = zap_check[1] = true;
    }
}

int broker_run(broker_t *b)
{
    int64_t next_reader_check = broker_mono_ms() + READER_CHECK_MS;
    b->next_sweep_ms = broker_mono_ms();
    struct pollfd fds[N_FDS] = {[FD_ROUTER] = {socket_fd(b->router), POLLIN, 0}};
    watch_zap(b, fds);
    /* ZMQ_EVENTS owed by each key check socket */
    bool zap_check[2] = {true, true};
    while (!b->cfg.stop || !*b->cfg.stop) {
        /* Without a key check no officer can connect: better to stop and
         * be restarted (the unit says Restart=on-failure) than to run. */
        if (!b->zap)
            return 1;
        void *zap[2] = {b->zap, b->zap_prev};
        bool zap_in[2];
        for (int i = 0; i < 2; i++)
            zap_in[i] = zap[i] && zap_check[i] && readable(zap[i]);
        bool router_in = readable(b->router);
        bool work = zap_in[0] || zap_in[1] || router_in || dispatch_pending(b);
        int64_t wait = work ? 0 : b->next_sweep_ms - broker_mono_ms();
        int rc = poll(fds, N_FDS, wait < 0 ? 0 : wait > SWEEP_MS ? SWEEP_MS : (int)wait);
        if (rc < 0 && errno != EINTR) {
            log_msg(LOG_ERROR, _("poll failed: %s"), strerror(errno));
            return 1;
        }
        for (int i = 0; i < 2; i++) {
            zap_check[i] = rc > 0 && fds[FD_ZAP + i].revents != 0;
            if (zap_in[i]) {
                zap_handle(b, zap[i]);
                zap_check[i] = true;
            }
        }
        if (b->zap_answered >= ZAP_RENEW_ANSWERS)
            renew_zap(b, broker_mono_ms(), fds, zap_check);
        /* A signal on the router's FD goes straight to reading: a read
         * that finds nothing asks ZMQ_EVENTS itself. */
        router_in |= rc > 0 && fds[FD_ROUTER].revents != 0;
        if (router_in || dispatch_pending(b))
            dispatch_batch(b);
        /* Scheduled on the monotonic clock: a step of the wall clock
         * (back a day, say) must not silence the sweep until the old
         * schedule comes round. What is due is still judged by the wall
         * clock, in the sweep. */
        int64_t mono = broker_mono_ms();
        if (mono >= b->next_sweep_ms) {
            sweep_due(b);
            history_record(b);
            /* Clients that fell behind may have read since. */
            fanout_behind(b);
            /* The pipes of the connections admitted before the last
             * renewal go with its socket (zap.c). */
            renew_zap(b, mono, fds, zap_check);
            b->next_sweep_ms = mono + SWEEP_MS;
        }
        if (mono >= next_reader_check) {
            int dead = store_reader_check(b->store);
            if (dead)
                log_msg(LOG_WARN, _("cleared %d stale database readers"), dead);
            next_reader_check = mono + READER_CHECK_MS;
        }
    }
    return 0;
}
