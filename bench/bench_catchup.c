/* (c) Catch-up: a Kadis who was offline while N applications arrived
 * (every EV_RECEIVED goes to the Kadis role pool) connects and says
 * Hello(last_seq = 0), asking for the replay in batches as the bundled
 * clients do (SERTEL_BENCH_CATCHUP_BATCH: another size; 1, one push per
 * event). Timed from the Hello to the Welcome and every one of the N
 * events received and decoded; the bench's own CPU is the client's.
 *
 * The N intakes are made through the broker, pipelined on a raw CURVE
 * DEALER with the staf's key (up to WINDOW requests in flight, so the
 * broker group-commits them); that staf never says Hello, so nothing is
 * pushed to it. The Kadis side is also a raw DEALER with the default
 * receive high-water mark (the same as conn_t's), because conn_t keeps at
 * most 4096 pushes queued while it waits for a reply. */
#include "bench.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "codec.h"

#define WINDOW 256
#define STALL_MS 2000   /* no message for this long: the replay stopped */
#define MAX_HELLOS 64

static bool recv_env(void *sock, Sertel__Envelope **env)
{
    zmq_msg_t m;
    zmq_msg_init(&m);
    int n = zmq_msg_recv(&m, sock, 0);
    char why[256];
    *env = n < 0 ? NULL : codec_envelope_unpack(zmq_msg_data(&m), zmq_msg_size(&m), why, sizeof why);
    zmq_msg_close(&m);
    return *env != NULL;
}

static bool wait_in(void *sock, int ms)
{
    zmq_pollitem_t it = {sock, 0, ZMQ_POLLIN, 0};
    return zmq_poll(&it, 1, ms) > 0;
}

/* Pipelined intakes; returns how many succeeded. */
static long make_intakes(void *sock, long n)
{
    Sertel__Application app;
    bench_application(&app);
    Sertel__Intake in = SERTEL__INTAKE__INIT;
    in.app = &app;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_INTAKE;
    req.intake = &in;
    long sent = 0, done = 0;
    while (done < n) {
        while (sent < n && sent - done < WINDOW) {
            req.request_id = (uint64_t)sent + 1;
            bench_application(&app); /* a new applicant and letter */
            if (!bench_raw_send(sock, &req)) {
                bench_error("intake send: %s", zmq_strerror(errno));
                return done;
            }
            sent++;
        }
        if (!wait_in(sock, 30000)) {
            bench_error("intake: no reply within 30 s (%ld of %ld done)", done, n);
            return done;
        }
        Sertel__Envelope *r;
        if (!recv_env(sock, &r)) {
            bench_error("intake: bad reply");
            return done;
        }
        bool good = r->body_case == SERTEL__ENVELOPE__BODY_DONE;
        if (!good)
            bench_error("intake refused: %s",
                        r->body_case == SERTEL__ENVELOPE__BODY_ERROR ? r->error->message : "?");
        sertel__envelope__free_unpacked(r, NULL);
        if (!good)
            return done;
        done++;
    }
    return done;
}

/* Events per replayed message the Kadis asks for (Hello.batch). */
static unsigned batch_asked(void)
{
    const char *v = getenv("SERTEL_BENCH_CATCHUP_BATCH");
    return v && *v ? (unsigned)atoi(v) : 256;
}

static bool send_hello(void *sock, uint64_t id, uint64_t last_seq)
{
    Sertel__Hello hello = SERTEL__HELLO__INIT;
    hello.last_seq = last_seq;
    hello.batch = batch_asked();
    hello.client = "sertel-bench";
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_HELLO;
    req.hello = &hello;
    req.request_id = id;
    return bench_raw_send(sock, &req);
}

static bool ping(void *sock)
{
    Sertel__Ping p = SERTEL__PING__INIT;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_PING;
    req.ping = &p;
    req.request_id = 1;
    Sertel__Envelope *r = NULL;
    bool ok = bench_raw_send(sock, &req) && wait_in(sock, 10000) && recv_env(sock, &r) &&
              r->body_case == SERTEL__ENVELOPE__BODY_PONG;
    if (r)
        sertel__envelope__free_unpacked(r, NULL);
    return ok;
}

/* A replayed event, counted once (the catch-up rule). */
static void take(const Sertel__Event *ev, uint64_t *last_seq, long *received)
{
    if (ev->seq > *last_seq) {
        *last_seq = ev->seq;
        (*received)++;
    }
}

/* other: another officer's connection, which sends one Ping right after
 * the Hello: how long the replay holds everyone else up. */
static void catch_up(catchup_result_t *out, void *sock, void *other, long expected)
{
    uint64_t hello_id = 100, last_seq = 0;
    uint64_t t0 = bench_now_ns(), t_first = 0, t_welcome = 0;
    long received = 0;
    bool welcome = false;
    out->hellos = 1;
    send_hello(sock, hello_id, 0);
    Sertel__Ping p = SERTEL__PING__INIT;
    Sertel__Envelope preq = SERTEL__ENVELOPE__INIT;
    preq.body_case = SERTEL__ENVELOPE__BODY_PING;
    preq.ping = &p;
    preq.request_id = 2;
    uint64_t t_ping = bench_now_ns();
    bool pinged = other && bench_raw_send(other, &preq);
    const char *d = getenv("SERTEL_BENCH_CATCHUP_DELAY_MS");
    if (d && *d) {
        struct timespec ts = {atoi(d) / 1000, (atoi(d) % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    for (;;) {
        if (welcome && received >= expected)
            break;
        if (pinged) {
            zmq_pollitem_t its[2] = {{sock, 0, ZMQ_POLLIN, 0}, {other, 0, ZMQ_POLLIN, 0}};
            if (zmq_poll(its, 2, STALL_MS) > 0 && (its[1].revents & ZMQ_POLLIN)) {
                Sertel__Envelope *r;
                if (recv_env(other, &r)) {
                    out->other_ping_ms = (double)(bench_now_ns() - t_ping) / 1e6;
                    sertel__envelope__free_unpacked(r, NULL);
                }
                pinged = false;
                continue;
            }
        }
        if (!wait_in(sock, STALL_MS)) {
            /* What a client does on a gap: ask again from what it has. */
            if (out->hellos == 1) {
                out->first_round = received;
                out->welcome_first_round = welcome;
            }
            if (out->hellos == MAX_HELLOS)
                break;
            out->hellos++;
            welcome = false;
            send_hello(sock, ++hello_id, last_seq);
            continue;
        }
        Sertel__Envelope *env;
        if (!recv_env(sock, &env))
            continue;
        bool single = env->body_case == SERTEL__ENVELOPE__BODY_PUSH;
        bool batch = env->body_case == SERTEL__ENVELOPE__BODY_PUSHES;
        if ((single || batch) && !t_first)
            t_first = bench_now_ns();
        if (single) {
            take(env->push, &last_seq, &received);
        } else if (batch) {
            for (size_t i = 0; i < env->pushes->n_events; i++)
                take(env->pushes->events[i], &last_seq, &received);
        } else if (env->body_case == SERTEL__ENVELOPE__BODY_WELCOME && env->request_id == hello_id &&
                   env->welcome->more) {
            /* The broker replays in rounds: the next one from here. */
            if (out->hellos == 1) {
                out->first_round = received;
                out->welcome_first_round = true;
            }
            out->hellos++;
            send_hello(sock, ++hello_id, last_seq);
        } else if (env->body_case == SERTEL__ENVELOPE__BODY_WELCOME && env->request_id == hello_id) {
            welcome = true;
            if (!t_welcome)
                t_welcome = bench_now_ns();
        }
        sertel__envelope__free_unpacked(env, NULL);
    }
    uint64_t t1 = bench_now_ns();
    if (out->hellos == 1) {
        out->first_round = received;
        out->welcome_first_round = welcome;
    }
    out->received = received;
    out->complete = welcome && received >= expected;
    out->first_push_ms = t_first ? (double)(t_first - t0) / 1e6 : 0;
    out->welcome_ms = t_welcome ? (double)(t_welcome - t0) / 1e6 : 0;
    out->all_ms = (double)(t1 - t0) / 1e6;
}

bool bench_catchup(const bench_cfg_t *cfg, catchup_result_t *out)
{
    memset(out, 0, sizeof *out);
    out->events = cfg->catchup_events;
    broker_proc_t b;
    keyfile_t staf, kadis;
    if (!broker_proc_init(&b, cfg, "catchup") ||
        !bench_enrol(&b, "Staf Front Office", ROLE_STAF, 0, &staf) ||
        !bench_enrol(&b, "Kepala Dinas", ROLE_KADIS, 0, &kadis)) {
        broker_proc_destroy(&b, cfg);
        return false;
    }
    char db[600];
    snprintf(db, sizeof db, "%s/db", b.dir);
    void *zctx = zmq_ctx_new();
    void *s = bench_raw_dealer(zctx, &staf, b.endpoint);
    bool ok = s != NULL;
    uint64_t txn0 = bench_lmdb_txnid(db), t0 = bench_now_ns();
    long made = ok ? make_intakes(s, cfg->catchup_events) : 0;
    out->setup_s = (double)(bench_now_ns() - t0) / 1e9;
    out->setup_commits = bench_lmdb_txnid(db) - txn0;
    out->setup_rate = (double)made / out->setup_s;
    ok = ok && made == cfg->catchup_events;
    if (ok)
        printf("  setup: %ld intakes through the broker, pipelined %d deep, in %.1f s ="
               " %.0f durable intakes/s, %.1f per commit\n",
               made, WINDOW, out->setup_s, out->setup_rate,
               out->setup_commits ? (double)made / (double)out->setup_commits : 0.0);

    void *k = ok ? bench_raw_dealer(zctx, &kadis, b.endpoint) : NULL;
    const char *hwm = getenv("SERTEL_BENCH_CATCHUP_RCVHWM");
    if (k && hwm && *hwm) {
        int v = atoi(hwm);
        zmq_setsockopt(k, ZMQ_RCVHWM, &v, sizeof v);
    }
    const char *rcvbuf = getenv("SERTEL_BENCH_CATCHUP_RCVBUF");
    if (k && rcvbuf && *rcvbuf) {
        int v = atoi(rcvbuf);
        zmq_setsockopt(k, ZMQ_RCVBUF, &v, sizeof v);
    }
    /* The CURVE handshake is not part of the catch-up: a Ping first. */
    if (k && !ping(k)) {
        bench_error("kadis: no Pong");
        ok = false;
    }
    /* The staf's connection, already through its handshake, pings once
     * more to be sure it is idle. */
    if (ok && s && !ping(s)) {
        bench_error("staf: no Pong");
        ok = false;
    }
    if (ok && k) {
        double cpu0 = bench_cpu_s(b.pid), own0 = bench_cpu_s(0);
        catch_up(out, k, s, made);
        out->broker_cpu_s = bench_cpu_s(b.pid) - cpu0;
        out->client_cpu_s = bench_cpu_s(0) - own0;
        out->have = true;
        printf("  Hello(last_seq=0, batch=%u) from the Kadis who missed %ld events:\n", batch_asked(),
               made);
        printf("      first Hello: %ld of %ld pushes, Welcome %s; first push after %.1f ms\n",
               out->first_round, made, out->welcome_first_round ? "received" : "NOT received",
               out->first_push_ms);
        if (out->complete && out->hellos == 1)
            printf("      all %ld pushes + Welcome in %.1f ms (Welcome at %.1f ms); broker CPU %.0f ms\n",
                   out->received, out->all_ms, out->welcome_ms, out->broker_cpu_s * 1e3);
        else
            printf("      %s after %d Hello%s (the broker replays in rounds, at most half its"
                   " send queue each, and says more; a %d ms stall also asks again): %ld pushes in %.1f ms;"
                   " broker CPU %.0f ms\n",
                   out->complete ? "complete" : "INCOMPLETE", out->hellos,
                   out->hellos == 1 ? "" : "s", STALL_MS, out->received, out->all_ms,
                   out->broker_cpu_s * 1e3);
    }
    if (out->have)
        printf("      CPU per event: broker %.2f us, the Kadis's client (receiving, decoding) %.2f us\n",
               out->broker_cpu_s * 1e6 / (double)(made ? made : 1),
               out->client_cpu_s * 1e6 / (double)(made ? made : 1));
    if (ok && out->other_ping_ms > 0)
        printf("      meanwhile a Ping from another officer, sent right after the Hello, was"
               " answered after %.1f ms (between replay rounds)\n",
               out->other_ping_ms);
    if (k)
        zmq_close(k);
    if (s)
        zmq_close(s);
    zmq_ctx_term(zctx);
    broker_proc_destroy(&b, cfg);
    return ok;
}
