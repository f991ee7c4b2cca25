/* The small text helpers of common/text.c that the broker uses on every
 * request: a bounded copy must cut to fit and always terminate. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "text.h"

static void copy_fits(void **state)
{
    (void)state;
    char dst[8];
    memset(dst, 'x', sizeof dst);
    assert_string_equal(text_copy(dst, sizeof dst, "abc", SIZE_MAX), "abc");
    /* len stops the copy before the source ends (a NIP before its key tag) */
    assert_string_equal(text_copy(dst, sizeof dst, "1985 03ab", 4), "1985");
    assert_string_equal(text_copy(dst, sizeof dst, "", SIZE_MAX), "");
    assert_string_equal(text_copy(dst, sizeof dst, "abc", 0), "");
}

static void copy_cuts_to_fit(void **state)
{
    (void)state;
    char dst[8];
    memset(dst, 'x', sizeof dst);
    assert_string_equal(text_copy(dst, sizeof dst, "0123456789", SIZE_MAX), "0123456");
    assert_int_equal(dst[7], '\0');
    char one[1] = {'x'};
    assert_string_equal(text_copy(one, sizeof one, "abc", 3), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(copy_fits),
        cmocka_unit_test(copy_cuts_to_fit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
