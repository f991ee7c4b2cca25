/* Working time.
 *
 * Every question is answered through one function, cumulative(t): the
 * working seconds from a fixed origin up to the instant t. It has a closed
 * form (whole weeks times the weekly total, plus the days before t in its
 * week, minus what the holidays before t's day took away, plus the part of
 * t's own day), so
 *   work_between(a, b) = cumulative(b) - cumulative(a)
 *   add_work(s, w)     = the first t with cumulative(t) = cumulative(s) + w,
 *                        found by bisecting over days.
 * Both cost O(log) whatever the distance, and they are exact inverses by
 * construction rather than by two walks that must agree.
 *
 * Local time is UTC plus the calendar's fixed offset, converted with
 * days-from-civil arithmetic: no localtime, mktime or TZ, so the answer is
 * the same on every machine. */
#include "worktime.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "text.h"
#include "validate.h"

enum {
    WEEK_DAYS = 7,
    MAX_SPANS = 4,
    MAX_HOLIDAYS = 512,
    MAX_PERIODS = 32,        /* periods with hours of their own (Ramadan) */
    MAX_PERIOD_DAYS = 1024,  /* days they cover, all together */
    MAX_EXCEPTIONS = MAX_HOLIDAYS + MAX_PERIOD_DAYS,
    HOLIDAY_NAME_MAX = 127, /* bytes */
    ZONE_LABEL_MAX = 15,
    MAX_OFFSET_MINUTES = 14 * 60, /* the widest offset in use (UTC+14) */
    FILE_LIMIT = 1024 * 1024,
};

#define SECS_PER_DAY INT64_C(86400)
/* Instants are honoured within +-2^50 s (35 million years). Beyond that
 * add_work answers "never" and work_between clamps, so no intermediate
 * product can overflow int64. */
#define TIME_LIMIT (INT64_C(1) << 50)
#define DAY_LIMIT (TIME_LIMIT / SECS_PER_DAY + 2)
/* 1970-01-05 was a Monday: weeks are counted from it. */
#define EPOCH_MONDAY 4

typedef struct {
    int start, end; /* minutes from local midnight, [start, end) */
} span_t;

typedef struct {
    int64_t day; /* local days since 1970-01-01 */
    char name[HOLIDAY_NAME_MAX + 1]; /* kept for listings and notices */
} holiday_t;

/* A dated period with working hours of its own on the weekdays it names
 * (Ramadan: Perpres 21/2023), e.g. "periode = 2026-02-19 2026-03-20 ...". */
typedef struct {
    int64_t first, last; /* local days, inclusive */
    char name[HOLIDAY_NAME_MAX + 1];
    span_t spans[WEEK_DAYS][MAX_SPANS];
    int nspans[WEEK_DAYS]; /* -1: the weekday keeps its usual hours */
} period_t;

/* A day whose working time is not its weekday's: a holiday (none) or a
 * day of a period. */
typedef struct {
    int64_t day;
    const span_t *spans;
    int nspans;
    int64_t work;
} exception_t;

struct calendar {
    span_t spans[WEEK_DAYS][MAX_SPANS]; /* [0] = Monday, sorted, disjoint */
    int nspans[WEEK_DAYS];
    holiday_t holidays[MAX_HOLIDAYS]; /* sorted by day, no duplicates */
    int nholidays;
    period_t periods[MAX_PERIODS];
    int nperiods;
    exception_t exceptions[MAX_EXCEPTIONS]; /* derived: sorted by day */
    int nexceptions;
    int utc_offset; /* seconds */
    char zone[ZONE_LABEL_MAX + 1];
    int64_t day_seconds;
    /* Derived by finish() from the above. */
    int64_t day_work[WEEK_DAYS];
    int64_t week_prefix[WEEK_DAYS + 1]; /* work before weekday i; [7] = week */
    int64_t lost[MAX_EXCEPTIONS + 1];   /* work taken by exceptions[0..i) */
};

/* ---- civil calendar arithmetic (H. Hinnant's algorithms) ---- */

static int64_t floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = floordiv(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = floordiv(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* Monday = 0 ... Sunday = 6. */
static int weekday(int64_t day)
{
    int64_t d = day - EPOCH_MONDAY;
    return (int)(d - floordiv(d, WEEK_DAYS) * WEEK_DAYS);
}

static int64_t clamp_time(int64_t t)
{
    return t > TIME_LIMIT ? TIME_LIMIT : t < -TIME_LIMIT ? -TIME_LIMIT : t;
}

/* Splits t into its local day and the second within that day. */
static int64_t local_day(const calendar_t *cal, int64_t t, int64_t *sod)
{
    int64_t local = clamp_time(t) + cal->utc_offset;
    int64_t day = floordiv(local, SECS_PER_DAY);
    if (sod)
        *sod = local - day * SECS_PER_DAY;
    return day;
}

/* ---- the cumulative working-time function ---- */

/* Number of holidays strictly before day (lower bound). */
static int holidays_before(const calendar_t *cal, int64_t day)
{
    int lo = 0, hi = cal->nholidays;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (cal->holidays[mid].day < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool is_holiday(const calendar_t *cal, int64_t day)
{
    int i = holidays_before(cal, day);
    return i < cal->nholidays && cal->holidays[i].day == day;
}

static int exceptions_before(const calendar_t *cal, int64_t day)
{
    int lo = 0, hi = cal->nexceptions;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (cal->exceptions[mid].day < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The working spans of day: its exception's, or its weekday's. */
static const span_t *day_spans(const calendar_t *cal, int64_t day, int *n)
{
    int i = exceptions_before(cal, day);
    if (i < cal->nexceptions && cal->exceptions[i].day == day) {
        *n = cal->exceptions[i].nspans;
        return cal->exceptions[i].spans;
    }
    int wd = weekday(day);
    *n = cal->nspans[wd];
    return cal->spans[wd];
}

/* Working seconds from the origin to the start (00:00) of day. */
static int64_t work_before_day(const calendar_t *cal, int64_t day)
{
    int64_t d = day - EPOCH_MONDAY;
    int64_t weeks = floordiv(d, WEEK_DAYS);
    int wd = (int)(d - weeks * WEEK_DAYS);
    return weeks * cal->week_prefix[WEEK_DAYS] + cal->week_prefix[wd] -
           cal->lost[exceptions_before(cal, day)];
}

/* Working seconds of day that lie before second sod of it. */
static int64_t work_in_day_before(const calendar_t *cal, int64_t day, int64_t sod)
{
    int n;
    const span_t *spans = day_spans(cal, day, &n);
    int64_t sum = 0;
    for (int i = 0; i < n; i++) {
        int64_t from = spans[i].start * INT64_C(60);
        int64_t to = spans[i].end * INT64_C(60);
        if (sod > from)
            sum += (sod < to ? sod : to) - from;
    }
    return sum;
}

static int64_t cumulative(const calendar_t *cal, int64_t t)
{
    int64_t sod;
    int64_t day = local_day(cal, t, &sod);
    return work_before_day(cal, day) + work_in_day_before(cal, day, sod);
}

/* The instant at which the rest-th working second of day is complete;
 * 0 < rest <= that day's working seconds. */
static int64_t instant_in_day(const calendar_t *cal, int64_t day, int64_t rest)
{
    int n;
    const span_t *spans = day_spans(cal, day, &n);
    int64_t sod = SECS_PER_DAY;
    for (int i = 0; i < n; i++) {
        int64_t len = (spans[i].end - spans[i].start) * INT64_C(60);
        if (rest <= len) {
            sod = spans[i].start * INT64_C(60) + rest;
            break;
        }
        rest -= len;
    }
    return day * SECS_PER_DAY + sod - cal->utc_offset;
}

int64_t calendar_add_work(const calendar_t *cal, int64_t start, int64_t work)
{
    if (work <= 0)
        return start;
    int64_t week = cal->week_prefix[WEEK_DAYS];
    if (week <= 0 || start >= TIME_LIMIT || start <= -TIME_LIMIT || work >= TIME_LIMIT)
        return INT64_MAX;
    int64_t target = cumulative(cal, start) + work;
    /* Bracket the end day: among work/week + 2 + nexceptions disjoint weeks
     * at most nexceptions hold a day off its usual hours, so the rest
     * supply more than work. */
    int64_t lo = local_day(cal, start, NULL);
    int64_t weeks = work / week + 2 + cal->nexceptions;
    int64_t hi = weeks > (DAY_LIMIT - lo) / WEEK_DAYS ? DAY_LIMIT : lo + weeks * WEEK_DAYS;
    if (work_before_day(cal, hi) < target)
        return INT64_MAX;
    /* Invariant: work_before_day(lo) < target <= work_before_day(hi). */
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (work_before_day(cal, mid) >= target)
            hi = mid;
        else
            lo = mid;
    }
    return instant_in_day(cal, lo, target - work_before_day(cal, lo));
}

int64_t calendar_work_between(const calendar_t *cal, int64_t from, int64_t to)
{
    if (to <= from)
        return 0;
    return cumulative(cal, to) - cumulative(cal, from);
}

bool calendar_is_day_off(const calendar_t *cal, int64_t t)
{
    int64_t day = local_day(cal, t, NULL);
    int n;
    day_spans(cal, day, &n);
    return n == 0 || is_holiday(cal, day);
}

static int64_t spans_work(const span_t *s, int n);

const char *calendar_zone(const calendar_t *cal)
{
    return cal->zone;
}

int calendar_holiday_count(const calendar_t *cal)
{
    return cal->nholidays;
}

int calendar_period_count(const calendar_t *cal)
{
    return cal->nperiods;
}

static void day_text(int64_t day, char out[11])
{
    int64_t y;
    int m, d;
    char buf[32];
    civil_from_days(day, &y, &m, &d);
    snprintf(buf, sizeof buf, "%04d-%02d-%02d", (int)y, m, d);
    memcpy(out, buf, 10);
    out[10] = '\0';
}

void calendar_last_holiday(const calendar_t *cal, char out[11])
{
    out[0] = '\0';
    if (cal->nholidays > 0)
        day_text(cal->holidays[cal->nholidays - 1].day, out);
}

const char *calendar_period(const calendar_t *cal, int i, char first[11], char last[11],
                            int64_t *week_work)
{
    if (i < 0 || i >= cal->nperiods)
        return NULL;
    const period_t *per = &cal->periods[i];
    day_text(per->first, first);
    day_text(per->last, last);
    *week_work = 0;
    for (int wd = 0; wd < WEEK_DAYS; wd++)
        *week_work += per->nspans[wd] < 0 ? cal->day_work[wd]
                                           : spans_work(per->spans[wd], per->nspans[wd]);
    return per->name;
}

int calendar_utc_offset(const calendar_t *cal)
{
    return cal->utc_offset;
}

int64_t calendar_day_seconds(const calendar_t *cal)
{
    return cal->day_seconds;
}

int64_t calendar_duration(const calendar_t *cal, int amount, dur_unit_t unit)
{
    int64_t per_unit = unit == DUR_MINUTES ? 60
                       : unit == DUR_HOURS ? 3600
                       : unit == DUR_DAYS  ? cal->day_seconds
                                           : 0;
    /* A Mutu Baku is never negative; treat a negative amount as none. */
    return amount > 0 ? amount * per_unit : 0;
}

/* ---- construction ---- */

static int64_t spans_work(const span_t *s, int n)
{
    int64_t sum = 0;
    for (int i = 0; i < n; i++)
        sum += (s[i].end - s[i].start) * INT64_C(60);
    return sum;
}

/* Holidays, and the days of periods that change their weekday's hours,
 * merged by day; a holiday inside a period stays a holiday. The parser
 * has checked that periods do not overlap and fit MAX_PERIOD_DAYS. */
static void build_exceptions(calendar_t *cal)
{
    int n = 0, h = 0;
    for (int p = 0; p <= cal->nperiods; p++) {
        const period_t *per = p < cal->nperiods ? &cal->periods[p] : NULL;
        int64_t upto = per ? per->first : INT64_MAX;
        for (; h < cal->nholidays && cal->holidays[h].day < upto && n < MAX_EXCEPTIONS; h++)
            cal->exceptions[n++] = (exception_t){cal->holidays[h].day, NULL, 0, 0};
        for (int64_t d = per ? per->first : 0; per && d <= per->last && n < MAX_EXCEPTIONS; d++) {
            if (h < cal->nholidays && cal->holidays[h].day == d) {
                cal->exceptions[n++] = (exception_t){d, NULL, 0, 0};
                h++;
                continue;
            }
            int wd = weekday(d);
            if (per->nspans[wd] < 0)
                continue;
            cal->exceptions[n++] = (exception_t){d, per->spans[wd], per->nspans[wd],
                                                 spans_work(per->spans[wd], per->nspans[wd])};
        }
    }
    cal->nexceptions = n;
}

/* Fills the derived tables; returns the weekly working seconds. */
static int64_t finish(calendar_t *cal)
{
    cal->week_prefix[0] = 0;
    for (int wd = 0; wd < WEEK_DAYS; wd++) {
        int64_t sum = 0;
        for (int i = 0; i < cal->nspans[wd]; i++)
            sum += (cal->spans[wd][i].end - cal->spans[wd][i].start) * INT64_C(60);
        cal->day_work[wd] = sum;
        cal->week_prefix[wd + 1] = cal->week_prefix[wd] + sum;
    }
    build_exceptions(cal);
    cal->lost[0] = 0;
    for (int i = 0; i < cal->nexceptions; i++)
        cal->lost[i + 1] = cal->lost[i] + cal->day_work[weekday(cal->exceptions[i].day)] -
                           cal->exceptions[i].work;
    return cal->week_prefix[WEEK_DAYS];
}

static calendar_t *calendar_new(void)
{
    calendar_t *cal = calloc(1, sizeof *cal);
    if (!cal)
        return NULL;
    cal->utc_offset = 7 * 3600;
    strcpy(cal->zone, "WIB");
    cal->day_seconds = 27000;
    return cal;
}

calendar_t *calendar_default(void)
{
    /* Indonesian civil-service hours, 37.5 h a week. */
    static const span_t mon_thu[] = {{7 * 60 + 30, 12 * 60}, {13 * 60, 16 * 60}};
    static const span_t fri[] = {{7 * 60 + 30, 11 * 60 + 30}, {13 * 60, 16 * 60 + 30}};
    calendar_t *cal = calendar_new();
    if (!cal)
        return NULL;
    for (int wd = 0; wd < 5; wd++) {
        memcpy(cal->spans[wd], wd == 4 ? fri : mon_thu, sizeof mon_thu);
        cal->nspans[wd] = 2;
    }
    finish(cal);
    return cal;
}

void calendar_destroy(calendar_t **cal)
{
    if (cal) {
        free(*cal);
        *cal = NULL;
    }
}

/* ---- formatting ---- */

static const char *const month_abbr[12] = {
    N_("Jan"), N_("Feb"), N_("Mar"), N_("Apr"), N_("May"), N_("Jun"),
    N_("Jul"), N_("Aug"), N_("Sep"), N_("Oct"), N_("Nov"), N_("Dec"),
};

const char *calendar_format_time(const calendar_t *cal, int64_t t, char *buf, size_t len)
{
    if (!buf || len == 0)
        return buf;
    int64_t sod, y;
    int m, d;
    civil_from_days(local_day(cal, t, &sod), &y, &m, &d);
    snprintf(buf, len, "%d %s %04lld %02d:%02d %s", d, _(month_abbr[m - 1]), (long long)y,
             (int)(sod / 3600), (int)(sod % 3600 / 60), cal->zone);
    return buf;
}

/* One "N unit" part. The three calls are spelled out, not tabled, so that
 * the compiler checks each translated format against its argument. */
static void format_unit(char *out, size_t len, int unit, int n)
{
    unsigned long un = (unsigned long)n;
    if (unit == 0)
        snprintf(out, len, ngettext("%d day", "%d days", un), n);
    else if (unit == 1)
        snprintf(out, len, ngettext("%d hour", "%d hours", un), n);
    else
        snprintf(out, len, ngettext("%d minute", "%d minutes", un), n);
}

static void append(char *buf, size_t len, size_t *pos, const char *s)
{
    if (*pos < len) {
        int n = snprintf(buf + *pos, len - *pos, "%s", s);
        *pos += n > 0 ? (size_t)n : 0;
    }
}

const char *calendar_format_work(const calendar_t *cal, int64_t seconds, char *buf, size_t len)
{
    return format_duration(seconds, cal->day_seconds > 0 ? cal->day_seconds : 27000, buf, len);
}

const char *format_duration(int64_t seconds, int64_t day_seconds, char *buf, size_t len)
{
    if (!buf || len == 0)
        return buf;
    uint64_t s = seconds < 0 ? (uint64_t)0 - (uint64_t)seconds : (uint64_t)seconds;
    uint64_t day = day_seconds > 0 ? (uint64_t)day_seconds : 86400;
    uint64_t parts[3] = {s / day, s % day / 3600, s % day % 3600 / 60};
    size_t pos = 0;
    buf[0] = '\0';
    if (seconds < 0)
        append(buf, len, &pos, "-");
    bool any = false;
    for (int i = 0; i < 3; i++) {
        /* Zero parts are dropped, except a lone "0 minutes". */
        if (parts[i] == 0 && (any || i < 2))
            continue;
        char part[64];
        format_unit(part, sizeof part, i, parts[i] > INT_MAX ? INT_MAX : (int)parts[i]);
        if (any)
            append(buf, len, &pos, " ");
        append(buf, len, &pos, part);
        any = true;
    }
    return buf;
}

/* ---- parsing ---- */

typedef struct {
    calendar_t *cal;
    const char *file;
    int line;
    char *err;
    size_t errlen;
    unsigned seen; /* bit k: keys[k] already given */
    int64_t day_length; /* from "hari-kerja", 0 when absent */
    int period;         /* index of the period opened last, -1 before any */
} parser_t;

static bool fail(parser_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes "FILE:LINE: reason" and returns false, so callers can
 * "return fail(...)". */
static bool fail(parser_t *p, const char *fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    diag_at(p->err, p->errlen, p->file, p->line, "%s", reason);
    return false;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Shortens s in place to at most max bytes, on a character boundary, so
 * quoting user text in a message cannot flood it or split a character. */
static const char *clip(char *s, size_t max)
{
    size_t n = strlen(s);
    if (n > max) {
        while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
            max--;
        s[max] = '\0';
    }
    return s;
}

typedef enum { CLOCK_OK, CLOCK_SHAPE, CLOCK_RANGE } clock_result_t;

/* "H:MM" or "HH:MM", 00:00 to 24:00, into minutes. */
static clock_result_t parse_clock(const char *s, int *minutes)
{
    int digits = 0, h = 0;
    while (is_digit(s[digits]) && digits < 3)
        h = h * 10 + (s[digits++] - '0');
    if (digits < 1 || digits > 2 || s[digits] != ':')
        return CLOCK_SHAPE;
    const char *mm = s + digits + 1;
    if (!is_digit(mm[0]) || !is_digit(mm[1]) || mm[2] != '\0')
        return CLOCK_SHAPE;
    int m = (mm[0] - '0') * 10 + (mm[1] - '0');
    if (h > 24 || m > 59 || (h == 24 && m != 0))
        return CLOCK_RANGE;
    *minutes = h * 60 + m;
    return CLOCK_OK;
}

static void format_span(char *out, size_t len, span_t s)
{
    snprintf(out, len, "%02d:%02d-%02d:%02d", s.start / 60, s.start % 60, s.end / 60,
             s.end % 60);
}

/* One "HH:MM-HH:MM". */
static bool parse_span(parser_t *p, char *text, span_t *out)
{
    char shown[48];
    snprintf(shown, sizeof shown, "%s", text);
    clip(shown, 32);
    char *dash = strchr(text, '-');
    if (!dash)
        return fail(p, _("bad working span \"%s\" (expected HH:MM-HH:MM)"), shown);
    *dash = '\0';
    char *ends[2] = {text_trim(text), text_trim(dash + 1)};
    int minutes[2];
    for (int i = 0; i < 2; i++) {
        clock_result_t r = parse_clock(ends[i], &minutes[i]);
        if (r == CLOCK_SHAPE)
            return fail(p, _("bad working span \"%s\" (expected HH:MM-HH:MM)"), shown);
        if (r == CLOCK_RANGE)
            return fail(p, _("bad time \"%s\" (hours 00-24, minutes 00-59)"), ends[i]);
    }
    if (minutes[1] <= minutes[0])
        return fail(p, _("working span \"%s\" must end after it starts"), shown);
    *out = (span_t){minutes[0], minutes[1]};
    return true;
}

/* Sorts by start (insertion: at most four) and refuses overlaps. */
static bool sort_spans(parser_t *p, span_t *s, int n)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && s[j].start < s[j - 1].start; j--) {
            span_t t = s[j];
            s[j] = s[j - 1];
            s[j - 1] = t;
        }
    for (int i = 1; i < n; i++)
        if (s[i].start < s[i - 1].end) {
            char a[32], b[32]; /* room for any int, to quiet -Wformat-truncation */
            format_span(a, sizeof a, s[i - 1]);
            format_span(b, sizeof b, s[i]);
            return fail(p, _("working spans %s and %s overlap"), a, b);
        }
    return true;
}

/* A day's spans: "07:30-12:00, 13:00-16:00" or "libur". */
static bool parse_day_spans(parser_t *p, char *value, span_t *out, int *nout)
{
    span_t spans[MAX_SPANS];
    int n = 0;
    if (strcmp(value, "libur") != 0) {
        for (char *piece = value; piece;) {
            char *comma = strchr(piece, ',');
            if (comma)
                *comma = '\0';
            if (n == MAX_SPANS)
                return fail(p, _("more than %d working spans in one day"), MAX_SPANS);
            if (!parse_span(p, text_trim(piece), &spans[n++]))
                return false;
            piece = comma ? comma + 1 : NULL;
        }
        if (!sort_spans(p, spans, n))
            return false;
    }
    memcpy(out, spans, (size_t)n * sizeof spans[0]);
    *nout = n;
    return true;
}

/* "senin = 07:30-12:00, 13:00-16:00" or "senin = libur". */
static bool parse_weekday(parser_t *p, int wd, char *value)
{
    return parse_day_spans(p, value, p->cal->spans[wd], &p->cal->nspans[wd]);
}

/* "periode-senin = 08:00-12:00, 12:30-15:00": the hours of that weekday
 * in the period opened last. */
static bool parse_period_weekday(parser_t *p, int wd, char *value)
{
    calendar_t *cal = p->cal;
    if (p->period < 0)
        return fail(p, "%s", _("hours of a period come after its \"periode = FROM TO name\" line"));
    period_t *per = &cal->periods[p->period];
    if (per->nspans[wd] >= 0)
        return fail(p, _("period %s gives the hours of one weekday twice"), per->name);
    return parse_day_spans(p, value, per->spans[wd], &per->nspans[wd]);
}

static bool two_digits(const char *s, int *out)
{
    if (!is_digit(s[0]) || !is_digit(s[1]))
        return false;
    *out = (s[0] - '0') * 10 + (s[1] - '0');
    return true;
}

static bool zone_label_char(char c)
{
    return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '+' ||
           c == '-';
}

/* "+07:00 WIB": a signed offset, then a short ASCII label. */
static bool parse_zone(parser_t *p, int unused, char *value)
{
    (void)unused;
    int h, m;
    char sign = value[0];
    bool ok = (sign == '+' || sign == '-') && two_digits(value + 1, &h) && value[3] == ':' &&
              two_digits(value + 4, &m) && text_is_blank(value[6]) && m < 60 &&
              h * 60 + m <= MAX_OFFSET_MINUTES;
    const char *label = ok ? text_trim(value + 7) : "";
    size_t n = strlen(label);
    ok = ok && n >= 1 && n <= ZONE_LABEL_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = zone_label_char(label[i]);
    if (!ok)
        return fail(p, _("bad time zone \"%s\" (expected an offset and a name, e.g. \"+07:00 WIB\")"),
                    clip(value, 32));
    p->cal->utc_offset = (sign == '-' ? -1 : 1) * (h * 3600 + m * 60);
    memcpy(p->cal->zone, label, n + 1);
    return true;
}

/* "hari-kerja = 7:30": the working time that makes "1 hari". */
static bool parse_day_length(parser_t *p, int unused, char *value)
{
    (void)unused;
    int minutes = 0;
    if (parse_clock(value, &minutes) != CLOCK_OK || minutes == 0)
        return fail(p, _("bad working-day length \"%s\" (expected H:MM, e.g. 7:30)"),
                    clip(value, 32));
    p->day_length = minutes * INT64_C(60);
    return true;
}

/* "YYYY-MM-DD" followed by a blank or the end. */
static bool parse_date(const char *s, int *y, int *m, int *d)
{
    int hi, lo;
    if (!two_digits(s, &hi) || !two_digits(s + 2, &lo) || s[4] != '-' ||
        !two_digits(s + 5, m) || s[7] != '-' || !two_digits(s + 8, d))
        return false;
    *y = hi * 100 + lo;
    return s[10] == '\0' || text_is_blank(s[10]);
}

static bool insert_holiday(parser_t *p, int64_t day, const char *date, const char *name)
{
    calendar_t *cal = p->cal;
    int at = holidays_before(cal, day);
    if (at < cal->nholidays && cal->holidays[at].day == day)
        return fail(p, _("duplicate holiday %s"), date);
    if (cal->nholidays == MAX_HOLIDAYS)
        return fail(p, _("more than %d holidays"), MAX_HOLIDAYS);
    memmove(&cal->holidays[at + 1], &cal->holidays[at],
            (size_t)(cal->nholidays - at) * sizeof cal->holidays[0]);
    cal->holidays[at].day = day;
    snprintf(cal->holidays[at].name, sizeof cal->holidays[at].name, "%s", name);
    cal->nholidays++;
    return true;
}

/* "libur = 2026-12-25 Hari Raya Natal". */
static bool parse_holiday(parser_t *p, int unused, char *value)
{
    (void)unused;
    int y, m, d;
    if (!parse_date(value, &y, &m, &d)) {
        value[strcspn(value, " \t")] = '\0';
        return fail(p, _("bad date \"%s\" (expected YYYY-MM-DD)"), clip(value, 32));
    }
    char date[11];
    memcpy(date, value, 10);
    date[10] = '\0';
    if (!date_is_real(y, m, d))
        return fail(p, _("no such date: %s"), date);
    const char *name = text_trim(value + 10);
    if (*name == '\0')
        return fail(p, _("holiday %s has no name"), date);
    if (strlen(name) > HOLIDAY_NAME_MAX)
        return fail(p, _("holiday name longer than %d bytes"), HOLIDAY_NAME_MAX);
    return insert_holiday(p, days_from_civil(y, m, d), date, name);
}

/* "periode = 2026-02-19 2026-03-20 Ramadan 1447 H": both days included. */
static bool parse_period(parser_t *p, int unused, char *value)
{
    (void)unused;
    calendar_t *cal = p->cal;
    int y[2], m[2], d[2];
    int64_t day[2];
    char *at = value;
    for (int i = 0; i < 2; i++) {
        if (!parse_date(at, &y[i], &m[i], &d[i]) || !date_is_real(y[i], m[i], d[i]))
            return fail(p, _("bad period \"%s\" (expected FROM TO name, days as YYYY-MM-DD)"),
                        clip(value, 48));
        day[i] = days_from_civil(y[i], m[i], d[i]);
        at = text_trim(at + 10);
    }
    if (day[1] < day[0])
        return fail(p, "%s", _("a period must not end before it starts"));
    if (*at == '\0' || strlen(at) > HOLIDAY_NAME_MAX)
        return fail(p, "%s", _("a period needs a name (at most 127 bytes)"));
    if (cal->nperiods == MAX_PERIODS)
        return fail(p, _("more than %d periods"), MAX_PERIODS);
    int64_t days = day[1] - day[0] + 1;
    for (int i = 0; i < cal->nperiods; i++)
        days += cal->periods[i].last - cal->periods[i].first + 1;
    if (days > MAX_PERIOD_DAYS)
        return fail(p, _("periods cover more than %d days"), MAX_PERIOD_DAYS);
    /* kept sorted by their first day, and apart */
    int pos = 0;
    while (pos < cal->nperiods && cal->periods[pos].first < day[0])
        pos++;
    if ((pos > 0 && cal->periods[pos - 1].last >= day[0]) ||
        (pos < cal->nperiods && cal->periods[pos].first <= day[1]))
        return fail(p, _("period %s overlaps another period"), at);
    memmove(&cal->periods[pos + 1], &cal->periods[pos],
            (size_t)(cal->nperiods - pos) * sizeof cal->periods[0]);
    period_t *per = &cal->periods[pos];
    memset(per, 0, sizeof *per);
    per->first = day[0];
    per->last = day[1];
    snprintf(per->name, sizeof per->name, "%s", at);
    for (int wd = 0; wd < WEEK_DAYS; wd++)
        per->nspans[wd] = -1;
    cal->nperiods++;
    p->period = pos;
    return true;
}

typedef bool (*key_fn)(parser_t *p, int arg, char *value);

static const struct {
    const char *name;
    key_fn fn;
    int arg;
    bool repeatable;
} keys[] = {
    {"senin", parse_weekday, 0, false},  {"selasa", parse_weekday, 1, false},
    {"rabu", parse_weekday, 2, false},   {"kamis", parse_weekday, 3, false},
    {"jumat", parse_weekday, 4, false},  {"sabtu", parse_weekday, 5, false},
    {"minggu", parse_weekday, 6, false}, {"zona", parse_zone, 0, false},
    {"hari-kerja", parse_day_length, 0, false}, {"libur", parse_holiday, 0, true},
    {"periode", parse_period, 0, true},
    {"periode-senin", parse_period_weekday, 0, true},
    {"periode-selasa", parse_period_weekday, 1, true},
    {"periode-rabu", parse_period_weekday, 2, true},
    {"periode-kamis", parse_period_weekday, 3, true},
    {"periode-jumat", parse_period_weekday, 4, true},
    {"periode-sabtu", parse_period_weekday, 5, true},
    {"periode-minggu", parse_period_weekday, 6, true},
};

static int find_key(const char *name)
{
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        if (strcmp(keys[k].name, name) == 0)
            return (int)k;
    return -1;
}

/* Bytes that may not appear in a line: controls other than tab. */
static bool has_control(const char *s)
{
    for (; *s; s++)
        if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7F)
            return true;
    return false;
}

static bool parse_line(parser_t *p, char *line)
{
    size_t n = strlen(line);
    if (n > 0 && line[n - 1] == '\r') /* files edited on Windows */
        line[--n] = '\0';
    if (!utf8_valid(line, n))
        return fail(p, "%s", _("invalid UTF-8"));
    if (has_control(line))
        return fail(p, "%s", _("control character in line"));
    char *s = text_trim(line);
    if (*s == '\0' || *s == '#')
        return true;
    char *eq = strchr(s, '=');
    if (!eq)
        return fail(p, "%s", _("missing '=' (expected \"key = value\")"));
    *eq = '\0';
    char *key = text_trim(s), *value = text_trim(eq + 1);
    int k = find_key(key);
    if (k < 0)
        return fail(p, _("unknown key \"%s\""), clip(key, 32));
    if (!keys[k].repeatable && (p->seen & (1u << k)))
        return fail(p, _("duplicate key \"%s\""), key);
    p->seen |= 1u << k;
    if (*value == '\0')
        return fail(p, _("missing value for \"%s\""), key);
    return keys[k].fn(p, keys[k].arg, value);
}

static bool parse_lines(parser_t *p, char *text)
{
    for (char *line = text; line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        p->line++;
        if (!parse_line(p, line))
            return false;
        line = nl ? nl + 1 : NULL;
    }
    return true;
}

/* Derived values; refuses a week without working time, where no deadline
 * could ever fall. */
static bool parse_finish(parser_t *p)
{
    calendar_t *cal = p->cal;
    int64_t week = finish(cal);
    p->line = 0;
    if (week == 0)
        return fail(p, "%s", _("the calendar has no working hours"));
    int workdays = 0;
    for (int wd = 0; wd < WEEK_DAYS; wd++)
        workdays += cal->day_work[wd] > 0;
    cal->day_seconds = p->day_length > 0 ? p->day_length : week / workdays;
    return true;
}

calendar_t *calendar_parse(const char *text, const char *filename, char *err, size_t errlen)
{
    parser_t p = {.file = filename ? filename : "<calendar>", .err = err, .errlen = errlen,
                  .period = -1};
    char *copy = text ? strdup(text) : NULL;
    p.cal = calendar_new();
    if (!copy || !p.cal) {
        fail(&p, "%s", text ? sertel_strerror(SERTEL_E_NOMEM) : _("no calendar text"));
        free(copy);
        calendar_destroy(&p.cal);
        return NULL;
    }
    bool ok = parse_lines(&p, copy) && parse_finish(&p);
    free(copy);
    if (!ok)
        calendar_destroy(&p.cal);
    return p.cal;
}

calendar_t *calendar_load(const char *path, char *err, size_t errlen)
{
    char *text = text_read_file(path, FILE_LIMIT, NULL, err, errlen);
    if (!text)
        return NULL;
    calendar_t *cal = calendar_parse(text, path, err, errlen);
    free(text);
    return cal;
}
