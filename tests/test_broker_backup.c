/* Backup over the protocol (issue 8): the directory named by a client is
 * checked by the broker itself (an older or hostile client skips the
 * admin client's checks): control characters, invalid UTF-8 and relative
 * paths are refused and nothing is written; a good one gets a private
 * copy that carries the broker's identity. */
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

#include "harness.h"

static int backup(harness_t *h, const char *dir)
{
    Sertel__Backup b = SERTEL__BACKUP__INIT;
    b.dir = (char *)dir;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_BACKUP;
    req.backup = &b;
    Sertel__Envelope *reply = harness_call(h->admin_conn, &req);
    int code = harness_error(reply);
    sertel__envelope__free_unpacked(reply, NULL);
    return code;
}

static void test_backup_destinations(void **state)
{
    (void)state;
    harness_t h;
    assert_true(harness_start(&h));
    char good[600], bad[700];
    snprintf(good, sizeof good, "%s.cadangan", h.dir);
    /* refused: relative, control characters, invalid UTF-8 */
    assert_int_equal(backup(&h, "relatif/cadangan"), SERTEL__ERROR_CODE__ERR_INVALID);
    assert_int_not_equal(access("relatif", F_OK), 0);
    snprintf(bad, sizeof bad, "%s\ncadangan", good);
    assert_int_equal(backup(&h, bad), SERTEL__ERROR_CODE__ERR_INVALID);
    snprintf(bad, sizeof bad, "%s\x1b[2J", good);
    assert_int_equal(backup(&h, bad), SERTEL__ERROR_CODE__ERR_INVALID);
    snprintf(bad, sizeof bad, "%s\xc3\x28", good);
    assert_int_equal(backup(&h, bad), SERTEL__ERROR_CODE__ERR_INVALID);
    assert_int_not_equal(access(good, F_OK), 0);
    /* a good one: private, with the identity */
    assert_int_equal(backup(&h, good), 0);
    struct stat st;
    char path[800];
    assert_int_equal(stat(good, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    snprintf(path, sizeof path, "%s/data.mdb", good);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    snprintf(path, sizeof path, "%s/identity", good);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    char cmd[900];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", good);
    assert_int_equal(system(cmd), 0);
    harness_destroy(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backup_destinations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
