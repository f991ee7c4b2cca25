/* One person under two writings (common/names.c): the register's name
 * with titles against a certificate subject's CN. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "names.h"

static const struct {
    const char *a, *b;
    bool same;
    const char *what;
} rows[] = {
    {"Dra. Hj. Ñoño Sútisna, M.Si.", "Nono Sutisna", true, "titles, accents"},
    {"Dra. Hj. Ñoño Sútisna, M.Si.", "NOÑO SÚTISNA", true, "case"},
    {"Budi Santoso S.Kom", "Budi  Santoso", true, "degree without comma, spacing"},
    {"Prof. Dr. Ir. H. Ahmad Fauzi, M.T., Ph.D.", "AHMAD FAUZI", true, "many titles"},
    {"Muhammad A. Rahman", "Muhammad A Rahman", true, "an initial keeps its letter"},
    {"Budi Santoso", "Budi Santosa", false, "another name"},
    {"Budi Santoso", "Santoso Budi", false, "words out of order"},
    {"Budi Santoso", "Budi", false, "part of the name"},
    {"Dr.", "Dr.", false, "titles alone name nobody"},
    {"", "", false, "empty"},
};

static void same_person_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (name_same_person(rows[i].a, rows[i].b) != rows[i].same)
            fail_msg("\"%s\" vs \"%s\" (%s): expected %s", rows[i].a, rows[i].b, rows[i].what,
                     rows[i].same ? "same" : "different");
}

static void core_words(void **state)
{
    (void)state;
    char out[64];
    assert_string_equal(name_core("Dra. Hj. Ñoño Sútisna, M.Si.", out, sizeof out), "nono sutisna");
    assert_string_equal(name_core(NULL, out, sizeof out), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(same_person_table),
                                       cmocka_unit_test(core_words)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
