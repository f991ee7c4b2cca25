/* The SLA sweep through the real broker: a step reaching 80% of its Mutu
 * Baku warns its actor, a step past it is overdue and escalates to the
 * superior, and the timers (rows in LMDB) survive a restart. The broker's
 * clock is injected through SERTEL_CLOCK_FILE. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define MONDAY_0800_WIB 1795395600 /* 2026-11-23 08:00 +07:00 */
#define PUSH_WAIT_MS 10000

static char clock_path[] = "/tmp/sertel-clock-XXXXXX";

static void set_clock(int64_t t)
{
    /* Written whole and renamed, so the broker never reads half a number. */
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%s.new", clock_path);
    FILE *f = fopen(tmp, "w");
    assert_non_null(f);
    fprintf(f, "%lld\n", (long long)t);
    fclose(f);
    assert_int_equal(rename(tmp, clock_path), 0);
}

static Sertel__Event *wait_kind(conn_t *c, Sertel__EventKind kind)
{
    for (;;) {
        Sertel__Envelope *env = conn_next_push(c, PUSH_WAIT_MS);
        if (!env)
            fail_msg("no push of kind %d", kind);
        if (env->push->kind == kind) {
            Sertel__Event *ev = env->push;
            env->push = NULL;
            sertel__envelope__free_unpacked(env, NULL);
            return ev;
        }
        sertel__envelope__free_unpacked(env, NULL);
    }
}

static void intake(conn_t *staf)
{
    Sertel__Envelope *reply = harness_intake(staf, "Budi Santoso", NULL);
    assert_int_equal(harness_error(reply), 0);
    sertel__envelope__free_unpacked(reply, NULL);
}

static void test_warn_overdue_across_restart(void **state)
{
    (void)state;
    int fd = mkstemp(clock_path);
    assert_true(fd >= 0);
    close(fd);
    set_clock(MONDAY_0800_WIB);
    setenv("SERTEL_CLOCK_FILE", clock_path, 1);
    harness_t h;
    assert_true(harness_start(&h));
    keyfile_t staf_key, jf_key;
    assert_true(harness_enrol(&h, "198503142010011003", "Siti Rahmawati", ROLE_STAF, 0, &staf_key));
    assert_true(harness_enrol(&h, "198801012012011002", "Rina Kurniasih", ROLE_JF, 0, &jf_key));
    conn_t *staf = harness_connect(&h, &staf_key);
    conn_t *jf = harness_connect(&h, &jf_key);
    harness_hello(staf, 0);
    uint64_t jf_seen = harness_hello(jf, 0);
    intake(staf); /* step 1, 10 minutes: warn at 8, due at 10 */

    set_clock(MONDAY_0800_WIB + 9 * 60);
    Sertel__Event *ev = wait_kind(staf, SERTEL__EVENT_KIND__EV_WARNED);
    assert_int_equal(ev->step, 1);
    sertel__event__free_unpacked(ev, NULL);

    /* The broker stops before the step falls due; the due timer is a row
     * in LMDB and fires after the restart. */
    conn_close(&jf);
    harness_stop(&h, SIGTERM);
    set_clock(MONDAY_0800_WIB + 11 * 60);
    assert_true(harness_restart(&h));
    jf = harness_connect(&h, &jf_key);
    harness_hello(jf, jf_seen);
    ev = wait_kind(jf, SERTEL__EVENT_KIND__EV_OVERDUE);
    assert_int_equal(ev->step, 1);
    assert_int_equal(ev->escalate_to, SERTEL__ROLE__ROLE_JF);
    sertel__event__free_unpacked(ev, NULL);

    conn_close(&staf);
    conn_close(&jf);
    harness_destroy(&h);
    unlink(clock_path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_warn_overdue_across_restart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
