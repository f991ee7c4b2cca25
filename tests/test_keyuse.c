/* The per-key accounting of the broker's limits: the table finds and
 * keeps one entry per key, and the bucket of changes a minute refills
 * with the clock, never beyond its size, and not when the clock goes
 * back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "keyuse.h"

static void test_table(void **state)
{
    (void)state;
    limits_t *l = limits_new();
    assert_non_null(l);
    char nip[32];
    /* Enough keys to make the table grow several times: an entry stays
     * where it is (requests waiting point at it). */
    key_use_t *first = limits_key(l, "19850314201001X");
    assert_non_null(first);
    for (int i = 0; i < 1000; i++) {
        snprintf(nip, sizeof nip, "19850314201001%04d", i);
        key_use_t *k = limits_key(l, nip);
        assert_non_null(k);
        assert_string_equal(k->nip, nip);
        k->waiting = i;
    }
    assert_ptr_equal(limits_key(l, "19850314201001X"), first);
    for (int i = 0; i < 1000; i++) {
        snprintf(nip, sizeof nip, "19850314201001%04d", i);
        assert_int_equal(limits_key(l, nip)->waiting, i);
    }
    limits_destroy(&l);
    assert_null(l);
}

static void test_bucket(void **state)
{
    (void)state;
    key_use_t k = {.nip = "198503142010011003"};
    int64_t t = 1795395600;
    for (int i = 0; i < 6; i++)
        assert_true(limits_take_write(&k, 6, t));
    assert_false(limits_take_write(&k, 6, t));
    assert_int_equal(limits_write_wait(&k, 6), 10);
    /* Six a minute: one every 10 s. */
    assert_false(limits_take_write(&k, 6, t + 9));
    assert_true(limits_take_write(&k, 6, t + 10));
    assert_false(limits_take_write(&k, 6, t + 10));
    /* A clock stepped back refills nothing; forward again, it goes on
     * from where it was stepped back to. */
    assert_false(limits_take_write(&k, 6, t - 3600));
    assert_true(limits_take_write(&k, 6, t - 3600 + 10));
    /* An hour later the bucket is full, not more. */
    for (int i = 0; i < 6; i++)
        assert_true(limits_take_write(&k, 6, t + 3600));
    assert_false(limits_take_write(&k, 6, t + 3600));
    /* No limit: always. */
    assert_true(limits_take_write(&k, 0, t));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_bucket),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
