/* libFuzzer target: a working calendar (kalender-kerja.conf), then a
 * few working-time computations on what it accepts. */
#include "fuzz_text.h"
#include "worktime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    if (!text)
        return 0;
    char err[1024];
    calendar_t *cal = calendar_parse(text, "fuzz.conf", err, sizeof err);
    free(text);
    if (!cal)
        return 0;
    /* A calendar that loads is used at once by the SLA timers; a week
     * that holds no working hour must not loop or overflow. */
    const int64_t monday = 1795939200; /* 2026-11-30 00:00 UTC */
    int64_t due = calendar_add_work(cal, monday, calendar_duration(cal, 1, DUR_DAYS));
    calendar_work_between(cal, monday, due > monday ? due : monday + 86400);
    calendar_is_day_off(cal, monday);
    char buf[128];
    calendar_format_time(cal, monday, buf, sizeof buf);
    calendar_format_work(cal, calendar_day_seconds(cal) + 3600, buf, sizeof buf);
    calendar_destroy(&cal);
    return 0;
}
