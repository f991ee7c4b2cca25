/* Where a binary finds what ships with it (common/paths.c): the
 * environment first, then the build tree for a binary run from there (as
 * this test is); and mkdir -p of a data directory's parents. The
 * installed case (relative to the binary) is run by tests/installed.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"

static void the_environment_comes_first(void **state)
{
    (void)state;
    setenv("SERTEL_LOCALEDIR", "/srv/locale", 1);
    setenv("SERTEL_SOP_DIR", "/srv/sop", 1);
    assert_string_equal(paths_locale_dir(), "/srv/locale");
    assert_string_equal(paths_sop_dir(), "/srv/sop");
    char buf[64];
    assert_string_equal(paths_shipped("kalender-kerja.conf", buf, sizeof buf),
                        "/srv/sop/kalender-kerja.conf");
    unsetenv("SERTEL_LOCALEDIR");
    unsetenv("SERTEL_SOP_DIR");
}

static void a_binary_in_the_build_tree_uses_the_build(void **state)
{
    (void)state;
    unsetenv("SERTEL_LOCALEDIR");
    unsetenv("SERTEL_SOP_DIR");
    assert_string_equal(paths_locale_dir(), SERTEL_BUILD_LOCALEDIR);
    assert_string_equal(paths_sop_dir(), SERTEL_SOURCE_DIR "/sop");
    char buf[4096];
    assert_int_equal(
        access(paths_shipped("pembaharuan-sertifikat-elektronik.sop", buf, sizeof buf), R_OK), 0);
}

static void parents_are_made_as_mkdir_p(void **state)
{
    (void)state;
    char dir[] = "/tmp/sertel-paths-XXXXXX", path[128], err[256] = "";
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/a/b/data", dir);
    assert_true(paths_make_parents(path, err, sizeof err));
    struct stat st;
    snprintf(path, sizeof path, "%s/a/b", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    snprintf(path, sizeof path, "%s/a/b/data", dir);
    assert_int_not_equal(stat(path, &st), 0); /* the directory itself is the caller's */
    assert_true(paths_make_parents(path, err, sizeof err)); /* again: nothing to do */

    /* A file where a parent should be is named. */
    snprintf(path, sizeof path, "%s/file", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(path, sizeof path, "%s/file/x/data", dir);
    assert_false(paths_make_parents(path, err, sizeof err));
    assert_non_null(strstr(err, "/file/x"));

    snprintf(path, sizeof path, "%s/file", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/a/b", dir);
    rmdir(path);
    snprintf(path, sizeof path, "%s/a", dir);
    rmdir(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_environment_comes_first),
        cmocka_unit_test(a_binary_in_the_build_tree_uses_the_build),
        cmocka_unit_test(parents_are_made_as_mkdir_p),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
