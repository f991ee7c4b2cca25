/* The one order of a list of cases for people: the inbox of `sertel
 * inbox` and of the terminal UI. */
#ifndef SERTEL_CASE_ORDER_H
#define SERTEL_CASE_ORDER_H

#include <stddef.h>

#include "sertel.pb-c.h"

/* qsort comparator on Sertel__Case * elements. Most urgent first:
 *   1. open cases whose clock runs, the least time left first (the
 *      earliest due time: working time left grows with it), and at the
 *      same time left the more urgent letter (sangat segera, segera,
 *      biasa) first;
 *   2. open cases without a due time, the more urgent letter first;
 *   3. cases waiting on the applicant (their clock stands still);
 *   4. anything else (closed).
 * Ties go by case number, so the order never depends on the reply's. */
int case_order_cmp(const void *a, const void *b);

/* Sorts n cases in that order (n may be 0 with cases NULL). */
void case_order_sort(Sertel__Case **cases, size_t n);

#endif
