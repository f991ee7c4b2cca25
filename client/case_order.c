/* The inbox order; see case_order.h. */
#include <stdlib.h>
#include <string.h>

#include "case_order.h"

static int group(const Sertel__Case *c)
{
    if (c->state == SERTEL__CASE_STATE__STATE_OPEN)
        return c->due_at ? 0 : 1;
    return c->state == SERTEL__CASE_STATE__STATE_WAITING ? 2 : 3;
}

static int urgency(const Sertel__Case *c)
{
    return c->app ? (int)c->app->urgency : 0;
}

int case_order_cmp(const void *a, const void *b)
{
    const Sertel__Case *x = *(Sertel__Case *const *)a, *y = *(Sertel__Case *const *)b;
    int gx = group(x), gy = group(y);
    if (gx != gy)
        return gx < gy ? -1 : 1;
    if (gx == 0 && x->due_at != y->due_at)
        return x->due_at < y->due_at ? -1 : 1;
    if (gx <= 1 && urgency(x) != urgency(y))
        return urgency(x) > urgency(y) ? -1 : 1;
    return strcmp(x->id ? x->id : "", y->id ? y->id : "");
}

void case_order_sort(Sertel__Case **cases, size_t n)
{
    if (n > 1)
        qsort(cases, n, sizeof *cases, case_order_cmp);
}
