/* No officer can starve the others (the real broker over CURVE): a key
 * pipelining searches does not hold back another officer's request, a
 * key's changes a minute, requests waiting and live connections are
 * limited and refused with ERR_LIMIT, and a search is bounded. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "harness.h"

#define MONDAY_0800_WIB 1795395600 /* 2026-11-23 08:00 +07:00 */
#define WAIT_MS 20000

static const struct {
    const char *nip, *name;
    role_t role;
} roster[] = {
    {"198503142010011003", "Siti Rahmawati", ROLE_STAF},
    {"199001012015011001", "Dewi Lestari", ROLE_STAF},
    {"197503042001121002", "Tino Armyanto", ROLE_KADIS},
    {"199203032018011004", "Agus Salim", ROLE_JF},
};
enum { STAF, STAF2, KADIS, VERIF, N_OFFICERS };

typedef struct {
    harness_t h;
    keyfile_t keys[N_OFFICERS];
    harness_clock_t clock;
} office_t;

static void office_start(office_t *o, const char *const *args)
{
    harness_clock_start(&o->clock, MONDAY_0800_WIB);
    assert_true(harness_start_args(&o->h, args));
    for (int i = 0; i < N_OFFICERS; i++)
        assert_true(harness_enrol(&o->h, roster[i].nip, roster[i].name, roster[i].role, 0,
                                  &o->keys[i]));
}

static void office_stop(office_t *o)
{
    harness_destroy(&o->h);
    harness_clock_stop(&o->clock);
}

static int intake_error(conn_t *c, char *why, size_t len)
{
    Sertel__Envelope *r = harness_intake(c, "Budi Santoso", NULL);
    int e = harness_error(r);
    snprintf(why, len, "%s", e ? r->error->message : "");
    sertel__envelope__free_unpacked(r, NULL);
    return e;
}

static Sertel__Envelope *search_req(Sertel__Envelope *req, Sertel__SearchQuery *q, const char *name)
{
    sertel__search_query__init(q);
    q->name = (char *)name;
    sertel__envelope__init(req);
    req->body_case = SERTEL__ENVELOPE__BODY_SEARCH;
    req->search = q;
    return req;
}

/* ---- changes a minute */

static void test_write_rate(void **state)
{
    (void)state;
    /* Five a minute: the administrator's four enrolments fit. */
    static const char *const args[] = {"--max-writes-per-minute", "5", NULL};
    office_t o;
    office_start(&o, args);
    conn_t *staf = harness_connect(&o.h, &o.keys[STAF]);
    conn_t *staf2 = harness_connect(&o.h, &o.keys[STAF2]);
    char why[512];
    for (int i = 0; i < 5; i++)
        assert_int_equal(intake_error(staf, why, sizeof why), 0);
    size_t journal = harness_journal_len(&o.h);
    assert_int_equal(intake_error(staf, why, sizeof why), SERTEL__ERROR_CODE__ERR_LIMIT);
    assert_non_null(strstr(why, "5"));
    /* Refused means nothing changed. */
    assert_int_equal(harness_journal_len(&o.h), journal);
    /* Another key is not held back by this one's limit. */
    assert_int_equal(intake_error(staf2, why, sizeof why), 0);
    /* Five a minute: one more every 12 s. */
    harness_clock_set(&o.clock, MONDAY_0800_WIB + 12);
    assert_int_equal(intake_error(staf, why, sizeof why), 0);
    assert_int_equal(intake_error(staf, why, sizeof why), SERTEL__ERROR_CODE__ERR_LIMIT);
    conn_close(&staf);
    conn_close(&staf2);
    office_stop(&o);
}

/* ---- live connections of one key */

static int hello_error(conn_t *c)
{
    Sertel__Hello hello = SERTEL__HELLO__INIT;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_HELLO;
    req.hello = &hello;
    Sertel__Envelope *r = harness_call(c, &req);
    int e = harness_error(r);
    sertel__envelope__free_unpacked(r, NULL);
    return e;
}

static void test_connections_per_key(void **state)
{
    (void)state;
    static const char *const args[] = {"--max-connections-per-key", "2", NULL};
    office_t o;
    office_start(&o, args);
    conn_t *v[3];
    for (int i = 0; i < 3; i++)
        v[i] = harness_connect(&o.h, &o.keys[VERIF]);
    assert_int_equal(hello_error(v[0]), 0);
    assert_int_equal(hello_error(v[1]), 0);
    /* A Hello again on a live connection is no new connection. */
    assert_int_equal(hello_error(v[1]), 0);
    assert_int_equal(hello_error(v[2]), SERTEL__ERROR_CODE__ERR_LIMIT);
    /* The verifier's connections do not lock the Kadis out. */
    conn_t *kadis = harness_connect(&o.h, &o.keys[KADIS]);
    assert_int_equal(hello_error(kadis), 0);
    /* A connection that goes frees its place (the broker notices the
     * disconnection on its own time: a few attempts). */
    conn_close(&v[0]);
    int e = SERTEL__ERROR_CODE__ERR_LIMIT;
    for (int attempt = 0; attempt < 100 && e == SERTEL__ERROR_CODE__ERR_LIMIT; attempt++) {
        e = hello_error(v[2]);
        if (e == SERTEL__ERROR_CODE__ERR_LIMIT)
            zmq_poll(NULL, 0, 50);
    }
    assert_int_equal(e, 0);
    conn_close(&v[1]);
    conn_close(&v[2]);
    conn_close(&kadis);
    office_stop(&o);
}

/* ---- a pipelining searcher */

enum { CASES = 1000, SEARCHES = 150 };

static void test_searcher_does_not_starve(void **state)
{
    (void)state;
    /* Every search queues (none is refused), to show the share-out. */
    static const char *const args[] = {"--max-writes-per-minute", "0", "--max-in-flight", "0", NULL};
    office_t o;
    office_start(&o, args);
    harness_bulk_intakes(&o.h, &o.keys[STAF], CASES, 250);
    conn_t *kadis = harness_connect(&o.h, &o.keys[KADIS]);

    /* The searcher: a name that matches nothing, so every search looks
     * at every case, sent without reading the answers. */
    harness_raw_t searcher;
    assert_true(harness_raw_open(&o.h, &o.keys[STAF2], &searcher));
    Sertel__Envelope req;
    Sertel__SearchQuery q;
    search_req(&req, &q, "Nama Yang Tidak Ada");
    for (int i = 0; i < SEARCHES; i++) {
        req.request_id = 100 + (uint64_t)i;
        assert_true(harness_raw_send_env(&searcher, &req));
    }
    /* Once the broker is working through them ... */
    Sertel__Envelope *r = harness_raw_reply(&searcher, WAIT_MS, NULL, NULL);
    assert_non_null(r);
    assert_int_equal(r->request_id, 100);
    sertel__envelope__free_unpacked(r, NULL);
    int answered = 1;

    /* ... the Kadis asks, and is answered while most of the searches are
     * still to come. */
    Sertel__SearchQuery kq;
    Sertel__Envelope kreq;
    search_req(&kreq, &kq, "Pemohon Massal");
    kq.limit = 5;
    Sertel__Envelope *kr = harness_call(kadis, &kreq);
    assert_int_equal(harness_error(kr), 0);
    assert_int_equal(kr->case_list->n_cases, 5);
    sertel__envelope__free_unpacked(kr, NULL);
    while ((r = harness_raw_reply(&searcher, 1, NULL, NULL)) != NULL) {
        assert_int_equal(r->request_id, 100 + (uint64_t)answered);
        answered++;
        sertel__envelope__free_unpacked(r, NULL);
    }
    if (answered > SEARCHES / 3)
        fail_msg("%d of the %d searches were answered before the Kadis", answered, SEARCHES);

    /* Every search is still answered, in order, none refused. */
    for (; answered < SEARCHES; answered++) {
        r = harness_raw_reply(&searcher, WAIT_MS, NULL, NULL);
        assert_non_null(r);
        assert_int_equal(r->request_id, 100 + (uint64_t)answered);
        assert_int_equal(harness_error(r), 0);
        sertel__envelope__free_unpacked(r, NULL);
    }
    harness_raw_close(&searcher);
    conn_close(&kadis);
    office_stop(&o);
}

/* ---- requests waiting, and a bounded search */

static void test_in_flight_and_bounded_search(void **state)
{
    (void)state;
    static const char *const args[] = {"--max-writes-per-minute", "0", "--max-in-flight", "2",
                                       "--max-search-scan", "300", NULL};
    office_t o;
    office_start(&o, args);
    harness_bulk_intakes(&o.h, &o.keys[STAF], 500, 2);

    /* A search that matches nothing stops after 300 cases and says so;
     * one that finds its matches early is whole. */
    conn_t *kadis = harness_connect(&o.h, &o.keys[KADIS]);
    Sertel__Envelope req;
    Sertel__SearchQuery q;
    Sertel__Envelope *r = harness_call(kadis, search_req(&req, &q, "Nama Yang Tidak Ada"));
    assert_int_equal(harness_error(r), 0);
    assert_int_equal(r->case_list->n_cases, 0);
    assert_true(r->case_list->truncated);
    /* It says where it stopped, and goes on from there: the other 200
     * cases, then the search is whole. */
    char resume[64];
    snprintf(resume, sizeof resume, "%s", r->case_list->resume_after);
    assert_true(resume[0] != '\0');
    sertel__envelope__free_unpacked(r, NULL);
    q.after = resume;
    r = harness_call(kadis, &req);
    assert_int_equal(harness_error(r), 0);
    assert_int_equal(r->case_list->n_cases, 0);
    assert_false(r->case_list->truncated);
    assert_string_equal(r->case_list->resume_after, "");
    sertel__envelope__free_unpacked(r, NULL);

    /* Every case matches: page after bounded page lists each once, in
     * order, 300 then 200, and nothing is left out. */
    q.name = "Pemohon Massal";
    q.after = "";
    q.limit = 1000;
    size_t seen = 0, pages = 0;
    char last[64] = "";
    do {
        r = harness_call(kadis, &req);
        assert_int_equal(harness_error(r), 0);
        for (size_t i = 0; i < r->case_list->n_cases; i++) {
            assert_true(strcmp(r->case_list->cases[i]->id, last) > 0);
            snprintf(last, sizeof last, "%s", r->case_list->cases[i]->id);
        }
        seen += r->case_list->n_cases;
        pages++;
        bool more = r->case_list->truncated;
        if (more) {
            assert_string_equal(r->case_list->resume_after, last);
            snprintf(resume, sizeof resume, "%s", r->case_list->resume_after);
            q.after = resume;
        }
        sertel__envelope__free_unpacked(r, NULL);
        if (!more)
            break;
    } while (pages < 10);
    assert_int_equal(seen, 500);
    assert_int_equal(pages, 2);
    q.after = "";
    q.limit = 10;
    r = harness_call(kadis, &req);
    assert_int_equal(r->case_list->n_cases, 10);
    assert_false(r->case_list->truncated);
    sertel__envelope__free_unpacked(r, NULL);

    /* Pipelined beyond two waiting: the excess is refused at once, the
     * rest answered; every request gets exactly one answer, in order. */
    harness_raw_t raw;
    assert_true(harness_raw_open(&o.h, &o.keys[STAF2], &raw));
    search_req(&req, &q, "Nama Yang Tidak Ada");
    for (int i = 0; i < 60; i++) {
        req.request_id = 1 + (uint64_t)i;
        assert_true(harness_raw_send_env(&raw, &req));
    }
    int refused = 0;
    for (int i = 0; i < 60; i++) {
        r = harness_raw_reply(&raw, WAIT_MS, NULL, NULL);
        assert_non_null(r);
        int e = harness_error(r);
        assert_true(e == 0 || e == SERTEL__ERROR_CODE__ERR_LIMIT);
        refused += e != 0;
        sertel__envelope__free_unpacked(r, NULL);
    }
    assert_true(refused > 0);
    harness_raw_close(&raw);
    conn_close(&kadis);
    office_stop(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_rate),
        cmocka_unit_test(test_connections_per_key),
        cmocka_unit_test(test_searcher_does_not_starve),
        cmocka_unit_test(test_in_flight_and_bounded_search),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
