/* A whole renewal through the real broker: seven steps by five officers
 * over CURVE on 127.0.0.1, each officer receiving the disposition that
 * reaches them as a push. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

#define PUSH_WAIT_MS 10000

enum { STAF, KADIS, KABID, JF, VERIF1, VERIF2, N_OFFICERS };

static const struct {
    const char *nip, *name;
    role_t role;
    unsigned quals;
} roster[N_OFFICERS] = {
    [STAF] = {"198503142010011003", "Siti Rahmawati", ROLE_STAF, 0},
    [KADIS] = {"197503042001121002", "Tino Armyanto", ROLE_KADIS, 0},
    [KABID] = {"197806122003121001", "Dedi Supriadi", ROLE_KABID, 0},
    [JF] = {"198801012012011002", "Rina Kurniasih", ROLE_JF, 0},
    [VERIF1] = {"199002022015031001", "Asep Hidayat", ROLE_STAF, QUAL_VERIFIKATOR},
    [VERIF2] = {"199105052016041002", "Nur Aini", ROLE_STAF, QUAL_VERIFIKATOR},
};

typedef struct {
    harness_t h;
    keyfile_t keys[N_OFFICERS];
    conn_t *conns[N_OFFICERS];
} office_t;

static int setup(void **state)
{
    static office_t o;
    memset(&o, 0, sizeof o);
    assert_true(harness_start(&o.h));
    for (int i = 0; i < N_OFFICERS; i++) {
        assert_true(harness_enrol(&o.h, roster[i].nip, roster[i].name, roster[i].role,
                                  roster[i].quals, &o.keys[i]));
        o.conns[i] = harness_connect(&o.h, &o.keys[i]);
        assert_non_null(o.conns[i]);
        harness_hello(o.conns[i], 0);
    }
    *state = &o;
    return 0;
}

static int teardown(void **state)
{
    office_t *o = *state;
    for (int i = 0; i < N_OFFICERS; i++)
        conn_close(&o->conns[i]);
    harness_destroy(&o->h);
    return 0;
}

/* Waits for the push of this kind about this case, skipping others. */
static Sertel__Event *expect_push(conn_t *c, Sertel__EventKind kind, const char *case_id)
{
    for (;;) {
        Sertel__Envelope *env = conn_next_push(c, PUSH_WAIT_MS);
        if (!env)
            fail_msg("no push of kind %d for %s", kind, case_id);
        Sertel__Event *ev = env->push;
        if (ev->kind == kind && strcmp(ev->case_id, case_id) == 0) {
            env->push = NULL;
            sertel__envelope__free_unpacked(env, NULL);
            return ev;
        }
        sertel__envelope__free_unpacked(env, NULL);
    }
}

static Sertel__Envelope *call_ok(conn_t *c, Sertel__Envelope *req)
{
    Sertel__Envelope *reply = harness_call(c, req);
    if (harness_error(reply))
        fail_msg("refused: %s", reply->error->message);
    return reply;
}

static void intake(office_t *o, char *case_id, size_t len)
{
    Sertel__Envelope *reply = harness_intake(o->conns[STAF], "Budi Santoso", NULL);
    if (harness_error(reply))
        fail_msg("refused: %s", reply->error->message);
    assert_int_equal(reply->body_case, SERTEL__ENVELOPE__BODY_DONE);
    snprintf(case_id, len, "%s", reply->done->case_id);
    assert_int_equal(reply->done->case_->step, 1);
    sertel__envelope__free_unpacked(reply, NULL);
}

static void complete(conn_t *c, const char *case_id, const char *to, const char *instruction,
                     Sertel__Attachment *att)
{
    Sertel__Complete in = SERTEL__COMPLETE__INIT;
    in.case_id = (char *)case_id;
    in.to_nip = (char *)(to ? to : "");
    in.instruction = (char *)(instruction ? instruction : "");
    Sertel__Attachment *atts[] = {att};
    in.attachments = att ? atts : NULL;
    in.n_attachments = att ? 1 : 0;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_COMPLETE;
    req.complete = &in;
    sertel__envelope__free_unpacked(call_ok(c, &req), NULL);
}

/* The disposition that brought the case to next_step reaches who (their
 * own earlier dispositions, pushed back to them, are skipped). */
static void expect_disposed_to(office_t *o, int who, const char *case_id, int next_step)
{
    for (;;) {
        Sertel__Event *ev = expect_push(o->conns[who], SERTEL__EVENT_KIND__EV_DISPOSED, case_id);
        int next = ev->next_step;
        sertel__event__free_unpacked(ev, NULL);
        if (next == next_step)
            return;
    }
}

static void test_seven_steps(void **state)
{
    office_t *o = *state;
    char id[64];
    intake(o, id, sizeof id);
    Sertel__Event *ev = expect_push(o->conns[KADIS], SERTEL__EVENT_KIND__EV_RECEIVED, id);
    sertel__event__free_unpacked(ev, NULL);

    complete(o->conns[STAF], id, NULL, "Mohon disposisi", NULL);
    expect_disposed_to(o, KADIS, id, 2);
    complete(o->conns[KADIS], id, NULL, "Proses sesuai SOP", NULL);
    expect_disposed_to(o, KABID, id, 3);
    complete(o->conns[KABID], id, NULL, "Tindak lanjuti", NULL);
    expect_disposed_to(o, JF, id, 4);
    complete(o->conns[JF], id, roster[VERIF2].nip, "Verifikasi dan asistensi", NULL);
    expect_disposed_to(o, VERIF2, id, 5);

    Sertel__Contact contact = SERTEL__CONTACT__INIT;
    contact.case_id = id;
    contact.channel = SERTEL__CONTACT_CHANNEL__CONTACT_EMAIL;
    contact.summary = "Pemohon diminta memperbarui melalui aplikasi BSrE";
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_CONTACT;
    req.contact = &contact;
    sertel__envelope__free_unpacked(call_ok(o->conns[VERIF2], &req), NULL);
    complete(o->conns[VERIF2], id, NULL, NULL, NULL);
    expect_disposed_to(o, VERIF2, id, 6);

    Sertel__Certificate cert = SERTEL__CERTIFICATE__INIT;
    cert.case_id = id;
    cert.serial = "5A3F09C1";
    cert.not_after = 4102444800; /* 2100-01-01 */
    Sertel__Envelope creq = SERTEL__ENVELOPE__INIT;
    creq.body_case = SERTEL__ENVELOPE__BODY_CERTIFICATE;
    creq.certificate = &cert;
    sertel__envelope__free_unpacked(call_ok(o->conns[VERIF2], &creq), NULL);
    Sertel__Attachment report = SERTEL__ATTACHMENT__INIT;
    report.name = "laporan-pembaharuan.pdf";
    report.content.data = (uint8_t *)harness_pdf("laporan", &report.content.len);
    complete(o->conns[VERIF2], id, NULL, NULL, &report);
    expect_disposed_to(o, KADIS, id, 7);

    complete(o->conns[KADIS], id, NULL, NULL, NULL);
    int past[] = {STAF, KADIS, KABID, JF, VERIF2};
    for (size_t i = 0; i < sizeof past / sizeof past[0]; i++) {
        ev = expect_push(o->conns[past[i]], SERTEL__EVENT_KIND__EV_ARCHIVED, id);
        sertel__event__free_unpacked(ev, NULL);
    }
    /* Verifier 1 was never involved: nothing of this case reached them,
     * and they may not read it either; the front office may. */
    Sertel__Envelope *none = conn_next_push(o->conns[VERIF1], 0);
    assert_null(none);
    Sertel__Envelope *r = harness_case(o->conns[VERIF1], id);
    assert_int_equal(harness_error(r), SERTEL__ERROR_CODE__ERR_DENIED);
    sertel__envelope__free_unpacked(r, NULL);
    r = harness_case(o->conns[STAF], id);
    assert_int_equal(harness_error(r), 0);
    assert_int_equal(r->case_detail->case_->state, SERTEL__CASE_STATE__STATE_DONE);
    sertel__envelope__free_unpacked(r, NULL);
}

/* Returns the assignment's id. */
static uint64_t add_plh(office_t *o, int holder, int by)
{
    Sertel__Acting a = SERTEL__ACTING__INIT;
    a.kind = SERTEL__ACTING_KIND__ACTING_PLH;
    a.holder_nip = (char *)roster[holder].nip;
    a.by_nip = (char *)roster[by].nip;
    a.from = 0;
    a.to = INT64_MAX;
    Sertel__ActingAdd add = SERTEL__ACTING_ADD__INIT;
    add.acting = &a;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_ACTING_ADD;
    req.acting_add = &add;
    Sertel__Envelope *r = call_ok(o->h.admin_conn, &req);
    uint64_t id = 0;
    for (size_t i = 0; i < r->actings->n_actings; i++)
        if (strcmp(r->actings->actings[i]->by_nip, roster[by].nip) == 0 && !r->actings->actings[i]->ended)
            id = r->actings->actings[i]->id;
    sertel__envelope__free_unpacked(r, NULL);
    assert_true(id > 0);
    return id;
}

static void end_acting(office_t *o, uint64_t id)
{
    Sertel__ActingEnd end = SERTEL__ACTING_END__INIT;
    end.id = id;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_ACTING_END;
    req.acting_end = &end;
    sertel__envelope__free_unpacked(call_ok(o->h.admin_conn, &req), NULL);
}

/* A new case taken through steps 1-4, the JF disposing it to nip. */
static void case_to_verifier(office_t *o, char *id, size_t len, const char *nip)
{
    intake(o, id, len);
    complete(o->conns[STAF], id, NULL, "Mohon disposisi", NULL);
    complete(o->conns[KADIS], id, NULL, "Proses sesuai SOP", NULL);
    complete(o->conns[KABID], id, NULL, "Tindak lanjuti", NULL);
    complete(o->conns[JF], id, nip, "Verifikasi", NULL);
}

/* The next disposition pushed to who (of any case) is of case_id: pushes
 * on a connection come in journal order, so none came between. */
static void next_disposition_is(office_t *o, int who, const char *case_id)
{
    Sertel__Envelope *env;
    while ((env = conn_next_push(o->conns[who], PUSH_WAIT_MS)) != NULL &&
           env->push->kind != SERTEL__EVENT_KIND__EV_DISPOSED)
        sertel__envelope__free_unpacked(env, NULL);
    if (!env)
        fail_msg("no disposition for %s", case_id);
    assert_string_equal(env->push->case_id, case_id);
    sertel__envelope__free_unpacked(env, NULL);
}

/* A Plh is told of what reaches the official they stand in for, named
 * dispositions included, and may act on it. */
static void test_plh_hears_named_disposition(void **state)
{
    office_t *o = *state;
    add_plh(o, VERIF1, VERIF2);
    char id[64];
    intake(o, id, sizeof id);
    complete(o->conns[STAF], id, NULL, "Mohon disposisi", NULL);
    complete(o->conns[KADIS], id, NULL, "Proses sesuai SOP", NULL);
    complete(o->conns[KABID], id, NULL, "Tindak lanjuti", NULL);
    complete(o->conns[JF], id, roster[VERIF1].nip, "Verifikasi", NULL);
    expect_disposed_to(o, VERIF2, id, 5);
    expect_disposed_to(o, VERIF1, id, 5);
}

/* Whom a listener answers for follows the acting assignments made and
 * ended while it listens: the broker keeps each session's scope between
 * batches, and a committed change must not leave it stale. */
static void test_plh_scope_follows_changes(void **state)
{
    office_t *o = *state;
    char before[64], during[64], after[64], own[64];
    case_to_verifier(o, before, sizeof before, roster[VERIF1].nip);
    expect_disposed_to(o, VERIF1, before, 5);
    uint64_t acting = add_plh(o, VERIF1, VERIF2);
    case_to_verifier(o, during, sizeof during, roster[VERIF1].nip);
    expect_disposed_to(o, VERIF1, during, 5);
    next_disposition_is(o, VERIF2, during);
    end_acting(o, acting);
    case_to_verifier(o, after, sizeof after, roster[VERIF1].nip);
    expect_disposed_to(o, VERIF1, after, 5);
    /* Verifier 2's next disposition is its own case's, not the one it no
     * longer answers for. */
    case_to_verifier(o, own, sizeof own, roster[VERIF2].nip);
    next_disposition_is(o, VERIF2, own);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_seven_steps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plh_hears_named_disposition, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plh_scope_follows_changes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
