/* Tests of common/worktime: working-time arithmetic, the calendar file and
 * formatting. Every instant is built from a civil date in WIB; the clock
 * is never read. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "worktime.h"

#define WIB (7 * 3600)
#define MIN 60
#define HOUR 3600
#define HARI 27000 /* 7.5 working hours */

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t civil_days(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int64_t)era * 146097 + doe - 719468;
}

/* The instant of a WIB wall-clock time. */
static int64_t at(int y, int m, int d, int hh, int mm)
{
    return civil_days(y, m, d) * 86400 + hh * 3600 + mm * 60 - WIB;
}

/* The default hours plus holidays on Tue 24 Nov and Fri 25 Dec 2026. */
static const char holiday_text[] =
    "# kalender uji\n"
    "zona = +07:00 WIB\n"
    "senin  = 07:30-12:00, 13:00-16:00\n"
    "selasa = 07:30-12:00, 13:00-16:00\n"
    "rabu   = 07:30-12:00, 13:00-16:00\n"
    "kamis  = 07:30-12:00, 13:00-16:00\n"
    "jumat  = 07:30-11:30, 13:00-16:30\n"
    "libur  = 2026-12-25 Hari Raya Natal\n"
    "libur  = 2026-11-24 Libur uji\n";

static calendar_t *def; /* calendar_default() */
static calendar_t *hol; /* holiday_text */

static int setup(void **state)
{
    (void)state;
    char err[256] = "";
    def = calendar_default();
    hol = calendar_parse(holiday_text, "uji.conf", err, sizeof err);
    if (!hol)
        fprintf(stderr, "%s\n", err);
    return def && hol ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    calendar_destroy(&def);
    calendar_destroy(&hol);
    return 0;
}

/* 23-27 Nov 2026 is a Monday-to-Friday week without holidays. */
static void test_within_one_span(void **state)
{
    (void)state;
    assert_int_equal(calendar_add_work(def, at(2026, 11, 23, 8, 0), 30 * MIN),
                     at(2026, 11, 23, 8, 30));
    assert_int_equal(calendar_work_between(def, at(2026, 11, 23, 8, 0), at(2026, 11, 23, 8, 30)),
                     30 * MIN);
    /* Work that ends exactly at closing ends then, not next morning. */
    assert_int_equal(calendar_add_work(def, at(2026, 11, 23, 15, 30), 30 * MIN),
                     at(2026, 11, 23, 16, 0));
}

static void test_across_lunch(void **state)
{
    (void)state;
    assert_int_equal(calendar_add_work(def, at(2026, 11, 23, 11, 50), 20 * MIN),
                     at(2026, 11, 23, 13, 10));
    assert_int_equal(
        calendar_work_between(def, at(2026, 11, 23, 11, 0), at(2026, 11, 23, 14, 0)), 2 * HOUR);
}

static void test_across_evening(void **state)
{
    (void)state;
    assert_int_equal(calendar_add_work(def, at(2026, 11, 23, 15, 50), 20 * MIN),
                     at(2026, 11, 24, 7, 40));
    assert_int_equal(
        calendar_work_between(def, at(2026, 11, 23, 15, 0), at(2026, 11, 24, 8, 30)), 2 * HOUR);
}

static void test_friday_hours(void **state)
{
    (void)state;
    /* Friday lunch starts at 11:30 and the day ends at 16:30. */
    assert_int_equal(calendar_add_work(def, at(2026, 11, 27, 11, 20), 20 * MIN),
                     at(2026, 11, 27, 13, 10));
    assert_int_equal(calendar_add_work(def, at(2026, 11, 27, 16, 10), 20 * MIN),
                     at(2026, 11, 27, 16, 30));
    assert_int_equal(
        calendar_work_between(def, at(2026, 11, 27, 0, 0), at(2026, 11, 28, 0, 0)), HARI);
}

static void test_across_weekend(void **state)
{
    (void)state;
    assert_int_equal(calendar_add_work(def, at(2026, 11, 27, 16, 0), 60 * MIN),
                     at(2026, 11, 30, 8, 0));
    assert_int_equal(
        calendar_work_between(def, at(2026, 11, 27, 16, 0), at(2026, 11, 30, 8, 0)), HOUR);
    assert_true(calendar_is_day_off(def, at(2026, 11, 28, 10, 0)));
    assert_true(calendar_is_day_off(def, at(2026, 11, 29, 10, 0)));
    assert_false(calendar_is_day_off(def, at(2026, 11, 30, 10, 0)));
}

static void test_holiday(void **state)
{
    (void)state;
    /* Tuesday 24 Nov is a holiday in hol: Monday evening runs into Wednesday. */
    assert_int_equal(calendar_add_work(hol, at(2026, 11, 23, 15, 50), 20 * MIN),
                     at(2026, 11, 25, 7, 40));
    assert_int_equal(
        calendar_work_between(hol, at(2026, 11, 23, 0, 0), at(2026, 11, 26, 0, 0)), 2 * HARI);
    assert_true(calendar_is_day_off(hol, at(2026, 11, 24, 10, 0)));
    assert_false(calendar_is_day_off(def, at(2026, 11, 24, 10, 0)));
    /* Holidays are local dates: 00:30 WIB on the 24th is still the 23rd
     * in UTC, yet it is the holiday. */
    assert_true(calendar_is_day_off(hol, at(2026, 11, 24, 0, 30)));
    assert_false(calendar_is_day_off(hol, at(2026, 11, 23, 23, 59)));
}

static void test_several_days(void **state)
{
    (void)state;
    assert_int_equal(calendar_add_work(def, at(2026, 11, 23, 10, 0), 3 * HARI),
                     at(2026, 11, 26, 10, 0));
    /* Five working days from Monday is the next Monday at the same hour. */
    assert_int_equal(calendar_add_work(def, at(2026, 11, 23, 10, 0), 5 * HARI),
                     at(2026, 11, 30, 10, 0));
    /* Ten weeks: the whole-week arithmetic must land on the same hour. */
    assert_int_equal(calendar_add_work(def, at(2026, 1, 5, 10, 0), 50 * HARI),
                     at(2026, 3, 16, 10, 0));
    /* With holidays: from Mon 23 Nov, 3 hari skips Tuesday 24th. */
    assert_int_equal(calendar_add_work(hol, at(2026, 11, 23, 10, 0), 3 * HARI),
                     at(2026, 11, 27, 10, 0));
}

static void test_start_outside_hours(void **state)
{
    (void)state;
    /* Before opening, at night, during lunch, on Saturday and Sunday. */
    assert_int_equal(calendar_add_work(def, at(2026, 11, 23, 6, 0), 10 * MIN),
                     at(2026, 11, 23, 7, 40));
    assert_int_equal(calendar_add_work(def, at(2026, 11, 23, 20, 0), 10 * MIN),
                     at(2026, 11, 24, 7, 40));
    assert_int_equal(calendar_add_work(def, at(2026, 11, 24, 2, 0), 10 * MIN),
                     at(2026, 11, 24, 7, 40));
    assert_int_equal(calendar_add_work(def, at(2026, 11, 23, 12, 30), 10 * MIN),
                     at(2026, 11, 23, 13, 10));
    assert_int_equal(calendar_add_work(def, at(2026, 11, 28, 9, 0), 10 * MIN),
                     at(2026, 11, 30, 7, 40));
    assert_int_equal(calendar_add_work(def, at(2026, 11, 29, 10, 0), 10 * MIN),
                     at(2026, 11, 30, 7, 40));
    assert_int_equal(
        calendar_work_between(def, at(2026, 11, 28, 0, 0), at(2026, 11, 30, 7, 30)), 0);
}

static void test_one_hari(void **state)
{
    (void)state;
    int64_t one = calendar_duration(def, 1, DUR_DAYS);
    assert_int_equal(one, HARI);
    assert_int_equal(calendar_add_work(def, at(2026, 11, 23, 10, 0), one),
                     at(2026, 11, 24, 10, 0));
    assert_int_equal(calendar_duration(def, 10, DUR_MINUTES), 600);
    assert_int_equal(calendar_duration(def, 2, DUR_HOURS), 7200);
    assert_int_equal(calendar_duration(def, -1, DUR_HOURS), 0);
    assert_int_equal(calendar_duration(def, 1, (dur_unit_t)0), 0);
    assert_int_equal(calendar_day_seconds(def), HARI);
    assert_int_equal(calendar_utc_offset(def), WIB);
}

static void test_edges(void **state)
{
    (void)state;
    int64_t night = at(2026, 11, 23, 22, 0);
    /* Zero (and negative) work is no work: the start itself. */
    assert_int_equal(calendar_add_work(def, night, 0), night);
    assert_int_equal(calendar_add_work(def, night, -5), night);
    assert_int_equal(calendar_work_between(def, night, night - 100), 0);
    /* Durations too long for the calendar's horizon saturate to "never". */
    assert_int_equal(calendar_add_work(def, night, INT64_MAX), INT64_MAX);
    assert_int_equal(calendar_add_work(def, INT64_MAX - 5, 60), INT64_MAX);
    /* A century of work is still answered exactly (52 weeks of 5 days per
     * year would drift; check the inverse instead of a date). */
    int64_t century = 100 * 52 * 5 * (int64_t)HARI;
    int64_t end = calendar_add_work(hol, night, century);
    assert_true(end > night);
    assert_int_equal(calendar_work_between(hol, night, end), century);
    /* Before 1970 works too. */
    int64_t old = at(1969, 12, 31, 15, 0); /* a Wednesday */
    assert_int_equal(calendar_add_work(def, old, 2 * HOUR), at(1970, 1, 1, 8, 30));
}

/* Independent reference: intersects [from, to) with each day's spans. */
static int64_t ref_between(int64_t from, int64_t to)
{
    static const int spans[2][2][2] = {
        {{450, 720}, {780, 960}}, /* Mon-Thu */
        {{450, 690}, {780, 990}}, /* Fri */
    };
    int64_t holidays[] = {civil_days(2026, 11, 24), civil_days(2026, 12, 25)};
    int64_t total = 0;
    for (int64_t day = (from + WIB) / 86400 - 1; day <= (to + WIB) / 86400 + 1; day++) {
        int wd = (int)(((day - 4) % 7 + 7) % 7);
        if (wd >= 5 || day == holidays[0] || day == holidays[1])
            continue;
        for (int i = 0; i < 2; i++) {
            int64_t a = day * 86400 + spans[wd == 4][i][0] * 60 - WIB;
            int64_t b = day * 86400 + spans[wd == 4][i][1] * 60 - WIB;
            int64_t lo = a > from ? a : from, hi = b < to ? b : to;
            total += hi > lo ? hi - lo : 0;
        }
    }
    return total;
}

static void test_matches_reference(void **state)
{
    (void)state;
    int64_t base = at(2026, 11, 1, 0, 0);
    uint64_t x = 12345;
    for (int i = 0; i < 3000; i++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        int64_t from = base + (int64_t)(x >> 33) % (70 * 86400);
        x = x * 6364136223846793005u + 1442695040888963407u;
        int64_t to = from + (int64_t)(x >> 33) % (20 * 86400);
        assert_int_equal(calendar_work_between(hol, from, to), ref_between(from, to));
    }
}

/* add_work and work_between are inverses, and add_work gives the first
 * instant at which the work is done. */
static void test_inverse_property(void **state)
{
    (void)state;
    static const int64_t works[] = {1,    59,      60,       61,        600,    3599,
                                    3600, HARI - 1, HARI,    HARI + 1,  5 * HARI,
                                    7 * HARI + 17, 40 * HARI, 400 * HARI};
    for (int64_t s = at(2026, 11, 20, 0, 0); s < at(2026, 12, 31, 0, 0); s += 37 * MIN + 11) {
        for (size_t i = 0; i < sizeof works / sizeof works[0]; i++) {
            int64_t e = calendar_add_work(hol, s, works[i]);
            assert_true(e > s);
            assert_int_equal(calendar_work_between(hol, s, e), works[i]);
            assert_int_equal(calendar_work_between(hol, s, e - 1), works[i] - 1);
            assert_false(calendar_is_day_off(hol, e - 1));
        }
    }
}

static void test_month_with_holiday(void **state)
{
    (void)state;
    /* December 2026: 23 weekdays, 25 Dec a holiday in hol. */
    int64_t from = at(2026, 12, 1, 0, 0), to = at(2027, 1, 1, 0, 0);
    assert_int_equal(calendar_work_between(def, from, to), 23 * HARI);
    assert_int_equal(calendar_work_between(hol, from, to), 22 * HARI);
    assert_int_equal(calendar_add_work(hol, from, 22 * HARI), at(2026, 12, 31, 16, 0));
}

struct parse_case {
    const char *text;     /* lines 1-2 are a comment and a blank line */
    const char *expected; /* substring of the error */
};

static const struct parse_case parse_cases[] = {
    {"foo = 1\n", "x.conf:3: unknown key \"foo\""},
    {"senin 07:30-12:00\n", "x.conf:3: missing '='"},
    {"senin =\n", "x.conf:3: missing value for \"senin\""},
    {"senin = 25:00-26:00\n", "x.conf:3: bad time \"25:00\""},
    {"senin = 07:60-08:00\n", "x.conf:3: bad time \"07:60\""},
    {"senin = 07:30-24:30\n", "x.conf:3: bad time \"24:30\""},
    {"senin = 7.30-12:00\n", "x.conf:3: bad working span \"7.30-12:00\""},
    {"senin = 07:30-12:00,\n", "x.conf:3: bad working span \"\""},
    {"senin = 07:30\n", "x.conf:3: bad working span \"07:30\""},
    {"senin = 12:00-07:30\n", "x.conf:3: working span \"12:00-07:30\" must end after"},
    {"senin = 12:00-12:00\n", "x.conf:3: working span \"12:00-12:00\" must end after"},
    {"senin = 13:00-16:00, 07:00-13:30\n",
     "x.conf:3: working spans 07:00-13:30 and 13:00-16:00 overlap"},
    {"senin = 07:00-08:00, 09:00-10:00, 11:00-12:00, 13:00-14:00, 15:00-16:00\n",
     "x.conf:3: more than 4 working spans in one day"},
    {"senin = libur\nsenin = 07:30-12:00\n", "x.conf:4: duplicate key \"senin\""},
    {"libur = 2026-02-30 Tidak ada\n", "x.conf:3: no such date: 2026-02-30"},
    {"libur = 2025-02-29 Tidak ada\n", "x.conf:3: no such date: 2025-02-29"},
    {"libur = 2026-13-01 Tidak ada\n", "x.conf:3: no such date: 2026-13-01"},
    {"libur = 2026-2-3 Salah\n", "x.conf:3: bad date \"2026-2-3\""},
    {"libur = 2026-12-25Natal\n", "x.conf:3: bad date \"2026-12-25Natal\""},
    {"libur = 2026-12-25\n", "x.conf:3: holiday 2026-12-25 has no name"},
    {"libur = 2026-12-25 A\nlibur = 2026-12-25 B\n", "x.conf:4: duplicate holiday 2026-12-25"},
    {"zona = 07:00 WIB\n", "x.conf:3: bad time zone"},
    {"zona = +07:00\n", "x.conf:3: bad time zone"},
    {"zona = +7:00 WIB\n", "x.conf:3: bad time zone"},
    {"zona = +15:00 XYZ\n", "x.conf:3: bad time zone"},
    {"zona = +07:60 WIB\n", "x.conf:3: bad time zone"},
    {"zona = +07:00 W I B\n", "x.conf:3: bad time zone"},
    {"zona = +07:00 WIB\nzona = +08:00 WITA\n", "x.conf:4: duplicate key \"zona\""},
    {"hari-kerja = 25:00\n", "x.conf:3: bad working-day length \"25:00\""},
    {"hari-kerja = 0:00\n", "x.conf:3: bad working-day length"},
    {"hari-kerja = 7\n", "x.conf:3: bad working-day length"},
    {"libur = 2026-12-25 Natal \xff\n", "x.conf:3: invalid UTF-8"},
    {"libur = 2026-12-25 \xc0\xaf\n", "x.conf:3: invalid UTF-8"},     /* overlong */
    {"libur = 2026-12-25 \xed\xa0\x80\n", "x.conf:3: invalid UTF-8"}, /* surrogate */
    {"libur = 2026-12-25 \xe2\x82\n", "x.conf:3: invalid UTF-8"},     /* truncated */
    {"senin = 07:30-12:00\x01\n", "x.conf:3: control character"},
    {"senin = libur\n", "x.conf: the calendar has no working hours"},
};

static void test_parse_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
        char text[512], err[256] = "";
        snprintf(text, sizeof text, "# komentar\n\n%s", parse_cases[i].text);
        calendar_t *cal = calendar_parse(text, "x.conf", err, sizeof err);
        if (cal || !strstr(err, parse_cases[i].expected))
            fail_msg("case %zu: expected \"%s\", got \"%s\"", i, parse_cases[i].expected,
                     cal ? "(accepted)" : err);
    }
}

static void test_parse_limits(void **state)
{
    (void)state;
    /* 513 holidays: the 513th line is refused. */
    size_t cap = 600 * 40;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t n = (size_t)snprintf(text, cap, "senin = 08:00-16:00\n");
    for (int i = 0; i < 513; i++)
        n += (size_t)snprintf(text + n, cap - n, "libur = %04d-01-01 Tahun baru\n", 2000 + i);
    char err[256] = "";
    assert_null(calendar_parse(text, "x.conf", err, sizeof err));
    assert_non_null(strstr(err, "x.conf:514: more than 512 holidays"));
    /* A holiday name over 127 bytes. */
    n = (size_t)snprintf(text, cap, "libur = 2026-12-25 ");
    memset(text + n, 'a', 128);
    text[n + 128] = '\0';
    assert_null(calendar_parse(text, "x.conf", err, sizeof err));
    assert_non_null(strstr(err, "x.conf:1: holiday name longer than 127 bytes"));
    free(text);
    /* A tiny error buffer is still terminated and not overrun. */
    char small[8];
    assert_null(calendar_parse("foo = 1\n", "x.conf", small, sizeof small));
    assert_int_equal(strlen(small), sizeof small - 1);
}

static void test_parse_variants(void **state)
{
    (void)state;
    char err[256] = "";
    /* CRLF, indentation, unordered spans, no "hari-kerja": 1 hari is the
     * weekly total over the working days, (7 + 4) h / 2 = 5.5 h. */
    calendar_t *cal = calendar_parse("  # c\r\n\r\nsenin = 13:00-16:00 ,08:00-12:00\r\n"
                                     "\tselasa=08:00-12:00\r\nrabu = libur\r\n",
                                     "v.conf", err, sizeof err);
    assert_non_null(cal);
    assert_int_equal(calendar_day_seconds(cal), 5 * HOUR + 30 * MIN);
    assert_int_equal(calendar_utc_offset(cal), WIB);
    assert_true(calendar_is_day_off(cal, at(2026, 11, 25, 10, 0)));
    assert_int_equal(calendar_add_work(cal, at(2026, 11, 23, 11, 0), 2 * HOUR),
                     at(2026, 11, 23, 14, 0));
    calendar_destroy(&cal);
    assert_null(cal);
    calendar_destroy(&cal); /* twice is harmless */

    /* Another zone, an explicit day length, a span to midnight. */
    cal = calendar_parse("zona = +08:00 WITA\nhari-kerja = 8:00\nsabtu = 20:00-24:00\n",
                         "w.conf", err, sizeof err);
    assert_non_null(cal);
    assert_int_equal(calendar_utc_offset(cal), 8 * 3600);
    assert_int_equal(calendar_day_seconds(cal), 8 * HOUR);
    int64_t sat_2300_wita = at(2026, 11, 28, 23, 0) - HOUR; /* at() is WIB */
    int64_t end = calendar_add_work(cal, sat_2300_wita, HOUR);
    assert_int_equal(end, sat_2300_wita + HOUR);
    assert_int_equal(calendar_work_between(cal, sat_2300_wita, end), HOUR);
    char buf[64];
    assert_string_equal(calendar_format_time(cal, end, buf, sizeof buf), "29 Nov 2026 00:00 WITA");
    calendar_destroy(&cal);
}

static const char *source_path(const char *rel, char *buf, size_t len)
{
    const char *dir = getenv("SERTEL_SOURCE_DIR");
    snprintf(buf, len, "%s/%s", dir && *dir ? dir : SERTEL_SOURCE_DIR, rel);
    return buf;
}

static void test_shipped_calendar(void **state)
{
    (void)state;
    char path[4096], err[512] = "";
    calendar_t *cal = calendar_load(source_path("sop/kalender-kerja.conf", path, sizeof path), err,
                                    sizeof err);
    if (!cal)
        fail_msg("%s", err);
    assert_int_equal(calendar_utc_offset(cal), WIB);
    assert_int_equal(calendar_day_seconds(cal), HARI);
    assert_true(calendar_is_day_off(cal, at(2026, 12, 25, 10, 0)));  /* Natal */
    assert_true(calendar_is_day_off(cal, at(2026, 3, 20, 10, 0)));   /* cuti bersama */
    assert_true(calendar_is_day_off(cal, at(2027, 8, 17, 10, 0)));   /* 17 Agustus */
    assert_true(calendar_is_day_off(cal, at(2028, 8, 17, 10, 0)));   /* through 2028 */
    char last[11];
    calendar_last_holiday(cal, last);
    assert_true(strcmp(last, "2028-12-25") >= 0);
    /* Ramadan 1447: Monday 2 March 2026 has 6.5 hours from 08:00 */
    assert_true(calendar_period_count(cal) >= 3);
    assert_int_equal(calendar_work_between(cal, at(2026, 3, 2, 0, 0), at(2026, 3, 3, 0, 0)),
                     6 * HOUR + 30 * MIN);
    assert_int_equal(calendar_work_between(cal, at(2026, 3, 2, 7, 30), at(2026, 3, 2, 8, 0)), 0);
    assert_false(calendar_is_day_off(cal, at(2026, 11, 23, 10, 0)));
    /* Default hours, and Christmas with its cuti bersama: 21 workdays. */
    assert_int_equal(
        calendar_work_between(cal, at(2026, 12, 1, 0, 0), at(2027, 1, 1, 0, 0)), 21 * HARI);
    /* Wed 23 Dec 15:00 + 1 hari: 1 h left that day, then Thu-Sun off. */
    assert_int_equal(calendar_add_work(cal, at(2026, 12, 23, 15, 0), HARI),
                     at(2026, 12, 28, 15, 0));
    calendar_destroy(&cal);
}


/* Ramadan (Perpres 21/2023): 32.5 hours a week from 08:00 as a dated
 * period; a holiday inside it stays a holiday; WITA shifts every instant. */
static void test_period_ramadan(void **state)
{
    (void)state;
    static const char text[] =
        "zona = +08:00 WITA\n"
        "senin  = 07:30-12:00, 13:00-16:00\n"
        "selasa = 07:30-12:00, 13:00-16:00\n"
        "rabu   = 07:30-12:00, 13:00-16:00\n"
        "kamis  = 07:30-12:00, 13:00-16:00\n"
        "jumat  = 07:30-11:30, 13:00-16:30\n"
        "periode = 2026-02-19 2026-03-20 Ramadan 1447 H\n"
        "periode-senin  = 08:00-12:00, 12:30-15:00\n"
        "periode-selasa = 08:00-12:00, 12:30-15:00\n"
        "periode-rabu   = 08:00-12:00, 12:30-15:00\n"
        "periode-kamis  = 08:00-12:00, 12:30-15:00\n"
        "periode-jumat  = 08:00-11:30, 12:30-15:30\n"
        "libur = 2026-03-19 Hari Suci Nyepi\n";
    char err[256] = "", first[11], last[11];
    calendar_t *cal = calendar_parse(text, "ramadan.conf", err, sizeof err);
    if (!cal)
        fail_msg("%s", err);
    const int wita = 8 * 3600;
    int64_t week_work;
    assert_int_equal(calendar_period_count(cal), 1);
    assert_string_equal(calendar_period(cal, 0, first, last, &week_work), "Ramadan 1447 H");
    assert_string_equal(first, "2026-02-19");
    assert_string_equal(last, "2026-03-20");
    assert_int_equal(week_work, 32 * HOUR + 30 * MIN);
    assert_string_equal(calendar_zone(cal), "WITA");
    /* Monday 2 March 2026, 08:00 WITA: the day has 6.5 hours */
    int64_t mon = civil_days(2026, 3, 2) * 86400 - wita;
    assert_int_equal(calendar_work_between(cal, mon, mon + 86400), 6 * HOUR + 30 * MIN);
    /* 07:45 is before work starts in Ramadan */
    assert_int_equal(calendar_work_between(cal, mon + 7 * HOUR + 45 * MIN, mon + 8 * HOUR), 0);
    /* 10 minutes from 14:55 run into Tuesday 08:05 */
    assert_int_equal(calendar_add_work(cal, mon + 14 * HOUR + 55 * MIN, 10 * MIN),
                     mon + 86400 + 8 * HOUR + 5 * MIN);
    /* the whole week of 2-6 March */
    assert_int_equal(calendar_work_between(cal, mon, mon + 7 * 86400), 32 * HOUR + 30 * MIN);
    /* Nyepi (Thursday 19 March) is off; the week after Ramadan is normal */
    assert_true(calendar_is_day_off(cal, civil_days(2026, 3, 19) * 86400 - wita + 10 * HOUR));
    int64_t after = civil_days(2026, 3, 30) * 86400 - wita;
    assert_int_equal(calendar_work_between(cal, after, after + 7 * 86400), 37 * HOUR + 30 * MIN);
    /* inverse property through the period's edges */
    for (int64_t t = civil_days(2026, 2, 16) * 86400; t < civil_days(2026, 3, 25) * 86400;
         t += 53 * MIN) {
        int64_t e = calendar_add_work(cal, t, HARI + 17);
        assert_int_equal(calendar_work_between(cal, t, e), HARI + 17);
        assert_false(calendar_is_day_off(cal, e - 1));
    }
    calendar_destroy(&cal);

    static const char *const bad[] = {
        "periode-senin = 08:00-15:00\n",
        "periode = 2026-03-20 2026-02-19 Ramadan\n",
        "periode = 2026-02-19 2026-03-20\n",
        "periode = 2026-02-19 2026-03-20 A\nperiode = 2026-03-01 2026-04-01 B\n",
        "periode = 2026-02-19 2026-03-20 A\nperiode-senin = 08:00-09:00\nperiode-senin = 08:00-09:00\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char t2[512];
        snprintf(t2, sizeof t2, "senin = 07:30-16:00\n%s", bad[i]);
        calendar_t *c2 = calendar_parse(t2, "bad.conf", err, sizeof err);
        if (c2)
            fail_msg("accepted: %s", bad[i]);
        assert_non_null(strstr(err, "bad.conf:"));
    }
}

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void test_load_errors(void **state)
{
    (void)state;
    char err[512] = "";
    assert_null(calendar_load("/nonexistent/kalender.conf", err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent/kalender.conf: cannot read the file"));

    char path[] = "/tmp/test_worktime_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    write_file(path, "senin = 08:00-12:00\n# a\0b\n", 26);
    assert_null(calendar_load(path, err, sizeof err));
    assert_non_null(strstr(err, ":2: NUL byte"));

    size_t big = 1024 * 1024 + 1;
    char *data = malloc(big);
    assert_non_null(data);
    memset(data, '#', big);
    write_file(path, data, big);
    free(data);
    assert_null(calendar_load(path, err, sizeof err));
    assert_non_null(strstr(err, "larger than 1024 KiB"));

    write_file(path, "senin = 08:00-12:00\n", 20);
    calendar_t *cal = calendar_load(path, err, sizeof err);
    assert_non_null(cal);
    calendar_destroy(&cal);
    unlink(path);
}

static void test_format_time(void **state)
{
    (void)state;
    char buf[64];
    assert_string_equal(calendar_format_time(def, at(2026, 11, 24, 14, 5), buf, sizeof buf),
                        "24 Nov 2026 14:05 WIB");
    assert_string_equal(calendar_format_time(def, at(2027, 1, 1, 0, 0), buf, sizeof buf),
                        "1 Jan 2027 00:00 WIB");
    /* 17:30 UTC on 31 Dec is already New Year in WIB. */
    assert_string_equal(calendar_format_time(def, at(2027, 1, 1, 0, 30), buf, sizeof buf),
                        "1 Jan 2027 00:30 WIB");
    assert_string_equal(calendar_format_time(def, at(2026, 12, 31, 23, 59), buf, sizeof buf),
                        "31 Dec 2026 23:59 WIB");
    assert_string_equal(calendar_format_time(def, 0, buf, sizeof buf), "1 Jan 1970 07:00 WIB");
    assert_string_equal(calendar_format_time(def, at(2024, 2, 29, 9, 9), buf, sizeof buf),
                        "29 Feb 2024 09:09 WIB");
    char tiny[6];
    assert_string_equal(calendar_format_time(def, 0, tiny, sizeof tiny), "1 Jan");
}

static void test_format_work(void **state)
{
    (void)state;
    static const struct {
        int64_t seconds;
        const char *text;
    } cases[] = {
        {0, "0 minutes"},
        {59, "0 minutes"},
        {60, "1 minute"},
        {45 * MIN, "45 minutes"},
        {HOUR, "1 hour"},
        {HOUR + 119, "1 hour 1 minute"},
        {HARI + 2 * HOUR, "1 day 2 hours"},
        {2 * HARI + MIN, "2 days 1 minute"},
        {HARI - MIN, "7 hours 29 minutes"},
        {5 * HARI + 3 * HOUR + 15 * MIN, "5 days 3 hours 15 minutes"},
        {-HOUR, "-1 hour"},
    };
    char buf[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(calendar_format_work(def, cases[i].seconds, buf, sizeof buf),
                            cases[i].text);
    char tiny[4];
    assert_string_equal(calendar_format_work(def, HARI + HOUR, tiny, sizeof tiny), "1 d");
    /* Extreme values do not overflow. */
    calendar_format_work(def, INT64_MIN, buf, sizeof buf);
    calendar_format_work(def, INT64_MAX, buf, sizeof buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_within_one_span),
        cmocka_unit_test(test_across_lunch),
        cmocka_unit_test(test_across_evening),
        cmocka_unit_test(test_friday_hours),
        cmocka_unit_test(test_across_weekend),
        cmocka_unit_test(test_holiday),
        cmocka_unit_test(test_several_days),
        cmocka_unit_test(test_start_outside_hours),
        cmocka_unit_test(test_one_hari),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_matches_reference),
        cmocka_unit_test(test_inverse_property),
        cmocka_unit_test(test_month_with_holiday),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_parse_limits),
        cmocka_unit_test(test_parse_variants),
        cmocka_unit_test(test_shipped_calendar),
        cmocka_unit_test(test_period_ramadan),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_format_time),
        cmocka_unit_test(test_format_work),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
