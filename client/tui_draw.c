/* Text in columns (UTF-8, wide characters counted by their display
 * width), the header and status lines, and the help screen. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "i18n.h"
#include "tui_internal.h"

/* One character of s at *i: its wide value and display width. Invalid
 * bytes and control characters show as one replacement column, so
 * whatever the broker sends cannot move the cursor. */
static wchar_t next_char(const char *s, size_t *i, int *w)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    wchar_t wc;
    size_t n = mbrtowc(&wc, s + *i, MB_CUR_MAX, &st);
    if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
        *i += 1;
        *w = 1;
        return L'?';
    }
    *i += n;
    int cw = wcwidth(wc);
    if (cw < 0) {
        *w = 1;
        return L' ';
    }
    *w = cw;
    return wc;
}

int tui_width(const char *s)
{
    int total = 0, w;
    for (size_t i = 0; s[i];) {
        next_char(s, &i, &w);
        total += w;
    }
    return total;
}

int tui_put(int y, int x, const char *s, int width, bool pad)
{
    if (width <= 0)
        return 0;
    if (!s)
        s = "";
    size_t len = strlen(s);
    wchar_t stack[256];
    wchar_t *buf = len < sizeof stack / sizeof stack[0] ? stack : malloc((len + 2) * sizeof *buf);
    if (!buf)
        return 0;
    bool cut = tui_width(s) > width;
    int limit = cut ? width - 1 : width, used = 0, w;
    size_t n = 0;
    for (size_t i = 0; s[i];) {
        wchar_t wc = next_char(s, &i, &w);
        if (used + w > limit)
            break;
        if (w == 0 && n == 0)
            continue; /* a combining mark with nothing to combine with */
        buf[n++] = wc;
        used += w;
    }
    if (cut) {
        buf[n++] = L'…';
        used++;
    }
    if (n)
        mvaddnwstr(y, x, buf, (int)n);
    else
        move(y, x);
    for (; pad && used < width; used++)
        addch(' ');
    if (buf != stack)
        free(buf);
    return used;
}

void tui_wrap(const char *s, int width, void (*emit)(void *arg, const char *p, size_t n), void *arg)
{
    if (width < 1)
        width = 1;
    size_t start = 0, i = 0, brk = 0; /* brk: after the last blank on the line */
    int used = 0, w;
    while (s[i]) {
        if (s[i] == '\n') {
            emit(arg, s + start, i - start);
            start = ++i;
            brk = 0;
            used = 0;
            continue;
        }
        size_t at = i;
        next_char(s, &i, &w);
        if (used + w > width && at > start) {
            size_t end = s[at] == ' ' ? at : brk > start ? brk : at;
            size_t next = end;
            while (end > start && s[end - 1] == ' ')
                end--;
            emit(arg, s + start, end - start);
            while (s[next] == ' ')
                next++;
            start = next;
            i = next;
            brk = 0;
            used = 0;
            continue;
        }
        used += w;
        if (s[at] == ' ')
            brk = i;
    }
    if (i > start || start == 0)
        emit(arg, s + start, i - start);
}

static bool colors;

void tui_colors_init(void)
{
    if (!has_colors() || start_color() == ERR)
        return;
    use_default_colors();
    init_pair(PAIR_LATE, COLOR_RED, -1);
    init_pair(PAIR_WARN, COLOR_YELLOW, -1);
    init_pair(PAIR_FRESH, COLOR_GREEN, -1);
    init_pair(PAIR_ERROR, COLOR_WHITE, COLOR_RED);
    init_pair(PAIR_BAR, COLOR_BLACK, COLOR_CYAN);
    init_pair(PAIR_OK, COLOR_GREEN, -1);
    colors = true;
}

int tui_attr(int pair)
{
    if (colors)
        return COLOR_PAIR(pair);
    /* Without colours: lateness and errors stand out, the rest is plain. */
    return pair == PAIR_LATE || pair == PAIR_ERROR ? A_BOLD : pair == PAIR_BAR ? A_REVERSE : 0;
}

void tui_status(tui_t *t, bool error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->status, sizeof t->status, fmt, ap);
    va_end(ap);
    t->status_error = error;
}

static void draw_header(tui_t *t, int width, int64_t now)
{
    char left[256], clock[64];
    const char *view = t->view == VIEW_DETAIL ? t->detail_id : _("Inbox");
    if (t->view == VIEW_INBOX)
        snprintf(left, sizeof left, "Sertel — %s (%zu)", view, t->n_rows);
    else
        snprintf(left, sizeof left, "Sertel — %s", view);
    calendar_format_time(t->cal, now, clock, sizeof clock);
    attrset(tui_attr(PAIR_BAR) | A_BOLD);
    int cw = tui_width(clock);
    tui_put(0, 0, left, width, true);
    if (width > cw + tui_width(left) + 2)
        tui_put(0, width - cw - 1, clock, cw, false);
    attrset(A_NORMAL);
}

/* A message too long for the status line (a refusal, a file's path) is
 * shown whole, wrapped over the lines above it (at most a third of the
 * screen). */
typedef struct {
    int y, x, width, n, max;
} wrap_at_t;

static void put_piece(void *arg, const char *p, size_t n)
{
    wrap_at_t *w = arg;
    char line[TUI_STATUS_MAX];
    snprintf(line, sizeof line, "%.*s", (int)n, p);
    if (w->n < w->max)
        tui_put(w->y + w->n, w->x, line, w->width, true);
    w->n++;
}

static int count_piece_lines(const char *s, int width)
{
    wrap_at_t w = {.max = 0};
    tui_wrap(s, width, put_piece, &w);
    return w.n;
}

/* Returns the lines the message took above y (0 when it fits the status
 * line beside the name, or a form shows it). */
static int draw_long_status(tui_t *t, int y, int width, int height)
{
    if (!t->status[0] || t->form || tui_width(t->status) + 27 <= width)
        return 0;
    int n = count_piece_lines(t->status, width - 2), max = height / 3 > 1 ? height / 3 : 1;
    if (n > max)
        n = max;
    wrap_at_t w = {.y = y - n, .x = 1, .width = width - 2, .max = n};
    attrset(t->status_error ? tui_attr(PAIR_ERROR) | A_BOLD : tui_attr(PAIR_BAR) | A_BOLD);
    for (int i = 0; i < n; i++)
        tui_put(y - n + i, 0, "", width, true);
    tui_wrap(t->status, width - 2, put_piece, &w);
    attrset(A_NORMAL);
    return n;
}

/* The connection, who is signed in, then the last message; a long
 * message makes the name give way, down to 24 columns (a refusal longer
 * than that is shown whole above, by draw_long_status). */
static void draw_status(tui_t *t, int y, int width, bool with_message)
{
    char who[512];
    const char *conn = t->online ? _("connected") : _("disconnected");
    snprintf(who, sizeof who, "[%s] %s — %s", conn, t->name[0] ? t->name : t->nip,
             role_title(t->role));
    int who_w = tui_width(who), msg_w = t->status[0] && with_message ? tui_width(t->status) : 0;
    int room = who_w;
    if (msg_w && who_w + 3 + msg_w > width) {
        room = width - 3 - msg_w;
        if (room < (who_w < 24 ? who_w : 24))
            room = who_w < 24 ? who_w : 24;
    }
    if (room > width)
        room = width;
    attrset(tui_attr(PAIR_BAR));
    tui_put(y, 0, "", width, true);
    tui_put(y, 0, who, room, false);
    if (msg_w && width - room > 3) {
        mvaddstr(y, room, " | ");
        attrset(t->status_error ? tui_attr(PAIR_ERROR) | A_BOLD : tui_attr(PAIR_BAR) | A_BOLD);
        tui_put(y, room + 3, t->status, width - room - 3, false);
    }
    attrset(A_NORMAL);
}

/* Whether the case on screen (open, or selected) waits in a role's pool:
 * only then is 't take' worth offering. */
static bool pool_case_shown(const tui_t *t)
{
    const Sertel__Case *c = t->view == VIEW_DETAIL && t->detail && t->detail->case_detail
                                ? t->detail->case_detail->case_
                                : tui_inbox_selected(t);
    return c && c->state == SERTEL__CASE_STATE__STATE_OPEN && (!c->assignee || !*c->assignee);
}

static void draw_keys(tui_t *t, int y, int width)
{
    /* [view is detail][a pool case is shown] */
    static const char *const browse[2][2] = {
        {N_("Enter open n new c complete a attach s cert p laporan ? help q quit"),
         N_("Enter open n new t take c complete a attach s cert p laporan ? help q quit")},
        {N_("Esc back c complete k contact a attach s cert p laporan ? help q quit"),
         N_("Esc back t take c complete k contact a attach s cert p laporan ? help q quit")},
    };
    const char *keys = t->form   ? _("Enter send  Tab next field  Esc cancel")
                       : t->help ? _("any key: back")
                                 : _(browse[t->view == VIEW_DETAIL][pool_case_shown(t)]);
    attrset(A_DIM);
    tui_put(y, 0, keys, width, true);
    attrset(A_NORMAL);
}

static void draw_help(int height, int width)
{
    static const char *const lines[] = {
        N_("Sertel — keys"),
        N_("Up/Down, PgUp/PgDn, Home/End  move in the inbox or scroll the case"),
        N_("Enter  open the selected case     Esc, Left, Backspace  back to the inbox"),
        N_("n   register a new application (step 1): the form of `sertel receive`"),
        N_("t   take the case from your role's pool (it leaves the others' inbox)"),
        N_("c   complete the step and dispose it (to whom: a list of names; instruction,"),
        N_("    note, a file to attach: the laporan just printed at step 6)"),
        N_("r   return to the applicant (reason)   u   resume: the applicant answered"),
        N_("x   reject the application (reason)"),
        N_("k   log a contact with the applicant (channel, summary)"),
        N_("m   write to the applicant (channel, template or message)"),
        N_("a   attach a file to the case (its path)"),
        N_("s   record the renewed certificate (its file, DER or PEM)"),
        N_("p   write the laporan as PDF (and open it);  l   the lembar disposisi"),
        N_("g   fetch the inbox again      ?   this help      q   quit"),
        N_("In a form: Tab/Down next field, Shift-Tab/Up previous, Left/Right or"),
        N_("Space choose, Enter send, Esc cancel; * marks a field that must be filled."),
        N_("* before a case: a disposition that reached you, not looked at yet."),
        N_("The countdown is working time left against the step's Mutu Baku."),
    };
    for (int i = 1; i < height - 2; i++) {
        move(i, 0);
        clrtoeol();
    }
    for (size_t i = 0; i < sizeof lines / sizeof lines[0] && (int)i + 1 < height - 2; i++) {
        attrset(i == 0 ? A_BOLD : A_NORMAL);
        tui_put((int)i + 1, 2, _(lines[i]), width - 3, false);
    }
    attrset(A_NORMAL);
}

void tui_draw_screen(tui_t *t, int64_t now)
{
    int height = LINES, width = COLS;
    erase();
    if (height < 5 || width < 20) {
        tui_put(0, 0, _("Terminal too small"), width, false);
        refresh();
        return;
    }
    draw_header(t, width, now);
    int body = height - 3;
    if (t->help)
        draw_help(height, width);
    else if (t->view == VIEW_DETAIL)
        tui_detail_draw(t, 1, body, width, now);
    else
        tui_inbox_draw(t, 1, body, width, now);
    draw_keys(t, height - 2, width);
    bool above = draw_long_status(t, height - 1, width, height) > 0;
    draw_status(t, height - 1, width, !above);
    if (t->form)
        tui_form_draw(t->form, height, width, t->status_error ? t->status : NULL);
    else
        curs_set(0);
    refresh();
}
