/* Leveled logging to stderr, one line per event, for a foreground
 * (systemd-friendly) process. */
#ifndef SERTEL_LOG_H
#define SERTEL_LOG_H

typedef enum { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR } log_level_t;

#include <stdbool.h>

void log_set_level(log_level_t min);
/* "debug", "info", "warn" or "error" (as --log-level and the
 * configuration files spell them); false for anything else. */
bool log_level_parse(const char *name, log_level_t *out);
void log_msg(log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
