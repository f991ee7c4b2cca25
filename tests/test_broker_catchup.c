/* Catch-up through the real broker: an officer who was offline while
 * cases reached them gets every missed event on reconnect, in sequence
 * order, exactly once, then the live stream goes on without duplicates;
 * a fresh connection replays the officer's whole history; nobody ever
 * receives an event that is not theirs. */
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

#define PUSH_WAIT_MS 10000
#define MAX_EVENTS 8192

enum { KADIS, KABID, JF, VERIF, STAF, N_OFFICERS };

/* The front office connects last: its session is the last in the
 * broker's table, the one moved when a vanished session is dropped. */
static const struct {
    const char *nip, *name;
    role_t role;
    unsigned quals;
} roster[N_OFFICERS] = {
    [KADIS] = {"197503042001121002", "Tino Armyanto", ROLE_KADIS, 0},
    [KABID] = {"197806122003121001", "Dedi Supriadi", ROLE_KABID, 0},
    [JF] = {"198801012012011002", "Rina Kurniasih", ROLE_JF, 0},
    [VERIF] = {"199002022015031001", "Asep Hidayat", ROLE_STAF, QUAL_VERIFIKATOR},
    [STAF] = {"198503142010011003", "Siti Rahmawati", ROLE_STAF, 0},
};

typedef struct {
    harness_t h;
    keyfile_t keys[N_OFFICERS];
    conn_t *conns[N_OFFICERS];
} office_t;

/* Events as received, owned. */
typedef struct {
    Sertel__Event *ev[MAX_EVENTS];
    size_t n;
} events_t;

static void events_clear(events_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        sertel__event__free_unpacked(l->ev[i], NULL);
    l->n = 0;
}

static int setup(void **state)
{
    office_t *o = calloc(1, sizeof *o);
    assert_non_null(o);
    /* Long histories are filed in bursts of hundreds of pipelined intakes
     * by one key, beyond what an officer is allowed by default. */
    static const char *const bulk[] = {"--max-writes-per-minute", "0", "--max-in-flight", "0", NULL};
    assert_true(harness_start_args(&o->h, bulk));
    for (int i = 0; i < N_OFFICERS; i++)
        assert_true(harness_enrol(&o->h, roster[i].nip, roster[i].name, roster[i].role,
                                  roster[i].quals, &o->keys[i]));
    for (int i = 0; i < N_OFFICERS; i++) {
        o->conns[i] = harness_connect(&o->h, &o->keys[i]);
        assert_non_null(o->conns[i]);
        harness_hello(o->conns[i], 0);
    }
    *state = o;
    return 0;
}

static int teardown(void **state)
{
    office_t *o = *state;
    for (int i = 0; i < N_OFFICERS; i++)
        conn_close(&o->conns[i]);
    harness_destroy(&o->h);
    free(o);
    return 0;
}

/* Does the journal event concern officer i? Computed here from the
 * event's recorded targets, independently of the broker's push code. */
static bool concerns(const Sertel__Event *ev, int i)
{
    for (size_t k = 0; k < ev->n_notify; k++)
        if (strcmp(ev->notify[k], roster[i].nip) == 0)
            return true;
    for (size_t k = 0; k < ev->n_notify_pools; k++) {
        uint32_t p = ev->notify_pools[k];
        if ((role_t)(p >> 8) == roster[i].role && ((p & 0xffu) & ~roster[i].quals) == 0)
            return true;
    }
    return false;
}

/* Moves every push already queued on c into l (checking each concerns
 * officer who). */
static void take_queued(conn_t *c, int who, events_t *l)
{
    Sertel__Envelope *env;
    while ((env = conn_next_push(c, 0)) != NULL) {
        assert_true(l->n < MAX_EVENTS);
        Sertel__Event *ev = env->push;
        env->push = NULL;
        sertel__envelope__free_unpacked(env, NULL);
        if (!concerns(ev, who))
            fail_msg("%s received event %llu (kind %d) that is not theirs", roster[who].name,
                     (unsigned long long)ev->seq, ev->kind);
        l->ev[l->n++] = ev;
    }
}

/* A round trip on c: every push the broker sent before answering is
 * then queued (one connection keeps its order), and is moved into l. */
static void sync_pushes(conn_t *c, int who, events_t *l)
{
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    Sertel__Ping ping = SERTEL__PING__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_PING;
    req.ping = &ping;
    Sertel__Envelope *reply = harness_call(c, &req);
    assert_int_equal(reply->body_case, SERTEL__ENVELOPE__BODY_PONG);
    sertel__envelope__free_unpacked(reply, NULL);
    take_queued(c, who, l);
}

/* Waits for the push of kind about case_id; others are kept in l. */
static Sertel__Event *await_push(conn_t *c, int who, Sertel__EventKind kind, const char *case_id,
                                 events_t *l)
{
    for (;;) {
        Sertel__Envelope *env = conn_next_push(c, PUSH_WAIT_MS);
        if (!env)
            fail_msg("%s: no push of kind %d for %s", roster[who].name, kind, case_id);
        Sertel__Event *ev = env->push;
        env->push = NULL;
        sertel__envelope__free_unpacked(env, NULL);
        if (!concerns(ev, who))
            fail_msg("%s received event %llu that is not theirs", roster[who].name,
                     (unsigned long long)ev->seq);
        assert_true(l->n < MAX_EVENTS);
        l->ev[l->n++] = ev;
        if (ev->kind == kind && strcmp(ev->case_id, case_id) == 0)
            return ev;
    }
}

static void assert_strictly_increasing(const events_t *l, uint64_t after)
{
    uint64_t prev = after;
    for (size_t i = 0; i < l->n; i++) {
        if (l->ev[i]->seq <= prev)
            fail_msg("event %zu: seq %llu after %llu (a duplicate or out of order)", i,
                     (unsigned long long)l->ev[i]->seq, (unsigned long long)prev);
        prev = l->ev[i]->seq;
    }
}

/* What the journal holds for officer who in (after, upto], compared
 * with what they received, event by event. */
static void assert_matches_journal(office_t *o, int who, const events_t *got, uint64_t after,
                                   uint64_t upto)
{
    Sertel__Envelope *j = harness_journal(&o->h, after);
    size_t k = 0;
    for (size_t i = 0; i < j->events->n_events; i++) {
        const Sertel__Event *ev = j->events->events[i];
        if (ev->seq > upto || !concerns(ev, who))
            continue;
        if (k >= got->n)
            fail_msg("%s missed event %llu (kind %d, case %s)", roster[who].name,
                     (unsigned long long)ev->seq, ev->kind, ev->case_id);
        if (got->ev[k]->seq != ev->seq)
            fail_msg("%s: event %zu has seq %llu, the journal's next for them is %llu",
                     roster[who].name, k, (unsigned long long)got->ev[k]->seq,
                     (unsigned long long)ev->seq);
        assert_int_equal(got->ev[k]->kind, ev->kind);
        assert_string_equal(got->ev[k]->case_id, ev->case_id);
        k++;
    }
    if (k != got->n)
        fail_msg("%s received %zu events, the journal holds %zu for them", roster[who].name,
                 got->n, k);
    sertel__envelope__free_unpacked(j, NULL);
}

/* Intake and step-1 completion by the front office; returns the case id. */
static void new_case(office_t *o, const char *applicant, char *id, size_t len, events_t *staf)
{
    Sertel__Envelope *r = harness_intake(o->conns[STAF], applicant, NULL);
    if (harness_error(r))
        fail_msg("intake refused: %s", r->error->message);
    snprintf(id, len, "%s", r->done->case_id);
    sertel__envelope__free_unpacked(r, NULL);
    /* The front office holds step 1: the live push reaches them. */
    await_push(o->conns[STAF], STAF, SERTEL__EVENT_KIND__EV_RECEIVED, id, staf);
    r = harness_complete(o->conns[STAF], id, NULL, "Mohon disposisi");
    if (harness_error(r))
        fail_msg("step 1 refused: %s", r->error->message);
    sertel__envelope__free_unpacked(r, NULL);
    await_push(o->conns[STAF], STAF, SERTEL__EVENT_KIND__EV_DISPOSED, id, staf);
}

/* more (may be NULL): the broker stopped at a round's end. */
static uint64_t hello_round(conn_t *c, uint64_t last_seq, uint32_t *replayed, bool *more)
{
    Sertel__Hello hello = SERTEL__HELLO__INIT;
    hello.last_seq = last_seq;
    hello.client = "test_broker_catchup";
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_HELLO;
    req.hello = &hello;
    Sertel__Envelope *reply = harness_call(c, &req);
    if (reply->body_case != SERTEL__ENVELOPE__BODY_WELCOME)
        fail_msg("hello refused: %s", harness_error(reply) ? reply->error->message : "?");
    uint64_t seq = reply->welcome->last_seq;
    *replayed = reply->welcome->replayed;
    if (more)
        *more = reply->welcome->more;
    sertel__envelope__free_unpacked(reply, NULL);
    return seq;
}

static uint64_t hello_welcome(conn_t *c, uint64_t last_seq, uint32_t *replayed)
{
    bool more = false;
    uint64_t seq = hello_round(c, last_seq, replayed, &more);
    assert_false(more);
    return seq;
}

/* The Kadis goes offline after the first case; five more cases reach
 * them meanwhile; on reconnect with the last seq they saw they get the
 * ten missed events (5 received, 5 disposed to step 2) in order, once,
 * and then the live stream, without repeats. */
static void test_offline_catchup(void **state)
{
    office_t *o = *state;
    events_t kadis = {0}, staf = {0}, other = {0};
    char first[64];
    new_case(o, "Pemohon Awal", first, sizeof first, &staf);
    Sertel__Event *ev = await_push(o->conns[KADIS], KADIS, SERTEL__EVENT_KIND__EV_DISPOSED,
                                   first, &kadis);
    uint64_t last_seen = ev->seq;
    assert_int_equal(ev->next_step, 2);
    assert_int_equal(kadis.n, 2); /* received, then disposed to them */
    assert_strictly_increasing(&kadis, 0);
    events_clear(&kadis);

    conn_close(&o->conns[KADIS]);
    char ids[5][64];
    for (int i = 0; i < 5; i++) {
        char name[32];
        snprintf(name, sizeof name, "Pemohon %d", i + 1);
        new_case(o, name, ids[i], sizeof ids[i], &staf);
    }
    /* The front office heard of each of its cases exactly once. */
    sync_pushes(o->conns[STAF], STAF, &staf);
    assert_strictly_increasing(&staf, 0);
    assert_int_equal(staf.n, 18); /* received, letter attached, disposed */

    o->conns[KADIS] = harness_connect(&o->h, &o->keys[KADIS]);
    assert_non_null(o->conns[KADIS]);
    uint32_t replayed = 0;
    uint64_t upto = hello_welcome(o->conns[KADIS], last_seen, &replayed);
    /* Replayed events precede the Welcome on the connection. */
    take_queued(o->conns[KADIS], KADIS, &kadis);
    assert_int_equal(kadis.n, 10);
    assert_int_equal(replayed, kadis.n);
    assert_strictly_increasing(&kadis, last_seen);
    assert_true(kadis.ev[kadis.n - 1]->seq <= upto);
    assert_matches_journal(o, KADIS, &kadis, last_seen, upto);
    for (int i = 0; i < 5; i++) {
        int received = 0, disposed = 0;
        for (size_t k = 0; k < kadis.n; k++) {
            if (strcmp(kadis.ev[k]->case_id, ids[i]) != 0)
                continue;
            received += kadis.ev[k]->kind == SERTEL__EVENT_KIND__EV_RECEIVED;
            disposed += kadis.ev[k]->kind == SERTEL__EVENT_KIND__EV_DISPOSED &&
                        kadis.ev[k]->next_step == 2;
        }
        assert_int_equal(received, 1);
        assert_int_equal(disposed, 1);
    }

    /* Live again: the next case arrives once, after the replay. */
    size_t before = kadis.n;
    char live[64];
    new_case(o, "Pemohon Langsung", live, sizeof live, &staf);
    await_push(o->conns[KADIS], KADIS, SERTEL__EVENT_KIND__EV_DISPOSED, live, &kadis);
    sync_pushes(o->conns[KADIS], KADIS, &kadis);
    assert_int_equal(kadis.n, before + 2);
    assert_strictly_increasing(&kadis, last_seen);
    assert_true(kadis.ev[before]->seq > upto);
    assert_matches_journal(o, KADIS, &kadis, last_seen, UINT64_MAX);

    /* The Kadis acts on the first case: the disposition reaches the
     * Kabid live; the verifier, never involved, got nothing at all. */
    Sertel__Envelope *r = harness_complete(o->conns[KADIS], first, NULL, "Proses sesuai SOP");
    assert_int_equal(harness_error(r), 0);
    sertel__envelope__free_unpacked(r, NULL);
    await_push(o->conns[KABID], KABID, SERTEL__EVENT_KIND__EV_DISPOSED, first, &other);
    events_clear(&other);
    sync_pushes(o->conns[VERIF], VERIF, &other);
    assert_int_equal(other.n, 0);
    sync_pushes(o->conns[JF], JF, &other);
    assert_int_equal(other.n, 0);
    events_clear(&kadis);
    events_clear(&staf);
}

/* Hello with last_seq 0 on a fresh connection: the officer's whole
 * history, in order, once, and nothing of anyone else's; an officer
 * with no history gets nothing. */
static void test_full_history(void **state)
{
    office_t *o = *state;
    events_t got = {0}, staf = {0};
    char ids[3][64];
    for (int i = 0; i < 3; i++) {
        char name[32];
        snprintf(name, sizeof name, "Pemohon Riwayat %d", i + 1);
        new_case(o, name, ids[i], sizeof ids[i], &staf);
    }
    /* Two go on to the Kabid, one on to the JF. */
    for (int i = 0; i < 2; i++) {
        Sertel__Envelope *r = harness_complete(o->conns[KADIS], ids[i], NULL, "Tindak lanjuti");
        assert_int_equal(harness_error(r), 0);
        sertel__envelope__free_unpacked(r, NULL);
    }
    Sertel__Envelope *r = harness_complete(o->conns[KABID], ids[0], NULL, "Ke JF");
    assert_int_equal(harness_error(r), 0);
    sertel__envelope__free_unpacked(r, NULL);

    const int who[] = {KADIS, KABID, JF, STAF, VERIF};
    const size_t expect[] = {8, 3, 1, 9, 0};
    for (size_t i = 0; i < sizeof who / sizeof who[0]; i++) {
        conn_t *fresh = harness_connect(&o->h, &o->keys[who[i]]);
        assert_non_null(fresh);
        uint32_t replayed = 0;
        uint64_t upto = hello_welcome(fresh, 0, &replayed);
        take_queued(fresh, who[i], &got);
        assert_int_equal(replayed, got.n);
        assert_strictly_increasing(&got, 0);
        assert_matches_journal(o, who[i], &got, 0, upto);
        if (got.n != expect[i])
            fail_msg("%s: %zu events replayed, expected %zu", roster[who[i]].name, got.n,
                     expect[i]);
        events_clear(&got);
        /* Nothing more trails the replay. */
        sync_pushes(fresh, who[i], &got);
        assert_int_equal(got.n, 0);
        conn_close(&fresh);
    }
    /* The verifier's live connection never received anything either. */
    sync_pushes(o->conns[VERIF], VERIF, &got);
    assert_int_equal(got.n, 0);
    events_clear(&staf);
}

static Sertel__Envelope *bulk_req(Sertel__Envelope *req, Sertel__Intake *in,
                                  Sertel__Application *app)
{
    harness_application(app, "Pemohon Massal", NULL);
    sertel__intake__init(in);
    in->app = app;
    /* One letter, many cases: the volume is the point, not the letter. */
    in->force = true;
    in->force_reason = "uji beban";
    sertel__envelope__init(req);
    req->version = 1;
    req->body_case = SERTEL__ENVELOPE__BODY_INTAKE;
    req->intake = in;
    return req;
}

/* n intakes sent without waiting (request ids from first_id). */
static void send_intakes(harness_raw_t *raw, int n, uint64_t first_id)
{
    Sertel__Envelope req;
    Sertel__Intake in;
    Sertel__Application app;
    bulk_req(&req, &in, &app);
    for (int i = 0; i < n; i++) {
        req.request_id = first_id + (uint64_t)i;
        size_t len = protobuf_c_message_get_packed_size(&req.base);
        uint8_t *buf = malloc(len);
        assert_non_null(buf);
        protobuf_c_message_pack(&req.base, buf);
        assert_true(harness_raw_send(raw, buf, len, false));
        free(buf);
    }
}

static void read_replies(harness_raw_t *raw, int n)
{
    for (int i = 0; i < n; i++) {
        Sertel__Envelope *r = harness_raw_reply(raw, PUSH_WAIT_MS, NULL, NULL);
        assert_non_null(r);
        if (harness_error(r))
            fail_msg("bulk intake refused: %s", r->error->message);
        sertel__envelope__free_unpacked(r, NULL);
    }
}


static void raw_hello(harness_raw_t *raw, uint64_t request_id, uint64_t last_seq)
{
    Sertel__Hello hello = SERTEL__HELLO__INIT;
    hello.last_seq = last_seq;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.version = 1;
    req.request_id = request_id;
    req.body_case = SERTEL__ENVELOPE__BODY_HELLO;
    req.hello = &hello;
    uint8_t buf[64];
    size_t len = protobuf_c_message_pack(&req.base, buf);
    assert_true(harness_raw_send(raw, buf, len, false));
}

/* A Ping whose Pong must be the next reply on the connection. */
static void raw_ping(harness_raw_t *raw, uint64_t request_id)
{
    Sertel__Ping ping = SERTEL__PING__INIT;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.version = 1;
    req.request_id = request_id;
    req.body_case = SERTEL__ENVELOPE__BODY_PING;
    req.ping = &ping;
    uint8_t buf[32];
    size_t len = protobuf_c_message_pack(&req.base, buf);
    assert_true(harness_raw_send(raw, buf, len, false));
    Sertel__Envelope *r = harness_raw_reply(raw, PUSH_WAIT_MS, NULL, NULL);
    assert_non_null(r);
    if (r->request_id != request_id || r->body_case != SERTEL__ENVELOPE__BODY_PONG)
        fail_msg("a reply to request %llu (body %d) came instead of the Pong to %llu",
                 (unsigned long long)r->request_id, r->body_case,
                 (unsigned long long)request_id);
    sertel__envelope__free_unpacked(r, NULL);
}

/* A history longer than a socket's default send queue (1000 messages)
 * is replayed whole, and the Welcome (with the count) follows it. */
static void test_long_history(void **state)
{
    office_t *o = *state;
    /* More than one round of replay (REPLAY_MAX is 4000): the first
     * Welcome says more and where it stopped; the second Hello from there
     * brings the rest, and only then is the session live. */
    enum { CASES = 4500 };
    harness_bulk_intakes(&o->h, &o->keys[STAF], CASES, 250);
    events_t got = {0};
    conn_t *fresh = harness_connect(&o->h, &o->keys[KADIS]);
    assert_non_null(fresh);
    uint32_t replayed = 0, total = 0;
    bool more = true;
    uint64_t upto = 0;
    int rounds = 0;
    while (more) {
        upto = hello_round(fresh, upto, &replayed, &more);
        take_queued(fresh, KADIS, &got);
        total += replayed;
        rounds++;
        assert_true(rounds <= 3);
    }
    assert_int_equal(rounds, 2);
    assert_int_equal(total, got.n);
    assert_strictly_increasing(&got, 0);
    assert_int_equal(got.n, CASES);
    assert_matches_journal(o, KADIS, &got, 0, upto);
    events_clear(&got);
    conn_close(&fresh);
}

/* A client that says Hello and leaves at once: its session is dropped
 * while its history is replayed, and the officers connected with it
 * keep their stream (the Welcome goes to no one else, and no other
 * session is dropped in its place). */
static void test_gone_during_replay(void **state)
{
    office_t *o = *state;
    events_t staf = {0};
    char id[64];
    new_case(o, "Pemohon Sebelum", id, sizeof id, &staf);
    events_clear(&staf);

    /* A bare front-office connection that will keep the broker busy. */
    harness_raw_t busy;
    assert_true(harness_raw_open(&o->h, &o->keys[STAF], &busy));
    raw_ping(&busy, 10);
    /* A second connection of the Kadis, live, the newest session. */
    harness_raw_t kadis;
    assert_true(harness_raw_open(&o->h, &o->keys[KADIS], &kadis));
    raw_hello(&kadis, 11, UINT64_C(1) << 62);
    Sertel__Envelope *w = harness_raw_reply(&kadis, PUSH_WAIT_MS, NULL, NULL);
    assert_non_null(w);
    assert_int_equal(w->body_case, SERTEL__ENVELOPE__BODY_WELCOME);
    assert_int_equal(w->request_id, 11);
    sertel__envelope__free_unpacked(w, NULL);

    /* While the broker works through a burst, the front office says
     * Hello (it has a history to replay) on a third connection and
     * closes it as soon as the bytes are out: by the time the Hello is
     * read, the peer is gone. */
    send_intakes(&busy, 250, 20000);
    harness_raw_t gone;
    assert_true(harness_raw_open(&o->h, &o->keys[STAF], &gone));
    int linger = 5000;
    zmq_setsockopt(gone.sock, ZMQ_LINGER, &linger, sizeof linger);
    raw_hello(&gone, 12, 0);
    harness_raw_close(&gone);
    /* More work queued behind the Hello: the broker reads past it (and
     * finds the connection closed) before it answers the batch. */
    send_intakes(&busy, 250, 30000);
    read_replies(&busy, 500);
    harness_raw_close(&busy);

    /* The Kadis' connection gets no reply that is not theirs, and still
     * hears of the next application (without asking anything first). */
    new_case(o, "Pemohon Sesudah", id, sizeof id, &staf);
    events_clear(&staf);
    bool heard = false;
    for (;;) {
        zmq_pollitem_t item = {kadis.sock, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&item, 1, PUSH_WAIT_MS) <= 0)
            break;
        uint8_t frame[4096];
        int n = zmq_recv(kadis.sock, frame, sizeof frame, 0);
        assert_true(n > 0 && (size_t)n <= sizeof frame);
        Sertel__Envelope *env = sertel__envelope__unpack(NULL, (size_t)n, frame);
        assert_non_null(env);
        if (env->body_case != SERTEL__ENVELOPE__BODY_PUSH)
            fail_msg("the Kadis received a reply (request %llu) they never asked for",
                     (unsigned long long)env->request_id);
        heard = env->push->kind == SERTEL__EVENT_KIND__EV_RECEIVED &&
                strcmp(env->push->case_id, id) == 0;
        sertel__envelope__free_unpacked(env, NULL);
        if (heard)
            break;
    }
    if (!heard)
        fail_msg("the Kadis' live session no longer receives pushes");
    harness_raw_close(&kadis);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_offline_catchup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_history, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_history, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gone_during_replay, setup, teardown),
    };
    return cmocka_run_group_tests_name("broker_catchup", tests, NULL, NULL);
}
