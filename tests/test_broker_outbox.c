/* The applicant's outbox in a real broker over CURVE: a message queued
 * with the event that causes it and pushed to the notifier with its
 * content; the notifier's reports and their order (sending before sent;
 * nothing after a final state); a notifier restarting catches up on the
 * messages not yet final only; a wrong-role key cannot report, and the
 * notifier can do nothing else. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

#define PUSH_WAIT_MS 5000

static const char *const STAF_NIP = "198503142010011003";
static const char *const NOTIFIER_NIP = "199512122020121001";

typedef struct {
    harness_t h;
    keyfile_t staf_kf, notifier_kf;
    conn_t *staf, *notifier;
} fixture_t;

static int setup(void **state)
{
    static fixture_t f;
    memset(&f, 0, sizeof f);
    if (!harness_start(&f.h) ||
        !harness_enrol(&f.h, STAF_NIP, "Siti Rahmawati", ROLE_STAF, 0, &f.staf_kf) ||
        !harness_enrol(&f.h, NOTIFIER_NIP, "Pengirim Pesan", ROLE_NOTIFIER, 0, &f.notifier_kf))
        return -1;
    f.staf = harness_connect(&f.h, &f.staf_kf);
    f.notifier = harness_connect(&f.h, &f.notifier_kf);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    conn_close(&f->staf);
    conn_close(&f->notifier);
    harness_destroy(&f->h);
    return 0;
}

/* The next message pushed to the notifier (an EV_MESSAGE_QUEUED with the
 * message attached), or NULL. The caller frees *env. */
static Sertel__OutboxItem *next_message(conn_t *c, Sertel__Envelope **env, int wait_ms)
{
    for (;;) {
        *env = conn_next_push(c, wait_ms);
        if (!*env)
            return NULL;
        Sertel__Event *ev = (*env)->push;
        if (ev && ev->kind == SERTEL__EVENT_KIND__EV_MESSAGE_QUEUED)
            return ev->message;
        sertel__envelope__free_unpacked(*env, NULL);
    }
}

static Sertel__OutboxItem *await_message(conn_t *c, Sertel__Envelope **env)
{
    return next_message(c, env, PUSH_WAIT_MS);
}

static int report(conn_t *c, uint64_t id, Sertel__MessageState st, const char *reason)
{
    Sertel__MessageReport r = SERTEL__MESSAGE_REPORT__INIT;
    r.id = id;
    r.state = st;
    r.reason = (char *)(reason ? reason : "");
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_MESSAGE_REPORT;
    req.message_report = &r;
    Sertel__Envelope *reply = harness_call(c, &req);
    int code = harness_error(reply);
    sertel__envelope__free_unpacked(reply, NULL);
    return code;
}

static char *intake(fixture_t *f, char *id, size_t len)
{
    Sertel__Envelope *r = harness_intake(f->staf, "Budi Santoso", NULL);
    assert_int_equal(r->body_case, SERTEL__ENVELOPE__BODY_DONE);
    snprintf(id, len, "%s", r->done->case_id);
    sertel__envelope__free_unpacked(r, NULL);
    return id;
}

static void test_queued_pushed_reported(void **state)
{
    fixture_t *f = *state;
    harness_hello(f->notifier, 0);
    char id[64];
    intake(f, id, sizeof id);
    Sertel__Envelope *env;
    Sertel__OutboxItem *m = await_message(f->notifier, &env);
    assert_non_null(m);
    assert_string_equal(m->case_id, id);
    assert_string_equal(m->to, "pemohon@ciamiskab.go.id");
    assert_int_equal(m->channel, SERTEL__MESSAGE_CHANNEL__MSG_EMAIL);
    assert_non_null(strstr(m->subject, id));
    assert_non_null(strstr(m->body, "Budi Santoso"));
    assert_string_equal(m->cause, "diterima");
    uint64_t mid = m->id;
    sertel__envelope__free_unpacked(env, NULL);

    /* Sent only after sending; a failure needs its reason; nothing after a final state. */
    assert_int_equal(report(f->notifier, mid, SERTEL__MESSAGE_STATE__MSG_SENT, NULL), SERTEL__ERROR_CODE__ERR_STATE);
    assert_int_equal(report(f->notifier, mid, SERTEL__MESSAGE_STATE__MSG_SENDING, NULL), SERTEL__ERROR_CODE__ERR_OK);
    assert_int_equal(report(f->notifier, mid, SERTEL__MESSAGE_STATE__MSG_FAILED, NULL), SERTEL__ERROR_CODE__ERR_INVALID);
    assert_int_equal(report(f->notifier, mid, SERTEL__MESSAGE_STATE__MSG_FAILED, "SMTP 421"), SERTEL__ERROR_CODE__ERR_OK);
    assert_int_equal(report(f->notifier, mid, SERTEL__MESSAGE_STATE__MSG_SENDING, NULL), SERTEL__ERROR_CODE__ERR_OK);
    assert_int_equal(report(f->notifier, mid, SERTEL__MESSAGE_STATE__MSG_SENT, NULL), SERTEL__ERROR_CODE__ERR_OK);
    assert_int_equal(report(f->notifier, mid, SERTEL__MESSAGE_STATE__MSG_SENDING, NULL),
                     SERTEL__ERROR_CODE__ERR_MESSAGE_FINAL);
    assert_int_equal(report(f->notifier, mid + 1000, SERTEL__MESSAGE_STATE__MSG_SENDING, NULL),
                     SERTEL__ERROR_CODE__ERR_NOT_FOUND);

    /* The case's history has the message and each state, tries counted. */
    Sertel__Envelope *d = harness_case(f->staf, id);
    assert_int_equal(d->body_case, SERTEL__ENVELOPE__BODY_CASE_DETAIL);
    int states = 0;
    for (size_t i = 0; i < d->case_detail->n_history; i++) {
        const Sertel__Event *ev = d->case_detail->history[i];
        if (ev->kind == SERTEL__EVENT_KIND__EV_MESSAGE_STATE && ev->message_id == mid)
            states++;
        /* The journal carries no address. */
        assert_null(strstr(ev->text, "pemohon@"));
    }
    assert_int_equal(states, 4);
    sertel__envelope__free_unpacked(d, NULL);
}

static void test_catch_up_pending_only(void **state)
{
    fixture_t *f = *state;
    char a[64], b[64];
    intake(f, a, sizeof a);
    intake(f, b, sizeof b);
    /* A fresh notifier (nothing kept) hears of both; one is then sent. */
    conn_t *n1 = harness_connect(&f->h, &f->notifier_kf);
    harness_hello(n1, 0);
    Sertel__Envelope *e1, *e2;
    Sertel__OutboxItem *m1 = await_message(n1, &e1), *m2 = await_message(n1, &e2);
    assert_non_null(m1);
    assert_non_null(m2);
    assert_true(m1->id < m2->id);
    assert_int_equal(report(n1, m1->id, SERTEL__MESSAGE_STATE__MSG_SENDING, NULL), SERTEL__ERROR_CODE__ERR_OK);
    assert_int_equal(report(n1, m1->id, SERTEL__MESSAGE_STATE__MSG_SENT, NULL), SERTEL__ERROR_CODE__ERR_OK);
    assert_int_equal(report(n1, m2->id, SERTEL__MESSAGE_STATE__MSG_SENDING, NULL), SERTEL__ERROR_CODE__ERR_OK);
    uint64_t second = m2->id;
    sertel__envelope__free_unpacked(e1, NULL);
    sertel__envelope__free_unpacked(e2, NULL);
    conn_close(&n1);

    /* Restarted: only the one not final, marked as in flight. */
    conn_t *n2 = harness_connect(&f->h, &f->notifier_kf);
    harness_hello(n2, 0);
    Sertel__OutboxItem *again = await_message(n2, &e1);
    assert_non_null(again);
    assert_int_equal(again->id, second);
    assert_int_equal(again->state, SERTEL__MESSAGE_STATE__MSG_SENDING);
    sertel__envelope__free_unpacked(e1, NULL);
    /* Nothing else: the sent message is not replayed (the replay came
     * before the Welcome, so whatever it held is queued already). */
    Sertel__OutboxItem *more = next_message(n2, &e2, 0);
    if (more)
        sertel__envelope__free_unpacked(e2, NULL);
    assert_null(more);
    assert_int_equal(report(n2, second, SERTEL__MESSAGE_STATE__MSG_GIVEN_UP, "unknown"), SERTEL__ERROR_CODE__ERR_OK);
    conn_close(&n2);
}

static void write_template(fixture_t *f, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/pesan/diterima.pesan", f->h.dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
}

/* The broker keeps the templates it read (outbox.c): an edit is used by
 * the next message, a template broken by an edit sends nothing (not the
 * one kept), and one mended sends again. */
static void test_template_edits(void **state)
{
    fixture_t *f = *state;
    harness_hello(f->notifier, 0);
    char id[64];
    Sertel__Envelope *env;
    intake(f, id, sizeof id);
    Sertel__OutboxItem *m = await_message(f->notifier, &env);
    assert_non_null(m);
    assert_non_null(strstr(m->subject, "diterima"));
    sertel__envelope__free_unpacked(env, NULL);

    write_template(f, "subjek = Berkas {nomor perkara} masuk\notomatis = email\n---\nYth. {nama}\n");
    intake(f, id, sizeof id);
    m = await_message(f->notifier, &env);
    assert_non_null(m);
    assert_string_equal(m->case_id, id);
    char want[128];
    snprintf(want, sizeof want, "Berkas %s masuk", id);
    assert_string_equal(m->subject, want);
    sertel__envelope__free_unpacked(env, NULL);

    write_template(f, "subjek = {tidak ada}\n---\n");
    char broken[64];
    intake(f, broken, sizeof broken);
    write_template(f, "subjek = Lagi {nomor perkara}\notomatis = email\n---\nYth. {nama}\n");
    intake(f, id, sizeof id);
    /* The next message is the mended template's: none for the case taken
     * in while it was broken. */
    m = await_message(f->notifier, &env);
    assert_non_null(m);
    assert_string_equal(m->case_id, id);
    snprintf(want, sizeof want, "Lagi %s", id);
    assert_string_equal(m->subject, want);
    sertel__envelope__free_unpacked(env, NULL);
}

static void test_roles(void **state)
{
    fixture_t *f = *state;
    char id[64];
    intake(f, id, sizeof id);
    /* An officer's key cannot pretend to be the notifier. */
    assert_int_equal(report(f->staf, 1, SERTEL__MESSAGE_STATE__MSG_SENDING, NULL), SERTEL__ERROR_CODE__ERR_DENIED);
    /* The notifier cannot act on or read cases. */
    Sertel__Envelope *r = harness_intake(f->notifier, "Palsu", NULL);
    assert_int_equal(harness_error(r), SERTEL__ERROR_CODE__ERR_DENIED);
    sertel__envelope__free_unpacked(r, NULL);
    r = harness_complete(f->notifier, id, NULL, "x");
    assert_int_equal(harness_error(r), SERTEL__ERROR_CODE__ERR_DENIED);
    sertel__envelope__free_unpacked(r, NULL);
    r = harness_case(f->notifier, id);
    assert_int_equal(harness_error(r), SERTEL__ERROR_CODE__ERR_DENIED);
    sertel__envelope__free_unpacked(r, NULL);
    Sertel__Notify n = SERTEL__NOTIFY__INIT;
    n.case_id = id;
    n.channel = SERTEL__MESSAGE_CHANNEL__MSG_EMAIL;
    n.text = "x";
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_NOTIFY;
    req.notify = &n;
    r = harness_call(f->notifier, &req);
    assert_int_equal(harness_error(r), SERTEL__ERROR_CODE__ERR_DENIED);
    sertel__envelope__free_unpacked(r, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_queued_pushed_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_catch_up_pending_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_template_edits, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
