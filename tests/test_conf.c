/* Configuration files: settings read in order, every refusal naming its
 * FILE:LINE, and settings turned into options that the command line
 * overrides. Files live in a private mkdtemp directory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"

static char dir[64];
static char path[128];

static const char *write_conf(const char *text)
{
    snprintf(path, sizeof path, "%s/test.conf", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

typedef struct {
    char got[512];
    const char *refuse; /* a key the callback refuses */
} seen_t;

static bool take(void *arg, const char *key, const char *value, int line, char *why, size_t wl)
{
    seen_t *s = arg;
    if (s->refuse && strcmp(key, s->refuse) == 0) {
        snprintf(why, wl, "no %s here", key);
        return false;
    }
    size_t n = strlen(s->got);
    snprintf(s->got + n, sizeof s->got - n, "%d:%s=%s;", line, key, value);
    return true;
}

static void reads_settings_in_order(void **state)
{
    (void)state;
    seen_t s = {.got = ""};
    char err[512] = "";
    write_conf(
        "# komentar\n\ndata = /var/lib/sertel\r\n  log-level=debug  \nendpoint = tcp://a:1\n");
    assert_true(conf_read(path, take, &s, err, sizeof err));
    assert_string_equal(s.got, "3:data=/var/lib/sertel;4:log-level=debug;5:endpoint=tcp://a:1;");
}

static void refuses_with_file_and_line(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int line;
    } bad[] = {
        {"data = x\nno equals sign\n", 2},
        {"data = x\ndata = y\n", 2},
        {"# c\ndata =\n", 2},
        {"Data = x\n", 1},
        {"da ta = x\n", 1},
        {"-data = x\n", 1},
        {"data = a\x01b\n", 1},
        {"data = \xff\n", 1},
        {"a = 1\nb = 2\nrefused = 3\n", 3},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        seen_t s = {.got = "", .refuse = "refused"};
        char err[512] = "", want[160];
        write_conf(bad[i].text);
        assert_false(conf_read(path, take, &s, err, sizeof err));
        snprintf(want, sizeof want, "%s:%d: ", path, bad[i].line);
        if (strncmp(err, want, strlen(want)) != 0)
            fail_msg("case %zu: \"%s\" does not start with \"%s\"", i, err, want);
    }
    char err[512] = "";
    seen_t s = {.got = ""};
    assert_false(conf_read("/nonexistent/sertel.conf", take, &s, err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent/sertel.conf"));
}

static void settings_become_options_before_the_command_line(void **state)
{
    (void)state;
    char err[512] = "", where[256];
    write_conf("data = /srv/a\n\nendpoint = tcp://127.0.0.1:1\n");
    char *argv[] = {"sertel-broker", "--config", path, "--data", "/srv/b", NULL};
    conf_args_t *a = conf_args_new(path, 5, argv, err, sizeof err);
    assert_non_null(a);
    assert_int_equal(conf_args_argc(a), 9);
    char **v = conf_args_argv(a);
    const char *want[] = {"sertel-broker", "--data", "/srv/a", "--endpoint", "tcp://127.0.0.1:1",
                          "--config",      path,     "--data", "/srv/b"};
    for (int i = 0; i < 9; i++)
        assert_string_equal(v[i], want[i]);
    char expect[200];
    snprintf(expect, sizeof expect, "%s:3", path);
    assert_string_equal(conf_args_origin(a, 4, where, sizeof where), expect);
    assert_null(conf_args_origin(a, 0, where, sizeof where));
    assert_null(conf_args_origin(a, 5, where, sizeof where)); /* the command line's */
    conf_args_destroy(&a);
    assert_null(a);

    conf_args_t *none = conf_args_new(NULL, 5, argv, err, sizeof err);
    assert_int_equal(conf_args_argc(none), 5);
    assert_null(conf_args_origin(none, 1, where, sizeof where));
    conf_args_destroy(&none);

    write_conf("data = x\nbroken\n");
    assert_null(conf_args_new(path, 5, argv, err, sizeof err));
    assert_non_null(strstr(err, ":2: "));
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/sertel-conf-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_settings_in_order),
        cmocka_unit_test(refuses_with_file_and_line),
        cmocka_unit_test(settings_become_options_before_the_command_line),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    unlink(path);
    rmdir(dir);
    return rc;
}
