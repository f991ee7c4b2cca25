/* The store's request memory and journal over a real LMDB environment: a
 * request id is known from the journal event it made (in its own
 * transaction, after commit, after a reopen), forgotten with an undone
 * transaction and in time; the journal links each case's events; the
 * inbox, pool and timer rows kept in memory follow the transactions and
 * are rebuilt when the store opens; a case's record written late is read
 * back as committed, after a crash too. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

#define NIP "198503142010011003"

typedef struct {
    char dir[64];
    store_t *s;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    char err[256];
    snprintf(f->dir, sizeof f->dir, "/tmp/sertel-store-XXXXXX");
    if (!mkdtemp(f->dir) || !(f->s = store_open(f->dir, err, sizeof err)))
        return -1;
    /* The tests name their cases SE-2026-NNNNN themselves: the agenda
     * counter has given those numbers (sertel-broker check wants it so). */
    store_txn_t *t;
    if (store_begin(f->s, NULL, true, &t) != SERTEL_OK || store_case_number_set(t, 2026, 99) != SERTEL_OK ||
        store_commit(&t) != SERTEL_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    store_close(&f->s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static uint64_t append(store_txn_t *t, const char *case_id, uint64_t request_id, int64_t at)
{
    Sertel__Event ev = SERTEL__EVENT__INIT;
    ev.kind = SERTEL__EVENT_KIND__EV_CONTACTED;
    ev.case_id = (char *)case_id;
    ev.actor = NIP;
    ev.at = at;
    ev.request_id = request_id;
    uint64_t seq = 0;
    assert_int_equal(store_journal_append_pb(t, &ev, &seq), SERTEL_OK);
    return seq;
}

static bool known(store_t *s, uint64_t request_id, uint64_t *seq)
{
    store_txn_t *t;
    assert_int_equal(store_begin(s, NULL, false, &t), SERTEL_OK);
    bool found = store_dedup_find(t, NIP, request_id, seq) == SERTEL_OK;
    store_abort(&t);
    return found;
}

static void test_request_memory(void **state)
{
    fixture_t *f = *state;
    store_txn_t *t, *child;
    uint64_t seq;
    assert_int_equal(store_begin(f->s, NULL, true, &t), SERTEL_OK);
    uint64_t first = append(t, "", 7, 1000);
    /* Known within the transaction that made it (a repeat in one batch). */
    assert_int_equal(store_dedup_find(t, NIP, 7, &seq), SERTEL_OK);
    assert_int_equal(seq, first);
    assert_int_equal(store_dedup_find(t, "199104042014022001", 7, &seq), SERTEL_E_NOT_FOUND);
    /* An undone command is not remembered. */
    assert_int_equal(store_begin(f->s, t, true, &child), SERTEL_OK);
    append(child, "", 8, 1000);
    assert_int_equal(store_dedup_find(child, NIP, 8, &seq), SERTEL_OK);
    store_abort(&child);
    assert_int_equal(store_dedup_find(t, NIP, 8, &seq), SERTEL_E_NOT_FOUND);
    /* A request's later event names it. */
    uint64_t second = append(t, "", 7, 1000);
    assert_int_equal(store_commit(&t), SERTEL_OK);
    assert_true(known(f->s, 7, &seq));
    assert_int_equal(seq, second);
    assert_false(known(f->s, 8, &seq));

    /* After a reopen: folded from the journal. */
    store_close(&f->s);
    char err[256];
    assert_non_null(f->s = store_open(f->dir, err, sizeof err));
    assert_true(known(f->s, 7, &seq));
    assert_int_equal(seq, second);
    assert_int_equal(store_begin(f->s, NULL, true, &t), SERTEL_OK);
    append(t, "", 9, 2000);
    assert_int_equal(store_commit(&t), SERTEL_OK);
    assert_true(known(f->s, 9, &seq));

    /* Forgotten in time (by generations: an entry outlives its limit by
     * at most one more), never before its limit. */
    store_dedup_prune(f->s, 1500);
    store_dedup_prune(f->s, 1500);
    assert_true(known(f->s, 9, &seq));
    store_dedup_prune(f->s, 3000);
    store_dedup_prune(f->s, 3000);
    assert_false(known(f->s, 7, &seq));
    assert_false(known(f->s, 9, &seq));
}

static int count_event(const Sertel__Event *ev, void *arg)
{
    uint64_t *seqs = arg;
    seqs[++seqs[0]] = ev->seq;
    return 0;
}

/* The journal is gap-free and in order; a case's events come by its
 * links, oldest first, and a rewritten case keeps them. */
static void test_case_links(void **state)
{
    fixture_t *f = *state;
    store_txn_t *t;
    assert_int_equal(store_begin(f->s, NULL, true, &t), SERTEL_OK);
    case_t a = {.state = CASE_OPEN, .step = 1}, b = a;
    snprintf(a.id, sizeof a.id, "SE-2026-00001");
    snprintf(b.id, sizeof b.id, "SE-2026-00002");
    assert_int_equal(store_case_put(t, NULL, &a), SERTEL_OK);
    assert_int_equal(store_case_put(t, NULL, &b), SERTEL_OK);
    append(t, a.id, 0, 1);
    append(t, b.id, 0, 2);
    append(t, "", 0, 3);
    case_t a2 = a;
    a2.step = 2;
    assert_int_equal(store_case_put(t, &a, &a2), SERTEL_OK);
    append(t, a.id, 0, 4);
    assert_int_equal(store_commit(&t), SERTEL_OK);

    assert_int_equal(store_begin(f->s, NULL, false, &t), SERTEL_OK);
    assert_int_equal(store_last_seq(t), 4);
    uint64_t seqs[8] = {0};
    assert_int_equal(store_journal_of_case(t, a.id, count_event, seqs), SERTEL_OK);
    assert_int_equal(seqs[0], 2);
    assert_int_equal(seqs[1], 1);
    assert_int_equal(seqs[2], 4);
    memset(seqs, 0, sizeof seqs);
    assert_int_equal(store_journal_since(t, 1, count_event, seqs), SERTEL_OK);
    assert_int_equal(seqs[0], 3);
    assert_int_equal(seqs[3], 4);
    uint64_t head;
    char hex[65];
    assert_int_equal(store_chain_head(t, &head, hex), SERTEL_OK);
    assert_int_equal(head, 4);
    assert_int_equal(strlen(hex), 64);
    store_abort(&t);
}

static int list_case(const case_t *c, void *arg)
{
    char *ids = arg;
    strcat(ids, c->id);
    strcat(ids, " ");
    return 0;
}

static int list_id(const char *id, void *arg)
{
    char *ids = arg;
    strcat(ids, id);
    strcat(ids, " ");
    return 0;
}

/* What the officer sees and what the sweep finds due, asked in t. */
static void expect(store_txn_t *t, const char *nip, int64_t now, const char *inbox, const char *due)
{
    char got[256] = "";
    assert_int_equal(store_inbox(t, nip, ROLE_STAF, 0, list_case, got), SERTEL_OK);
    assert_string_equal(got, inbox);
    got[0] = '\0';
    assert_int_equal(store_timers_due(t, now, list_id, got), SERTEL_OK);
    assert_string_equal(got, due);
}

static void expect_now(store_t *s, const char *nip, int64_t now, const char *inbox, const char *due)
{
    store_txn_t *t;
    assert_int_equal(store_begin(s, NULL, false, &t), SERTEL_OK);
    expect(t, nip, now, inbox, due);
    store_abort(&t);
}

static void problem_seen(const char *problem, void *arg)
{
    (void)arg;
    fail_msg("check: %s", problem);
}

/* The inbox, pool and timer rows live in memory (format 5): a
 * transaction sees its own changes, an undone one (nested or outermost)
 * leaves them as they were, and a reopened store rebuilds them from the
 * cases in flight exactly. */
static void test_rows_in_memory(void **state)
{
    fixture_t *f = *state;
    const char *nip2 = "199001012015011001";
    store_txn_t *t, *n;
    case_t a = {.state = CASE_OPEN, .step = 1, .warn_at = 50, .due_at = 100}, b = {.state = CASE_OPEN, .step = 1};
    snprintf(a.id, sizeof a.id, "SE-2026-00001");
    snprintf(a.assignee, sizeof a.assignee, "%s", NIP);
    snprintf(b.id, sizeof b.id, "SE-2026-00002");
    b.pool_role = ROLE_STAF;
    assert_int_equal(store_begin(f->s, NULL, true, &t), SERTEL_OK);
    assert_int_equal(store_case_put(t, NULL, &a), SERTEL_OK);
    assert_int_equal(store_case_put(t, NULL, &b), SERTEL_OK);
    expect(t, NIP, 60, "SE-2026-00001 SE-2026-00002 ", "SE-2026-00001 ");
    assert_int_equal(store_commit(&t), SERTEL_OK);
    expect_now(f->s, NIP, 40, "SE-2026-00001 SE-2026-00002 ", "");

    case_t a2 = a;
    a2.state = CASE_DONE;
    assert_int_equal(store_begin(f->s, NULL, true, &t), SERTEL_OK);
    assert_int_equal(store_begin(f->s, t, true, &n), SERTEL_OK);
    assert_int_equal(store_case_put(n, &a, &a2), SERTEL_OK);
    expect(n, NIP, 100, "SE-2026-00002 ", "");
    store_abort(&n);
    expect(t, NIP, 100, "SE-2026-00001 SE-2026-00002 ", "SE-2026-00001 SE-2026-00001 ");
    assert_int_equal(store_begin(f->s, t, true, &n), SERTEL_OK);
    assert_int_equal(store_case_put(n, &a, &a2), SERTEL_OK);
    assert_int_equal(store_commit(&n), SERTEL_OK);
    expect(t, NIP, 100, "SE-2026-00002 ", "");
    store_abort(&t);
    expect_now(f->s, NIP, 100, "SE-2026-00001 SE-2026-00002 ", "SE-2026-00001 SE-2026-00001 ");

    case_t a3 = a;
    snprintf(a3.assignee, sizeof a3.assignee, "%s", nip2);
    a3.warned = true;
    a3.due_at = 200;
    assert_int_equal(store_begin(f->s, NULL, true, &t), SERTEL_OK);
    assert_int_equal(store_case_put(t, &a, &a3), SERTEL_OK);
    assert_int_equal(store_commit(&t), SERTEL_OK);
    store_close(&f->s);
    char err[256];
    assert_non_null(f->s = store_open(f->dir, err, sizeof err));
    expect_now(f->s, NIP, 150, "SE-2026-00002 ", "");
    expect_now(f->s, nip2, 200, "SE-2026-00001 SE-2026-00002 ", "SE-2026-00001 ");
    assert_int_equal(store_begin(f->s, NULL, false, &t), SERTEL_OK);
    store_chain_report_t chain;
    assert_int_equal(store_check(t, problem_seen, NULL, &chain), 0);
    store_abort(&t);
}

/* The rows in memory, walked in order, against a reference of which keys
 * 0..n-1 are present (key i: "P" and i as 5 digits). */
static void expect_rows(const store_hot_t *h, const bool *present, int n)
{
    MDB_val k;
    bool have = store_hot_first(h, (const uint8_t *)"", 0, false, &k);
    size_t count = 0;
    for (int i = 0; i < n; i++) {
        if (!present[i])
            continue;
        char want[16];
        snprintf(want, sizeof want, "P%05d", i);
        assert_true(have);
        assert_int_equal(k.mv_size, 6);
        assert_memory_equal(k.mv_data, want, 6);
        have = store_hot_first(h, k.mv_data, k.mv_size, true, &k);
        count++;
    }
    assert_false(have);
    assert_int_equal(store_hot_count(h), count);
}

static void put_row(store_hot_t *h, int i, bool *present)
{
    char key[16];
    snprintf(key, sizeof key, "P%05d", i);
    assert_int_equal(store_hot_put(h, (const uint8_t *)key, 6, true), SERTEL_OK);
    present[i] = true;
}

static void del_row(store_hot_t *h, int i, bool *present)
{
    char key[16];
    snprintf(key, sizeof key, "P%05d", i);
    assert_int_equal(store_hot_del(h, (const uint8_t *)key, 6, true), SERTEL_OK);
    present[i] = false;
}

/* Many rows: blocks split as they fill and go as they empty; an undo
 * puts back exactly what was there at the mark, wherever the rows moved
 * meanwhile; seeks land between rows and past the last. */
static void test_rows_in_blocks(void **state)
{
    (void)state;
    enum { N = 5000 };
    static bool present[N], before[N];
    memset(present, 0, sizeof present);
    store_hot_t *h = store_hot_new();
    assert_non_null(h);
    for (int j = 0; j < N; j++)
        put_row(h, (int)((uint64_t)j * 2654435761u % N), present); /* every key once, scattered */
    store_hot_settle(h);
    expect_rows(h, present, N);
    MDB_val k;
    assert_true(store_hot_first(h, (const uint8_t *)"P01234x", 7, false, &k));
    assert_memory_equal(k.mv_data, "P01235", 6);
    assert_true(store_hot_first(h, (const uint8_t *)"P01234", 6, true, &k));
    assert_memory_equal(k.mv_data, "P01235", 6);
    assert_false(store_hot_first(h, (const uint8_t *)"Q", 1, false, &k));

    memcpy(before, present, sizeof before);
    size_t mark = store_hot_mark(h);
    for (int i = 0; i < 3000; i++) /* whole blocks emptied */
        del_row(h, i, present);
    for (int i = N - 1; i >= 3000; i -= 3)
        del_row(h, i, present);
    assert_int_equal(store_hot_replace(h, (const uint8_t *)"P04001", 6, (const uint8_t *)"P04001", 6, true),
                     SERTEL_OK);
    for (int i = 0; i < 1000; i += 2) /* and filled again */
        put_row(h, i, present);
    expect_rows(h, present, N);
    store_hot_undo(h, mark);
    expect_rows(h, before, N);
    store_hot_settle(h);
    for (int i = 0; i < N; i++)
        if (before[i])
            del_row(h, i, before);
    store_hot_settle(h);
    expect_rows(h, before, N);
    store_hot_free(&h);
}

/* A journal record with a case after its event: [hash][link with the
 * flag][u32 event length][event][case]. Too short for the length, or a
 * length past the end, is damage; never an event read past the record. */
static void test_journal_record_bounds(void **state)
{
    (void)state;
    uint8_t rec[JOURNAL_HEAD + 8] = {0};
    rec[STORE_HASH_LEN] = 0x80; /* JOURNAL_SNAP_FLAG, big-endian */
    store_jrec_t r;
    for (size_t n = JOURNAL_HEAD; n < JOURNAL_HEAD + 4; n++) {
        MDB_val v = {n, rec};
        assert_false(store_jrec_parse(1, &v, &r));
    }
    MDB_val v = {JOURNAL_HEAD + 8, rec};
    rec[JOURNAL_HEAD + 3] = 3; /* a 3-byte event, a 1-byte case */
    assert_true(store_jrec_parse(1, &v, &r));
    assert_int_equal(r.event_len, 3);
    assert_int_equal(r.snap_len, 1);
    rec[JOURNAL_HEAD + 3] = 5; /* past the end */
    assert_false(store_jrec_parse(1, &v, &r));
}

/* The case's record as the 'C' space holds it, before any head row. */
static int stored_step(store_t *s, const char *id)
{
    store_txn_t *t;
    assert_int_equal(store_begin(s, NULL, false, &t), SERTEL_OK);
    uint8_t key[CASE_KEY_MAX];
    MDB_val k = store_val(key, store_case_key(s, id, key)), v;
    assert_int_equal(mdb_get(t->txn, t->s->dbi[DB_CASES], &k, &v), 0);
    case_t c;
    char why[128];
    assert_int_equal(store_case_decode(s, &k, &v, &c, why, sizeof why), SERTEL_OK);
    store_abort(&t);
    return c.step;
}

static int case_step(store_t *s, const char *id)
{
    store_txn_t *t;
    case_t c;
    assert_int_equal(store_begin(s, NULL, false, &t), SERTEL_OK);
    assert_int_equal(store_case_get(t, id, &c), SERTEL_OK);
    store_abort(&t);
    return c.step;
}

static void put_step(store_t *s, case_t *c, int step, bool event)
{
    store_txn_t *t;
    case_t old = *c;
    c->step = step;
    assert_int_equal(store_begin(s, NULL, true, &t), SERTEL_OK);
    assert_int_equal(store_case_put(t, step > 1 ? &old : NULL, c), SERTEL_OK);
    if (event)
        append(t, c->id, 0, step);
    assert_int_equal(store_commit(&t), SERTEL_OK);
}

/* A transition's commit writes the case into its event's journal record
 * (format 5); the 'C' record follows at the flush. A copy of the file as
 * a crash leaves it opens with every case as committed, its events
 * linked; a case put without an event is written at once. */
static void test_cases_written_late(void **state)
{
    fixture_t *f = *state;
    case_t a = {.state = CASE_OPEN, .app = {.nik = "3207010101900001"}};
    snprintf(a.id, sizeof a.id, "SE-2026-00001");
    put_step(f->s, &a, 1, true);
    put_step(f->s, &a, 2, true);
    put_step(f->s, &a, 3, true);
    assert_int_equal(stored_step(f->s, a.id), 1);
    assert_int_equal(case_step(f->s, a.id), 3);

    /* The file as kill -9 would leave it now. */
    char cmd[512], copy[96], err[256];
    snprintf(copy, sizeof copy, "%s/crash", f->dir);
    snprintf(cmd, sizeof cmd, "mkdir -p %s && cp %s/data.mdb %s/data.key %s/", copy, f->dir, f->dir, copy);
    assert_int_equal(system(cmd), 0);
    store_t *c = store_open(copy, err, sizeof err);
    assert_non_null(c);
    assert_int_equal(case_step(c, a.id), 3);
    store_txn_t *t;
    assert_int_equal(store_begin(c, NULL, false, &t), SERTEL_OK);
    uint64_t seqs[8] = {0};
    assert_int_equal(store_journal_of_case(t, a.id, count_event, seqs), SERTEL_OK);
    assert_int_equal(seqs[0], 3);
    store_chain_report_t chain;
    assert_int_equal(store_check(t, problem_seen, NULL, &chain), 0);
    store_abort(&t);
    /* Its personal data stay sealed in the record, not in the journal. */
    case_t got;
    assert_int_equal(store_begin(c, NULL, false, &t), SERTEL_OK);
    assert_int_equal(store_case_get(t, a.id, &got), SERTEL_OK);
    assert_string_equal(got.app.nik, "3207010101900001");
    store_abort(&t);
    store_close(&c);

    /* Without an event: written at once. */
    put_step(f->s, &a, 4, false);
    assert_int_equal(stored_step(f->s, a.id), 4);
    put_step(f->s, &a, 5, true);
    assert_int_equal(stored_step(f->s, a.id), 4);
    /* Put in a transaction, its event in a nested one that is undone:
     * the case stays as put. */
    store_txn_t *n;
    case_t before = a;
    a.step = 6;
    assert_int_equal(store_begin(f->s, NULL, true, &t), SERTEL_OK);
    assert_int_equal(store_case_put(t, &before, &a), SERTEL_OK);
    assert_int_equal(store_begin(f->s, t, true, &n), SERTEL_OK);
    append(n, a.id, 0, 6);
    store_abort(&n);
    assert_int_equal(store_commit(&t), SERTEL_OK);
    assert_int_equal(case_step(f->s, a.id), 6);
    /* Closing writes what is left. */
    store_close(&f->s);
    assert_non_null(f->s = store_open(f->dir, err, sizeof err));
    assert_int_equal(stored_step(f->s, a.id), 6);
    assert_int_equal(case_step(f->s, a.id), 6);
}

static void last_problem(const char *problem, void *arg)
{
    char *seen = arg;
    snprintf(seen, 256, "%s", problem);
}

/* An agenda counter behind a case's number would give that number again:
 * the check says so. The counters and the outbox live in the unnamed
 * database (format 6): an intake writes no named database. */
static void test_agenda_counter_checked(void **state)
{
    fixture_t *f = *state;
    store_txn_t *t;
    char id[32], seen[256] = "";
    assert_int_equal(store_begin(f->s, NULL, true, &t), SERTEL_OK);
    assert_int_equal(store_next_case_id(t, 2026, id, sizeof id), SERTEL_OK);
    assert_string_equal(id, "SE-2026-00100");
    assert_int_equal(store_case_number(t, 2026), 100);
    assert_int_equal(store_case_number(t, 2027), 0);
    case_t a = {.state = CASE_OPEN, .step = 1};
    snprintf(a.id, sizeof a.id, "%s", id);
    assert_int_equal(store_case_put(t, NULL, &a), SERTEL_OK);
    append(t, a.id, 0, 1);
    int years[4], n = 0;
    assert_int_equal(store_case_number_set(t, 2027, 7), SERTEL_OK);
    assert_int_equal(store_case_years(t, years, 4, &n), SERTEL_OK);
    assert_int_equal(n, 2);
    assert_int_equal(years[0], 2026);
    assert_int_equal(years[1], 2027);
    store_chain_report_t chain;
    assert_int_equal(store_check(t, problem_seen, NULL, &chain), 0);
    assert_int_equal(store_case_number_set(t, 2026, 99), SERTEL_OK);
    assert_int_equal(store_check(t, last_problem, seen, &chain), 1);
    assert_non_null(strstr(seen, "SE-2026-00100"));
    /* ... and an intake refuses it rather than write over that case. */
    assert_int_equal(store_next_case_id(t, 2026, id, sizeof id), SERTEL_E_STORAGE);
    assert_true(store_is_damaged(f->s));
    store_abort(&t);
}

/* A counter of the wrong size is damage, not a count from zero. */
static void test_agenda_counter_damaged(void **state)
{
    fixture_t *f = *state;
    store_txn_t *t;
    char id[32];
    assert_int_equal(store_begin(f->s, NULL, true, &t), SERTEL_OK);
    char name[8];
    snprintf(name, sizeof name, "%c%04d", KS_AGENDA, 2028);
    MDB_val k = store_val(name, 5), v = store_val("x", 1);
    assert_int_equal(mdb_put(t->txn, store_dbi(t, DB_CASES), &k, &v, 0), 0);
    assert_int_equal(store_next_case_id(t, 2028, id, sizeof id), SERTEL_E_STORAGE);
    assert_true(store_is_damaged(f->s));
    store_abort(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_request_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_case_links, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rows_in_memory, setup, teardown),
        cmocka_unit_test(test_rows_in_blocks),
        cmocka_unit_test(test_journal_record_bounds),
        cmocka_unit_test_setup_teardown(test_cases_written_late, setup, teardown),
        cmocka_unit_test_setup_teardown(test_agenda_counter_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_agenda_counter_damaged, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
