/* sertel, the officer's client. main (officer_main.c) only dispatches;
 * the commands live by concern: officer_case.c (writes), officer_view.c
 * (inbox, show, find), officer_watch.c (pushed events), officer_tui.c
 * (the terminal UI hook). What they share is declared here and defined
 * in officer_common.c (command lines, names, times) and officer_event.c
 * (one event as a line or a JSON object). Every command returns the
 * process exit code of cli.h. */
#ifndef SERTEL_OFFICER_H
#define SERTEL_OFFICER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cli.h"
#include "json.h"
#include "worktime.h"

/* The commands, each taking argv from the command's own name on. */
int officer_receive(int argc, char **argv);
int officer_complete(int argc, char **argv);
int officer_return(int argc, char **argv);
int officer_resume(int argc, char **argv);
int officer_reject(int argc, char **argv);
int officer_withdraw(int argc, char **argv);
int officer_contact(int argc, char **argv);
int officer_certificate(int argc, char **argv);
int officer_take(int argc, char **argv);
int officer_reassign(int argc, char **argv);
int officer_inbox(int argc, char **argv);
int officer_show(int argc, char **argv);
int officer_attachment(int argc, char **argv);
int officer_find(int argc, char **argv);
int officer_watch(int argc, char **argv);
int officer_print(int argc, char **argv);
int officer_verify(int argc, char **argv);
/* Hidden: the words bash completion offers (officer_words.c). */
int officer_complete_words(int argc, char **argv);
int officer_notify(int argc, char **argv);
int officer_renew(int argc, char **argv);
/* Below the inbox: the certificates due for renewal (officer_notify.c). */
void officer_print_due(cli_t *cli);
int officer_outbox(int argc, char **argv);

/* The terminal UI, started by `sertel` without arguments on a terminal
 * (officer_tui.c, tui_*.c). */
int officer_tui(int argc, char **argv);
/* The list of commands, for `sertel --help` and the TUI stub. */
void officer_usage(FILE *to);

/* ---- command lines (officer_common.c) */

/* Returned by officer_parse when the command should go on. */
#define OFFICER_GO (-1)

/* A command's command line, described once: parsing, --help and usage
 * all come from it and the command's option table. */
typedef struct {
    const char *prog;  /* "sertel complete", the prefix of every message */
    const char *args;  /* "CASE [--to NIP] ...", shown after prog */
    const char *about; /* N_() one paragraph for --help */
    int min_pos, max_pos; /* positional arguments (the case number) */
} officer_spec_t;

/* Parses argv against opts and the common options. --help prints the
 * usage to stdout and returns EXIT_DONE; a bad command line is named and
 * returns EXIT_USAGE; otherwise OFFICER_GO. */
int officer_parse(const officer_spec_t *spec, int argc, char **argv, const cli_opt_t *opts,
                  size_t n_opts, cli_common_t *common, const char **pos, int *n_pos);

/* officer_parse for a command whose one positional argument is the case
 * number (spec's min_pos and max_pos 1): the number is checked too and
 * set in *case_id. */
int officer_parse_case(const officer_spec_t *spec, int argc, char **argv, const cli_opt_t *opts,
                       size_t n_opts, cli_common_t *common, const char **case_id);

/* Checks a value with validate_text, naming the option on failure.
 * Returns false after printing "prog: --option: reason". */
bool officer_check_text(const char *prog, const char *option, const char *value, size_t max,
                        bool required);
/* The same for an optional NIP (NULL passes). */
bool officer_check_nip(const char *prog, const char *option, const char *value);

/* Opens the connection and sends one request. On EXIT_DONE *reply holds
 * the answer, whose body must be `want`: anything else is named and
 * counts as unreachable (the broker is not speaking our protocol). A
 * refusal prints the error code's title in the user's language, then the
 * broker's reason (in the broker's language), and gives EXIT_REFUSED. */
int officer_request(cli_t *cli, const char *prog, const cli_common_t *common,
                    Sertel__Envelope *req, Sertel__Envelope__BodyCase want,
                    Sertel__Envelope **reply);
/* The same on the open connection, for a request that follows one. */
int officer_call(cli_t *cli, const char *prog, Sertel__Envelope *req, Sertel__Envelope__BodyCase want,
                 Sertel__Envelope **reply);

/* The certificate in path (DER or PEM) as DER, malloc'd; NULL after
 * naming the problem (officer_cert.c). */
uint8_t *officer_read_certificate(const char *prog, const char *path, size_t *len);

/* ---- forms shared by the commands and the terminal UI (officer_case.c) */

/* Attachment files, read whole before anything is sent. */
typedef struct {
    Sertel__Attachment msg[CLI_MAX_MULTI];
    Sertel__Attachment *ptr[CLI_MAX_MULTI];
    size_t n;
} officer_files_t;
/* Reads every file of paths (each at most 4 MiB, none empty, none a PDF
 * cut short, together within one request); false after cli_error. */
bool officer_files_read(const char *prog, const cli_multi_t *paths, officer_files_t *f);
/* The same for the application letter (step 1): each file must also be a
 * type the SOP files at hand take for it, judged by content (filetype.h). */
bool officer_letter_read(const char *prog, const cli_multi_t *paths, officer_files_t *f);
void officer_files_free(officer_files_t *f);

/* The application form (`sertel receive`): each value, NULL when not given. */
typedef struct {
    const char *name, *nip, *nik, *unit, *position, *email, *phone, *channel, *letter_no,
        *letter_date, *subject, *urgency, *sifat, *agenda_no, *srikandi_no, *received, *reason;
    cli_multi_t attach;
    bool force;
} officer_intake_t;

typedef bool (*officer_field_check_fn)(const char *option, const char *value, size_t max,
                                       char *why, size_t len);
/* One field: option, placeholder ("surat|telp|fax|email" for a choice),
 * help (N_(), also the UI's label), where the value goes in
 * officer_intake_t, its limit, whether it must be given, and its check. */
typedef struct {
    const char *option, *arg, *help;
    size_t offset, max;
    bool required;
    officer_field_check_fn check;
} officer_intake_field_t;
extern const officer_intake_field_t officer_intake_fields[];
extern const size_t officer_n_intake_fields;
/* The Application the values make (pointers into a). */
void officer_intake_fill(const officer_intake_t *a, Sertel__Application *app);

/* ---- who is who (officer_common.c) */

typedef struct {
    char nip[19];
    char name[129];
} officer_name_t;

typedef struct {
    officer_name_t *v;
    size_t n;
} officer_names_t;

/* Asks the broker for the officers' names, for display only: on any
 * failure the list stays empty and NIPs are shown instead. */
void officer_names_load(cli_t *cli, officer_names_t *names);
void officer_names_free(officer_names_t *names);
/* The officer's name, or the NIP itself when unknown. */
const char *officer_name(const officer_names_t *names, const char *nip);

/* "Dedi Supriadi (Plh. Kepala Dinas)": who acted and as what. */
const char *officer_actor(const officer_names_t *names, const char *nip, int role, int acting,
                          char *buf, size_t len);
/* Where a step is: "langkah 3 (Kepala Bidang ..., Dedi Supriadi)", or
 * the role pool alone when nobody is named. */
const char *officer_place(const officer_names_t *names, int step, int role, unsigned quals,
                          const char *assignee, char *buf, size_t len);

/* ---- time (officer_common.c) */

/* The office calendar for display: the default (Indonesian civil service
 * hours, WIB); released by officer_release. */
const calendar_t *officer_calendar(void);
void officer_release(void);
int64_t officer_now(void);
/* "24 Nov 2026 14:05 WIB", or "-" for 0. */
const char *officer_time(int64_t t, char *buf, size_t len);
/* "sisa 25 menit", "terlambat 1 jam", "menunggu pemohon" or "-". */
const char *officer_time_left(const Sertel__Case *c, int64_t now, char *buf, size_t len);
/* Working seconds left before the due time, negative when overdue; 0
 * when the clock is stopped (waiting on the applicant, or closed). */
int64_t officer_work_left(const Sertel__Case *c, int64_t now);

/* ---- output helpers (officer_common.c) */

/* Writes s and pads it with spaces to width columns (code points, so
 * that names with non-ASCII letters line up), leaving at least two
 * spaces; width 0 writes s alone. */
void officer_pad(FILE *out, const char *s, int width);
/* Display width of s in code points. */
int officer_width(const char *s);
/* Translated titles of the codes the broker sends. */
const char *officer_urgency_title(int urgency);
const char *officer_channel_title(int channel);
/* The sifat's title; 0 (not given) reads as biasa. */
const char *officer_classification_title(int classification);
/* Ticked boxes as one line: "Tanggapi, Arsipkan". Returns buf. */
const char *officer_boxes(char *const *boxes, size_t n, char *buf, size_t len);

/* ---- cases and events as text and JSON (officer_event.c) */

/* The case document of docs/cli.md ("case" objects of inbox, find, show
 * and the write commands' --json). */
void officer_json_case(json_t *j, const char *key, const Sertel__Case *c, int64_t now);
/* The event document of docs/cli.md (show's history, watch --json). */
void officer_json_event(json_t *j, const char *key, const Sertel__Event *ev);
/* One event on one line: time, [case,] title, step, who, what. */
void officer_print_event(FILE *out, const Sertel__Event *ev, const officer_names_t *names,
                         bool with_case);
/* What the event says beyond who and when ("→ langkah 3 (...)",
 * "\"instruction\"", "via email: ..."), into buf. */
const char *officer_event_what(const Sertel__Event *ev, const officer_names_t *names, char *buf,
                               size_t len);

#endif
