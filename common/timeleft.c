/* The countdown's wording; see timeleft.h. */
#include <stdio.h>

#include "i18n.h"
#include "timeleft.h"

#define MINUTE 60
#define HOUR 3600
#define DEFAULT_DAY 27000 /* 7.5 hours, the Perpres week's day */

int64_t timeleft_shown(const calendar_t *cal, int64_t work)
{
    int64_t s = work > 0 ? work : 0;
    int64_t day = calendar_day_seconds(cal) > 0 ? calendar_day_seconds(cal) : DEFAULT_DAY;
    /* Hours and minutes below a day; days and hours from one day on. */
    int64_t unit = s < day ? MINUTE : HOUR;
    return s / day * day + s % day / unit * unit;
}

const char *timeleft_format(const calendar_t *cal, int64_t work, bool overdue, char *buf,
                            size_t len)
{
    if (!buf || len == 0)
        return buf;
    int64_t shown = timeleft_shown(cal, work);
    char text[96];
    if (shown < MINUTE)
        snprintf(text, sizeof text, "%s", _("less than a minute"));
    else
        calendar_format_work(cal, shown, text, sizeof text);
    if (!overdue)
        snprintf(buf, len, _("%s left"), text);
    else
        snprintf(buf, len, _("%s overdue"), text);
    return buf;
}
