/* The store under pressure, through the real broker: a database that
 * starts with a 1 MiB map grows while attachments fill it, every request
 * succeeds, and everything is still there after a restart. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define ATTACH_BYTES (700u * 1024)
#define CASES 6

static Sertel__Envelope *intake_with(conn_t *staf, int i, uint8_t *content)
{
    /* Each letter differs, so each is stored (blobs are by content). */
    harness_pdf_fill(content, ATTACH_BYTES, (char)('A' + i));
    return harness_intake_letter(staf, "Budi Santoso", NULL, content, ATTACH_BYTES);
}

static void test_map_grows(void **state)
{
    (void)state;
    setenv("SERTEL_MAP_SIZE", "1048576", 1);
    harness_t h;
    assert_true(harness_start(&h));
    keyfile_t key;
    assert_true(harness_enrol(&h, "198503142010011003", "Siti Rahmawati", ROLE_STAF, 0, &key));
    conn_t *staf = harness_connect(&h, &key);
    uint8_t *content = malloc(ATTACH_BYTES);
    assert_non_null(content);
    char ids[CASES][64];
    for (int i = 0; i < CASES; i++) {
        Sertel__Envelope *reply = intake_with(staf, i, content);
        if (harness_error(reply))
            fail_msg("intake %d refused: %s", i, reply->error->message);
        snprintf(ids[i], sizeof ids[i], "%s", reply->done->case_id);
        sertel__envelope__free_unpacked(reply, NULL);
    }
    free(content);
    harness_stop(&h, SIGTERM);
    assert_true(harness_restart(&h));
    for (int i = 0; i < CASES; i++) {
        Sertel__Envelope *reply = harness_case(staf, ids[i]);
        assert_int_equal(harness_error(reply), 0);
        assert_int_equal(reply->case_detail->case_->n_attachments, 1);
        assert_int_equal(reply->case_detail->case_->attachments[0]->size, ATTACH_BYTES);
        sertel__envelope__free_unpacked(reply, NULL);
    }
    conn_close(&staf);
    harness_destroy(&h);
    unsetenv("SERTEL_MAP_SIZE");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_map_grows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
