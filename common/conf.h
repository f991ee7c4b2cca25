/* Configuration files of the daemons (/etc/sertel/broker.conf,
 * /etc/sertel/notifier.conf; format in man/sertel-conf.5): one
 * "key = value" a line, whole-line '#' comments, UTF-8, each key at most
 * once, no empty value. A bad line refuses the whole file with
 * "FILE:LINE: reason", so a daemon never starts half-configured. */
#ifndef SERTEL_CONF_H
#define SERTEL_CONF_H

#include <stdbool.h>
#include <stddef.h>

/* Takes one setting, found on line; false with a reason (no location)
 * in why. */
typedef bool (*conf_setting_fn)(void *arg, const char *key, const char *value, int line, char *why,
                                size_t whylen);

/* Calls fn for each setting in file order; stops at the first bad line
 * and returns false with "PATH:LINE: reason" in err. */
bool conf_read(const char *path, conf_setting_fn fn, void *arg, char *err, size_t errlen);

/* A daemon whose settings are its long options: "key = value" in the
 * file reads as "--key value" placed before the command line's own
 * arguments, which therefore override the file. */
typedef struct conf_args conf_args_t;

/* path NULL: the command line alone. argv[0] stays first. */
conf_args_t *conf_args_new(const char *path, int argc, char **argv, char *err, size_t errlen);
void conf_args_destroy(conf_args_t **a);
int conf_args_argc(const conf_args_t *a);
char **conf_args_argv(const conf_args_t *a);
/* "PATH:LINE" into buf when argument i came from the file, else NULL. */
const char *conf_args_origin(const conf_args_t *a, int i, char *buf, size_t len);

#endif
