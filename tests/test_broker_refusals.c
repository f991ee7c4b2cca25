/* Refusals through the real broker: unknown and disabled keys, officers
 * out of their role, malformed and oversized frames, repeated requests,
 * admin commands from non-admins, and acting officials (Plh) whose
 * assignment ends. Each refusal leaves the state as it was and the
 * broker serving. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "codec.h"
#include "harness.h"

#define WAIT_MS 10000

enum { STAF, KADIS, KABID, JF, VERIF, KADIS_LAMA, N_OFFICERS };

static const struct {
    const char *nip, *name;
    role_t role;
    unsigned quals;
} roster[N_OFFICERS] = {
    [STAF] = {"198503142010011003", "Siti Rahmawati", ROLE_STAF, 0},
    [KADIS] = {"197503042001121002", "Tino Armyanto", ROLE_KADIS, 0},
    [KABID] = {"197806122003121001", "Dedi Supriadi", ROLE_KABID, 0},
    [JF] = {"198801012012011002", "Rina Kurniasih", ROLE_JF, 0},
    [VERIF] = {"199002022015031001", "Asep Hidayat", ROLE_STAF, QUAL_VERIFIKATOR},
    /* A second Kadis-role officer, the one whose key is disabled. */
    [KADIS_LAMA] = {"196905051995031001", "Bambang Sutrisno", ROLE_KADIS, 0},
};

typedef struct {
    harness_t h;
    keyfile_t keys[N_OFFICERS];
    conn_t *conns[N_OFFICERS];
} office_t;

static int setup(void **state)
{
    office_t *o = calloc(1, sizeof *o);
    assert_non_null(o);
    assert_true(harness_start(&o->h));
    for (int i = 0; i < N_OFFICERS; i++) {
        assert_true(harness_enrol(&o->h, roster[i].nip, roster[i].name, roster[i].role,
                                  roster[i].quals, &o->keys[i]));
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

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static Sertel__Envelope *ping_req(Sertel__Envelope *req, Sertel__Ping *ping)
{
    sertel__ping__init(ping);
    sertel__envelope__init(req);
    req->body_case = SERTEL__ENVELOPE__BODY_PING;
    req->ping = ping;
    return req;
}

/* A round trip that must succeed: the broker is still serving. */
static void assert_serving(conn_t *c)
{
    Sertel__Envelope req;
    Sertel__Ping ping;
    Sertel__Envelope *reply = harness_call(c, ping_req(&req, &ping));
    assert_int_equal(reply->body_case, SERTEL__ENVELOPE__BODY_PONG);
    sertel__envelope__free_unpacked(reply, NULL);
}

/* Drains the pushes already queued on c; returns how many. */
static size_t drop_queued(conn_t *c)
{
    size_t n = 0;
    Sertel__Envelope *env;
    while ((env = conn_next_push(c, 0)) != NULL) {
        sertel__envelope__free_unpacked(env, NULL);
        n++;
    }
    return n;
}

/* ---- the state, to compare before and after a refusal */

typedef struct {
    uint8_t *journal, *cases;
    size_t journal_len, cases_len, n_events, n_cases;
} snapshot_t;

static uint8_t *pack_env(Sertel__Envelope *env, size_t *len)
{
    env->request_id = 0;
    uint8_t *buf = codec_pack(&env->base, len);
    assert_non_null(buf);
    return buf;
}

/* Every case (working time used zeroed: it moves with the clock) and
 * the whole journal, packed. */
static void snapshot(office_t *o, snapshot_t *s)
{
    Sertel__Envelope *j = harness_journal(&o->h, 0);
    s->n_events = j->events->n_events;
    s->journal = pack_env(j, &s->journal_len);
    sertel__envelope__free_unpacked(j, NULL);
    Sertel__SearchQuery q = SERTEL__SEARCH_QUERY__INIT;
    q.limit = 1000;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_SEARCH;
    req.search = &q;
    Sertel__Envelope *r = harness_call(o->h.admin_conn, &req);
    assert_int_equal(r->body_case, SERTEL__ENVELOPE__BODY_CASE_LIST);
    s->n_cases = r->case_list->n_cases;
    for (size_t i = 0; i < r->case_list->n_cases; i++)
        r->case_list->cases[i]->work_used = 0;
    s->cases = pack_env(r, &s->cases_len);
    sertel__envelope__free_unpacked(r, NULL);
}

static void snapshot_free(snapshot_t *s)
{
    free(s->journal);
    free(s->cases);
    memset(s, 0, sizeof *s);
}

static void assert_unchanged(office_t *o, snapshot_t *before)
{
    snapshot_t now;
    snapshot(o, &now);
    assert_int_equal(now.n_events, before->n_events);
    assert_int_equal(now.n_cases, before->n_cases);
    assert_memory_equal(now.journal, before->journal, before->journal_len);
    assert_int_equal(now.journal_len, before->journal_len);
    assert_int_equal(now.cases_len, before->cases_len);
    assert_memory_equal(now.cases, before->cases, before->cases_len);
    snapshot_free(&now);
}

/* A case at step 2 (received and disposed to the Kadis). */
static void case_at_step2(office_t *o, const char *applicant, char *id, size_t len)
{
    Sertel__Envelope *r = harness_intake(o->conns[STAF], applicant, NULL);
    if (harness_error(r))
        fail_msg("intake refused: %s", r->error->message);
    snprintf(id, len, "%s", r->done->case_id);
    sertel__envelope__free_unpacked(r, NULL);
    r = harness_complete(o->conns[STAF], id, NULL, "Mohon disposisi");
    if (harness_error(r))
        fail_msg("step 1 refused: %s", r->error->message);
    assert_int_equal(r->done->case_->step, 2);
    sertel__envelope__free_unpacked(r, NULL);
}

/* CaseQuery packed, working time used zeroed. */
static uint8_t *case_detail(conn_t *c, const char *id, size_t *len)
{
    Sertel__Envelope *r = harness_case(c, id);
    assert_int_equal(r->body_case, SERTEL__ENVELOPE__BODY_CASE_DETAIL);
    r->case_detail->case_->work_used = 0;
    uint8_t *buf = pack_env(r, len);
    sertel__envelope__free_unpacked(r, NULL);
    return buf;
}

/* ---- (a) a key the broker does not know */

static void test_unknown_key(void **state)
{
    office_t *o = *state;
    keyfile_t stranger = o->keys[STAF];
    char err[512];
    assert_int_equal(keyfile_generate(&stranger, err, sizeof err), SERTEL_OK);
    conn_t *c = harness_connect(&o->h, &stranger);
    assert_non_null(c);
    Sertel__Envelope req, *reply = NULL;
    Sertel__Ping ping;
    int64_t t0 = now_ms();
    sertel_err_t e = harness_try_call(c, ping_req(&req, &ping), &reply, WAIT_MS);
    int64_t took = now_ms() - t0;
    assert_null(reply);
    assert_int_equal(e, SERTEL_E_DENIED);
    /* The refusal is the ZAP answer, not the end of a wait: well under
     * the first half of the timeout that a silent broker would take. */
    if (took >= WAIT_MS / 2)
        fail_msg("the refusal took %lld ms: a timeout, not the handshake", (long long)took);
    conn_close(&c);
    assert_serving(o->conns[STAF]);
}

/* The broker renews its key check's socket after every 64 answers
 * (ZAP_RENEW_ANSWERS, server/zap.h) and closes the one it replaced at
 * the next renewal, dropping the pipes libzmq kept to it from the
 * connections it admitted. Across renewals no stranger gets in, an
 * officer still does, and the connections opened before are served. */
#define KEY_CHECK_RENEWAL 64

static void test_key_check_renewed(void **state)
{
    office_t *o = *state;
    char err[512];
    /* Two renewals' worth of strangers: every one refused, each by the
     * key check that was bound when it knocked. */
    for (int i = 0; i < 2 * KEY_CHECK_RENEWAL + 2; i++) {
        keyfile_t stranger = o->keys[STAF];
        assert_int_equal(keyfile_generate(&stranger, err, sizeof err), SERTEL_OK);
        conn_t *c = harness_connect(&o->h, &stranger);
        assert_non_null(c);
        Sertel__Envelope req, *reply = NULL;
        Sertel__Ping ping;
        assert_int_equal(harness_try_call(c, ping_req(&req, &ping), &reply, WAIT_MS),
                         SERTEL_E_DENIED);
        assert_null(reply);
        conn_close(&c);
    }
    for (int i = 0; i < N_OFFICERS; i++)
        assert_serving(o->conns[i]);
    conn_t *again = harness_connect(&o->h, &o->keys[KADIS]);
    assert_non_null(again);
    harness_hello(again, 0);
    assert_serving(again);
    conn_close(&again);
}

/* ---- (b) a disabled officer is cut off */

static void disable(office_t *o, int who)
{
    Sertel__OfficerDisable d = SERTEL__OFFICER_DISABLE__INIT;
    d.nip = (char *)roster[who].nip;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_OFFICER_DISABLE;
    req.officer_disable = &d;
    Sertel__Envelope *r = harness_call(o->h.admin_conn, &req);
    if (harness_error(r))
        fail_msg("disable refused: %s", r->error->message);
    sertel__envelope__free_unpacked(r, NULL);
}

/* Waits for a push of kind on case id, dropping others. */
static void await_push(conn_t *c, Sertel__EventKind kind, const char *id)
{
    for (;;) {
        Sertel__Envelope *env = conn_next_push(c, WAIT_MS);
        if (!env)
            fail_msg("no push of kind %d for %s", kind, id);
        bool hit = env->push->kind == kind && strcmp(env->push->case_id, id) == 0;
        sertel__envelope__free_unpacked(env, NULL);
        if (hit)
            return;
    }
}

static void test_disabled_officer(void **state)
{
    office_t *o = *state;
    conn_t *lama = o->conns[KADIS_LAMA];
    /* While enrolled, new applications reach them like any Kadis. */
    char id[64];
    Sertel__Envelope *r = harness_intake(o->conns[STAF], "Pemohon Pertama", NULL);
    assert_int_equal(harness_error(r), 0);
    snprintf(id, sizeof id, "%s", r->done->case_id);
    sertel__envelope__free_unpacked(r, NULL);
    await_push(lama, SERTEL__EVENT_KIND__EV_RECEIVED, id);

    disable(o, KADIS_LAMA);
    r = harness_intake(o->conns[STAF], "Pemohon Kedua", NULL);
    assert_int_equal(harness_error(r), 0);
    snprintf(id, sizeof id, "%s", r->done->case_id);
    sertel__envelope__free_unpacked(r, NULL);
    /* The other Kadis hears of it; the push round is over. */
    await_push(o->conns[KADIS], SERTEL__EVENT_KIND__EV_RECEIVED, id);

    /* Their next request is refused; any push sent before that answer
     * would be queued ahead of it on the connection: there is none. */
    Sertel__Envelope req;
    Sertel__Ping ping;
    r = harness_call(lama, ping_req(&req, &ping));
    assert_int_equal(harness_error(r), SERTEL__ERROR_CODE__ERR_DENIED);
    sertel__envelope__free_unpacked(r, NULL);
    assert_int_equal(drop_queued(lama), 0);
    /* Saying Hello again does not bring the stream back. */
    Sertel__Hello hello = SERTEL__HELLO__INIT;
    Sertel__Envelope hreq = SERTEL__ENVELOPE__INIT;
    hreq.body_case = SERTEL__ENVELOPE__BODY_HELLO;
    hreq.hello = &hello;
    r = harness_call(lama, &hreq);
    assert_int_equal(harness_error(r), SERTEL__ERROR_CODE__ERR_DENIED);
    sertel__envelope__free_unpacked(r, NULL);
    r = harness_intake(o->conns[STAF], "Pemohon Ketiga", NULL);
    assert_int_equal(harness_error(r), 0);
    snprintf(id, sizeof id, "%s", r->done->case_id);
    sertel__envelope__free_unpacked(r, NULL);
    await_push(o->conns[KADIS], SERTEL__EVENT_KIND__EV_RECEIVED, id);
    r = harness_call(lama, ping_req(&req, &ping));
    assert_int_equal(harness_error(r), SERTEL__ERROR_CODE__ERR_DENIED);
    sertel__envelope__free_unpacked(r, NULL);
    assert_int_equal(drop_queued(lama), 0);

    /* A new connection with the key is refused at the handshake. */
    conn_t *again = harness_connect(&o->h, &o->keys[KADIS_LAMA]);
    assert_non_null(again);
    Sertel__Envelope *none = NULL;
    assert_int_equal(harness_try_call(again, ping_req(&req, &ping), &none, WAIT_MS),
                     SERTEL_E_DENIED);
    assert_null(none);
    conn_close(&again);
    assert_serving(o->conns[KADIS]);
}

/* ---- (c) out of role */

static void test_out_of_role(void **state)
{
    office_t *o = *state;
    char id[64];
    case_at_step2(o, "Pemohon Peran", id, sizeof id);
    snapshot_t before;
    snapshot(o, &before);
    size_t len0, len1;
    uint8_t *detail0 = case_detail(o->conns[KADIS], id, &len0);

    /* Step 2 is the Kadis': the JF, the Kabid and the front office are
     * refused, with or without naming the next officer. */
    const int who[] = {JF, KABID, STAF, VERIF};
    for (size_t i = 0; i < sizeof who / sizeof who[0]; i++) {
        Sertel__Envelope *r = harness_complete(o->conns[who[i]], id, NULL, "Lanjutkan");
        if (harness_error(r) != SERTEL__ERROR_CODE__ERR_WRONG_ROLE)
            fail_msg("%s completing step 2: error %d, expected ERR_WRONG_ROLE",
                     roster[who[i]].name, harness_error(r));
        sertel__envelope__free_unpacked(r, NULL);
    }
    Sertel__Envelope *r = harness_complete(o->conns[JF], id, roster[KABID].nip, "Lanjutkan");
    assert_int_equal(harness_error(r), SERTEL__ERROR_CODE__ERR_WRONG_ROLE);
    sertel__envelope__free_unpacked(r, NULL);

    uint8_t *detail1 = case_detail(o->conns[KADIS], id, &len1);
    assert_int_equal(len0, len1);
    assert_memory_equal(detail0, detail1, len0);
    free(detail0);
    free(detail1);
    assert_unchanged(o, &before);
    snapshot_free(&before);
    /* The rightful officer still can. */
    r = harness_complete(o->conns[KADIS], id, NULL, "Proses");
    assert_int_equal(harness_error(r), 0);
    assert_int_equal(r->done->case_->step, 3);
    sertel__envelope__free_unpacked(r, NULL);
}

/* ---- (d) bad frames */

static uint8_t *pack_raw(Sertel__Envelope *env, size_t *len)
{
    uint8_t *buf = codec_pack(&env->base, len);
    assert_non_null(buf);
    return buf;
}

/* Sends the frames and expects an ERR_PROTOCOL reply carrying rid. */
static void expect_protocol_error(harness_raw_t *raw, uint64_t rid, const char *what)
{
    Sertel__Envelope *r = harness_raw_reply(raw, WAIT_MS, NULL, NULL);
    if (!r)
        fail_msg("%s: no reply", what);
    if (harness_error(r) != SERTEL__ERROR_CODE__ERR_PROTOCOL)
        fail_msg("%s: error %d, expected ERR_PROTOCOL", what, harness_error(r));
    if (r->request_id != rid)
        fail_msg("%s: reply to request %llu, expected %llu", what,
                 (unsigned long long)r->request_id, (unsigned long long)rid);
    assert_true(r->error->message && *r->error->message);
    sertel__envelope__free_unpacked(r, NULL);
}

static void test_bad_frames(void **state)
{
    office_t *o = *state;
    char id[64];
    case_at_step2(o, "Pemohon Bingkai", id, sizeof id);
    snapshot_t before;
    snapshot(o, &before);
    harness_raw_t raw;
    assert_true(harness_raw_open(&o->h, &o->keys[STAF], &raw));

    /* Random bytes (a fixed seed: the same bytes every run). */
    uint8_t junk[512];
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < sizeof junk; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        junk[i] = (uint8_t)x;
    }
    assert_true(harness_raw_send(&raw, junk, sizeof junk, false));
    expect_protocol_error(&raw, 0, "random bytes");
    /* A length that runs past the end of the frame. */
    const uint8_t truncated[] = {0x08, 0x01, 0x62, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01};
    assert_true(harness_raw_send(&raw, truncated, sizeof truncated, false));
    expect_protocol_error(&raw, 0, "truncated field");

    /* A whole, valid intake split over two frames is not applied. */
    Sertel__Application app;
    harness_application(&app, "Pemohon Dua Bingkai", NULL);
    Sertel__Intake in = SERTEL__INTAKE__INIT;
    in.app = &app;
    Sertel__Envelope intake = SERTEL__ENVELOPE__INIT;
    intake.version = PROTOCOL_VERSION;
    intake.request_id = 7001;
    intake.body_case = SERTEL__ENVELOPE__BODY_INTAKE;
    intake.intake = &in;
    size_t len;
    uint8_t *buf = pack_raw(&intake, &len);
    assert_true(harness_raw_send(&raw, buf, len, true));
    assert_true(harness_raw_send(&raw, buf, len, false));
    free(buf);
    expect_protocol_error(&raw, 7001, "two frames");

    /* A valid envelope without a body, and one with only a field this
     * protocol does not have (tag 99). */
    Sertel__Envelope empty = SERTEL__ENVELOPE__INIT;
    empty.version = PROTOCOL_VERSION;
    empty.request_id = 7002;
    buf = pack_raw(&empty, &len);
    assert_true(harness_raw_send(&raw, buf, len, false));
    uint8_t unknown[64];
    memcpy(unknown, buf, len);
    free(buf);
    expect_protocol_error(&raw, 7002, "no body");
    unknown[len] = 0x98, unknown[len + 1] = 0x06, unknown[len + 2] = 0x01; /* field 99 = 1 */
    assert_true(harness_raw_send(&raw, unknown, len + 3, false));
    expect_protocol_error(&raw, 7002, "unknown field");

    /* A reply's body sent as a request. */
    Sertel__Pong pong = SERTEL__PONG__INIT;
    Sertel__Envelope wrong = SERTEL__ENVELOPE__INIT;
    wrong.version = PROTOCOL_VERSION;
    wrong.request_id = 7003;
    wrong.body_case = SERTEL__ENVELOPE__BODY_PONG;
    wrong.pong = &pong;
    buf = pack_raw(&wrong, &len);
    assert_true(harness_raw_send(&raw, buf, len, false));
    free(buf);
    expect_protocol_error(&raw, 7003, "a reply as a request");

    /* Another protocol version, with a body this broker would apply. */
    intake.version = PROTOCOL_VERSION + 1;
    intake.request_id = 7004;
    buf = pack_raw(&intake, &len);
    assert_true(harness_raw_send(&raw, buf, len, false));
    free(buf);
    expect_protocol_error(&raw, 7004, "wrong version");

    /* Just over FRAME_MAX: refused by the broker's size check. */
    size_t big = FRAME_MAX + 1;
    uint8_t *huge = calloc(1, big + 4096);
    assert_non_null(huge);
    memset(huge, 0x0a, big);
    assert_true(harness_raw_send(&raw, huge, big, false));
    expect_protocol_error(&raw, 0, "a frame over FRAME_MAX");
    /* Far over: libzmq drops the connection before buffering it. */
    assert_true(harness_raw_send(&raw, huge, big + 4096, false));
    free(huge);
    assert_true(harness_raw_disconnected(&raw, WAIT_MS));
    harness_raw_close(&raw);

    /* Still serving, nothing changed, and a normal request works. */
    assert_serving(o->conns[STAF]);
    assert_unchanged(o, &before);
    snapshot_free(&before);
    Sertel__Envelope *r = harness_complete(o->conns[KADIS], id, NULL, "Proses");
    assert_int_equal(harness_error(r), 0);
    sertel__envelope__free_unpacked(r, NULL);
}

/* ---- (e) one request id, one application */

static void test_repeated_request(void **state)
{
    office_t *o = *state;
    snapshot_t before;
    snapshot(o, &before);
    harness_raw_t raw;
    assert_true(harness_raw_open(&o->h, &o->keys[STAF], &raw));
    Sertel__Application app;
    harness_application(&app, "Pemohon Ulang", NULL);
    Sertel__Attachment letter = SERTEL__ATTACHMENT__INIT;
    letter.name = "surat.pdf";
    letter.content.data = (uint8_t *)harness_pdf("surat", &letter.content.len);
    Sertel__Attachment *atts[] = {&letter};
    Sertel__Intake in = SERTEL__INTAKE__INIT;
    in.app = &app;
    in.attachments = atts;
    in.n_attachments = 1;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.version = PROTOCOL_VERSION;
    req.request_id = 0x5e57e1;
    req.body_case = SERTEL__ENVELOPE__BODY_INTAKE;
    req.intake = &in;
    size_t len;
    uint8_t *buf = pack_raw(&req, &len);
    /* Twice back to back (most likely one batch), then once more later. */
    assert_true(harness_raw_send(&raw, buf, len, false));
    assert_true(harness_raw_send(&raw, buf, len, false));
    uint8_t *answers[3];
    size_t lens[3];
    for (int i = 0; i < 2; i++)
        sertel__envelope__free_unpacked(harness_raw_reply(&raw, WAIT_MS, &answers[i], &lens[i]),
                                        NULL);
    assert_true(harness_raw_send(&raw, buf, len, false));
    Sertel__Envelope *third = harness_raw_reply(&raw, WAIT_MS, &answers[2], &lens[2]);
    assert_non_null(third);
    uint8_t *intake_buf = buf;
    size_t intake_len = len;
    assert_int_equal(third->body_case, SERTEL__ENVELOPE__BODY_DONE);
    assert_int_equal(third->request_id, req.request_id);
    /* Rebuilt from the journal, it still names the e-mail the intake
     * queued to the applicant, as the first answer did. */
    assert_true(third->done->message_id > 0);
    char id[64];
    snprintf(id, sizeof id, "%s", third->done->case_id);
    sertel__envelope__free_unpacked(third, NULL);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(lens[i], lens[2]);
        assert_memory_equal(answers[i], answers[2], lens[2]);
    }
    for (int i = 0; i < 2; i++)
        free(answers[i]);

    /* One case, one set of events (received, letter attached, the
     * automatic e-mail to the applicant queued). */
    snapshot_t after;
    snapshot(o, &after);
    assert_int_equal(after.n_cases, before.n_cases + 1);
    assert_int_equal(after.n_events, before.n_events + 3);
    snapshot_free(&after);
    snapshot_free(&before);

    /* The same for a completion: applied once, the step moves by one. */
    Sertel__Complete c = SERTEL__COMPLETE__INIT;
    c.case_id = id;
    c.instruction = "Mohon disposisi";
    Sertel__Envelope creq = SERTEL__ENVELOPE__INIT;
    creq.version = PROTOCOL_VERSION;
    creq.request_id = 0x5e57e2;
    creq.body_case = SERTEL__ENVELOPE__BODY_COMPLETE;
    creq.complete = &c;
    buf = pack_raw(&creq, &len);
    snapshot(o, &before);
    for (int i = 0; i < 3; i++)
        assert_true(harness_raw_send(&raw, buf, len, false));
    free(buf);
    for (int i = 0; i < 3; i++) {
        Sertel__Envelope *r = harness_raw_reply(&raw, WAIT_MS, NULL, NULL);
        assert_non_null(r);
        assert_int_equal(r->body_case, SERTEL__ENVELOPE__BODY_DONE);
        assert_int_equal(r->done->case_->step, 2);
        sertel__envelope__free_unpacked(r, NULL);
    }
    harness_raw_close(&raw);
    snapshot(o, &after);
    assert_int_equal(after.n_events, before.n_events + 1);
    assert_int_equal(after.n_cases, before.n_cases);
    snapshot_free(&after);
    snapshot_free(&before);
    Sertel__Envelope *d = harness_case(o->conns[KADIS], id);
    assert_int_equal(d->case_detail->case_->step, 2);
    /* Received, letter attached, e-mail queued, disposed. */
    assert_int_equal(d->case_detail->n_history, 4);
    sertel__envelope__free_unpacked(d, NULL);

    /* After a restart the request memory is folded from the journal: the
     * intake repeated once more is answered with the same event and the
     * same message number (the case itself as it is now, at step 2). */
    harness_stop(&o->h, SIGTERM);
    assert_true(harness_restart(&o->h));
    assert_true(harness_raw_open(&o->h, &o->keys[STAF], &raw));
    assert_true(harness_raw_send(&raw, intake_buf, intake_len, false));
    Sertel__Envelope *first = sertel__envelope__unpack(NULL, lens[2], answers[2]);
    Sertel__Envelope *again = harness_raw_reply(&raw, WAIT_MS, NULL, NULL);
    harness_raw_close(&raw);
    assert_non_null(first);
    assert_non_null(again);
    assert_int_equal(again->body_case, SERTEL__ENVELOPE__BODY_DONE);
    assert_string_equal(again->done->case_id, first->done->case_id);
    assert_int_equal(again->done->seq, first->done->seq);
    assert_int_equal(again->done->message_id, first->done->message_id);
    assert_int_equal(again->done->case_->step, 2);
    sertel__envelope__free_unpacked(first, NULL);
    sertel__envelope__free_unpacked(again, NULL);
    free(answers[2]);
    free(intake_buf);
}

/* ---- (f) admin commands are the admin's */

static void test_admin_only(void **state)
{
    office_t *o = *state;
    snapshot_t before;
    snapshot(o, &before);
    uint8_t pub[32] = {1, 2, 3};
    Sertel__Officer off = SERTEL__OFFICER__INIT;
    off.nip = "199303032019031003";
    off.name = "Penyusup";
    off.role = SERTEL__ROLE__ROLE_ADMIN;
    off.public_key.data = pub;
    off.public_key.len = 32;
    Sertel__OfficerAdd add = SERTEL__OFFICER_ADD__INIT;
    add.officer = &off;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_OFFICER_ADD;
    req.officer_add = &add;
    for (int i = 0; i < N_OFFICERS; i++) {
        Sertel__Envelope *r = harness_call(o->conns[i], &req);
        if (harness_error(r) != SERTEL__ERROR_CODE__ERR_DENIED)
            fail_msg("%s adding an officer: error %d, expected ERR_DENIED", roster[i].name,
                     harness_error(r));
        sertel__envelope__free_unpacked(r, NULL);
    }
    Sertel__OfficerDisable dis = SERTEL__OFFICER_DISABLE__INIT;
    dis.nip = (char *)roster[STAF].nip;
    Sertel__Envelope dreq = SERTEL__ENVELOPE__INIT;
    dreq.body_case = SERTEL__ENVELOPE__BODY_OFFICER_DISABLE;
    dreq.officer_disable = &dis;
    Sertel__Envelope *r = harness_call(o->conns[KADIS], &dreq);
    assert_int_equal(harness_error(r), SERTEL__ERROR_CODE__ERR_DENIED);
    sertel__envelope__free_unpacked(r, NULL);
    assert_unchanged(o, &before);
    snapshot_free(&before);
    assert_serving(o->conns[STAF]);
}

/* ---- (b2) a replaced key is cut off at once; the new one works */

static void test_rekeyed_officer(void **state)
{
    office_t *o = *state;
    conn_t *lama = o->conns[KADIS_LAMA];
    keyfile_t fresh = o->keys[KADIS_LAMA];
    char err[256];
    assert_int_equal(keyfile_generate(&fresh, err, sizeof err), SERTEL_OK);
    uint8_t pub[32];
    zmq_z85_decode(pub, fresh.public_key);
    Sertel__OfficerRekey rk = SERTEL__OFFICER_REKEY__INIT;
    rk.nip = (char *)roster[KADIS_LAMA].nip;
    rk.public_key.data = pub;
    rk.public_key.len = 32;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_OFFICER_REKEY;
    req.officer_rekey = &rk;
    Sertel__Envelope *r = harness_call(o->h.admin_conn, &req);
    if (harness_error(r))
        fail_msg("rekey refused: %s", r->error->message);
    sertel__envelope__free_unpacked(r, NULL);

    /* The live session of the old key: no more pushes, requests refused. */
    r = harness_intake(o->conns[STAF], "Pemohon Sesudah Kunci Baru", NULL);
    assert_int_equal(harness_error(r), 0);
    char id[64];
    snprintf(id, sizeof id, "%s", r->done->case_id);
    sertel__envelope__free_unpacked(r, NULL);
    await_push(o->conns[KADIS], SERTEL__EVENT_KIND__EV_RECEIVED, id);
    Sertel__Ping ping;
    r = harness_call(lama, ping_req(&req, &ping));
    assert_int_equal(harness_error(r), SERTEL__ERROR_CODE__ERR_DENIED);
    sertel__envelope__free_unpacked(r, NULL);
    assert_int_equal(drop_queued(lama), 0);

    /* The old key is refused at the handshake; the new one is served. */
    conn_t *old = harness_connect(&o->h, &o->keys[KADIS_LAMA]);
    Sertel__Envelope *none = NULL;
    assert_int_equal(harness_try_call(old, ping_req(&req, &ping), &none, WAIT_MS), SERTEL_E_DENIED);
    assert_null(none);
    conn_close(&old);
    conn_t *renewed = harness_connect(&o->h, &fresh);
    assert_non_null(renewed);
    assert_serving(renewed);
    conn_close(&renewed);
}

/* ---- (g) Plh: acting for the Kadis while the assignment lasts */

static uint64_t acting_add(office_t *o, int holder, int by)
{
    int64_t now = (int64_t)time(NULL);
    Sertel__Acting a = SERTEL__ACTING__INIT;
    a.kind = SERTEL__ACTING_KIND__ACTING_PLH;
    a.holder_nip = (char *)roster[holder].nip;
    a.by_nip = (char *)roster[by].nip;
    a.from = now - 3600;
    a.to = now + 8 * 3600;
    Sertel__ActingAdd add = SERTEL__ACTING_ADD__INIT;
    add.acting = &a;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_ACTING_ADD;
    req.acting_add = &add;
    Sertel__Envelope *r = harness_call(o->h.admin_conn, &req);
    if (harness_error(r))
        fail_msg("acting add refused: %s", r->error->message);
    assert_int_equal(r->body_case, SERTEL__ENVELOPE__BODY_ACTINGS);
    uint64_t id = 0;
    for (size_t i = 0; i < r->actings->n_actings; i++)
        if (strcmp(r->actings->actings[i]->by_nip, roster[by].nip) == 0 &&
            !r->actings->actings[i]->ended)
            id = r->actings->actings[i]->id;
    sertel__envelope__free_unpacked(r, NULL);
    assert_true(id != 0);
    return id;
}

static void test_plh(void **state)
{
    office_t *o = *state;
    char first[64], second[64];
    case_at_step2(o, "Pemohon Plh", first, sizeof first);
    case_at_step2(o, "Pemohon Sesudah Plh", second, sizeof second);
    /* Without an assignment the Kabid cannot act for the Kadis. */
    Sertel__Envelope *r = harness_complete(o->conns[KABID], first, NULL, "Tindak lanjuti");
    assert_int_equal(harness_error(r), SERTEL__ERROR_CODE__ERR_WRONG_ROLE);
    sertel__envelope__free_unpacked(r, NULL);

    uint64_t acting = acting_add(o, KADIS, KABID);
    r = harness_complete(o->conns[KABID], first, NULL, "Tindak lanjuti");
    if (harness_error(r))
        fail_msg("the Plh was refused: %s", r->error->message);
    uint64_t seq = r->done->seq;
    assert_int_equal(r->done->case_->step, 3);
    sertel__envelope__free_unpacked(r, NULL);
    /* The journal names the Plh and whom they stood in for. */
    Sertel__Envelope *j = harness_journal(&o->h, seq - 1);
    assert_true(j->events->n_events >= 1);
    const Sertel__Event *ev = j->events->events[0];
    assert_int_equal(ev->seq, seq);
    assert_int_equal(ev->kind, SERTEL__EVENT_KIND__EV_DISPOSED);
    assert_string_equal(ev->case_id, first);
    assert_int_equal(ev->step, 2);
    assert_string_equal(ev->actor, roster[KABID].nip);
    assert_int_equal(ev->acting, SERTEL__ACTING_KIND__ACTING_PLH);
    assert_string_equal(ev->acting_for, roster[KADIS].nip);
    sertel__envelope__free_unpacked(j, NULL);

    Sertel__ActingEnd end = SERTEL__ACTING_END__INIT;
    end.id = acting;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_ACTING_END;
    req.acting_end = &end;
    r = harness_call(o->h.admin_conn, &req);
    assert_int_equal(harness_error(r), 0);
    sertel__envelope__free_unpacked(r, NULL);

    snapshot_t before;
    snapshot(o, &before);
    r = harness_complete(o->conns[KABID], second, NULL, "Tindak lanjuti");
    assert_int_equal(harness_error(r), SERTEL__ERROR_CODE__ERR_WRONG_ROLE);
    sertel__envelope__free_unpacked(r, NULL);
    assert_unchanged(o, &before);
    snapshot_free(&before);
    r = harness_complete(o->conns[KADIS], second, NULL, "Tindak lanjuti");
    assert_int_equal(harness_error(r), 0);
    sertel__envelope__free_unpacked(r, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unknown_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_check_renewed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disabled_officer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rekeyed_officer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_role, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_frames, setup, teardown),
        cmocka_unit_test_setup_teardown(test_repeated_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_admin_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plh, setup, teardown),
    };
    return cmocka_run_group_tests_name("broker_refusals", tests, NULL, NULL);
}
