/* What both command-line clients share: options from a table, the key
 * file and connection, calls with the documented exit codes, and errors
 * printed once in the user's language. */
#ifndef SERTEL_CLI_H
#define SERTEL_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "conn.h"
#include "worktime.h"

enum {
    EXIT_DONE = 0,        /* done */
    EXIT_USAGE = 1,       /* usage or invalid input: nothing sent */
    EXIT_REFUSED = 2,     /* refused by the broker, with its reason */
    EXIT_UNREACHABLE = 3, /* broker unreachable or timed out */
};

#define CLI_MAX_MULTI 16

/* A repeatable option's values (e.g. --attach FILE ...). */
typedef struct {
    const char *v[CLI_MAX_MULTI];
    int n;
} cli_multi_t;

typedef struct {
    const char *name;    /* "--name" */
    const char *arg;     /* placeholder shown in help ("TEXT"), NULL for a flag */
    const char **value;  /* where a single value goes */
    bool *flag;          /* where a flag goes */
    cli_multi_t *multi;  /* where a repeatable value goes */
    const char *help;    /* N_() text */
} cli_opt_t;

/* The options every command accepts. */
typedef struct {
    const char *key_path;
    const char *endpoint;
    bool json;
    bool help;
} cli_common_t;

/* Parses argv[1..] (argv[0] is the command's name) against opts plus the
 * common options. Positional arguments are collected in pos (at most
 * max_pos). Prints the problem and returns false on an unknown option,
 * a missing value or too many positional arguments. */
bool cli_parse(const char *prog, int argc, char **argv, const cli_opt_t *opts, size_t n_opts,
               cli_common_t *common, const char **pos, int max_pos, int *n_pos);
/* The common options given before the command (`sertel --key K inbox`,
 * as `git -C DIR log`): returns a malloc'd copy of argv (free it, not
 * its strings) with them moved to the end, where every command's parser
 * takes them, and *argc_out its length; NULL when out of memory. */
char **cli_hoist_common(int argc, char **argv, int *argc_out);
/* Prints "Usage: prog USAGE" and the option table. */
void cli_usage(FILE *to, const char *prog, const char *usage, const cli_opt_t *opts, size_t n_opts);

typedef struct {
    const char *prog;
    keyfile_t kf;
    conn_t *conn;
    int timeout_ms;
} cli_t;

/* Reads the key file (--key, $SERTEL_KEY, ~/.config/sertel/key) and opens
 * the connection (--endpoint or $SERTEL_ENDPOINT overrides the key
 * file's). Returns an exit code. */
int cli_open(cli_t *cli, const char *prog, const cli_common_t *common);
/* The same for clients that wait for the broker to come (watch, the
 * terminal UI): cli_open gives up at once (EXIT_UNREACHABLE, "the broker
 * is unreachable") when no TCP connection can be made within 2.5 s. */
int cli_open_waiting(cli_t *cli, const char *prog, const cli_common_t *common);
void cli_close(cli_t *cli);
/* Sends req and returns EXIT_DONE with *reply, EXIT_REFUSED after printing
 * the broker's reason, or EXIT_UNREACHABLE after naming the endpoint. */
int cli_call(cli_t *cli, Sertel__Envelope *req, Sertel__Envelope **reply);
/* Same, for requests whose reply only says it was done. */
int cli_call_done(cli_t *cli, Sertel__Envelope *req);

/* Prints "prog: message" to stderr. */
void cli_error(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* While buf is set (not NULL), cli_error writes its message there (without
 * prog; a later one replaces it) instead of to stderr: the terminal UI
 * shows it on its own screen, where stderr would scribble. NULL ends it. */
void cli_error_to(char *buf, size_t len);
/* in with the date and time placeholders (YYYY-MM-DD, HH:MM) in the user's
 * language, as help and errors say them; returns out. */
const char *cli_words(const char *in, char *out, size_t len);

/* Reads a whole file (at most max bytes) into a malloc'd buffer. */
uint8_t *cli_read_file(const char *prog, const char *path, size_t max, size_t *len);
/* "YYYY-MM-DD" (office time, in the zone of cli_calendar) -> Unix
 * seconds at 00:00; false if not a real date. */
bool cli_parse_date(const char *s, int64_t *out);

/* The office's working calendar as the broker runs it (zone, hours,
 * holidays), once fetched; until then the default one (WIB). */
const calendar_t *cli_calendar(void);
/* Asks the broker for its calendar on cli's connection (once per
 * process). Returns an exit code. */
int cli_fetch_calendar(cli_t *cli);
/* Asks again, quietly, within timeout_ms: for a client that stays
 * connected while an administrator may load another calendar. False (the
 * calendar known is kept) when the broker does not answer. A pointer
 * from cli_calendar is stale after a true return. */
bool cli_refresh_calendar(cli_t *cli, int timeout_ms);
/* The same on a connection of its own: for commands that turn dates
 * into instants before they send anything. */
int cli_calendar_ensure(const char *prog, const cli_common_t *common);
void cli_release_calendar(void);

#endif
