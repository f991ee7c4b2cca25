/* case_order: the inbox order shared by `sertel inbox` and the terminal
 * UI: the least time left first, then the more urgent letter, then cases
 * whose clock does not run. Every permutation of the input sorts alike. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "case_order.h"

#define N 7

typedef struct {
    Sertel__Case c;
    Sertel__Application app;
} row_t;

static void make(row_t *r, const char *id, Sertel__CaseState state, int64_t due,
                 Sertel__Urgency u)
{
    sertel__case__init(&r->c);
    sertel__application__init(&r->app);
    r->c.id = (char *)id;
    r->c.state = state;
    r->c.due_at = due;
    r->app.urgency = u;
    r->c.app = &r->app;
}

/* Heap's algorithm, checking the order of every permutation. */
static void permute(Sertel__Case **a, int k, const char *const *want, int *checked)
{
    if (k == 1) {
        Sertel__Case *copy[N];
        memcpy(copy, a, sizeof copy);
        case_order_sort(copy, N);
        for (int i = 0; i < N; i++)
            assert_string_equal(copy[i]->id, want[i]);
        ++*checked;
        return;
    }
    for (int i = 0; i < k; i++) {
        permute(a, k - 1, want, checked);
        Sertel__Case *t = a[k % 2 ? 0 : i];
        a[k % 2 ? 0 : i] = a[k - 1];
        a[k - 1] = t;
    }
}

static void test_order(void **state)
{
    (void)state;
    const Sertel__CaseState OPEN = SERTEL__CASE_STATE__STATE_OPEN,
                            WAIT = SERTEL__CASE_STATE__STATE_WAITING,
                            DONE = SERTEL__CASE_STATE__STATE_DONE;
    const Sertel__Urgency BIASA = SERTEL__URGENCY__URGENCY_BIASA,
                          SEGERA = SERTEL__URGENCY__URGENCY_SEGERA,
                          SANGAT = SERTEL__URGENCY__URGENCY_SANGAT_SEGERA;
    row_t r[N];
    /* a biasa letter due first goes before a sangat segera one due later */
    make(&r[0], "SE-2026-00005", OPEN, 2000, SANGAT);
    make(&r[1], "SE-2026-00004", OPEN, 1000, BIASA);
    /* at the same time left, the more urgent letter first */
    make(&r[2], "SE-2026-00003", OPEN, 2000, SEGERA);
    /* no due time: after those with one, the more urgent first */
    make(&r[3], "SE-2026-00001", OPEN, 0, BIASA);
    make(&r[4], "SE-2026-00002", OPEN, 0, SEGERA);
    /* waiting on the applicant, then closed, whatever their urgency */
    make(&r[5], "SE-2026-00006", WAIT, 0, SANGAT);
    make(&r[6], "SE-2026-00007", DONE, 0, SANGAT);
    static const char *const want[N] = {"SE-2026-00004", "SE-2026-00005", "SE-2026-00003",
                                        "SE-2026-00002", "SE-2026-00001", "SE-2026-00006",
                                        "SE-2026-00007"};
    Sertel__Case *a[N];
    for (int i = 0; i < N; i++)
        a[i] = &r[i].c;
    int checked = 0;
    permute(a, N, want, &checked);
    assert_int_equal(checked, 5040);
}

/* Ties fall to the case number; a case without an application counts as
 * the least urgent; an empty list is no list. */
static void test_ties(void **state)
{
    (void)state;
    row_t r[2];
    make(&r[0], "SE-2026-00010", SERTEL__CASE_STATE__STATE_OPEN, 500, SERTEL__URGENCY__URGENCY_BIASA);
    make(&r[1], "SE-2026-00009", SERTEL__CASE_STATE__STATE_OPEN, 500, SERTEL__URGENCY__URGENCY_BIASA);
    Sertel__Case *a[2] = {&r[0].c, &r[1].c};
    case_order_sort(a, 2);
    assert_string_equal(a[0]->id, "SE-2026-00009");
    r[1].c.app = NULL;
    a[0] = &r[0].c, a[1] = &r[1].c;
    case_order_sort(a, 2);
    assert_string_equal(a[0]->id, "SE-2026-00010");
    case_order_sort(NULL, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_ties),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
