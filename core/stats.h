/* SOP-compliance statistics as fixed-size aggregates, so that they can be
 * kept up to date at write time (one read-modify-write per event) and a
 * query costs the number of aggregates it merges, never the number of
 * cases. Pure: no storage, no clock.
 *
 * Durations go into a log-linear histogram: one bucket per minute below
 * 64 minutes (where the SOP's Mutu Baku live: 10, 20, 60 minutes), then 8
 * buckets per power of two of minutes, so a percentile above an hour is
 * within 12.5% (half of that from the bucket's middle), up to about a
 * century. */
#ifndef SERTEL_STATS_H
#define SERTEL_STATS_H

#include <stdbool.h>
#include <stdint.h>

#define STATS_EXACT_MINUTES 64 /* one bucket per minute below this */
#define STATS_SUB_BUCKETS 8    /* per power of two above it */
#define STATS_MAX_POWER 25     /* last power of two of minutes kept apart */
#define STATS_BUCKETS \
    (STATS_EXACT_MINUTES + (STATS_MAX_POWER - 5) * STATS_SUB_BUCKETS)
#define STATS_MONTH_KEY_LEN 8  /* "YYYY-MM" and its NUL */

typedef struct {
    uint64_t count;    /* samples (completed steps, or waits) */
    uint64_t within;   /* of them within their Mutu Baku */
    uint64_t overdue;
    int64_t standard;  /* the Mutu Baku last seen, in working seconds */
    uint32_t buckets[STATS_BUCKETS];
} stats_agg_t;

/* Adds one duration of seconds. It is within when standard > 0 and
 * seconds <= standard (a step without a Mutu Baku is never "within");
 * overdue also counts it overdue. */
void stats_agg_add(stats_agg_t *a, int64_t seconds, int64_t standard, bool overdue);
/* Counts one overdue step without a sample: the SLA sweep marks a step
 * overdue long before (or without) its completion. */
void stats_agg_mark_overdue(stats_agg_t *a);
void stats_agg_merge(stats_agg_t *dst, const stats_agg_t *src);
/* The p-th percentile (0 < p <= 100, nearest rank) in seconds: the
 * representative value of its bucket, exact to the minute below 64
 * minutes. 0 when there are no samples. */
int64_t stats_agg_percentile(const stats_agg_t *a, double p);

/* The histogram bucket of a duration, and the value it stands for. */
int stats_bucket_of(int64_t seconds);
int64_t stats_bucket_value(int bucket);

/* "YYYY-MM" of instant t in a zone utc_offset seconds east of UTC. */
void stats_month_key(int64_t t, int utc_offset, char key[STATS_MONTH_KEY_LEN]);

#endif
