/* What an officer reads beside a case: the working time left before the
 * step's Mutu Baku, or how far past it the step is. One wording for the
 * command line (`sertel inbox`, `show`) and the terminal UI, so that the
 * same case never reads "sisa 1 hari" in one and "sisa 7 jam" in the other. */
#ifndef SERTEL_TIMELEFT_H
#define SERTEL_TIMELEFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "worktime.h"

/* work: working seconds before the due time, or past it when overdue
 * (a due time passed outside working hours is overdue by 0 seconds).
 * Writes "sisa 1 hari 2 jam", "sisa 45 menit", "sisa kurang dari 1 menit",
 * "terlambat 3 jam 10 menit" (translated) and returns buf.
 *
 * Days are the calendar's working days (calendar_day_seconds): 7 h 30 of
 * a 7.5-hour day is "1 hari", never "7 jam". At most the two largest
 * units are shown (days and hours, or hours and minutes); what is
 * dropped is cut off, as a clock reads, so the time left never reads
 * more than there is. Under a minute reads "kurang dari 1 menit". */
const char *timeleft_format(const calendar_t *cal, int64_t work, bool overdue, char *buf,
                            size_t len);

/* The working seconds timeleft_format shows for work: what the text
 * says, as a number (negative work counts as 0). */
int64_t timeleft_shown(const calendar_t *cal, int64_t work);

#endif
