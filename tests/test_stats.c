/* SOP-compliance statistics: the pure aggregates (server/stats.c) and
 * their upkeep in LMDB (server/store_stats.c) over a real environment in
 * a private mkdtemp directory, removed at the end. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stats.h"
#include "store_internal.h"

#define MIN 60
#define HOUR 3600
#define DAY 86400
#define WIB 25200

/* Officers, in NIP order. */
#define NIP_A "197503042001121002"
#define NIP_B "198001012005011001"
#define NIP_C "199012312010122999"

/* 10:00 WIB on days of three months, and the first instant of December. */
#define NOV_10 INT64_C(1794279600)
#define DEC_15 INT64_C(1797303600)
#define JAN_20 INT64_C(1800414000)
#define DEC_1_WIB INT64_C(1796058000) /* 2026-11-30 17:00 UTC */

/* ---- the pure module */

static void test_exact_minutes(void **state)
{
    (void)state;
    stats_agg_t a = {0};
    stats_agg_add(&a, 5 * MIN, 10 * MIN, false);
    stats_agg_add(&a, 10 * MIN, 10 * MIN, false);
    stats_agg_add(&a, 15 * MIN, 10 * MIN, false);
    assert_int_equal(stats_agg_percentile(&a, 50), 10 * MIN);
    assert_int_equal(stats_agg_percentile(&a, 90), 15 * MIN);
    assert_int_equal(stats_agg_percentile(&a, 1), 5 * MIN);
    /* Every whole minute below 64 stands for itself. */
    for (int m = 0; m < STATS_EXACT_MINUTES; m++) {
        stats_agg_t one = {0};
        stats_agg_add(&one, (int64_t)m * MIN, 0, false);
        assert_int_equal(stats_agg_percentile(&one, 50), (int64_t)m * MIN);
    }
}

static void test_nearest_minute(void **state)
{
    (void)state;
    assert_int_equal(stats_bucket_of(9 * MIN + 59), 10);
    assert_int_equal(stats_bucket_of(10 * MIN + 29), 10);
    assert_int_equal(stats_bucket_of(29), 0);
    assert_int_equal(stats_bucket_of(-5), 0);
    /* Beyond the last power of two everything lands in the last bucket. */
    assert_int_equal(stats_bucket_of(INT64_MAX), STATS_BUCKETS - 1);
    assert_int_equal(stats_bucket_of(INT64_C(200) * 365 * DAY), STATS_BUCKETS - 1);
}

static void test_empty(void **state)
{
    (void)state;
    stats_agg_t a = {0};
    assert_int_equal(stats_agg_percentile(&a, 50), 0);
    assert_int_equal(stats_agg_percentile(&a, 90), 0);
}

static void test_within_overdue(void **state)
{
    (void)state;
    stats_agg_t a = {0};
    stats_agg_add(&a, 10 * MIN, 10 * MIN, false); /* exactly on time is within */
    stats_agg_add(&a, 11 * MIN, 10 * MIN, true);
    stats_agg_add(&a, 1 * MIN, 0, false);         /* no Mutu Baku: never within */
    stats_agg_mark_overdue(&a);
    assert_int_equal(a.count, 3);
    assert_int_equal(a.within, 1);
    assert_int_equal(a.overdue, 2);
    assert_int_equal(a.standard, 10 * MIN);
}

/* Deterministic, spread over minutes to a year (log-uniform-ish). */
static uint64_t lcg_next(uint64_t *s)
{
    *s = *s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return *s >> 33;
}

static int64_t sample(uint64_t *s)
{
    int shift = (int)(lcg_next(s) % 19); /* up to 2^19 minutes: a year */
    return (int64_t)(MIN + lcg_next(s) % ((uint64_t)MIN << shift));
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void assert_close(int64_t got, int64_t want, const char *what)
{
    double err = (double)(got > want ? got - want : want - got) / (double)want;
    if (err > 0.125)
        fail_msg("%s: %lld against %lld (%.1f%%)", what, (long long)got, (long long)want,
                 err * 100);
}

static void test_large_percentiles(void **state)
{
    (void)state;
    enum { N = 20000 };
    int64_t *v = malloc(N * sizeof *v);
    assert_non_null(v);
    stats_agg_t a = {0};
    uint64_t seed = 42;
    for (int i = 0; i < N; i++) {
        v[i] = sample(&seed);
        stats_agg_add(&a, v[i], 0, false);
    }
    qsort(v, N, sizeof *v, cmp_i64);
    /* Nearest rank, as the aggregate defines it. */
    assert_close(stats_agg_percentile(&a, 90), v[(N * 9 + 9) / 10 - 1], "p90");
    assert_close(stats_agg_percentile(&a, 50), v[N / 2 - 1], "median");
    assert_close(stats_agg_percentile(&a, 99), v[(N * 99 + 99) / 100 - 1], "p99");
    free(v);
}

/* Every value above the exact range is within 12.5% of its bucket's. */
static void test_bucket_precision(void **state)
{
    (void)state;
    for (int64_t s = STATS_EXACT_MINUTES * MIN; s < INT64_C(100) * 365 * DAY; s += s / 97 + 1)
        assert_close(stats_bucket_value(stats_bucket_of(s)), s, "bucket");
}

static void test_merge_equals_add(void **state)
{
    (void)state;
    stats_agg_t all = {0}, lo = {0}, hi = {0};
    uint64_t seed = 7;
    for (int i = 0; i < 5000; i++) {
        int64_t s = sample(&seed);
        bool late = s > 2 * HOUR;
        stats_agg_add(&all, s, 2 * HOUR, late);
        stats_agg_add(i % 3 ? &lo : &hi, s, 2 * HOUR, late);
    }
    stats_agg_merge(&lo, &hi);
    assert_memory_equal(&lo, &all, sizeof all);
}

static void test_month_keys(void **state)
{
    (void)state;
    static const struct {
        int64_t t;
        int offset;
        const char *key;
    } rows[] = {
        {DEC_1_WIB, WIB, "2026-12"},                 /* 00:00 WIB on 1 Dec */
        {DEC_1_WIB - 1, WIB, "2026-11"},
        {DEC_1_WIB, 0, "2026-11"},                   /* still November in UTC */
        {INT64_C(1798736400), WIB, "2027-01"},       /* 2026-12-31 17:00 UTC */
        {INT64_C(1798736399), WIB, "2026-12"},
        {INT64_C(1709139600), WIB, "2024-02"},       /* 29 Feb 2024 00:00 WIB */
        {INT64_C(951782400), 0, "2000-02"},          /* 29 Feb 2000 */
        {0, 0, "1970-01"},
        {-1, 0, "1969-12"},
        {-1, WIB, "1970-01"},
        {INT64_C(1796083200), -5 * HOUR, "2026-11"}, /* west of UTC */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char key[STATS_MONTH_KEY_LEN];
        stats_month_key(rows[i].t, rows[i].offset, key);
        if (strcmp(key, rows[i].key) != 0)
            fail_msg("%lld %+d: %s, expected %s", (long long)rows[i].t, rows[i].offset, key,
                     rows[i].key);
    }
}

/* ---- folded from the journal in LMDB */

typedef struct {
    char dir[64];
    store_t *s;
    calendar_t *cal;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/sertel-stats-XXXXXX");
    char err[256];
    if (!mkdtemp(f->dir) || !(f->s = store_open(f->dir, err, sizeof err)) ||
        !(f->cal = calendar_default())) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    store_close(&f->s);
    calendar_destroy(&f->cal);
    char path[128];
    snprintf(path, sizeof path, "%s/data.mdb", f->dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/lock.mdb", f->dir);
    unlink(path);
    rmdir(f->dir);
    free(f);
    return 0;
}

static event_t done(event_kind_t kind, int64_t at, int step, const char *nip, int64_t work,
                    int64_t standard)
{
    event_t ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.at = at;
    ev.step = step;
    snprintf(ev.actor, sizeof ev.actor, "%s", nip);
    ev.work = ev.wall = work;
    ev.standard = standard;
    return ev;
}

static void record(fixture_t *f, const event_t *evs, size_t n)
{
    store_txn_t *t;
    assert_int_equal(store_begin(f->s, NULL, true, &t), SERTEL_OK);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(store_journal_append(t, &evs[i], NULL), SERTEL_OK);
    assert_int_equal(store_commit(&t), SERTEL_OK);
}

/* Three months of events; see the expectations in the tests below. */
static void record_scenario(fixture_t *f)
{
    event_t evs[] = {
        done(EV_DISPOSED, NOV_10, 1, NIP_A, 5 * MIN, 10 * MIN),
        done(EV_DISPOSED, NOV_10, 1, NIP_B, 15 * MIN, 10 * MIN),
        done(EV_OVERDUE, NOV_10, 1, "", 10 * MIN, 10 * MIN),
        done(EV_DISPOSED, DEC_1_WIB, 1, NIP_A, 7 * MIN, 10 * MIN),
        done(EV_DISPOSED, DEC_15, 2, NIP_A, 10 * MIN, 10 * MIN),
        done(EV_DISPOSED, DEC_15, 10, NIP_B, 3 * HOUR, 1 * HOUR),
        done(EV_ARCHIVED, DEC_15, 7, NIP_A, 20 * MIN, 60 * MIN),
        done(EV_REJECTED, DEC_15, 5, NIP_C, 0, 0),
        done(EV_DISPOSED, JAN_20, 1, NIP_C, 30 * MIN, 10 * MIN),
        /* counted as a case registered, no timing */
        done(EV_RECEIVED, JAN_20, 1, NIP_A, 0, 0),
        /* no timing: ignored */
        done(EV_WARNED, JAN_20, 1, "", 8 * MIN, 10 * MIN),
        done(EV_CONTACTED, JAN_20, 5, NIP_C, 0, 0),
    };
    evs[6].wait_wall = HOUR;
    evs[6].case_work = 2 * HOUR; /* the archived case end to end */
    evs[6].case_standard = 3 * HOUR;
    evs[7].wait_wall = 2 * DAY;
    record(f, evs, sizeof evs / sizeof evs[0]);
}

static Sertel__Stats query(fixture_t *f, int64_t from, int64_t to)
{
    Sertel__Stats out = SERTEL__STATS__INIT;
    store_txn_t *t;
    assert_int_equal(store_begin(f->s, NULL, false, &t), SERTEL_OK);
    assert_int_equal(store_stats_query(t, from, to, f->cal, &out), SERTEL_OK);
    store_abort(&t);
    return out;
}

static void assert_keys(Sertel__StatsRow **rows, size_t n, const char *const *keys, size_t nk)
{
    assert_int_equal(n, nk);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(rows[i]->key, keys[i]);
        assert_string_equal(rows[i]->label, "");
    }
}

#define KEYS(rows, n, ...)                                                           \
    do {                                                                             \
        static const char *const k_[] = {__VA_ARGS__};                               \
        assert_keys(rows, n, k_, sizeof k_ / sizeof k_[0]);                          \
    } while (0)

static void test_query_all(void **state)
{
    fixture_t *f = *state;
    record_scenario(f);
    Sertel__Stats st = query(f, 0, 0);

    KEYS(st.steps, st.n_steps, "1", "2", "7", "10"); /* numerically */
    Sertel__StatsRow *s1 = st.steps[0];
    assert_int_equal(s1->cases, 4);      /* 5, 7, 15, 30 minutes */
    assert_int_equal(s1->within, 2);
    assert_int_equal(s1->overdue, 1);    /* from EV_OVERDUE */
    assert_int_equal(s1->median_work, 7 * MIN);
    assert_int_equal(s1->p90_work, 30 * MIN);
    assert_int_equal(s1->standard, 10 * MIN);
    assert_int_equal(st.steps[1]->within, 1); /* 10 of 10 minutes */
    assert_close(st.steps[3]->median_work, 3 * HOUR, "step 10");
    assert_int_equal(st.steps[3]->standard, HOUR);

    KEYS(st.officers, st.n_officers, NIP_A, NIP_B, NIP_C);
    assert_int_equal(st.officers[0]->cases, 4);
    assert_int_equal(st.officers[0]->within, 4);
    assert_int_equal(st.officers[0]->overdue, 0);
    assert_int_equal(st.officers[1]->cases, 2);
    assert_int_equal(st.officers[1]->overdue, 2); /* completed late */
    assert_int_equal(st.officers[2]->cases, 1);
    assert_int_equal(st.officers[0]->standard, 0);

    KEYS(st.months, st.n_months, "2026-11", "2026-12", "2027-01");
    assert_int_equal(st.months[0]->cases, 2);
    assert_int_equal(st.months[0]->overdue, 1);
    assert_int_equal(st.months[1]->cases, 4); /* 1 Dec 00:00 WIB is December */
    assert_int_equal(st.months[2]->cases, 1);

    assert_int_equal(st.waits, 2);
    assert_int_equal(st.median_wait, HOUR);
    assert_close(st.p90_wait, 2 * DAY, "wait p90");
    store_stats_clear(&st);
    assert_int_equal(st.n_steps, 0);
    assert_null(st.steps);
}

static void test_query_period(void **state)
{
    fixture_t *f = *state;
    record_scenario(f);

    /* Any instant in a month selects the whole month. */
    Sertel__Stats st = query(f, DEC_15 + DAY, DEC_15 + 2 * DAY);
    KEYS(st.months, st.n_months, "2026-12");
    KEYS(st.steps, st.n_steps, "1", "2", "7", "10");
    KEYS(st.officers, st.n_officers, NIP_A, NIP_B);
    assert_int_equal(st.steps[0]->cases, 1);
    assert_int_equal(st.steps[0]->overdue, 0);
    assert_int_equal(st.waits, 2);
    store_stats_clear(&st);

    st = query(f, DEC_1_WIB, 0); /* open end */
    KEYS(st.months, st.n_months, "2026-12", "2027-01");
    KEYS(st.officers, st.n_officers, NIP_A, NIP_B, NIP_C);
    store_stats_clear(&st);

    st = query(f, 0, DEC_1_WIB - 1); /* open start; 23:59:59 WIB, 30 Nov */
    KEYS(st.months, st.n_months, "2026-11");
    KEYS(st.steps, st.n_steps, "1");
    assert_int_equal(st.steps[0]->cases, 2);
    assert_int_equal(st.waits, 0);
    assert_int_equal(st.median_wait, 0);
    store_stats_clear(&st);

    st = query(f, JAN_20 + 40 * DAY, 0); /* nothing recorded yet */
    assert_int_equal(st.n_steps + st.n_officers + st.n_months, 0);
    store_stats_clear(&st);
}

/* Upkeep stays one aggregate per month and subject: the query's cost
 * does not grow with the number of cases. */
static void test_size_independent_of_cases(void **state)
{
    fixture_t *f = *state;
    record_scenario(f);
    event_t more[100];
    for (int round = 0; round < 10; round++) {
        for (size_t i = 0; i < 100; i++)
            more[i] = done(EV_DISPOSED, DEC_15, 2, NIP_A, (int64_t)(i % 40) * MIN, 10 * MIN);
        record(f, more, 100);
    }
    Sertel__Stats all = query(f, 0, 0);
    store_stats_clear(&all);
    /* Nov: s/1 o/A o/B; Dec: s/1 s/2 s/7 s/10 o/A o/B w f; Jan: s/1 o/C c */
    assert_int_equal(store_stats_view_size(f->s), 14);

    Sertel__Stats st = query(f, DEC_15, DEC_15);
    assert_int_equal(st.steps[1]->cases, 1001);
    assert_int_equal(st.steps[1]->within, 1 + 10 * 33); /* 0..10 of each 40 minutes */
    store_stats_clear(&st);
}

/* Cases end to end: registered ones counted, archived ones timed whole
 * against the sum of their steps' Mutu Baku. */
static void test_cases_end_to_end(void **state)
{
    fixture_t *f = *state;
    record_scenario(f);
    Sertel__Stats dec = query(f, DEC_15, DEC_15);
    assert_non_null(dec.cases_done);
    assert_int_equal(dec.cases_opened, 0);
    assert_int_equal(dec.cases_done->cases, 1);
    assert_int_equal(dec.cases_done->within, 1);
    assert_int_equal(dec.cases_done->overdue, 0);
    assert_int_equal(dec.cases_done->median_work, stats_bucket_value(stats_bucket_of(2 * HOUR)));
    store_stats_clear(&dec);
    Sertel__Stats jan = query(f, JAN_20, JAN_20);
    assert_int_equal(jan.cases_opened, 1);
    assert_int_equal(jan.cases_done->cases, 0);
    store_stats_clear(&jan);
}

/* A journal record that does not decode (a damaged page, another
 * layout) is an error for the statistics, never skipped, and the store
 * refuses writes from then on. */
static void test_foreign_value(void **state)
{
    fixture_t *f = *state;
    record_scenario(f);
    store_txn_t *t;
    assert_int_equal(store_begin(f->s, NULL, true, &t), SERTEL_OK);
    uint8_t key[SEQ_KEY_MAX];
    MDB_val k = store_val(key, store_seq_key(t->s, store_last_seq(t) + 1, key)), v = store_str("short");
    assert_int_equal(mdb_put(t->txn, store_dbi(t, DB_JOURNAL), &k, &v, 0), 0);
    assert_int_equal(store_commit(&t), SERTEL_OK);
    Sertel__Stats st = SERTEL__STATS__INIT;
    assert_int_equal(store_begin(f->s, NULL, false, &t), SERTEL_OK);
    assert_int_equal(store_stats_query(t, 0, 0, f->cal, &st), SERTEL_E_STORAGE);
    store_abort(&t);
    assert_int_equal(st.n_steps + st.n_officers + st.n_months, 0);
    assert_null(st.steps);
    assert_true(store_is_damaged(f->s));
    store_txn_t *child;
    assert_int_equal(store_begin(f->s, NULL, true, &t), SERTEL_OK);
    assert_int_equal(store_begin(f->s, t, true, &child), SERTEL_E_STORAGE);
    store_abort(&t);
}

/* ---- the checkpoint: a restart folds only the journal after it */

static uint8_t *packed(const Sertel__Stats *st, size_t *len)
{
    *len = protobuf_c_message_get_packed_size(&st->base);
    uint8_t *p = malloc(*len ? *len : 1);
    assert_non_null(p);
    protobuf_c_message_pack(&st->base, p);
    return p;
}

static void reopen(fixture_t *f)
{
    char err[256];
    store_close(&f->s);
    f->s = store_open(f->dir, err, sizeof err);
    assert_non_null(f->s);
}

static void assert_same_stats(fixture_t *f, const uint8_t *want, size_t want_len)
{
    Sertel__Stats st = query(f, 0, 0);
    size_t len;
    uint8_t *got = packed(&st, &len);
    assert_int_equal(len, want_len);
    assert_memory_equal(got, want, len);
    free(got);
    store_stats_clear(&st);
}

static void test_checkpoint(void **state)
{
    fixture_t *f = *state;
    record_scenario(f);
    Sertel__Stats st = query(f, 0, 0);
    size_t len;
    uint8_t *before = packed(&st, &len);
    store_stats_clear(&st);
    assert_int_equal(store_stats_folded(f->s), 12);

    /* Closed, the store saves the statistics: the next open folds none
     * of the journal and answers the same. */
    reopen(f);
    assert_same_stats(f, before, len);
    assert_int_equal(store_stats_folded(f->s), 0);
    free(before);

    /* Events after the checkpoint: only they are folded, and the result
     * is what a fold of the whole journal gives. */
    event_t more[] = {
        done(EV_DISPOSED, JAN_20, 2, NIP_B, 12 * MIN, 10 * MIN),
        done(EV_ARCHIVED, JAN_20, 7, NIP_C, 40 * MIN, 60 * MIN),
        done(EV_RECEIVED, JAN_20, 1, NIP_A, 0, 0),
    };
    record(f, more, 3);
    st = query(f, 0, 0);
    uint8_t *tail = packed(&st, &len);
    store_stats_clear(&st);
    assert_int_equal(store_stats_folded(f->s), 3);
    store_txn_t *t;
    assert_int_equal(store_begin(f->s, NULL, true, &t), SERTEL_OK);
    MDB_val k = store_str("stats");
    assert_int_equal(mdb_del(t->txn, store_dbi(t, DB_META), &k, NULL), 0);
    assert_int_equal(store_commit(&t), SERTEL_OK);
    store_stats_view_free(&f->s->stats);
    f->s->stats_saved = 0;
    assert_same_stats(f, tail, len);
    assert_int_equal(store_stats_folded(f->s), 3 + 15);

    /* A checkpoint that does not fit the journal (its record's hash
     * changed) is not used: the whole journal is folded again. */
    reopen(f);
    assert_int_equal(store_begin(f->s, NULL, true, &t), SERTEL_OK);
    MDB_val v;
    assert_int_equal(mdb_get(t->txn, store_dbi(t, DB_META), &k, &v), 0);
    uint8_t *copy = malloc(v.mv_size);
    memcpy(copy, v.mv_data, v.mv_size);
    copy[12] ^= 1; /* the first byte of the chain hash */
    MDB_val nv = store_val(copy, v.mv_size);
    assert_int_equal(mdb_put(t->txn, store_dbi(t, DB_META), &k, &nv, 0), 0);
    assert_int_equal(store_commit(&t), SERTEL_OK);
    free(copy);
    assert_same_stats(f, tail, len);
    assert_int_equal(store_stats_folded(f->s), 15);
    free(tail);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_minutes),
        cmocka_unit_test(test_nearest_minute),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_within_overdue),
        cmocka_unit_test(test_large_percentiles),
        cmocka_unit_test(test_bucket_precision),
        cmocka_unit_test(test_merge_equals_add),
        cmocka_unit_test(test_month_keys),
        cmocka_unit_test_setup_teardown(test_query_all, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query_period, setup, teardown),
        cmocka_unit_test_setup_teardown(test_size_independent_of_cases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cases_end_to_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_value, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checkpoint, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
