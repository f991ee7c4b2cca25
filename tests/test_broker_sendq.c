/* A client that never reads cannot grow the broker (the real broker over
 * CURVE): replays come in bounded rounds that the client asks for as it
 * reads, a connection's queue at the broker is bounded (--send-queue),
 * and a live connection whose queue filled is told it is behind and
 * catches up from the journal without a gap. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "harness.h"

#define WAIT_MS 20000
#define SEND_QUEUE 64
#define CASES 2000

static const char *const args[] = {"--send-queue", "64", "--max-writes-per-minute", "0",
                                   "--max-in-flight", "0", NULL};

enum { STAF, KADIS, N_OFFICERS };

typedef struct {
    harness_t h;
    keyfile_t keys[N_OFFICERS];
} office_t;

static void office_start(office_t *o)
{
    assert_true(harness_start_args(&o->h, args));
    assert_true(harness_enrol(&o->h, "198503142010011003", "Siti Rahmawati", ROLE_STAF, 0,
                              &o->keys[STAF]));
    assert_true(harness_enrol(&o->h, "197503042001121002", "Tino Armyanto", ROLE_KADIS, 0,
                              &o->keys[KADIS]));
}

/* The broker's resident memory, in KiB. */
static long broker_rss_kib(const harness_t *h)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)h->pid);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    long kib = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

/* The next message of any kind (the broker's empty probes skipped). */
static Sertel__Envelope *next_env(harness_raw_t *r, int timeout_ms)
{
    for (;;) {
        zmq_pollitem_t item = {r->sock, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&item, 1, timeout_ms) <= 0)
            return NULL;
        zmq_msg_t m;
        zmq_msg_init(&m);
        assert_true(zmq_msg_recv(&m, r->sock, 0) >= 0);
        Sertel__Envelope *env = zmq_msg_size(&m) == 0 ? NULL
            : sertel__envelope__unpack(NULL, zmq_msg_size(&m), zmq_msg_data(&m));
        bool empty = zmq_msg_size(&m) == 0;
        zmq_msg_close(&m);
        if (!empty) {
            assert_non_null(env);
            return env;
        }
    }
}

/* batch: events per replayed message asked for (Hello.batch). */
static void send_hello_batch(harness_raw_t *r, uint64_t request_id, uint64_t last_seq,
                             uint32_t batch)
{
    Sertel__Hello hello = SERTEL__HELLO__INIT;
    hello.last_seq = last_seq;
    hello.batch = batch;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.request_id = request_id;
    req.body_case = SERTEL__ENVELOPE__BODY_HELLO;
    req.hello = &hello;
    assert_true(harness_raw_send_env(r, &req));
}

static void send_hello(harness_raw_t *r, uint64_t request_id, uint64_t last_seq)
{
    send_hello_batch(r, request_id, last_seq, 0);
}

/* Events received (new ones only, in order), and where a catch-up goes on. */
typedef struct {
    uint64_t last;
    int n;
    bool behind;
    int batches, batched; /* EventBatch messages, and the events in them */
    uint32_t ask;         /* Hello.batch of catch_up */
} seen_t;

static void take_push(seen_t *s, const Sertel__Event *ev)
{
    /* A catch-up may repeat what was queued before the notice; never a
     * gap and never out of order. */
    if (ev->seq <= s->last)
        return;
    s->last = ev->seq;
    s->n++;
}

/* A push or a batch of them. */
static void take(seen_t *s, const Sertel__Envelope *env)
{
    if (env->body_case == SERTEL__ENVELOPE__BODY_PUSH)
        take_push(s, env->push);
    if (env->body_case != SERTEL__ENVELOPE__BODY_PUSHES)
        return;
    s->batches++;
    s->batched += (int)env->pushes->n_events;
    for (size_t i = 0; i < env->pushes->n_events; i++)
        take_push(s, env->pushes->events[i]);
}

/* Hello rounds from s->last until the broker says nothing more is left. */
static int catch_up(harness_raw_t *r, seen_t *s, uint64_t *request_id)
{
    int rounds = 0;
    for (bool more = true; more; rounds++) {
        send_hello_batch(r, ++*request_id, s->last, s->ask);
        for (;;) {
            Sertel__Envelope *env = next_env(r, WAIT_MS);
            assert_non_null(env);
            take(s, env);
            bool welcome = env->body_case == SERTEL__ENVELOPE__BODY_WELCOME &&
                           env->request_id == *request_id;
            if (welcome) {
                assert_true(env->welcome->replayed <= SEND_QUEUE / 2);
                more = env->welcome->more;
                if (env->welcome->last_seq > s->last)
                    s->last = env->welcome->last_seq;
            }
            sertel__envelope__free_unpacked(env, NULL);
            if (welcome)
                break;
        }
    }
    return rounds;
}

static void ping_as(harness_t *h, const keyfile_t *kf)
{
    conn_t *c = harness_connect(h, kf);
    Sertel__Ping ping = SERTEL__PING__INIT;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_PING;
    req.ping = &ping;
    sertel__envelope__free_unpacked(harness_call(c, &req), NULL);
    conn_close(&c);
}

/* CASES applications the Kadis missed, and the Kadis' connection that
 * reads slowly (a one-message receive queue), through its handshake. */
static void office_with_history(office_t *o, harness_raw_t *kadis)
{
    office_start(o);
    harness_bulk_intakes(&o->h, &o->keys[STAF], CASES, SEND_QUEUE / 2);
    assert_true(harness_raw_open_queue(&o->h, &o->keys[KADIS], kadis, 1));
    ping_as(&o->h, &o->keys[KADIS]);
}

/* Hundreds of Hellos that each ask for the whole history, nothing read:
 * the broker's memory stays where it was; then the same connection,
 * reading, gets the whole history in rounds. */
static void test_hellos_never_read(void **state)
{
    (void)state;
    office_t o;
    harness_raw_t kadis;
    office_with_history(&o, &kadis);
    long before = broker_rss_kib(&o.h);
    uint64_t id = 0;
    for (int burst = 0; burst < 30; burst++) {
        for (int i = 0; i < 10; i++)
            send_hello(&kadis, ++id, 0);
        /* Answered after the Kadis' earlier requests (one key's
         * requests are taken in order): the Hellos have been served. */
        ping_as(&o.h, &o.keys[KADIS]);
    }
    long grown = broker_rss_kib(&o.h) - before;
    /* Unbounded, 300 replays of 2000 events would be ~200 MiB. */
    if (grown > 32 * 1024)
        fail_msg("the broker grew by %ld KiB for a client that reads nothing", grown);

    /* Now it reads: whatever was queued, then rounds of at most half the
     * queue, until the whole history has come, in order. */
    seen_t s = {0};
    for (Sertel__Envelope *env; (env = next_env(&kadis, 200)) != NULL;) {
        if (env->body_case == SERTEL__ENVELOPE__BODY_PUSH)
            take_push(&s, env->push);
        sertel__envelope__free_unpacked(env, NULL);
    }
    int rounds = catch_up(&kadis, &s, &id);
    assert_true(rounds > 1);
    assert_int_equal(s.n, CASES);
    harness_raw_close(&kadis);
    harness_destroy(&o.h);
}

/* A batched replay (Hello.batch) is one message per batch in the queue's
 * count, so a connection gets batches only for a Hello that goes on from
 * where its last round ended (having read it): ten Hellos not read leave
 * one round of batches queued, the rest single pushes. Reading, it gets
 * the whole history in batched rounds. */
static void test_batches_only_when_read(void **state)
{
    (void)state;
    office_t o;
    harness_raw_t kadis;
    office_with_history(&o, &kadis);
    uint64_t id = 0;
    for (int i = 0; i < 10; i++)
        send_hello_batch(&kadis, ++id, 0, 256);
    ping_as(&o.h, &o.keys[KADIS]);
    seen_t queued = {0};
    for (Sertel__Envelope *env; (env = next_env(&kadis, 200)) != NULL;) {
        take(&queued, env);
        sertel__envelope__free_unpacked(env, NULL);
    }
    assert_int_equal(queued.batches, 1);
    assert_int_equal(queued.batched, SEND_QUEUE / 2);

    seen_t s = {.ask = 256};
    int rounds = catch_up(&kadis, &s, &id);
    assert_true(rounds > 1);
    assert_int_equal(s.n, CASES);
    /* every round after the first went on from the last one's end */
    assert_true(s.batches >= rounds - 1);
    assert_true(s.batched >= CASES - SEND_QUEUE / 2);
    harness_raw_close(&kadis);
    harness_destroy(&o.h);
}

/* Asks for the letter of a case filed with a 1 MiB letter, n times,
 * without reading: more than the kernel's buffers hold. */
static void ask_big_letters(office_t *o, harness_raw_t *r, uint64_t *id, int n)
{
    enum { MIB = 1024 * 1024 };
    uint8_t *letter = calloc(1, MIB);
    assert_non_null(letter);
    harness_pdf_fill(letter, MIB, ' ');
    conn_t *staf = harness_connect(&o->h, &o->keys[STAF]);
    Sertel__Envelope *done = harness_intake_letter(staf, "Pemohon Berkas Besar", NULL, letter, MIB);
    assert_int_equal(harness_error(done), 0);
    Sertel__AttachmentQuery q = SERTEL__ATTACHMENT_QUERY__INIT;
    q.case_id = done->done->case_id;
    q.hash = done->done->case_->attachments[0]->hash;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_ATTACHMENT_QUERY;
    req.attachment_query = &q;
    for (int i = 0; i < n; i++) {
        req.request_id = ++*id;
        assert_true(harness_raw_send_env(r, &req));
    }
    sertel__envelope__free_unpacked(done, NULL);
    conn_close(&staf);
    free(letter);
}

/* A live connection that stops reading (its kernel buffers full of big
 * answers) while thousands of applications come in: the broker queues at
 * most --send-queue messages, then tells it it is behind; reading again,
 * it catches up with no event missed and is live once more. */
static void test_live_client_falls_behind(void **state)
{
    (void)state;
    office_t o;
    office_start(&o);
    harness_raw_t kadis;
    assert_true(harness_raw_open_queue(&o.h, &o.keys[KADIS], &kadis, 1));
    uint64_t id = 0;
    seen_t s = {0};
    catch_up(&kadis, &s, &id);
    ask_big_letters(&o, &kadis, &id, 16);
    harness_bulk_intakes(&o.h, &o.keys[STAF], CASES, SEND_QUEUE / 2);

    /* What was queued, then the notice. */
    for (;;) {
        Sertel__Envelope *env = next_env(&kadis, WAIT_MS);
        assert_non_null(env);
        if (env->body_case == SERTEL__ENVELOPE__BODY_PUSH)
            take_push(&s, env->push);
        bool behind = env->body_case == SERTEL__ENVELOPE__BODY_BEHIND;
        if (behind)
            assert_int_equal(env->behind->last_seq, s.last);
        sertel__envelope__free_unpacked(env, NULL);
        if (behind)
            break;
    }
    /* The bulk, and the case with the big letter. */
    assert_true(s.n < CASES + 1);
    catch_up(&kadis, &s, &id);
    assert_int_equal(s.n, CASES + 1);

    /* Live again: the next application is pushed unasked. */
    conn_t *staf = harness_connect(&o.h, &o.keys[STAF]);
    sertel__envelope__free_unpacked(harness_intake(staf, "Pemohon Terakhir", NULL), NULL);
    Sertel__Envelope *env = next_env(&kadis, WAIT_MS);
    assert_non_null(env);
    assert_int_equal(env->body_case, SERTEL__ENVELOPE__BODY_PUSH);
    assert_int_equal(env->push->seq, s.last + 1);
    sertel__envelope__free_unpacked(env, NULL);
    conn_close(&staf);
    harness_raw_close(&kadis);
    harness_destroy(&o.h);
}

/* Rounds of connections that each ask for the whole history, more than
 * their queue holds, then go without reading it: what a session held
 * (its queue at the broker, its slot) is given back when it goes, so
 * after the first round the broker's memory stays where that round left
 * it. Kept, 20 rounds of 40 such queues would be ~25 MiB more. */
enum { ROUNDS = 20, PER_ROUND = 40 };

static void test_sessions_give_back(void **state)
{
    (void)state;
    static const char *const unlimited[] = {"--send-queue", "64", "--max-writes-per-minute", "0",
                                            "--max-in-flight", "0", "--max-connections-per-key",
                                            "0", NULL};
    /* Under AddressSanitizer freed memory waits in a quarantine before
     * it is used again: none for this broker, or it would only grow. */
    char asan[600], was[512];
    const char *env = getenv("ASAN_OPTIONS");
    snprintf(was, sizeof was, "%s", env ? env : "");
    snprintf(asan, sizeof asan, "%s%squarantine_size_mb=0", was, *was ? ":" : "");
    setenv("ASAN_OPTIONS", asan, 1);
    office_t o;
    assert_true(harness_start_args(&o.h, unlimited));
    setenv("ASAN_OPTIONS", was, 1);
    assert_true(harness_enrol(&o.h, "198503142010011003", "Siti Rahmawati", ROLE_STAF, 0,
                              &o.keys[STAF]));
    assert_true(harness_enrol(&o.h, "197503042001121002", "Tino Armyanto", ROLE_KADIS, 0,
                              &o.keys[KADIS]));
    harness_bulk_intakes(&o.h, &o.keys[STAF], CASES / 4, SEND_QUEUE / 2);
    long first = 0;
    uint64_t id = 0;
    for (int round = 0; round < ROUNDS; round++) {
        static harness_raw_t c[PER_ROUND];
        for (int i = 0; i < PER_ROUND; i++) {
            assert_true(harness_raw_open_queue(&o.h, &o.keys[KADIS], &c[i], 1));
            for (int k = 0; k < 10; k++)
                send_hello(&c[i], ++id, 0);
        }
        /* Answered after the Kadis' earlier requests: all served. */
        ping_as(&o.h, &o.keys[KADIS]);
        for (int i = 0; i < PER_ROUND; i++)
            harness_raw_close(&c[i]);
        ping_as(&o.h, &o.keys[KADIS]);
        if (round == 0)
            first = broker_rss_kib(&o.h);
    }
    long grown = broker_rss_kib(&o.h) - first;
    print_message("broker RSS after round 1: %ld KiB; after round %d: %+ld KiB\n", first, ROUNDS,
                  grown);
    if (grown > 8 * 1024)
        fail_msg("the broker kept %ld KiB of %d rounds of sessions that went", grown, ROUNDS - 1);
    harness_destroy(&o.h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hellos_never_read),
        cmocka_unit_test(test_batches_only_when_read),
        cmocka_unit_test(test_sessions_give_back),
        cmocka_unit_test(test_live_client_falls_behind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
