/* Working time: a calendar of working days and hours in the office's time
 * zone, with a holiday list. All instants are seconds since the Unix epoch
 * (UTC); durations are seconds. Pure: time is always an argument.
 *
 * Default (Indonesian civil service, 37.5 h a week, WIB):
 *   Monday-Thursday 07:30-12:00 and 13:00-16:00 (7.5 h)
 *   Friday          07:30-11:30 and 13:00-16:30 (7.5 h)
 * One working day ("1 hari") is 7.5 working hours unless the file says
 * otherwise. */
#ifndef SERTEL_WORKTIME_H
#define SERTEL_WORKTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct calendar calendar_t;

typedef enum { DUR_MINUTES = 1, DUR_HOURS = 2, DUR_DAYS = 3 } dur_unit_t;

calendar_t *calendar_default(void);
/* Parses calendar text (format in sop/kalender-kerja.conf). On error
 * returns NULL and writes "FILE:LINE: reason" (translated) into err. */
calendar_t *calendar_parse(const char *text, const char *filename, char *err, size_t errlen);
calendar_t *calendar_load(const char *path, char *err, size_t errlen);
void calendar_destroy(calendar_t **cal);

/* Offset of the office's time zone from UTC, in seconds (WIB = 25200). */
int calendar_utc_offset(const calendar_t *cal);
/* Length of one working day ("1 hari"), in seconds. */
int64_t calendar_day_seconds(const calendar_t *cal);
/* Working seconds in amount units of a Mutu Baku. */
int64_t calendar_duration(const calendar_t *cal, int amount, dur_unit_t unit);

/* The instant at which work seconds of working time have passed, counting
 * from start. work == 0 gives the first working instant at or after
 * start... except that 0 returns start itself. */
int64_t calendar_add_work(const calendar_t *cal, int64_t start, int64_t work);
/* Working seconds between from and to (0 when to <= from). */
int64_t calendar_work_between(const calendar_t *cal, int64_t from, int64_t to);
/* True when the local date of t is a holiday or a day without hours. */
bool calendar_is_day_off(const calendar_t *cal, int64_t t);

/* What a calendar holds, for `sertel-admin calendar check`: the zone's
 * label ("WITA"), the holidays and periods, and the last holiday's date
 * (YYYY-MM-DD, "" when none). */
const char *calendar_zone(const calendar_t *cal);
int calendar_holiday_count(const calendar_t *cal);
int calendar_period_count(const calendar_t *cal);
void calendar_last_holiday(const calendar_t *cal, char out[11]);
/* Period i: its name and days (YYYY-MM-DD), and its working seconds in
 * a week that lies wholly inside it. */
const char *calendar_period(const calendar_t *cal, int i, char first[11], char last[11],
                            int64_t *week_work);

/* Formats t in the office's zone: "24 Nov 2026 14:05 WIB" (month names in
 * the current language). Returns buf. */
const char *calendar_format_time(const calendar_t *cal, int64_t t, char *buf, size_t len);
/* Days from 1970-01-01 to y-m-d, proleptic Gregorian (pure arithmetic). */
int64_t days_from_civil(int64_t y, int m, int d);
/* The inverse: the civil date of day z after 1970-01-01. */
void civil_from_days(int64_t z, int64_t *y, int *m, int *d);

/* Formats a duration as days of day_seconds, hours and minutes: "1 hari
 * 2 jam", "45 menit" (translated). Wall time uses 86400. Returns buf. */
const char *format_duration(int64_t seconds, int64_t day_seconds, char *buf, size_t len);

/* Formats a working duration in working days/hours/minutes:
 * "1 hari 2 jam", "45 menit" (translated units). Returns buf. */
const char *calendar_format_work(const calendar_t *cal, int64_t seconds, char *buf, size_t len);

#endif
