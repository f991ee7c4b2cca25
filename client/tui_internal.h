/* What the terminal UI's files share: one state object, owned by
 * tui_main.c, and the functions each concern offers the loop.
 *
 *   tui_main.c     terminal set-up and restore, the poll loop, keys
 *   tui_session.c  the broker: Hello, the position, queries, pushes
 *   tui_action.c   the workflow actions sent from the forms
 *   tui_intake.c   registering an application (step 1)
 *   tui_print.c    the laporan and lembar disposisi as PDF
 *   tui_inbox.c    the inbox list and the Mutu Baku countdown
 *   tui_detail.c   one case: applicant, letter, history
 *   tui_form.c     the small input forms
 *   tui_draw.c     UTF-8 text in columns, header, status line, help
 *   tui_sop.c      step activities from the SOP files */
#ifndef SERTEL_TUI_INTERNAL_H
#define SERTEL_TUI_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#include <curses.h>

#include "case.h"
#include "cli.h"
#include "officer.h"
#include "position.h"
#include "sop.h"
#include "worktime.h"

#define TUI_MAX_FRESH 64
#define TUI_STATUS_MAX 512

typedef enum { VIEW_INBOX, VIEW_DETAIL } tui_view_t;

/* Colour pairs (when the terminal has colours). */
enum { PAIR_LATE = 1, PAIR_WARN, PAIR_FRESH, PAIR_ERROR, PAIR_BAR, PAIR_OK };

/* One line of the detail view, already wrapped to the screen. */
typedef struct {
    char *text;
    int attr;
} tui_line_t;

typedef struct tui_form tui_form_t;
typedef struct tui_sops tui_sops_t;

typedef struct tui {
    cli_t cli;
    const calendar_t *cal;  /* cli_calendar(): the office's once the broker answered */
    tui_sops_t *sops;

    /* who is signed in, from the Welcome */
    char nip[NIP_LEN + 1];
    char name[NAME_MAX_LEN + 1];
    role_t role;
    unsigned quals;

    /* the push stream */
    position_t pos;         /* highest event seen, per broker and epoch */
    bool had_seq;           /* a position was kept: replays are news */
    char pos_path[4096];
    bool online;
    int64_t next_hello;     /* monotonic seconds of the next keepalive */

    /* officers, for names in the history */
    Sertel__Envelope *officers;
    int64_t officers_at;

    /* the inbox */
    Sertel__Envelope *inbox; /* CaseList reply, owns the cases */
    Sertel__Case **rows;     /* sorted view of its cases */
    size_t n_rows;
    int64_t inbox_at;        /* wall clock of the reply */
    int sel, top;
    char fresh[TUI_MAX_FRESH][CASE_ID_MAX + 1]; /* new dispositions not yet looked at */
    int n_fresh;
    bool inbox_stale;
    bool calendar_stale; /* a calendar load was pushed: ask for the new one */

    /* the open case */
    tui_view_t view;
    Sertel__Envelope *detail; /* CaseDetail reply */
    int64_t detail_at;
    char detail_id[CASE_ID_MAX + 1];
    tui_line_t *lines;
    int n_lines, lines_width;
    int detail_top;
    bool detail_stale;

    /* overlays */
    tui_form_t *form;
    bool help;

    /* the laporan printed last, which completing step 6 attaches */
    char laporan[4096];
    char laporan_case[CASE_ID_MAX + 1];

    char status[TUI_STATUS_MAX];
    bool status_error;
    bool quit;
} tui_t;

/* ---- tui_session.c */

/* Says Hello with the saved seq; true when the broker answered. A
 * refused key sets *denied. */
bool tui_hello(tui_t *t, bool *denied);
/* Drains pushed events (queued and on the socket), then fetches what
 * they made stale. Called after every wake-up. */
void tui_pump(tui_t *t);
/* Keepalive and reconnection; once a second. */
void tui_tick(tui_t *t);
/* Fetches the inbox / the open case now. */
void tui_fetch_inbox(tui_t *t);
void tui_fetch_detail(tui_t *t);
void tui_fetch_officers(tui_t *t);
/* One request: true with *reply on success. A refusal or a lost broker
 * is put on the status line (prefixed by what) and returns false. */
bool tui_call(tui_t *t, Sertel__Envelope *req, Sertel__Envelope **reply, const char *what);
/* "Name" of an enrolled officer, or the NIP itself. */
const char *tui_officer_name(tui_t *t, const char *nip);
/* The position file (position.h), shared with `sertel watch`. */
void tui_position_open(tui_t *t);

/* ---- tui_action.c */

typedef enum {
    ACT_COMPLETE = 1, ACT_RETURN, ACT_RESUME, ACT_REJECT, ACT_CONTACT, ACT_NOTIFY, ACT_TAKE,
    ACT_ATTACH, ACT_CERTIFICATE, ACT_INTAKE
} tui_action_t;
/* The action on a case bound to a key ('c', 'r', 'u', 'x', 'k', 'm', 't',
 * 'a', 's'), or 0. */
tui_action_t tui_action_for_key(wint_t key);
/* Opens the action's form on the case. */
void tui_action_open(tui_t *t, tui_action_t a, const char *case_id);
/* Reads the file at path (none when empty) with the commands' own code
 * (size limits, not empty); a problem goes to the status line. */
bool tui_read_files(tui_t *t, const char *path, officer_files_t *files);
/* Sends the submitted form; true when the broker did it (the form is
 * closed), false when it refused (the form stays open, reason shown). */
bool tui_action_send(tui_t *t);

/* ---- tui_intake.c */

/* The application form of `sertel receive` (step 1), with the letter's
 * file; sent by tui_action_send. */
void tui_intake_open(tui_t *t);
bool tui_intake_send(tui_t *t);

/* ---- tui_print.c */

/* Writes the case's laporan (laporan true) or lembar disposisi as PDF,
 * as `sertel print` does, into the current directory; names the file on
 * the status line and opens it with xdg-open when there is a display. */
void tui_print(tui_t *t, const char *case_id, bool laporan);

/* ---- tui_inbox.c */

void tui_inbox_set(tui_t *t, Sertel__Envelope *reply);
void tui_inbox_clear(tui_t *t);
void tui_inbox_draw(tui_t *t, int y, int height, int width, int64_t now);
/* Moves the selection (keys: arrows, page, home/end); true if used. */
bool tui_inbox_key(tui_t *t, wint_t key, int height);
const Sertel__Case *tui_inbox_selected(const tui_t *t);
/* "sisa 12 menit" / "terlambat 5 menit" / "waktu berhenti"; *level
 * is 0 (in time), 1 (past 80%), 2 (late). fetched_at is when the case
 * was read from the broker (its work_used is as of then). */
const char *tui_countdown(tui_t *t, const Sertel__Case *c, int64_t fetched_at, int64_t now,
                          char *buf, size_t len, int *level);
void tui_mark_fresh(tui_t *t, const char *case_id);
bool tui_is_fresh(const tui_t *t, const char *case_id);
void tui_unmark_fresh(tui_t *t, const char *case_id);

/* ---- tui_detail.c */

/* Opens a case: fetches it and switches to the detail view. */
void tui_detail_open(tui_t *t, const char *case_id);
void tui_detail_set(tui_t *t, Sertel__Envelope *reply);
void tui_detail_clear(tui_t *t);
/* Wraps the case's text to width (again only if width changed or force). */
void tui_detail_layout(tui_t *t, int width, bool force);
void tui_detail_draw(tui_t *t, int y, int height, int width, int64_t now);
bool tui_detail_key(tui_t *t, wint_t key, int height);

/* ---- tui_form.c */

typedef enum { FORM_GOING, FORM_SUBMIT, FORM_CANCEL } tui_form_result_t;
typedef enum { FIELD_TEXT, FIELD_CHOICE } tui_field_kind_t;

tui_form_t *tui_form_new(const char *title, int action, const char *case_id);
void tui_form_destroy(tui_form_t **f);
/* Adds a field; choices (NULL-terminated, codes shown as they are) for
 * FIELD_CHOICE. */
void tui_form_add(tui_form_t *f, tui_field_kind_t kind, const char *label, bool required,
                  size_t max_bytes, const char *const *choices);
/* A choice field whose entries are shown as labels and give values (both
 * copied): e.g. officers' names giving their NIPs. */
void tui_form_add_list(tui_form_t *f, const char *label, bool required,
                       const char *const *labels, const char *const *values, int n);
/* Puts a value in text field i (e.g. a file just written). */
void tui_form_set(tui_form_t *f, int i, const char *value);
tui_form_result_t tui_form_key(tui_form_t *f, int got, wint_t key);
/* Draws the form over the screen, scrolled to its focused field when not
 * all fit, with error (may be NULL) wrapped whole inside it. */
void tui_form_draw(tui_form_t *f, int lines, int cols, const char *error);
int tui_form_action(const tui_form_t *f);
const char *tui_form_case(const tui_form_t *f);
/* Field i's value as UTF-8 (valid until the next key). */
const char *tui_form_value(tui_form_t *f, int i);
void tui_form_focus(tui_form_t *f, int i);
/* The first required field left empty, or -1; focuses it. */
int tui_form_missing(tui_form_t *f);

/* ---- tui_draw.c */

/* Draws s at (y, x) in at most width columns, cut on a character
 * boundary with "…" when it does not fit, padded with spaces to width
 * when pad. Returns the columns drawn. */
int tui_put(int y, int x, const char *s, int width, bool pad);
/* Display columns of s. */
int tui_width(const char *s);
/* Word-wraps s to width columns; emit gets each piece (not terminated). */
void tui_wrap(const char *s, int width, void (*emit)(void *arg, const char *p, size_t n), void *arg);
void tui_colors_init(void);
int tui_attr(int pair);
void tui_status(tui_t *t, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void tui_draw_screen(tui_t *t, int64_t now);

/* ---- tui_sop.c */

tui_sops_t *tui_sops_load(void);
void tui_sops_destroy(tui_sops_t **s);
/* The step of that SOP, or NULL when no SOP file of that code is here. */
const sop_step_t *tui_sops_step(const tui_sops_t *s, const char *sop_code, int step);

/* ---- tui_main.c */

int64_t tui_monotonic(void);

#endif
