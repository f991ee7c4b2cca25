#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static log_level_t min_level = LOG_INFO;

void log_set_level(log_level_t min)
{
    min_level = min;
}

void log_msg(log_level_t level, const char *fmt, ...)
{
    static const char *const names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
    if (level < min_level)
        return;
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    fprintf(stderr, "%s %-5s ", stamp, names[level]);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
