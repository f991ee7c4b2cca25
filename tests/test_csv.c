/* CSV as the register's import reads it (client/csv.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "csv.h"

static void test_records(void **state)
{
    (void)state;
    static csv_record_t rec;
    csv_reader_t r;
    csv_reader_init(&r, "a,b\r\n\n\"c, d\",\"say \"\"hi\"\"\"\n\"two\nlines\",x\ne,");
    assert_int_equal(csv_next(&r, &rec), 1);
    assert_int_equal(rec.n, 2);
    assert_int_equal(rec.line, 1);
    assert_string_equal(rec.f[1], "b");
    assert_int_equal(csv_next(&r, &rec), 1);
    assert_int_equal(rec.line, 3);
    assert_string_equal(rec.f[0], "c, d");
    assert_string_equal(rec.f[1], "say \"hi\"");
    assert_int_equal(csv_next(&r, &rec), 1);
    assert_string_equal(rec.f[0], "two\nlines");
    assert_int_equal(csv_next(&r, &rec), 1);
    assert_int_equal(rec.line, 6);
    assert_int_equal(rec.n, 2);
    assert_string_equal(rec.f[1], "");
    assert_int_equal(csv_next(&r, &rec), 0);
}

static void test_malformed(void **state)
{
    (void)state;
    static csv_record_t rec;
    csv_reader_t r;
    csv_reader_init(&r, "ok\n\"open,x\n");
    assert_int_equal(csv_next(&r, &rec), 1);
    assert_int_equal(csv_next(&r, &rec), -1);
    assert_int_equal(rec.line, 2);
    csv_reader_init(&r, "\"a\"b\n");
    assert_int_equal(csv_next(&r, &rec), -1);
    csv_reader_init(&r, ",,,,,,,,,,,,,,,,,\n"); /* 18 fields */
    assert_int_equal(csv_next(&r, &rec), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
