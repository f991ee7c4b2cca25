/* SOP-compliance aggregates: counters and a log-linear histogram. */
#include "stats.h"

#include <stdio.h>

#define FIRST_POWER 6 /* 2^6 = STATS_EXACT_MINUTES */
#define SUB_BITS 3    /* log2(STATS_SUB_BUCKETS) */

_Static_assert(1 << FIRST_POWER == STATS_EXACT_MINUTES, "exact range ends at a power of two");
_Static_assert(1 << SUB_BITS == STATS_SUB_BUCKETS, "sub-buckets are a power of two");

static int highest_bit(uint64_t v)
{
    return 63 - __builtin_clzll(v);
}

int stats_bucket_of(int64_t seconds)
{
    if (seconds < 0)
        seconds = 0;
    /* Nearest minute, so that 9 min 59 s reads as 10 minutes. In unsigned
     * arithmetic: seconds near INT64_MAX must not overflow. */
    uint64_t m = ((uint64_t)seconds + 30) / 60;
    if (m < STATS_EXACT_MINUTES)
        return (int)m;
    int k = highest_bit(m);
    if (k > STATS_MAX_POWER)
        return STATS_BUCKETS - 1;
    int sub = (int)(m >> (k - SUB_BITS)) & (STATS_SUB_BUCKETS - 1);
    return STATS_EXACT_MINUTES + (k - FIRST_POWER) * STATS_SUB_BUCKETS + sub;
}

int64_t stats_bucket_value(int bucket)
{
    if (bucket < STATS_EXACT_MINUTES)
        return (int64_t)bucket * 60;
    int i = bucket - STATS_EXACT_MINUTES;
    int k = FIRST_POWER + i / STATS_SUB_BUCKETS;
    int64_t width = (int64_t)1 << (k - SUB_BITS);
    int64_t lower = (STATS_SUB_BUCKETS + i % STATS_SUB_BUCKETS) * width;
    /* The middle halves the worst error against a bucket's edge. */
    return (lower + width / 2) * 60;
}

/* Buckets saturate rather than wrap: a wrapped bucket would move every
 * percentile; a saturated one after four billion samples hardly does. */
static void bucket_add(uint32_t *b, uint32_t n)
{
    *b = *b > UINT32_MAX - n ? UINT32_MAX : *b + n;
}

void stats_agg_add(stats_agg_t *a, int64_t seconds, int64_t standard, bool overdue)
{
    a->count++;
    if (standard > 0 && seconds <= standard)
        a->within++;
    if (overdue)
        a->overdue++;
    if (standard > 0)
        a->standard = standard;
    bucket_add(&a->buckets[stats_bucket_of(seconds)], 1);
}

void stats_agg_mark_overdue(stats_agg_t *a)
{
    a->overdue++;
}

void stats_agg_merge(stats_agg_t *dst, const stats_agg_t *src)
{
    dst->count += src->count;
    dst->within += src->within;
    dst->overdue += src->overdue;
    /* Merged oldest first, so the newest Mutu Baku wins. */
    if (src->standard > 0)
        dst->standard = src->standard;
    for (int i = 0; i < STATS_BUCKETS; i++)
        bucket_add(&dst->buckets[i], src->buckets[i]);
}

int64_t stats_agg_percentile(const stats_agg_t *a, double p)
{
    /* The buckets, not count, are the population: they may have saturated. */
    uint64_t total = 0;
    int last = -1;
    for (int i = 0; i < STATS_BUCKETS; i++) {
        total += a->buckets[i];
        if (a->buckets[i])
            last = i;
    }
    if (total == 0)
        return 0;
    /* Nearest rank: the ceiling of p% of the population, within 1..total.
     * Done by hand so that the module needs no libm. */
    double want = p / 100.0 * (double)total;
    uint64_t rank = !(want > 1) ? 1 : want >= (double)total ? total : (uint64_t)want;
    if ((double)rank < want)
        rank++;
    uint64_t seen = 0;
    for (int i = 0; i <= last; i++) {
        seen += a->buckets[i];
        if (seen >= rank)
            return stats_bucket_value(i);
    }
    return stats_bucket_value(last);
}

/* Howard Hinnant's days_from_civil inverse: proleptic Gregorian date of a
 * day count since 1970-01-01, valid for any int64 day in range here. */
static void civil_from_days(int64_t z, int64_t *y, int *m)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

void stats_month_key(int64_t t, int utc_offset, char key[STATS_MONTH_KEY_LEN])
{
    /* Split before adding the offset: t + offset could overflow. */
    int64_t days = t / 86400, rem = t % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    rem += utc_offset;
    days += rem >= 0 ? rem / 86400 : -((-rem + 86399) / 86400);
    int64_t y;
    int m;
    civil_from_days(days, &y, &m);
    /* Keys must keep their fixed width to sort as months do. */
    if (y < 0)
        y = 0;
    if (y > 9999)
        y = 9999;
    snprintf(key, STATS_MONTH_KEY_LEN, "%04d-%02d", (int)y, m);
}
