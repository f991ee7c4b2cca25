/* The journal's hash chain, checked by the real binaries: intact after
 * real work (offline with sertel-broker verify and check, through
 * sertel-admin journal verify --data, and by the live broker), in a backup
 * whose manifest carries the same chain head; and found broken, at the
 * right sequence number, when one record's actor, time or text is edited
 * offline or one record is removed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <lmdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "codec.h"
#include "harness.h"

#define STAF_NIP "198503142010011003"
#define VICTIM 4 /* the record edited or removed */

typedef struct {
    harness_t h;
    size_t events;
    char head[65];
} office_t;

static int setup(void **state)
{
    office_t *o = calloc(1, sizeof *o);
    assert_true(harness_start(&o->h));
    keyfile_t key;
    assert_true(harness_enrol(&o->h, STAF_NIP, "Siti Rahmawati", ROLE_STAF, 0, &key));
    conn_t *staf = harness_connect(&o->h, &key);
    for (int i = 0; i < 3; i++) {
        Sertel__Envelope *r = harness_intake(staf, "Budi Santoso", NULL);
        assert_int_equal(harness_error(r), 0);
        if (i == 0) {
            char id[32];
            snprintf(id, sizeof id, "%s", r->done->case_id);
            sertel__envelope__free_unpacked(r, NULL);
            r = harness_complete(staf, id, NULL, "Proses");
            assert_int_equal(harness_error(r), 0);
        }
        sertel__envelope__free_unpacked(r, NULL);
    }
    conn_close(&staf);
    o->events = harness_journal_len(&o->h);
    assert_true(o->events > VICTIM);
    *state = o;
    return 0;
}

static int teardown(void **state)
{
    office_t *o = *state;
    harness_destroy(&o->h);
    free(o);
    return 0;
}

static Sertel__JournalVerifyReply *live_verify(harness_t *h, Sertel__Envelope **reply)
{
    Sertel__JournalVerify v = SERTEL__JOURNAL_VERIFY__INIT;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_JOURNAL_VERIFY;
    req.journal_verify = &v;
    *reply = harness_call(h->admin_conn, &req);
    assert_int_equal((*reply)->body_case, SERTEL__ENVELOPE__BODY_JOURNAL_VERIFIED);
    return (*reply)->journal_verified;
}

static int admin_verify(const char *dir, char *out, size_t len)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "LANGUAGE=en '%s' journal verify --data '%s' 2>&1", SERTEL_ADMIN_BIN, dir);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, len - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_clean(void **state)
{
    office_t *o = *state;
    Sertel__Envelope *reply;
    Sertel__JournalVerifyReply *v = live_verify(&o->h, &reply);
    assert_int_equal(v->bad_seq, 0);
    assert_int_equal(v->events, o->events);
    assert_int_equal(v->head_seq, o->events);
    assert_int_equal(strlen(v->head_hash), 64);
    char head[65], expect[128], out[4096];
    snprintf(head, sizeof head, "%s", v->head_hash);
    sertel__envelope__free_unpacked(reply, NULL);

    /* A backup's manifest names the same head; the copy verifies. */
    char backup[300];
    snprintf(backup, sizeof backup, "%s/backup", o->h.dir);
    Sertel__Backup b = SERTEL__BACKUP__INIT;
    b.dir = backup;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_BACKUP;
    req.backup = &b;
    reply = harness_call(o->h.admin_conn, &req);
    assert_int_equal(harness_error(reply), 0);
    sertel__envelope__free_unpacked(reply, NULL);
    char path[400];
    snprintf(path, sizeof path, "%s/manifest", backup);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(out, 1, sizeof out - 1, f);
    out[n] = '\0';
    fclose(f);
    snprintf(expect, sizeof expect, "chain-head-sha256 = %s", head);
    assert_non_null(strstr(out, expect));
    assert_int_equal(harness_broker_tool(&o->h, "verify", backup, out, sizeof out), 0);
    assert_non_null(strstr(out, head));

    harness_stop(&o->h, SIGTERM);
    assert_int_equal(harness_broker_tool(&o->h, "verify", NULL, out, sizeof out), 0);
    snprintf(expect, sizeof expect, "Journal intact: %zu events", o->events);
    assert_non_null(strstr(out, expect));
    assert_non_null(strstr(out, head));
    assert_int_equal(harness_broker_tool(&o->h, "check", NULL, out, sizeof out), 0);
    assert_non_null(strstr(out, "Store consistent"));
    /* sertel-admin does not link the store: it runs sertel-broker verify. */
    assert_int_equal(admin_verify(o->h.dir, out, sizeof out), 0);
    assert_non_null(strstr(out, expect));
}

typedef enum { EDIT_ACTOR, EDIT_TIME, EDIT_TEXT, REMOVE } damage_t;

/* Changes record VICTIM offline as someone with the file would: the
 * event rewritten in place, its stored hash kept, or the record gone. */
static void damage(const char *dir, damage_t how)
{
    char path[400];
    snprintf(path, sizeof path, "%s/db", dir);
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi journal;
    mdb_env_create(&env);
    mdb_env_set_maxdbs(env, 32);
    assert_int_equal(mdb_env_open(env, path, MDB_NOTLS, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
    /* The journal is the unnamed database's last space (0xFF, then the
     * seq big-endian). */
    assert_int_equal(mdb_dbi_open(txn, NULL, 0, &journal), 0);
    uint8_t key[9] = {0xFF, 0, 0, 0, 0, 0, 0, 0, VICTIM};
    MDB_val k = {9, key}, v;
    assert_int_equal(mdb_get(txn, journal, &k, &v), 0);
    if (how == REMOVE) {
        assert_int_equal(mdb_del(txn, journal, &k, NULL), 0);
    } else {
        Sertel__Event *ev = sertel__event__unpack(NULL, v.mv_size - 40, (uint8_t *)v.mv_data + 40);
        assert_non_null(ev);
        /* In place: the unpacked strings belong to the message. */
        assert_true(strlen(ev->actor) > 0 && strlen(ev->text) > 0);
        if (how == EDIT_ACTOR)
            ev->actor[17] = ev->actor[17] == '1' ? '2' : '1';
        else if (how == EDIT_TIME)
            ev->at -= 3600;
        else
            ev->text[0] = 'X';
        uint8_t rec[4096];
        size_t len = protobuf_c_message_pack(&ev->base, rec + 40);
        memcpy(rec, v.mv_data, 40);
        sertel__event__free_unpacked(ev, NULL);
        MDB_val nv = {40 + len, rec};
        assert_int_equal(mdb_put(txn, journal, &k, &nv, 0), 0);
    }
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
}

static void expect_broken(office_t *o, damage_t how, const char *why)
{
    char copy[300], cmd[1024], out[4096], expect[64];
    snprintf(copy, sizeof copy, "%s-copy%d", o->h.dir, (int)how);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && cp -a '%s' '%s'", copy, o->h.dir, copy);
    assert_int_equal(system(cmd), 0);
    damage(copy, how);
    snprintf(expect, sizeof expect, "Journal broken at record %d", VICTIM);
    if (harness_broker_tool(&o->h, "verify", copy, out, sizeof out) != 4 || !strstr(out, expect) ||
        !strstr(out, why))
        fail_msg("damage %d not found as expected: %s", (int)how, out);
    assert_int_equal(harness_broker_tool(&o->h, "check", copy, out, sizeof out), 4);
    assert_non_null(strstr(out, expect));
    assert_int_equal(admin_verify(copy, out, sizeof out), 4);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", copy);
    assert_int_equal(system(cmd), 0);
}

static void test_edited_or_removed(void **state)
{
    office_t *o = *state;
    harness_stop(&o->h, SIGTERM);
    expect_broken(o, EDIT_ACTOR, "hash does not match");
    expect_broken(o, EDIT_TIME, "hash does not match");
    expect_broken(o, EDIT_TEXT, "hash does not match");
    expect_broken(o, REMOVE, "is missing");
}

/* The live broker finds damage made under it too, and the store then
 * refuses writes rather than build on it. */
static void test_live_finds_damage(void **state)
{
    office_t *o = *state;
    harness_stop(&o->h, SIGTERM);
    damage(o->h.dir, EDIT_TEXT);
    assert_true(harness_restart(&o->h));
    Sertel__Envelope *reply;
    Sertel__JournalVerifyReply *v = live_verify(&o->h, &reply);
    assert_int_equal(v->bad_seq, VICTIM);
    assert_int_equal(v->events, VICTIM - 1);
    sertel__envelope__free_unpacked(reply, NULL);
    keyfile_t key;
    char err[256], path[300];
    snprintf(path, sizeof path, "%s/%s.key", o->h.dir, STAF_NIP);
    assert_int_equal(keyfile_read(path, &key, err, sizeof err), SERTEL_OK);
    conn_t *staf = harness_connect(&o->h, &key);
    Sertel__Envelope *r = harness_intake(staf, "Budi Santoso", NULL);
    assert_int_equal(harness_error(r), SERTEL__ERROR_CODE__ERR_STORAGE);
    sertel__envelope__free_unpacked(r, NULL);
    assert_int_equal(harness_journal_len(&o->h), o->events); /* reads go on */
    conn_close(&staf);
}

/* The page number of the unnamed database's root in the newer of
 * data.mdb's two meta pages (LMDB's file layout: a 16-byte page header,
 * then magic, version, address, map size, the free list's and the main
 * database's MDB_db of 48 bytes each, root last but one, ... txnid). */
static long main_root(int fd)
{
    uint64_t root[2], txnid[2];
    for (int m = 0; m < 2; m++) {
        assert_int_equal(pread(fd, &root[m], 8, m * 4096L + 128), 8);
        assert_int_equal(pread(fd, &txnid[m], 8, m * 4096L + 144), 8);
    }
    return (long)root[txnid[1] > txnid[0]];
}

/* LMDB's own word that a page is damaged (MDB_CORRUPTED: the root page
 * is neither a branch nor a leaf) makes the live store refuse writes,
 * even once the page reads well again: it is not written onto. */
static void test_lmdb_damage_stops_writes(void **state)
{
    office_t *o = *state;
    char path[300], err[256];
    keyfile_t key;
    snprintf(path, sizeof path, "%s/%s.key", o->h.dir, STAF_NIP);
    assert_int_equal(keyfile_read(path, &key, err, sizeof err), SERTEL_OK);
    conn_t *staf = harness_connect(&o->h, &key);
    Sertel__Envelope *r = harness_intake(staf, "Budi Santoso", NULL);
    assert_int_equal(harness_error(r), 0); /* connected, known, writing */
    sertel__envelope__free_unpacked(r, NULL);
    size_t events = harness_journal_len(&o->h);

    snprintf(path, sizeof path, "%s/db/data.mdb", o->h.dir);
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    off_t flags_at = main_root(fd) * 4096L + 10; /* mp_flags */
    uint16_t flags, zero = 0;
    assert_int_equal(pread(fd, &flags, 2, flags_at), 2);
    assert_int_equal(pwrite(fd, &zero, 2, flags_at), 2);
    r = harness_intake(staf, "Budi Santoso", NULL); /* the officer is not cut off for it */
    assert_int_equal(harness_error(r), SERTEL__ERROR_CODE__ERR_STORAGE);
    sertel__envelope__free_unpacked(r, NULL);
    assert_int_equal(pwrite(fd, &flags, 2, flags_at), 2);
    close(fd);
    r = harness_intake(staf, "Budi Santoso", NULL);
    assert_int_equal(harness_error(r), SERTEL__ERROR_CODE__ERR_STORAGE);
    sertel__envelope__free_unpacked(r, NULL);
    conn_close(&staf);
    assert_int_equal(harness_journal_len(&o->h), events);
}

/* A catch-up that meets a record it cannot read ends in a refusal,
 * never in a Welcome that says the client is caught up. */
static void test_replay_reports_damage(void **state)
{
    office_t *o = *state;
    harness_stop(&o->h, SIGTERM);
    damage(o->h.dir, REMOVE);
    assert_true(harness_restart(&o->h));
    keyfile_t key;
    char err[256], path[300];
    snprintf(path, sizeof path, "%s/%s.key", o->h.dir, STAF_NIP);
    assert_int_equal(keyfile_read(path, &key, err, sizeof err), SERTEL_OK);
    conn_t *staf = harness_connect(&o->h, &key);
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    Sertel__Hello hello = SERTEL__HELLO__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_HELLO;
    req.hello = &hello;
    Sertel__Envelope *r = harness_call(staf, &req);
    assert_non_null(r);
    assert_int_equal(harness_error(r), SERTEL__ERROR_CODE__ERR_STORAGE);
    /* "... after event 3: ..." in the client's language (Indonesian here) */
    assert_non_null(strstr(r->error->message, " 3: "));
    sertel__envelope__free_unpacked(r, NULL);
    conn_close(&staf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_clean, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edited_or_removed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_live_finds_damage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replay_reports_damage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lmdb_damage_stops_writes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
