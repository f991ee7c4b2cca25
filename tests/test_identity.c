/* The data directory's identity file and epochs, and the check of an
 * LMDB data file's meta pages before it is mapped (made with real LMDB,
 * then cut short or emptied). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "identity.h"
#include "mdbfile.h"

static char dir[64];

static int make_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/sertel-identity-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_round_trip(void **state)
{
    (void)state;
    identity_t id, back;
    char err[512] = "", path[128];
    snprintf(path, sizeof path, "%s/identity", dir);
    assert_int_equal(identity_new(&id, 1000, err, sizeof err), SERTEL_OK);
    assert_int_equal(strlen(id.broker_id), IDENTITY_ID_LEN);
    id.head = 42;
    identity_begin_epoch(&id, 40, 2000);
    assert_int_equal(identity_write(path, &id, err, sizeof err), SERTEL_OK);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(identity_read(path, &back, err, sizeof err), SERTEL_OK);
    assert_string_equal(back.broker_id, id.broker_id);
    assert_int_equal(back.head, 42);
    assert_int_equal(back.n_epochs, 2);
    assert_int_equal(identity_current(&back)->number, 2);
    assert_int_equal(identity_current(&back)->start, 40);
    identity_t other;
    assert_int_equal(identity_new(&other, 1000, err, sizeof err), SERTEL_OK);
    assert_string_not_equal(other.broker_id, id.broker_id);
}

static void test_refusals(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "format = 1\nbroker-id = 0123\nepoch = 1 0 5\n",                          /* short id */
        "format = 1\nbroker-id = 0123456789abcdef0123456789abcdef\n",             /* no epoch */
        "format = 1\nbroker-id = 0123456789abcdef0123456789abcdef\nepoch = 2 0 5\nepoch = 1 0 6\n",
        "format = 9\nbroker-id = 0123456789abcdef0123456789abcdef\nepoch = 1 0 5\n", /* newer */
        "format = 1\nbroker-id = 0123456789abcdef0123456789abcdef\nepoch = 1 0 5\nhead = -3\n",
        "format = 1\nbroker-id = 0123456789abcdef0123456789abcdef\nepoch = 1 0 5\ncolor = red\n",
        "",
    };
    char path[128], err[512];
    snprintf(path, sizeof path, "%s/bad", dir);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_text(path, bad[i]);
        identity_t id;
        err[0] = '\0';
        if (identity_read(path, &id, err, sizeof err) == SERTEL_OK)
            fail_msg("accepted: %s", bad[i]);
        assert_non_null(strstr(err, path));
    }
    identity_t id;
    snprintf(path, sizeof path, "%s/none", dir);
    assert_int_equal(identity_read(path, &id, err, sizeof err), SERTEL_E_NOT_FOUND);
}

/* Epochs 1 (from 0), 2 (from 100), 3 (from 80): a restore of an older
 * backup after a first restore. */
static void test_shared_history(void **state)
{
    (void)state;
    identity_t id;
    char err[256];
    assert_int_equal(identity_new(&id, 0, err, sizeof err), SERTEL_OK);
    identity_begin_epoch(&id, 100, 1);
    identity_begin_epoch(&id, 80, 2);
    assert_int_equal(identity_shared_upto(&id, 3, 500), 500);  /* current: all its own */
    assert_int_equal(identity_shared_upto(&id, 2, 90), 80);    /* 81..90 were epoch 2's */
    assert_int_equal(identity_shared_upto(&id, 2, 70), 70);
    assert_int_equal(identity_shared_upto(&id, 1, 150), 80);
    assert_int_equal(identity_shared_upto(&id, 1, 50), 50);
    assert_int_equal(identity_shared_upto(&id, 4, 10), 0);     /* not this history */
    assert_int_equal(identity_shared_upto(&id, 0, 10), 0);
    for (int i = 0; i < IDENTITY_MAX_EPOCHS; i++)
        identity_begin_epoch(&id, 70, 3 + i);
    assert_int_equal(id.n_epochs, IDENTITY_MAX_EPOCHS);
    assert_int_equal(identity_current(&id)->number, 3 + IDENTITY_MAX_EPOCHS);
    assert_int_equal(identity_shared_upto(&id, 1, 50), 0);     /* forgotten */
}

/* Where a Hello's replay starts: epochs 1 (from 0) and 2 (from 80),
 * journal head 100. */
static void test_replay_from(void **state)
{
    (void)state;
    identity_t id;
    char err[256];
    uint64_t missing;
    assert_int_equal(identity_new(&id, 0, err, sizeof err), SERTEL_OK);
    identity_begin_epoch(&id, 80, 1);
    const char *me = id.broker_id;
    /* this history, before the head: from where the client is */
    assert_int_equal(identity_replay_from(&id, me, 2, 95, 100, &missing), 95);
    assert_int_equal(missing, 0);
    /* the restored-over history: from what both share; the rest is gone */
    assert_int_equal(identity_replay_from(&id, me, 1, 90, 100, &missing), 80);
    assert_int_equal(missing, 10);
    assert_int_equal(identity_replay_from(&id, me, 1, 60, 100, &missing), 60);
    assert_int_equal(missing, 0);
    /* past the head in this epoch (a restore not noticed): from the
     * epoch's start */
    assert_int_equal(identity_replay_from(&id, me, 2, 130, 100, &missing), 80);
    assert_int_equal(missing, 30);
    /* another broker: everything here is new to the client */
    assert_int_equal(identity_replay_from(&id, "0123456789abcdef0123456789abcdef", 2, 95, 100,
                                          &missing), 0);
    assert_int_equal(missing, 0);
    /* a client that knows no broker yet (an older client) */
    assert_int_equal(identity_replay_from(&id, "", 0, 95, 100, &missing), 95);
    assert_int_equal(identity_replay_from(&id, NULL, 0, 120, 100, &missing), 80);
    assert_int_equal(missing, 20);
}

/* The last agenda numbers are kept per year with the identity. */
static void test_cases_recorded(void **state)
{
    (void)state;
    identity_t id, back;
    char err[512], path[128];
    assert_int_equal(identity_new(&id, 0, err, sizeof err), SERTEL_OK);
    identity_set_cases(&id, 2026, 108);
    identity_set_cases(&id, 2027, 3);
    identity_set_cases(&id, 2026, 110);
    snprintf(path, sizeof path, "%s/cases", dir);
    assert_int_equal(identity_write(path, &id, err, sizeof err), SERTEL_OK);
    assert_int_equal(identity_read(path, &back, err, sizeof err), SERTEL_OK);
    assert_int_equal(identity_cases(&back, 2026), 110);
    assert_int_equal(identity_cases(&back, 2027), 3);
    assert_int_equal(identity_cases(&back, 2025), 0);
    for (int y = 2030; y < 2030 + IDENTITY_MAX_YEARS; y++)
        identity_set_cases(&back, y, 1);
    assert_int_equal(back.n_years, IDENTITY_MAX_YEARS);
    assert_int_equal(identity_cases(&back, 2026), 0); /* the oldest forgotten */
}

/* A real LMDB file with some pages, as LMDB writes it. */
static void make_mdb(const char *sub, char *file, size_t len)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    mkdir(path, 0700);
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    assert_int_equal(mdb_env_create(&env), 0);
    assert_int_equal(mdb_env_open(env, path, 0, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
    static char big[20000];
    for (int i = 0; i < 10; i++) {
        char k[8];
        snprintf(k, sizeof k, "k%d", i);
        MDB_val key = {strlen(k), k}, val = {sizeof big, big};
        assert_int_equal(mdb_put(txn, dbi, &key, &val, 0), 0);
    }
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
    snprintf(file, len, "%s/data.mdb", path);
}

static void test_mdb_file(void **state)
{
    (void)state;
    char file[160], err[1024];
    make_mdb("env", file, sizeof file);
    mdbfile_info_t info;
    assert_true(mdbfile_check(file, &info, err, sizeof err));
    struct stat st;
    assert_int_equal(stat(file, &st), 0);
    assert_int_equal(info.page_size, 4096);
    assert_true((info.last_page + 1) * info.page_size <= (uint64_t)st.st_size);
    assert_true(info.last_page > 40); /* ten values of 20 KB */

    assert_int_equal(truncate(file, (off_t)(info.last_page * info.page_size)), 0);
    assert_false(mdbfile_check(file, NULL, err, sizeof err));
    assert_non_null(strstr(err, "truncated"));
    assert_int_equal(truncate(file, 4096), 0);  /* one meta page left */
    assert_false(mdbfile_check(file, NULL, err, sizeof err));
    assert_int_equal(truncate(file, 100), 0);   /* not even one */
    assert_false(mdbfile_check(file, NULL, err, sizeof err));
    assert_int_equal(truncate(file, 0), 0);
    assert_false(mdbfile_check(file, NULL, err, sizeof err));
    assert_non_null(strstr(err, "empty"));
    assert_int_equal(unlink(file), 0);
    assert_false(mdbfile_check(file, NULL, err, sizeof err));
    assert_false(mdbfile_check(dir, NULL, err, sizeof err)); /* a directory */
}

/* Bytes made up to look like metas: impossible page sizes and page
 * numbers that overflow are refused, not trusted. */
static void test_mdb_bytes(void **state)
{
    (void)state;
    uint8_t page[8192] = {0};
    uint8_t *meta = page + 16;
    char why[512];
    meta[0] = 0xde, meta[1] = 0xc0, meta[2] = 0xef, meta[3] = 0xbe, meta[4] = 1;
    meta[24] = 0x00, meta[25] = 0x10;                      /* 4096-byte pages */
    meta[120] = 1;                                         /* last page 1 */
    assert_true(mdbfile_check_bytes(page, sizeof page, 8192, NULL, why, sizeof why));
    assert_false(mdbfile_check_bytes(page, sizeof page, 4096, NULL, why, sizeof why));
    memset(meta + 120, 0xff, 8);                           /* page number overflows */
    assert_false(mdbfile_check_bytes(page, sizeof page, UINT64_MAX, NULL, why, sizeof why));
    meta[120] = 1;
    memset(meta + 121, 0, 7);
    meta[24] = 0x01, meta[25] = 0x10;                      /* 4097: not a power of two */
    assert_false(mdbfile_check_bytes(page, sizeof page, 8192, NULL, why, sizeof why));
    assert_false(mdbfile_check_bytes(page, 20, 8192, NULL, why, sizeof why));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_shared_history),
        cmocka_unit_test(test_replay_from),
        cmocka_unit_test(test_cases_recorded),
        cmocka_unit_test(test_mdb_file),
        cmocka_unit_test(test_mdb_bytes),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
