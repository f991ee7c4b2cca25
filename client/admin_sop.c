/* sertel-admin sop: offline work on SOP files, so that whoever edits an
 * office's SOP sees what the broker will run (or why it will refuse the
 * file) before it is loaded. check and show need no broker, no keys, no
 * network; load (admin_ops.c) sends a checked file to the broker. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "admin.h"
#include "i18n.h"
#include "role.h"
#include "sop.h"

#define ERR_LEN 1024
#define WIDTH_DEFAULT 100
#define WIDTH_MIN 80  /* below this the table is unreadable anyway */
#define WIDTH_MAX 1000
#define BLANKS " \t"

/* ---- text in terminal columns ---------------------------------------- */

/* Display width as code points: right for the Latin text of an SOP, and
 * never cuts a character in half. */
static size_t text_width(const char *s, size_t len)
{
    size_t w = 0;
    for (size_t i = 0; i < len; i++)
        w += ((unsigned char)s[i] & 0xC0) != 0x80;
    return w;
}

/* Bytes of s that hold at most cols code points. */
static size_t bytes_for_width(const char *s, size_t len, size_t cols)
{
    size_t i = 0;
    for (size_t w = 0; i < len; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80 && w++ == cols)
            break;
    }
    return i;
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (!q) {
        fprintf(stderr, "sertel-admin: %s\n", _("out of memory"));
        exit(1);
    }
    return q;
}

typedef struct {
    char **v;
    size_t n;
} lines_t;

static void lines_add(lines_t *l, const char *prefix, const char *s, size_t len)
{
    size_t plen = strlen(prefix);
    char *line = xrealloc(NULL, plen + len + 1);
    memcpy(line, prefix, plen);
    memcpy(line + plen, s, len);
    line[plen + len] = '\0';
    l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
    l->v[l->n++] = line;
}

static void lines_free(lines_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    *l = (lines_t){0};
}

/* Word-wraps text into lines of at most width columns. The first line
 * starts with first, the others with next (both of the same width), which
 * gives list items their hanging indent. A word longer than a line is cut
 * at a character boundary rather than overflow the cell. */
static void wrap(lines_t *out, const char *text, size_t width, const char *first,
                 const char *next)
{
    size_t room = width > strlen(first) ? width - strlen(first) : 1;
    char *line = xrealloc(NULL, strlen(text) + 1);
    size_t len = 0, cols = 0, before = out->n;
    for (const char *s = text + strspn(text, BLANKS); *s; s += strspn(s, BLANKS)) {
        size_t wlen = strcspn(s, BLANKS), wcols = text_width(s, wlen);
        if (cols > 0 && cols + 1 + wcols > room) {
            lines_add(out, out->n > before ? next : first, line, len);
            len = cols = 0;
        }
        while (cols == 0 && wcols > room) {
            size_t cut = bytes_for_width(s, wlen, room);
            lines_add(out, out->n > before ? next : first, s, cut);
            s += cut, wlen -= cut, wcols -= room;
        }
        if (cols > 0)
            line[len++] = ' ', cols++;
        memcpy(line + len, s, wlen);
        len += wlen, cols += wcols;
        s += wlen;
    }
    if (len > 0 || out->n == before)
        lines_add(out, out->n > before ? next : first, line, len);
    free(line);
}

static int terminal_width(void)
{
    const char *env = getenv("COLUMNS");
    long w = env && *env ? strtol(env, NULL, 10) : 0;
    struct winsize ws;
    if (w <= 0 && isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
        w = ws.ws_col;
    if (w <= 0)
        w = WIDTH_DEFAULT;
    return w < WIDTH_MIN ? WIDTH_MIN : w > WIDTH_MAX ? WIDTH_MAX : (int)w;
}

/* ---- the table -------------------------------------------------------- */

enum { COL_NO, COL_ACTIVITY, COL_ACTOR, COL_INPUTS, COL_TIME, COL_OUTPUT, N_COLS };

/* The office's table. The weight 0 column is short and never wrapped; the
 * others share the terminal in proportion to their weight. */
static const struct {
    const char *title;
    unsigned weight;
} columns[N_COLS] = {
    [COL_NO] = {N_("No."), 0},
    [COL_ACTIVITY] = {N_("Activity"), 30},
    [COL_ACTOR] = {N_("Actor"), 16},
    [COL_INPUTS] = {N_("Inputs"), 27},
    [COL_TIME] = {N_("Time"), 0},
    [COL_OUTPUT] = {N_("Output"), 27},
};

/* "| " before each cell, " " after it, and the closing "|". */
#define TABLE_FRAME (3 * N_COLS + 1)
#define COL_MIN 6 /* a wrapped column is never narrower */

/* One cell: a paragraph, or a list whose items are drawn "- item". */
typedef struct {
    const char *const *items;
    size_t n;
    bool bullets;
    const char *text; /* the paragraph of a one-paragraph cell */
    char buf[256];
} cell_t;

static void cell_text(cell_t *c, const char *text)
{
    c->text = text;
    c->items = &c->text;
    c->n = 1;
    c->bullets = false;
}

static void cell_list(cell_t *c, const sop_list_t *list)
{
    c->items = (const char *const *)list->items;
    c->n = list->n;
    c->bullets = true;
}

static void step_cells(const sop_step_t *st, cell_t cells[N_COLS])
{
    cell_t *c = &cells[COL_NO];
    snprintf(c->buf, sizeof c->buf, "%d", st->number);
    cell_text(c, c->buf);
    cell_text(&cells[COL_ACTIVITY], st->activity);
    c = &cells[COL_ACTOR];
    snprintf(c->buf, sizeof c->buf, "%s%s%s", role_title(st->role),
             st->quals & QUAL_VERIFIKATOR ? " " : "",
             st->quals & QUAL_VERIFIKATOR ? _("(verifier)") : "");
    cell_text(c, c->buf);
    cell_list(&cells[COL_INPUTS], &st->inputs);
    c = &cells[COL_TIME];
    cell_text(c, sop_step_standard_text(st, c->buf, sizeof c->buf));
    cell_list(&cells[COL_OUTPUT], &st->outputs);
}

static void title_cells(cell_t cells[N_COLS])
{
    for (int i = 0; i < N_COLS; i++)
        cell_text(&cells[i], _(columns[i].title));
}

/* How wide a column would like to be (every item on one line) and how
 * narrow it can be without cutting a word. */
typedef struct {
    size_t natural, word;
} measure_t;

static void measure_cell(const cell_t *c, measure_t *m)
{
    size_t indent = c->bullets ? 2 : 0;
    for (size_t i = 0; i < c->n; i++) {
        const char *s = c->items[i];
        size_t w = indent + text_width(s, strlen(s));
        m->natural = w > m->natural ? w : m->natural;
        for (s += strspn(s, BLANKS); *s; s += strspn(s, BLANKS)) {
            size_t len = strcspn(s, BLANKS);
            w = indent + text_width(s, len);
            m->word = w > m->word ? w : m->word;
            s += len;
        }
    }
}

static void measure_columns(const sop_t *sop, measure_t m[N_COLS])
{
    cell_t cells[N_COLS];
    memset(m, 0, N_COLS * sizeof *m);
    title_cells(cells);
    for (int i = 0; i < N_COLS; i++)
        measure_cell(&cells[i], &m[i]);
    for (size_t s = 0; s < sop->n_steps; s++) {
        step_cells(&sop->steps[s], cells);
        for (int i = 0; i < N_COLS; i++)
            measure_cell(&cells[i], &m[i]);
    }
}

/* The wrapped column that is furthest below its share (width / weight)
 * and can still grow, or -1. */
static int neediest_column(const size_t width[N_COLS], const measure_t m[N_COLS])
{
    int best = -1;
    for (int i = 0; i < N_COLS; i++) {
        if (!columns[i].weight || width[i] >= m[i].natural)
            continue;
        if (best < 0 || width[i] * columns[best].weight < width[best] * columns[i].weight)
            best = i;
    }
    return best;
}

static int widest_column(const size_t width[N_COLS])
{
    int best = -1;
    for (int i = 0; i < N_COLS; i++)
        if (columns[i].weight && width[i] > COL_MIN && (best < 0 || width[i] > width[best]))
            best = i;
    return best;
}

/* Every column starts as wide as its longest word, so that words are cut
 * only when the terminal is too narrow for that; the widest columns give
 * way first then. What is left goes to the wrapped columns in proportion
 * to their weight, until each fits on one line or the terminal is full. */
static void column_widths(const sop_t *sop, int term_width, size_t width[N_COLS])
{
    measure_t m[N_COLS];
    measure_columns(sop, m);
    long room = term_width - TABLE_FRAME;
    for (int i = 0; i < N_COLS; i++) {
        width[i] = columns[i].weight ? m[i].word : m[i].natural;
        room -= (long)width[i];
    }
    for (int i; room < 0 && (i = widest_column(width)) >= 0; room++)
        width[i]--;
    for (int i; room > 0 && (i = neediest_column(width, m)) >= 0; room--)
        width[i]++;
}

static void print_rule(const size_t width[N_COLS], char c)
{
    for (int i = 0; i < N_COLS; i++) {
        putchar('+');
        for (size_t k = 0; k < width[i] + 2; k++)
            putchar(c);
    }
    puts("+");
}

static void print_row(const cell_t cells[N_COLS], const size_t width[N_COLS])
{
    lines_t lines[N_COLS] = {{0}};
    size_t height = 0;
    for (int i = 0; i < N_COLS; i++) {
        for (size_t k = 0; k < cells[i].n; k++)
            wrap(&lines[i], cells[i].items[k], width[i], cells[i].bullets ? "- " : "",
                 cells[i].bullets ? "  " : "");
        height = lines[i].n > height ? lines[i].n : height;
    }
    for (size_t row = 0; row < height; row++) {
        for (int i = 0; i < N_COLS; i++) {
            const char *s = row < lines[i].n ? lines[i].v[row] : "";
            size_t pad = width[i] - text_width(s, strlen(s));
            printf("| %s%*s ", s, (int)pad, "");
        }
        puts("|");
    }
    for (int i = 0; i < N_COLS; i++)
        lines_free(&lines[i]);
}

static void print_table(const sop_t *sop, int term_width)
{
    size_t width[N_COLS];
    cell_t cells[N_COLS];
    column_widths(sop, term_width, width);
    print_rule(width, '-');
    title_cells(cells);
    print_row(cells, width);
    print_rule(width, '=');
    for (size_t s = 0; s < sop->n_steps; s++) {
        step_cells(&sop->steps[s], cells);
        print_row(cells, width);
        print_rule(width, '-');
    }
}

/* "Label : value" lines, values wrapped under themselves. */
static void print_header(const sop_t *sop, int term_width)
{
    char boxes[1024];
    const struct {
        const char *label;
        const char *value;
    } rows[] = {
        {_("SOP number"), sop->number},
        {_("SOP name"), sop->name},
        {_("Unit"), sop->unit},
        {_("Agency"), sop->agency},
        {_("Instruction boxes"), sop_boxes_text(sop, boxes, sizeof boxes)},
    };
    size_t n = sizeof rows / sizeof rows[0], label_w = 0;
    for (size_t i = 0; i < n; i++) {
        size_t w = text_width(rows[i].label, strlen(rows[i].label));
        label_w = w > label_w ? w : label_w;
    }
    for (size_t i = 0; i < n; i++) {
        lines_t l = {0};
        wrap(&l, rows[i].value, (size_t)term_width - label_w - 3, "", "");
        for (size_t k = 0; k < l.n; k++) {
            size_t pad = label_w - text_width(rows[i].label, strlen(rows[i].label));
            if (k == 0)
                printf("%s%*s : %s\n", rows[i].label, (int)pad, "", l.v[k]);
            else
                printf("%*s   %s\n", (int)label_w, "", l.v[k]);
        }
        lines_free(&l);
    }
    putchar('\n');
}

/* ---- subcommands ------------------------------------------------------ */

static void usage_sop(FILE *to)
{
    fputs(_("Usage: sertel-admin sop COMMAND [ARGS...]\n"
            "\n"
            "Works on SOP definition files; only load needs the broker.\n"
            "\n"
            "Commands:\n"
            "  check FILE...   check SOP files; name the line of the first error\n"
            "  show FILE       print an SOP as the office's table\n"
            "  load FILE       check an SOP file and load it into the broker\n"
            "\n"
            "'sertel-admin sop COMMAND --help' describes a command.\n"), to);
}

static void usage_check(FILE *to)
{
    fputs(_("Usage: sertel-admin sop check FILE...\n"
            "\n"
            "Checks each SOP file as the broker would load it. Prints\n"
            "'FILE: OK' for a valid file, and 'FILE:LINE: reason' on standard\n"
            "error for the first error of an invalid one.\n"
            "\n"
            "Exit status: 0 when every file is valid, 1 otherwise.\n"), to);
}

static void usage_show(FILE *to)
{
    fputs(_("Usage: sertel-admin sop show FILE\n"
            "\n"
            "Prints the SOP's header and its steps as a table (No., Activity,\n"
            "Actor, Inputs, Time, Output), fitted to the terminal width\n"
            "(COLUMNS, at least 80 columns).\n"), to);
}

static bool is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

/* Options other than --help are mistakes; a file name never starts with
 * '-' in this office's usage, and the check keeps typos from being
 * reported as unreadable files. */
static int bad_option(char **args, int n, void (*usage)(FILE *))
{
    for (int i = 0; i < n; i++) {
        if (args[i][0] == '-' && args[i][1] != '\0') {
            fprintf(stderr, _("sertel-admin sop: unknown option '%s'\n"), args[i]);
            usage(stderr);
            return 1;
        }
    }
    return 0;
}

static int cmd_check(int argc, char **argv)
{
    if (argc < 2) {
        usage_check(stderr);
        return 1;
    }
    if (bad_option(argv + 1, argc - 1, usage_check))
        return 1;
    int status = 0;
    for (int i = 1; i < argc; i++) {
        char err[ERR_LEN];
        sop_t *sop = sop_load(argv[i], err, sizeof err);
        if (!sop) {
            fprintf(stderr, "%s\n", err);
            status = 1;
            continue;
        }
        printf(ngettext("%s: OK (%zu step)\n", "%s: OK (%zu steps)\n", sop->n_steps),
               argv[i], sop->n_steps);
        sop_destroy(&sop);
    }
    return status;
}

static int cmd_show(int argc, char **argv)
{
    if (argc != 2) {
        usage_show(stderr);
        return 1;
    }
    if (bad_option(argv + 1, 1, usage_show))
        return 1;
    char err[ERR_LEN];
    sop_t *sop = sop_load(argv[1], err, sizeof err);
    if (!sop) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    int width = terminal_width();
    print_header(sop, width);
    print_table(sop, width);
    sop_destroy(&sop);
    return 0;
}

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    void (*usage)(FILE *to);
} commands[] = {
    {"check", cmd_check, usage_check},
    {"show", cmd_show, usage_show},
    {"load", admin_sop_load_main, admin_sop_load_usage},
};

int admin_sop_main(int argc, char **argv)
{
    if (argc < 2) {
        usage_sop(stderr);
        return 1;
    }
    if (is_help(argv[1])) {
        usage_sop(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(argv[1], commands[i].name) != 0)
            continue;
        for (int a = 2; a < argc; a++) {
            if (is_help(argv[a])) {
                commands[i].usage(stdout);
                return 0;
            }
        }
        return commands[i].run(argc - 1, argv + 1);
    }
    fprintf(stderr, _("sertel-admin sop: unknown command '%s'\n"), argv[1]);
    usage_sop(stderr);
    return 1;
}
