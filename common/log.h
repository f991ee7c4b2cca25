/* Leveled logging to stderr, one line per event, for a foreground
 * (systemd-friendly) process. */
#ifndef SERTEL_LOG_H
#define SERTEL_LOG_H

typedef enum { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR } log_level_t;

void log_set_level(log_level_t min);
void log_msg(log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
