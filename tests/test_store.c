/* The store's remembered replies: kept for de-duplication, pruned in time
 * order so the store does not grow with every command ever made. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

static void test_replies_pruned_oldest_first(void **state)
{
    (void)state;
    char dir[] = "/tmp/sertel-store-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char err[256];
    store_t *s = store_open(dir, err, sizeof err);
    assert_non_null(s);
    store_txn_t *t;
    assert_int_equal(store_begin(s, NULL, true, &t), SERTEL_OK);
    const char *nip = "198503142010011003";
    for (uint64_t id = 1; id <= 3; id++)
        assert_int_equal(store_reply_put(t, nip, id, (int64_t)id * 100, (const uint8_t *)"ok", 2),
                         SERTEL_OK);
    assert_int_equal(store_replies_prune(t, 250, 10), 2);
    assert_int_equal(store_replies_prune(t, 250, 10), 0);
    uint8_t *reply = NULL;
    size_t len = 0;
    assert_int_equal(store_reply_get(t, nip, 1, &reply, &len), SERTEL_E_NOT_FOUND);
    assert_int_equal(store_reply_get(t, nip, 2, &reply, &len), SERTEL_E_NOT_FOUND);
    assert_int_equal(store_reply_get(t, nip, 3, &reply, &len), SERTEL_OK);
    assert_int_equal(len, 2);
    assert_memory_equal(reply, "ok", 2);
    free(reply);
    /* The limit bounds one sweep's work. */
    for (uint64_t id = 10; id < 20; id++)
        assert_int_equal(store_reply_put(t, nip, id, 400, (const uint8_t *)"x", 1), SERTEL_OK);
    assert_int_equal(store_replies_prune(t, 1000, 4), 4);
    assert_int_equal(store_replies_prune(t, 1000, 100), 7);
    assert_int_equal(store_commit(&t), SERTEL_OK);
    store_close(&s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replies_pruned_oldest_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
