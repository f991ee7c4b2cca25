/* Command groups of sertel-admin. Each takes argv starting at the group's
 * name and returns the process exit code (0 done, 1 usage or invalid
 * input, 2 refused by the broker, 3 broker unreachable).
 *
 * The helpers below are what the remote groups (officer, acting, stats,
 * backup, journal, sop load) share: one subcommand table per group, one
 * way to parse options and print usage, one way to call the broker and
 * check the reply's kind, and plain tables for the terminal. */
#ifndef SERTEL_ADMIN_H
#define SERTEL_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli.h"
#include "role.h"
#include "worktime.h"

int admin_sop_main(int argc, char **argv);
int admin_calendar_main(int argc, char **argv);
int admin_init_main(int argc, char **argv);
int admin_rotate_key_main(int argc, char **argv);
/* Runs sertel-broker with args (args[0] "sertel-broker"); returns only
 * when it cannot be run, errno saying why. */
void admin_exec_broker(char **args);
int admin_officer_main(int argc, char **argv);
int admin_acting_main(int argc, char **argv);
int admin_stats_main(int argc, char **argv);
int admin_backup_main(int argc, char **argv);
int admin_journal_main(int argc, char **argv);
int admin_office_main(int argc, char **argv);
int admin_report_main(int argc, char **argv);
int admin_archive_main(int argc, char **argv);
int admin_outbox_main(int argc, char **argv);
int admin_certs_main(int argc, char **argv);
/* `sop load FILE`, run from admin_sop.c's table. */
int admin_sop_load_main(int argc, char **argv);
void admin_sop_load_usage(FILE *to);

/* ---- subcommand tables ------------------------------------------------ */

typedef struct {
    const char *name;                  /* "add" */
    int (*run)(int argc, char **argv); /* argv[0] is name */
    const char *summary;               /* N_() one line */
} admin_sub_t;

/* Runs the subcommand argv[1] of group; prints the group's usage for
 * --help (exit 0), nothing or an unknown name (exit 1). */
int admin_group(const char *group, const admin_sub_t *subs, size_t n, int argc, char **argv);

/* ---- one command's options --------------------------------------------- */

typedef struct {
    const char *prog;     /* "sertel-admin officer add", for usage and errors */
    const char *synopsis; /* N_(): the arguments after prog */
    const char *about;    /* N_(): what it does, one paragraph */
    bool json;            /* takes --json */
    int min_pos, max_pos; /* positional arguments */
} admin_cmd_t;

#define ADMIN_RUN (-1) /* admin_parse: go on and run the command */

/* Parses argv against opts and the common options. Returns ADMIN_RUN, or
 * the exit code after printing the usage (--help: stdout, 0) or the
 * mistake (stderr, 1). */
int admin_parse(const admin_cmd_t *cmd, int argc, char **argv, const cli_opt_t *opts,
                size_t n_opts, cli_common_t *common, const char **pos, int *n_pos);
/* The usage: synopsis, options, what the command does, exit codes. */
void admin_cmd_usage(FILE *to, const admin_cmd_t *cmd, const cli_opt_t *opts, size_t n_opts);
/* Prints "prog: what" and a hint at --help; returns EXIT_USAGE. */
int admin_usage_error(const admin_cmd_t *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- calls ---------------------------------------------------------- */

/* cli_call, then checks that the reply is of body want: anything else
 * means client and broker disagree on the protocol, said once here. */
int admin_call(cli_t *cli, Sertel__Envelope *req, Sertel__Envelope__BodyCase want,
               Sertel__Envelope **reply);
/* Opens the connection, admin_call, closes. */
int admin_request(const char *prog, const cli_common_t *common, Sertel__Envelope *req,
                  Sertel__Envelope__BodyCase want, Sertel__Envelope **reply);
/* admin_request and admin_call for a command the broker answers with a
 * bare Pong (done): the reply is read and let go. */
int admin_command(const char *prog, const cli_common_t *common, Sertel__Envelope *req);
int admin_call_done(cli_t *cli, Sertel__Envelope *req);

/* ---- input ------------------------------------------------------------ */

/* validate_nip with the reason printed as "prog: reason". */
bool admin_check_nip(const char *prog, const char *what, const char *nip);
/* "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM", office time (WIB). A date alone is
 * its first instant, or with end_of_day the instant just after it. */
bool admin_parse_when(const char *s, bool end_of_day, int64_t *out);
/* A decimal number 0..UINT64_MAX, nothing else (no sign, no blanks). */
bool admin_parse_u64(const char *s, uint64_t *out);

/* ---- output ----------------------------------------------------------- */

/* "Plt." / "Plh." (translated); "" for none. */
const char *admin_acting_title(int kind);
/* A wall-clock duration in days of 24 hours, hours and minutes, with
 * the units of calendar_format_work. */
const char *admin_format_wall(int64_t seconds, char *buf, size_t len);
/* The default office calendar, which the broker's durations are shown in
 * (WIB); never NULL. */
const calendar_t *admin_calendar(void);
/* _("yes") / _("no"). */
const char *admin_yes_no(bool b);

/* ---- who is who: the broker's officers, for names beside NIPs -------- */

typedef struct {
    Sertel__Envelope *reply; /* an OfficerListReply, or NULL */
} admin_roster_t;

/* Names make a list readable, but the list stands without them: on any
 * failure the roster stays empty and NIPs are shown alone. */
void admin_roster_fetch(cli_t *cli, admin_roster_t *ro);
void admin_roster_free(admin_roster_t *ro);
const Sertel__Officer *admin_roster_find(const admin_roster_t *ro, const char *nip);
/* The name, or "" when unknown. */
const char *admin_roster_name(const admin_roster_t *ro, const char *nip);
role_t admin_roster_role(const admin_roster_t *ro, const char *nip);
/* "Tino Armyanto (197503042001121002), Kepala Dinas" (with_role), or the
 * NIP alone when unknown. Returns buf. */
const char *admin_roster_who(const admin_roster_t *ro, const char *nip, bool with_role, char *buf,
                             size_t len);

/* A plain text table: columns as wide as their widest cell (in
 * characters, not bytes), the last column unpadded. Cells are copied. */
typedef struct {
    size_t n_cols;
    char **cells; /* row-major, row 0 the titles */
    size_t n_rows, cap_rows;
    unsigned right; /* bit i: column i is right-aligned (numbers) */
} admin_table_t;

void admin_table_init(admin_table_t *t, const char *const *titles, size_t n_cols, unsigned right);
void admin_table_add(admin_table_t *t, const char *const *cells);
void admin_table_print(const admin_table_t *t, FILE *out);
void admin_table_free(admin_table_t *t);
/* Rows after the titles. */
size_t admin_table_rows(const admin_table_t *t);
/* Narrows column col (a text column) so that the table fits width
 * characters: its longer cells are cut and end in "…". Never below the
 * column's title or 8 characters. */
void admin_table_fit(admin_table_t *t, size_t col, size_t width);

/* Exits with a message: the only sensible answer to no memory in a
 * short-lived command. */
void *admin_xmalloc(size_t n);

#endif
