/* Wall-clock steps through the real broker (clock injected through
 * SERTEL_CLOCK_FILE): a step back does not silence the SLA sweep, and a
 * case's events are never dated before its earlier ones. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define MONDAY_0800_WIB 1795395600 /* 2026-11-23 08:00 +07:00 */
#define DAY 86400
#define PUSH_WAIT_MS 10000
#define STAF_NIP "198503142010011003"
#define KADIS_NIP "197503042001121002"

static harness_clock_t clock;

typedef struct {
    harness_t h;
    keyfile_t staf_key, kadis_key;
    conn_t *staf, *kadis;
} office_t;

static void office_start(office_t *o, int64_t t)
{
    harness_clock_start(&clock, t);
    assert_true(harness_start(&o->h));
    assert_true(harness_enrol(&o->h, STAF_NIP, "Siti Rahmawati", ROLE_STAF, 0, &o->staf_key));
    assert_true(harness_enrol(&o->h, KADIS_NIP, "Tino Armyanto", ROLE_KADIS, 0, &o->kadis_key));
    o->staf = harness_connect(&o->h, &o->staf_key);
    o->kadis = harness_connect(&o->h, &o->kadis_key);
    harness_hello(o->staf, 0);
    harness_hello(o->kadis, 0);
}

static void office_stop(office_t *o)
{
    conn_close(&o->staf);
    conn_close(&o->kadis);
    harness_destroy(&o->h);
    harness_clock_stop(&clock);
}

static void intake(office_t *o, char *id, size_t len)
{
    Sertel__Envelope *reply = harness_intake(o->staf, "Budi Santoso", NULL);
    assert_int_equal(harness_error(reply), 0);
    snprintf(id, len, "%s", reply->done->case_id);
    sertel__envelope__free_unpacked(reply, NULL);
}

/* The clock goes back a day after the broker has swept at the later
 * time: a step registered "yesterday" still warns on time. */
static void test_sweep_survives_step_back(void **state)
{
    (void)state;
    office_t o;
    office_start(&o, MONDAY_0800_WIB + DAY);
    /* A round trip after the start: the broker has been through its loop
     * (and swept) at Tuesday's time. */
    harness_hello(o.staf, 0);
    harness_clock_set(&clock, MONDAY_0800_WIB);
    char id[64];
    intake(&o, id, sizeof id); /* step 1, 10 minutes: warn at 8, due at 10 */
    harness_clock_set(&clock, MONDAY_0800_WIB + 9 * 60);
    for (;;) {
        Sertel__Envelope *env = conn_next_push(o.staf, PUSH_WAIT_MS);
        if (!env)
            fail_msg("no warning after the clock was stepped back a day");
        bool warned = env->push->kind == SERTEL__EVENT_KIND__EV_WARNED &&
                      strcmp(env->push->case_id, id) == 0;
        if (warned)
            assert_int_equal(env->push->at, MONDAY_0800_WIB + 9 * 60);
        sertel__envelope__free_unpacked(env, NULL);
        if (warned)
            break;
    }
    office_stop(&o);
}

/* A disposition made after the clock went back an hour is dated at the
 * case's last event, never before it was received. */
static void test_event_times_never_go_back(void **state)
{
    (void)state;
    office_t o;
    int64_t received = MONDAY_0800_WIB + 2 * 3600;
    office_start(&o, received);
    char id[64];
    intake(&o, id, sizeof id);
    harness_clock_set(&clock, received - 3600);
    Sertel__Envelope *reply = harness_complete(o.staf, id, NULL, "Mohon disposisi");
    assert_int_equal(harness_error(reply), 0);
    assert_true(reply->done->case_->step_started_at >= received);
    assert_int_equal(reply->done->case_->last_event_at, received);
    sertel__envelope__free_unpacked(reply, NULL);

    reply = harness_case(o.kadis, id);
    assert_int_equal(harness_error(reply), 0);
    const Sertel__CaseDetail *d = reply->case_detail;
    assert_true(d->n_history >= 2);
    for (size_t i = 1; i < d->n_history; i++)
        assert_true(d->history[i]->at >= d->history[i - 1]->at);
    assert_int_equal(d->history[d->n_history - 1]->kind, SERTEL__EVENT_KIND__EV_DISPOSED);
    assert_int_equal(d->history[d->n_history - 1]->at, received);
    sertel__envelope__free_unpacked(reply, NULL);

    /* Once the clock is past the last event again, events take it. */
    harness_clock_set(&clock, received + 600);
    reply = harness_complete(o.kadis, id, NULL, "Proses sesuai SOP");
    assert_int_equal(harness_error(reply), 0);
    assert_int_equal(reply->done->case_->last_event_at, received + 600);
    sertel__envelope__free_unpacked(reply, NULL);
    office_stop(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sweep_survives_step_back),
        cmocka_unit_test(test_event_times_never_go_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
