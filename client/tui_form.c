/* A small form drawn over the current view: text fields edited in place
 * (wide characters, scrolled sideways when longer than the box) and
 * choice fields. Enter sends, Esc cancels, Tab moves between fields.
 * The form only edits; what it sends is tui_action.c's business. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "i18n.h"
#include "tui_internal.h"

#define FORM_MAX_FIELDS 24
#define FORM_MAX_ERROR_LINES 6
#define FIELD_MAX_CHARS 512

typedef struct {
    tui_field_kind_t kind;
    char label[160];
    bool required;
    size_t max_bytes;
    const char *const *choices; /* the codes shown, and the values */
    char **labels, **values;    /* or owned: labels shown, values given */
    int choice, n_choices;
    wchar_t text[FIELD_MAX_CHARS + 1];
    int len, cur, scroll; /* in characters */
    char utf8[FIELD_MAX_CHARS * 4 + 1];
} field_t;

struct tui_form {
    char title[256];
    int action;
    char case_id[CASE_ID_MAX + 1];
    field_t f[FORM_MAX_FIELDS];
    int n, focus, top; /* top: first field shown when not all fit */
};

tui_form_t *tui_form_new(const char *title, int action, const char *case_id)
{
    tui_form_t *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    snprintf(f->title, sizeof f->title, "%s", title);
    snprintf(f->case_id, sizeof f->case_id, "%s", case_id);
    f->action = action;
    return f;
}

static void free_list(char **v, int n)
{
    for (int i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

void tui_form_destroy(tui_form_t **fp)
{
    if (fp && *fp) {
        for (int i = 0; i < (*fp)->n; i++) {
            free_list((*fp)->f[i].labels, (*fp)->f[i].n_choices);
            free_list((*fp)->f[i].values, (*fp)->f[i].n_choices);
        }
        free(*fp);
        *fp = NULL;
    }
}

static field_t *add(tui_form_t *f)
{
    return f && f->n < FORM_MAX_FIELDS ? &f->f[f->n++] : NULL;
}

void tui_form_add(tui_form_t *f, tui_field_kind_t kind, const char *label, bool required,
                  size_t max_bytes, const char *const *choices)
{
    field_t *d = add(f);
    if (!d)
        return;
    d->kind = kind;
    snprintf(d->label, sizeof d->label, "%s", label);
    d->required = required;
    d->max_bytes = max_bytes;
    d->choices = choices;
    while (choices && choices[d->n_choices])
        d->n_choices++;
}

void tui_form_add_list(tui_form_t *f, const char *label, bool required,
                       const char *const *labels, const char *const *values, int n)
{
    field_t *d = add(f);
    if (!d)
        return;
    d->kind = FIELD_CHOICE;
    d->required = required;
    snprintf(d->label, sizeof d->label, "%s", label);
    d->labels = calloc((size_t)(n ? n : 1), sizeof *d->labels);
    d->values = calloc((size_t)(n ? n : 1), sizeof *d->values);
    for (int i = 0; d->labels && d->values && i < n; i++) {
        d->labels[i] = strdup(labels[i]);
        d->values[i] = strdup(values[i]);
        if (!d->labels[i] || !d->values[i])
            break;
        d->n_choices = i + 1;
    }
    if (d->n_choices < n) { /* out of memory: the field offers nothing rather than half */
        free_list(d->labels, n);
        free_list(d->values, n);
        d->labels = d->values = NULL;
        d->n_choices = 0;
    }
}

void tui_form_set(tui_form_t *f, int i, const char *value)
{
    if (!f || i < 0 || i >= f->n || f->f[i].kind != FIELD_TEXT)
        return;
    field_t *d = &f->f[i];
    size_t n = mbstowcs(d->text, value, FIELD_MAX_CHARS);
    d->len = d->cur = n == (size_t)-1 ? 0 : (int)n;
}

int tui_form_action(const tui_form_t *f)
{
    return f->action;
}

const char *tui_form_case(const tui_form_t *f)
{
    return f->case_id;
}

/* The value as UTF-8, blanks at both ends dropped. */
const char *tui_form_value(tui_form_t *f, int i)
{
    if (i < 0 || i >= f->n)
        return "";
    field_t *d = &f->f[i];
    if (d->kind == FIELD_CHOICE)
        return !d->n_choices ? "" : d->values ? d->values[d->choice] : d->choices[d->choice];
    d->text[d->len] = L'\0';
    size_t n = wcstombs(d->utf8, d->text, sizeof d->utf8 - 1);
    if (n == (size_t)-1)
        n = 0;
    d->utf8[n] = '\0';
    char *s = d->utf8;
    while (*s == ' ')
        s++;
    size_t l = strlen(s);
    while (l && s[l - 1] == ' ')
        s[--l] = '\0';
    return s;
}

void tui_form_focus(tui_form_t *f, int i)
{
    if (i >= 0 && i < f->n)
        f->focus = i;
}

int tui_form_missing(tui_form_t *f)
{
    for (int i = 0; i < f->n; i++)
        if (f->f[i].required && !*tui_form_value(f, i)) {
            f->focus = i;
            return i;
        }
    return -1;
}

/* ---- editing */

static size_t utf8_bytes(const field_t *d, wchar_t extra)
{
    char mb[MB_LEN_MAX];
    size_t total = 0;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    for (int i = 0; i < d->len; i++) {
        size_t n = wcrtomb(mb, d->text[i], &st);
        total += n == (size_t)-1 ? 1 : n;
    }
    if (extra) {
        size_t n = wcrtomb(mb, extra, &st);
        total += n == (size_t)-1 ? 1 : n;
    }
    return total;
}

static void insert(field_t *d, wchar_t wc)
{
    if (d->len >= FIELD_MAX_CHARS || (d->max_bytes && utf8_bytes(d, wc) > d->max_bytes)) {
        beep();
        return;
    }
    wmemmove(d->text + d->cur + 1, d->text + d->cur, (size_t)(d->len - d->cur));
    d->text[d->cur++] = wc;
    d->len++;
}

static void erase_at(field_t *d, int at)
{
    if (at < 0 || at >= d->len)
        return;
    wmemmove(d->text + at, d->text + at + 1, (size_t)(d->len - at - 1));
    d->len--;
    if (d->cur > at)
        d->cur--;
}

static const char *choice_text(const field_t *d, int i)
{
    return d->labels ? d->labels[i] : d->choices[i];
}

static void choose(field_t *d, int delta)
{
    if (d->n_choices)
        d->choice = (d->choice + delta + d->n_choices) % d->n_choices;
}

tui_form_result_t tui_form_key(tui_form_t *f, int got, wint_t key)
{
    field_t *d = &f->f[f->focus];
    if (got == KEY_CODE_YES) {
        switch (key) {
        case KEY_ENTER:
            return FORM_SUBMIT;
        case KEY_DOWN:
            f->focus = (f->focus + 1) % f->n;
            break;
        case KEY_UP:
        case KEY_BTAB:
            f->focus = (f->focus + f->n - 1) % f->n;
            break;
        case KEY_LEFT:
            if (d->kind == FIELD_CHOICE)
                choose(d, -1);
            else if (d->cur > 0)
                d->cur--;
            break;
        case KEY_RIGHT:
            if (d->kind == FIELD_CHOICE)
                choose(d, 1);
            else if (d->cur < d->len)
                d->cur++;
            break;
        case KEY_HOME:
            d->cur = 0;
            break;
        case KEY_END:
            d->cur = d->len;
            break;
        case KEY_BACKSPACE:
            erase_at(d, d->cur - 1);
            break;
        case KEY_DC:
            erase_at(d, d->cur);
            break;
        default:
            break;
        }
        return FORM_GOING;
    }
    switch (key) {
    case 27: /* Esc */
        return FORM_CANCEL;
    case '\n':
    case '\r':
        return FORM_SUBMIT;
    case '\t':
        f->focus = (f->focus + 1) % f->n;
        return FORM_GOING;
    case 127:
    case 8:
        erase_at(d, d->cur - 1);
        return FORM_GOING;
    case 1: /* ^A */
        d->cur = 0;
        return FORM_GOING;
    case 5: /* ^E */
        d->cur = d->len;
        return FORM_GOING;
    case 21: /* ^U */
        d->len = d->cur = 0;
        return FORM_GOING;
    default:
        break;
    }
    if (d->kind == FIELD_CHOICE) {
        if (key == ' ')
            choose(d, 1);
        /* A typed first letter picks the choice that starts with it. */
        for (int i = 1; i <= d->n_choices && key < 128; i++) {
            int at = (d->choice + i) % d->n_choices; /* the next one, so repeats go round */
            if ((char)towlower((wint_t)choice_text(d, at)[0]) == (char)towlower(key)) {
                d->choice = at;
                break;
            }
        }
    } else if (iswprint(key)) {
        insert(d, (wchar_t)key);
    }
    return FORM_GOING;
}

/* ---- drawing */

static int wc_width(wchar_t wc)
{
    int w = wcwidth(wc);
    return w < 0 ? 1 : w;
}

/* Draws the field's text in width columns, scrolled so that the cursor
 * shows; returns the cursor's column. */
static int draw_text(field_t *d, int y, int x, int width)
{
    if (d->scroll > d->cur)
        d->scroll = d->cur;
    for (;;) { /* the cursor must fit, with one column for itself */
        int used = 0;
        for (int i = d->scroll; i < d->cur; i++)
            used += wc_width(d->text[i]);
        if (used < width || d->scroll >= d->cur)
            break;
        d->scroll++;
    }
    move(y, x);
    int used = 0, cursor = x;
    for (int i = d->scroll; i <= d->len; i++) {
        if (i == d->cur)
            cursor = x + used;
        if (i == d->len)
            break;
        int w = wc_width(d->text[i]);
        if (used + w > width)
            break;
        wchar_t one[2] = {d->text[i] < L' ' ? L'?' : d->text[i], L'\0'};
        addnwstr(one, 1);
        used += w;
    }
    for (; used < width; used++)
        addch(' ');
    return cursor;
}

static void draw_frame(int y0, int x0, int h, int w)
{
    attrset(A_NORMAL);
    for (int y = y0; y < y0 + h; y++)
        tui_put(y, x0, "", w, true);
    mvaddch(y0, x0, ACS_ULCORNER);
    mvhline(y0, x0 + 1, ACS_HLINE, w - 2);
    mvaddch(y0, x0 + w - 1, ACS_URCORNER);
    mvvline(y0 + 1, x0, ACS_VLINE, h - 2);
    mvvline(y0 + 1, x0 + w - 1, ACS_VLINE, h - 2);
    mvaddch(y0 + h - 1, x0, ACS_LLCORNER);
    mvhline(y0 + h - 1, x0 + 1, ACS_HLINE, w - 2);
    mvaddch(y0 + h - 1, x0 + w - 1, ACS_LRCORNER);
}

/* The refusal, wrapped whole inside the box (the lines it takes). */
typedef struct {
    char line[FORM_MAX_ERROR_LINES][512];
    int n;
    bool cut;
} err_lines_t;

static void keep_line(void *arg, const char *p, size_t n)
{
    err_lines_t *e = arg;
    if (e->n == FORM_MAX_ERROR_LINES) {
        e->cut = true;
        return;
    }
    snprintf(e->line[e->n++], sizeof e->line[0], "%.*s", (int)n, p);
}

/* Keeps the focused field among the shown ones. */
static void scroll_to_focus(tui_form_t *f, int shown)
{
    if (f->focus < f->top)
        f->top = f->focus;
    if (f->focus >= f->top + shown)
        f->top = f->focus - shown + 1;
    if (f->top > f->n - shown)
        f->top = f->n - shown;
    if (f->top < 0)
        f->top = 0;
}

/* One field at row y: its label (marked * when required) and value; the
 * value on the next row when roomy. Returns the cursor's column or -1. */
static int draw_field(field_t *d, bool focus, bool roomy, int lw, int y, int x0, int w, int *cy)
{
    attrset(focus ? A_BOLD : A_NORMAL);
    /* A label cut to fit keeps its mark. */
    int used = tui_put(y, x0 + 2, d->label, d->required ? lw - 2 : lw, false);
    if (d->required)
        tui_put(y, x0 + 2 + used, " *", 2, false);
    int fy = roomy ? y + 1 : y, fx = roomy ? x0 + 2 : x0 + 3 + lw;
    int fw = x0 + w - 2 - fx, cx = -1;
    attrset(focus ? A_REVERSE : A_UNDERLINE);
    if (d->kind == FIELD_CHOICE) {
        char c[320];
        snprintf(c, sizeof c, "◀ %s ▶", d->n_choices ? choice_text(d, d->choice) : "");
        tui_put(fy, fx, c, fw, true);
        cx = fx;
    } else {
        cx = draw_text(d, fy, fx, fw);
    }
    *cy = fy;
    return focus ? cx : -1;
}

void tui_form_draw(tui_form_t *f, int lines, int cols, const char *error)
{
    int w = cols - 4 < 76 ? cols - 4 : 76;
    if (w < 20)
        return; /* the screen says it is too small */
    err_lines_t e = {.n = 0};
    if (error && *error)
        tui_wrap(error, w - 4, keep_line, &e);
    /* Rows for the fields: the screen less its margins, the frame, the
     * hint line and the refusal. */
    int avail = lines - 2 - 2 - 1 - e.n;
    bool roomy = avail >= 2 * f->n;
    int shown = roomy ? f->n : avail < f->n ? avail : f->n;
    if (shown < 1)
        return;
    scroll_to_focus(f, shown);
    int h = 2 + (roomy ? 2 * f->n : shown) + 1 + e.n;
    int y0 = (lines - h) / 2, x0 = (cols - w) / 2;
    draw_frame(y0, x0, h, w);
    char title[320];
    snprintf(title, sizeof title, f->case_id[0] ? " %s — %s " : " %s ", f->title, f->case_id);
    attrset(A_BOLD);
    tui_put(y0, x0 + 2, title, w - 4, false);
    if (f->top > 0)
        tui_put(y0, x0 + w - 4, "↑", 1, false);
    if (f->top + shown < f->n)
        tui_put(y0 + h - 1, x0 + w - 4, "↓", 1, false);
    /* Side by side, the labels take what the widest needs, up to half. */
    int lw = w - 4;
    if (!roomy) {
        lw = 10;
        for (int i = 0; i < f->n; i++) {
            int need = tui_width(f->f[i].label) + (f->f[i].required ? 2 : 0);
            lw = need > lw ? need : lw;
        }
        lw = lw < (w - 4) / 2 ? lw : (w - 4) / 2;
    }
    int cy = -1, cx = -1, y = y0 + 1;
    for (int i = f->top; i < f->top + shown; i++) {
        int fy, at = draw_field(&f->f[i], i == f->focus, roomy, lw, y, x0, w, &fy);
        if (at >= 0)
            cy = fy, cx = at;
        y += roomy ? 2 : 1;
    }
    attrset(tui_attr(PAIR_ERROR) | A_BOLD);
    for (int i = 0; i < e.n; i++)
        tui_put(y + i, x0 + 2, e.line[i], w - 4, false);
    if (e.cut)
        tui_put(y + e.n - 1, x0 + w - 3, "…", 1, false);
    attrset(A_DIM);
    tui_put(y0 + h - 2, x0 + 2, _("* required · Enter send · Tab next · Esc cancel"), w - 4, false);
    attrset(A_NORMAL);
    if (cy >= 0) {
        curs_set(1);
        move(cy, cx);
    }
}
