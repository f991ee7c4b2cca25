/* timeleft: the one countdown wording of `sertel inbox` and the terminal
 * UI. Checked on the English msgids (no i18n_init), in the default
 * calendar's 7.5-hour working day and in an 8-hour one. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "timeleft.h"

#define MIN 60
#define HOUR 3600
#define HARI 27000 /* 7 h 30 */

static void test_table(void **state)
{
    (void)state;
    static const struct {
        int64_t work; /* negative: overdue by -work */
        const char *text;
    } cases[] = {
        /* a working day is 7 h 30: the case of the issue, both ways */
        {HARI, "1 day left"},
        {-HARI, "1 day overdue"},
        {HARI + 29 * MIN, "1 day left"},
        {HARI - MIN, "7 hours 29 minutes left"},
        {HARI - 1, "7 hours 29 minutes left"},
        /* minutes; seconds are cut off, never rounded up */
        {0, "less than a minute left"},
        {59, "less than a minute left"},
        {-1, "less than a minute overdue"},
        {60, "1 minute left"},
        {119, "1 minute left"},
        {-(5 * MIN + 59), "5 minutes overdue"},
        {45 * MIN, "45 minutes left"},
        {HOUR, "1 hour left"},
        {HOUR + 30 * MIN + 59, "1 hour 30 minutes left"},
        {-(2 * HOUR + 5 * MIN), "2 hours 5 minutes overdue"},
        /* from a day on: days and hours, the minutes dropped */
        {HARI + 2 * HOUR + 59 * MIN, "1 day 2 hours left"},
        {HARI + HOUR - 1, "1 day left"},
        {2 * HARI + MIN, "2 days left"},
        {-(3 * HARI + 7 * HOUR + 29 * MIN), "3 days 7 hours overdue"},
        {14 * HARI, "14 days left"},
    };
    calendar_t *cal = calendar_default();
    assert_int_equal(calendar_day_seconds(cal), HARI);
    char buf[96];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t w = cases[i].work;
        timeleft_format(cal, w < 0 ? -w : w, w < 0, buf, sizeof buf);
        if (strcmp(buf, cases[i].text) != 0)
            fail_msg("%lld s: \"%s\", expected \"%s\"", (long long)w, buf, cases[i].text);
    }
    calendar_destroy(&cal);
}

/* An office whose working day is 8 hours counts days of 8 hours. */
static void test_other_day_length(void **state)
{
    (void)state;
    char err[256], buf[96];
    calendar_t *cal = calendar_parse("hari-kerja = 8:00\nsenin = 08:00-16:00\n", "8jam.conf", err,
                                     sizeof err);
    assert_non_null(cal);
    assert_string_equal(timeleft_format(cal, HARI, false, buf, sizeof buf),
                        "7 hours 30 minutes left");
    assert_string_equal(timeleft_format(cal, 8 * HOUR, false, buf, sizeof buf), "1 day left");
    assert_string_equal(timeleft_format(cal, 9 * HOUR + 59 * MIN, true, buf, sizeof buf),
                        "1 day 1 hour overdue");
    calendar_destroy(&cal);
}

/* What the text says, as a number; extremes neither overflow nor wrap. */
static void test_shown(void **state)
{
    (void)state;
    calendar_t *cal = calendar_default();
    assert_int_equal(timeleft_shown(cal, HARI + 2 * HOUR + 59 * MIN), HARI + 2 * HOUR);
    assert_int_equal(timeleft_shown(cal, HOUR + 61), HOUR + MIN);
    assert_int_equal(timeleft_shown(cal, INT64_MIN), 0);
    assert_true(timeleft_shown(cal, INT64_MAX) > 0);
    char buf[96], tiny[5];
    /* a due time passed after hours: overdue, by less than a minute */
    assert_string_equal(timeleft_format(cal, 0, true, buf, sizeof buf),
                        "less than a minute overdue");
    timeleft_format(cal, INT64_MAX, true, buf, sizeof buf);
    assert_non_null(strstr(buf, "overdue"));
    assert_string_equal(timeleft_format(cal, HARI, false, tiny, sizeof tiny), "1 da");
    calendar_destroy(&cal);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_other_day_length),
        cmocka_unit_test(test_shown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
