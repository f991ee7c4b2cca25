/* SOP loader: plain text in, read-only sop_t out.
 *
 * Strict and all-or-nothing: a half-understood SOP would run cases against
 * rules nobody wrote, so the first doubt stops the load, and the message
 * names the file and line so that the clerk who edited it can fix it.
 *
 * The file is read line by line. A "key: value" line opens a pending
 * value; indented lines right after it extend it; the next key line, a
 * blank line, a comment or the end of the file hands it to the key's
 * handler. What each key is, where it may appear and how its value is
 * read is one row of keys[] below. */
#include "sop.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "filetype.h"
#include "i18n.h"
#include "text.h"
#include "validate.h"

#define SOP_MAX_LINE 4096             /* bytes, without the newline */
#define SOP_MAX_FILE (1024 * 1024)    /* sop_load refuses anything larger */
#define SOP_MAX_AMOUNT 9999           /* of a Mutu Baku, and of a step number */

typedef struct parser parser_t;

/* Reads a non-empty value into field (a member of sop_t or sop_step_t). */
typedef bool (*set_fn)(parser_t *p, void *field, char *value);

enum section { SEC_HEADER, SEC_STEP, SEC_ANY };

enum {
    K_REQUIRED = 1u << 0, /* must appear in its section (lists: with an item) */
    K_REPEATS = 1u << 1,  /* may appear more than once in its section */
    K_EMPTY_OK = 1u << 2, /* an empty value leaves the field unfilled */
    K_LIST = 1u << 3,     /* the field is a sop_list_t; each line adds an item */
};

#define LIST (K_LIST | K_REPEATS | K_EMPTY_OK)

typedef struct {
    const char *name;
    enum section section;
    set_fn set;
    size_t offset;
    unsigned flags;
} key_def_t;

static bool set_text(parser_t *p, void *field, char *value);
static bool set_code(parser_t *p, void *field, char *value);
static bool set_date(parser_t *p, void *field, char *value);
static bool add_item(parser_t *p, void *field, char *value);
static bool set_role(parser_t *p, void *field, char *value);
static bool set_quals(parser_t *p, void *field, char *value);
static bool set_requires(parser_t *p, void *field, char *value);
static bool set_time(parser_t *p, void *field, char *value);
static bool start_step(parser_t *p, void *field, char *value);
static bool add_box(parser_t *p, void *field, char *value);
static bool set_percent(parser_t *p, void *field, char *value);
static bool set_stand_in(parser_t *p, void *field, char *value);
static bool set_separation(parser_t *p, void *field, char *value);
static bool add_file_types(parser_t *p, void *field, char *value);

#define H(f) offsetof(sop_t, f)
#define S(f) offsetof(sop_step_t, f)

static const key_def_t keys[] = {
    {"kode", SEC_HEADER, set_code, H(code), K_REQUIRED},
    {"nomor", SEC_HEADER, set_text, H(number), K_REQUIRED},
    {"nama", SEC_HEADER, set_text, H(name), K_REQUIRED},
    {"instansi", SEC_HEADER, set_text, H(agency), K_REQUIRED},
    {"unit", SEC_HEADER, set_text, H(unit), K_REQUIRED},
    /* The printed SOP leaves revision and effective dates blank. */
    {"tanggal-pembuatan", SEC_HEADER, set_date, H(made_on), K_EMPTY_OK},
    {"tanggal-revisi", SEC_HEADER, set_date, H(revised_on), K_EMPTY_OK},
    {"tanggal-efektif", SEC_HEADER, set_date, H(effective_on), K_EMPTY_OK},
    {"disahkan-oleh", SEC_HEADER, set_text, H(approved_by), K_EMPTY_OK},
    {"dasar-hukum", SEC_HEADER, add_item, H(legal_basis), LIST},
    {"kualifikasi", SEC_HEADER, add_item, H(qualifications), LIST},
    {"peralatan", SEC_HEADER, add_item, H(equipment), LIST},
    {"peringatan", SEC_HEADER, add_item, H(warnings), LIST},
    {"pencatatan", SEC_HEADER, add_item, H(records), LIST},
    {"keterkaitan", SEC_HEADER, add_item, H(related), LIST},
    /* The lembar disposisi's "dengan hormat harap" boxes, one per line. */
    {"kotak-disposisi", SEC_HEADER, add_box, H(boxes), LIST},
    /* Urgency may shorten every step's Mutu Baku: "50%". */
    {"waktu-segera", SEC_HEADER, set_percent, H(urgency_percent[2]), K_EMPTY_OK},
    {"waktu-sangat-segera", SEC_HEADER, set_percent, H(urgency_percent[3]), K_EMPTY_OK},
    /* Who may be Plt/Plh of whom: "kadis = kabid", one line per role. */
    {"plt-plh", SEC_HEADER, set_stand_in, H(stand_in), K_REPEATS},
    /* "tidak" lets the officer who registered a letter dispose it as Plt/Plh. */
    {"pisah-tugas", SEC_HEADER, set_separation, H(no_separation), K_EMPTY_OK},
    /* What the letter and the laporan may be, judged by content: "pdf, png". */
    {"jenis-berkas", SEC_HEADER, add_file_types, H(file_types), K_REPEATS},
    /* Repeats by nature: each one opens the next step. */
    {"langkah", SEC_ANY, start_step, 0, K_REPEATS},
    {"kegiatan", SEC_STEP, set_text, S(activity), K_REQUIRED},
    {"pelaksana", SEC_STEP, set_role, S(role), K_REQUIRED},
    {"kualifikasi-pelaksana", SEC_STEP, set_quals, S(quals), K_EMPTY_OK},
    {"kelengkapan", SEC_STEP, add_item, S(inputs), K_REQUIRED | LIST},
    {"syarat", SEC_STEP, set_requires, S(requires), K_EMPTY_OK},
    /* Amount and unit together; the handler gets the whole step. */
    {"waktu", SEC_STEP, set_time, 0, K_REQUIRED},
    {"output", SEC_STEP, add_item, S(outputs), LIST},
    {"keterangan", SEC_STEP, set_text, S(remark), K_EMPTY_OK},
};

#undef H
#undef S
#undef LIST

#define N_KEYS (sizeof keys / sizeof keys[0])

static const struct {
    const char *code;
    unsigned bit;
} requirements[] = {
    {"surat", REQ_SURAT},
    {"instruksi", REQ_INSTRUKSI},
    {"kontak", REQ_KONTAK},
    {"sertifikat", REQ_SERTIFIKAT},
    {"laporan", REQ_LAPORAN},
};

static const struct {
    const char *word;
    dur_unit_t unit;
} time_units[] = {
    {"menit", DUR_MINUTES},
    {"jam", DUR_HOURS},
    {"hari", DUR_DAYS},
};

struct parser {
    const char *file;
    char *err;
    size_t errlen;
    sop_t *sop;
    sop_step_t *step;    /* the step being read; NULL while in the header */
    int step_line;       /* line of its "langkah" */
    int line;            /* line being read */
    int at;              /* the line errors name */
    int seen[N_KEYS];    /* line of each key's first use in its section */
    int pend;            /* key whose value is still being read, or -1 */
    int pend_line;
    char *val;           /* that value so far */
    size_t val_len, val_cap;
};

/* Records the first error; every caller returns its result straight up. */
__attribute__((format(printf, 2, 3)))
static bool fail(parser_t *p, const char *fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    diag_at(p->err, p->errlen, p->file, p->at, "%s", reason);
    return false;
}

/* ---- value handlers ------------------------------------------------ */

static bool set_text(parser_t *p, void *field, char *value)
{
    char **slot = field;
    *slot = strdup(value);
    return *slot ? true : fail(p, "%s", _("out of memory"));
}

/* The code names the SOP in commands and on the wire, so it is kept to
 * characters that need no quoting anywhere. */
static bool set_code(parser_t *p, void *field, char *value)
{
    if (strspn(value, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(value))
        return fail(p, _("invalid code '%s': use only lowercase letters, digits and '-'"),
                    value);
    return set_text(p, field, value);
}

static bool date_shape_ok(const char *s)
{
    static const char shape[] = "dddd-dd-dd";
    if (strlen(s) != sizeof shape - 1)
        return false;
    for (size_t i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
            return false;
    return true;
}

static bool set_date(parser_t *p, void *field, char *value)
{
    if (!date_shape_ok(value) ||
        !date_is_real(atoi(value), atoi(value + 5), atoi(value + 8)))
        return fail(p, _("invalid date '%s': expected a real day as YYYY-MM-DD"), value);
    return set_text(p, field, value);
}

static bool add_item(parser_t *p, void *field, char *value)
{
    sop_list_t *list = field;
    char *item = strdup(value);
    char **items = item ? realloc(list->items, (list->n + 1) * sizeof *items) : NULL;
    if (!items) {
        free(item);
        return fail(p, "%s", _("out of memory"));
    }
    items[list->n++] = item;
    list->items = items;
    return true;
}

/* A box is matched without case, '-' or spaces, so that it can be typed
 * on a command line; the SOP's spelling is what is kept and printed. */
const char *sop_box(const sop_t *sop, const char *name)
{
    for (size_t i = 0; sop && name && i < sop->boxes.n; i++)
        if (text_same_skipping(sop->boxes.items[i], name, " -"))
            return sop->boxes.items[i];
    return NULL;
}

const char *sop_boxes_text(const sop_t *sop, char *buf, size_t len)
{
    buf[0] = '\0';
    for (size_t i = 0; sop && i < sop->boxes.n; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s%s", i ? ", " : "", sop->boxes.items[i]);
    }
    if (!buf[0])
        snprintf(buf, len, "%s", _("none"));
    return buf;
}

int sop_urgency_percent(const sop_t *sop, int urgency)
{
    if (!sop || urgency < 0 || urgency > 3 || sop->urgency_percent[urgency] <= 0)
        return 100;
    return sop->urgency_percent[urgency];
}

static bool add_box(parser_t *p, void *field, char *value)
{
    if (strlen(value) > BOX_TEXT_MAX)
        return fail(p, _("box '%s' is longer than %d characters"), value, BOX_TEXT_MAX);
    if (sop_box(p->sop, value))
        return fail(p, _("duplicate box '%s'"), value);
    if (p->sop->boxes.n >= SOP_MAX_BOXES)
        return fail(p, _("too many boxes (at most %d)"), SOP_MAX_BOXES);
    return add_item(p, field, value);
}

/* Plain decimal digits, at most 9 so that it fits an int: "+1", "1a" or
 * "satu" are not numbers here. */
static bool parse_number(const char *s, int *out)
{
    size_t n = strspn(s, "0123456789");
    if (n == 0 || n > 9 || s[n] != '\0')
        return false;
    *out = atoi(s);
    return true;
}

/* Admin and notifier are roles of the system, not of the SOP. */
static bool set_role(parser_t *p, void *field, char *value)
{
    role_t r = role_from_code(value);
    if (r == ROLE_NONE || r == ROLE_ADMIN || r == ROLE_NOTIFIER)
        return fail(p, _("unknown role '%s' (expected staf, jf, kabid or kadis)"), value);
    *(role_t *)field = r;
    return true;
}

/* Next comma-separated item of *cursor, trimmed; NULL after the last. */
static char *next_item(char **cursor)
{
    if (!*cursor)
        return NULL;
    char *item = *cursor;
    char *comma = strchr(item, ',');
    if (comma)
        *comma = '\0';
    *cursor = comma ? comma + 1 : NULL;
    return text_trim(item);
}

static bool set_quals(parser_t *p, void *field, char *value)
{
    unsigned *bits = field;
    for (char *it; (it = next_item(&value)) != NULL;) {
        unsigned q = qual_from_code(it);
        if (!q)
            return fail(p, _("unknown qualification '%s' (expected verifikator)"), it);
        *bits |= q;
    }
    return true;
}

static unsigned requirement_bit(const char *code)
{
    for (size_t i = 0; i < sizeof requirements / sizeof requirements[0]; i++)
        if (strcmp(code, requirements[i].code) == 0)
            return requirements[i].bit;
    return 0;
}

static bool set_requires(parser_t *p, void *field, char *value)
{
    unsigned *bits = field;
    for (char *it; (it = next_item(&value)) != NULL;) {
        unsigned b = requirement_bit(it);
        if (!b)
            return fail(p, _("unknown syarat '%s' (expected surat, instruksi, kontak, "
                             "sertifikat or laporan)"), it);
        *bits |= b;
    }
    return true;
}

static bool set_percent(parser_t *p, void *field, char *value)
{
    size_t len = strlen(value);
    int n;
    if (len < 2 || value[len - 1] != '%')
        return fail(p, _("invalid share '%s': expected a percentage from 1%% to 100%%"), value);
    value[len - 1] = '\0';
    bool ok = parse_number(text_trim(value), &n) && n >= 1 && n <= 100;
    value[len - 1] = '%';
    if (!ok)
        return fail(p, _("invalid share '%s': expected a percentage from 1%% to 100%%"), value);
    *(int *)field = n;
    return true;
}

static bool set_stand_in(parser_t *p, void *field, char *value)
{
    unsigned *table = field;
    char *eq = strchr(value, '=');
    if (eq)
        *eq = '\0';
    role_t holder = role_from_code(text_trim(value));
    if (!eq || holder == ROLE_NONE || holder == ROLE_ADMIN)
        return fail(p, _("invalid plt-plh '%s': expected a role, '=' and the roles that may "
                         "stand in for it, e.g. \"kadis = kabid\""), value);
    if (table[holder])
        return fail(p, _("plt-plh for %s is given twice"), role_code(holder));
    char *list = eq + 1;
    for (char *it; (it = next_item(&list)) != NULL;) {
        role_t r = role_from_code(it);
        if (r == ROLE_NONE || r == ROLE_ADMIN)
            return fail(p, _("unknown role '%s' (expected staf, jf, kabid or kadis)"), it);
        table[holder] |= 1u << r;
    }
    return table[holder] ? true : fail(p, _("plt-plh for %s names no role"), role_code(holder));
}

static bool set_separation(parser_t *p, void *field, char *value)
{
    if (strcmp(value, "ya") != 0 && strcmp(value, "tidak") != 0)
        return fail(p, _("invalid pisah-tugas '%s': expected ya or tidak"), value);
    *(int *)field = strcmp(value, "tidak") == 0;
    return true;
}

static bool add_file_types(parser_t *p, void *field, char *value)
{
    unsigned *mask = field;
    for (char *it; (it = next_item(&value)) != NULL;) {
        unsigned t = filetype_from_name(it);
        if (!t)
            return fail(p, _("unknown jenis-berkas '%s' (expected pdf, png or jpeg)"), it);
        *mask |= t;
    }
    return true;
}

unsigned sop_file_types(const sop_t *sop)
{
    return sop && sop->file_types ? sop->file_types : FILETYPE_PDF;
}

bool sop_may_stand_in(const sop_t *sop, role_t holder, role_t by)
{
    if ((int)holder <= 0 || holder >= ROLE_ADMIN || (int)by <= 0 || by >= ROLE_ADMIN)
        return false;
    if (sop && sop->stand_in[holder])
        return (sop->stand_in[holder] >> by) & 1u;
    return by == holder || role_superior(by) == holder;
}

/* "N menit|jam|hari". The unit is matched without case because the
 * printed SOP itself writes "1 Hari". */
static bool set_time(parser_t *p, void *field, char *value)
{
    sop_step_t *st = field;
    char *sep = value + strcspn(value, " "), *unit = sep;
    if (*sep) {
        *sep = '\0';
        unit = text_trim(sep + 1);
    }
    int amount;
    for (size_t i = 0; i < sizeof time_units / sizeof time_units[0]; i++) {
        if (strcasecmp(unit, time_units[i].word) == 0 && parse_number(value, &amount) &&
            amount >= 1 && amount <= SOP_MAX_AMOUNT) {
            st->std_amount = amount;
            st->std_unit = time_units[i].unit;
            return true;
        }
    }
    if (sep != unit)
        *sep = ' '; /* show the value as written */
    return fail(p, _("invalid time '%s': expected 'N menit', 'N jam' or 'N hari' "
                     "with N from 1 to %d"), value, SOP_MAX_AMOUNT);
}

/* ---- steps ---------------------------------------------------------- */

static const key_def_t *missing_required(const parser_t *p, enum section sec,
                                         const void *base)
{
    for (size_t i = 0; i < N_KEYS; i++) {
        const key_def_t *k = &keys[i];
        if (k->section != sec || !(k->flags & K_REQUIRED))
            continue;
        const sop_list_t *list = (const void *)((const char *)base + k->offset);
        if (!p->seen[i] || ((k->flags & K_LIST) && list->n == 0))
            return k;
    }
    return NULL;
}

/* Named at the step's "langkah" line: that is where the clerk looks. */
static bool close_step(parser_t *p)
{
    if (!p->step)
        return true;
    const key_def_t *k = missing_required(p, SEC_STEP, p->step);
    if (!k)
        return true;
    p->at = p->step_line;
    return fail(p, _("step %d: missing required field '%s'"), p->step->number, k->name);
}

/* Steps are numbered 1..n in order so that "step N" means the same in the
 * file, on screen and in the engine. */
static bool check_step_number(parser_t *p, int n)
{
    int expected = (int)p->sop->n_steps + 1;
    if (n == 0 || (expected == 1 && n != 1))
        return fail(p, _("steps must start at 1, found step %d"), n);
    if (n < expected)
        return fail(p, _("duplicate step %d"), n);
    if (p->sop->n_steps == SOP_MAX_STEPS)
        return fail(p, _("too many steps (at most %d)"), SOP_MAX_STEPS);
    if (n != expected)
        return fail(p, _("expected step %d, found step %d (steps are numbered without gaps)"),
                    expected, n);
    return true;
}

static bool start_step(parser_t *p, void *field, char *value)
{
    (void)field;
    int n;
    if (!close_step(p))
        return false;
    if (!parse_number(value, &n))
        return fail(p, _("step number '%s' is not a number"), value);
    if (!check_step_number(p, n))
        return false;
    p->step = &p->sop->steps[p->sop->n_steps++];
    p->step->number = n;
    p->step_line = p->at;
    for (size_t i = 0; i < N_KEYS; i++)
        if (keys[i].section == SEC_STEP)
            p->seen[i] = 0;
    return true;
}

/* ---- lines ---------------------------------------------------------- */

/* Hands the pending value to its key's handler. */
static bool flush(parser_t *p)
{
    if (p->pend < 0)
        return true;
    const key_def_t *k = &keys[p->pend];
    p->pend = -1;
    p->at = p->pend_line;
    char *value = p->val ? text_trim(p->val) : "";
    if (!*value && !(k->flags & K_EMPTY_OK))
        return fail(p, _("'%s' must not be empty"), k->name);
    if (!*value)
        return true;
    void *base = k->section == SEC_STEP ? (void *)p->step : (void *)p->sop;
    return k->set(p, (char *)base + k->offset, value);
}

static bool append_value(parser_t *p, const char *s)
{
    size_t n = strlen(s);
    size_t need = p->val_len + n + 2;
    if (need > p->val_cap) {
        size_t cap = need * 2;
        char *v = realloc(p->val, cap);
        if (!v)
            return fail(p, "%s", _("out of memory"));
        p->val = v;
        p->val_cap = cap;
    }
    if (p->val_len > 0 && n > 0)
        p->val[p->val_len++] = ' ';
    memcpy(p->val + p->val_len, s, n + 1);
    p->val_len += n;
    return true;
}

static int key_index(const char *name)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (strcmp(name, keys[i].name) == 0)
            return (int)i;
    return -1;
}

/* Where a key may appear and how often, checked on its own line. */
static bool check_key_place(parser_t *p, int i)
{
    const key_def_t *k = &keys[i];
    if (k->section == SEC_STEP && !p->step)
        return fail(p, _("key '%s' belongs to a step: write 'langkah: N' before it"),
                    k->name);
    if (k->section == SEC_HEADER && p->step)
        return fail(p, _("key '%s' belongs in the header, before the first 'langkah'"),
                    k->name);
    if (p->seen[i] && !(k->flags & K_REPEATS))
        return fail(p, _("duplicate key '%s' (first on line %d)"), k->name, p->seen[i]);
    if (!p->seen[i])
        p->seen[i] = p->at;
    return true;
}

static bool key_line(parser_t *p, char *line)
{
    char *colon = strchr(line, ':');
    if (!colon)
        return fail(p, "%s", _("expected 'key: value', a comment (#) or an indented "
                               "continuation line"));
    *colon = '\0';
    char *name = text_trim(line);
    int i = key_index(name);
    if (i < 0)
        return fail(p, _("unknown key '%s'"), name);
    if (!check_key_place(p, i))
        return false;
    p->pend = i;
    p->pend_line = p->at;
    p->val_len = 0;
    if (p->val)
        p->val[0] = '\0';
    return append_value(p, text_trim(colon + 1));
}

static bool continuation_line(parser_t *p, char *line)
{
    if (p->pend < 0)
        return fail(p, "%s", _("continuation line (starting with a space) without a "
                               "'key: value' line right before it"));
    return append_value(p, text_trim(line));
}

/* Control characters would show up as garbage or move the cursor on
 * the officers' screens. Tabs are allowed, and read as spaces. */
static bool check_line_bytes(parser_t *p, const char *line, size_t len)
{
    if (len > SOP_MAX_LINE)
        return fail(p, _("line is longer than %d bytes"), SOP_MAX_LINE);
    if (!utf8_valid(line, len))
        return fail(p, "%s", _("invalid UTF-8 (save the file as UTF-8)"));
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)line[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return fail(p, _("control character 0x%02X in line"), c);
    }
    return true;
}

static bool is_blank_or_comment(const char *line)
{
    line += strspn(line, " \t");
    return *line == '\0' || *line == '#';
}

static bool one_line(parser_t *p, char *line, size_t len)
{
    bool cont = (line[0] == ' ' || line[0] == '\t') && !is_blank_or_comment(line);
    /* Finish the previous value first so that its errors come before
     * this line's, in file order. */
    if (!cont && !flush(p))
        return false;
    p->at = p->line;
    if (!check_line_bytes(p, line, len))
        return false;
    if (is_blank_or_comment(line))
        return true;
    for (char *tab = line; (tab = strchr(tab, '\t')) != NULL;)
        *tab = ' ';
    return cont ? continuation_line(p, line) : key_line(p, line);
}

static bool parse_lines(parser_t *p, const char *text)
{
    static const char bom[] = "\xEF\xBB\xBF"; /* Windows editors add it */
    if (strncmp(text, bom, 3) == 0)
        text += 3;
    char line[SOP_MAX_LINE + 2];
    for (const char *s = text; *s;) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        const char *next = nl ? nl + 1 : s + len;
        if (len > 0 && s[len - 1] == '\r') /* files saved on Windows */
            len--;
        p->line++;
        /* Too long is refused in one_line; a cut copy is enough for that. */
        size_t keep = len > SOP_MAX_LINE ? SOP_MAX_LINE + 1 : len;
        memcpy(line, s, keep);
        line[keep] = '\0';
        if (!one_line(p, line, len))
            return false;
        s = next;
    }
    return flush(p);
}

/* Whole-file checks: no single line is to blame, so no line is named. */
static bool finish(parser_t *p)
{
    if (!close_step(p))
        return false;
    p->at = 0;
    const key_def_t *k = missing_required(p, SEC_HEADER, p->sop);
    if (k)
        return fail(p, _("missing required field '%s'"), k->name);
    if (p->sop->n_steps == 0)
        return fail(p, "%s", _("no steps: the SOP needs at least 'langkah: 1'"));
    return true;
}

/* ---- public --------------------------------------------------------- */

sop_t *sop_parse(const char *text, const char *filename, char *err, size_t errlen)
{
    parser_t p = {.file = filename ? filename : "-", .err = err, .errlen = errlen,
                  .pend = -1};
    if (err && errlen)
        err[0] = '\0';
    p.sop = calloc(1, sizeof *p.sop);
    if (!p.sop) {
        fail(&p, "%s", _("out of memory"));
        return NULL;
    }
    bool ok = parse_lines(&p, text ? text : "") && finish(&p);
    free(p.val);
    if (!ok)
        sop_destroy(&p.sop);
    return p.sop;
}

sop_t *sop_load(const char *path, char *err, size_t errlen)
{
    char *text = text_read_file(path, SOP_MAX_FILE, NULL, err, errlen);
    if (!text)
        return NULL;
    sop_t *sop = sop_parse(text, path, err, errlen);
    free(text);
    return sop;
}

static void list_free(sop_list_t *list)
{
    for (size_t i = 0; i < list->n; i++)
        free(list->items[i]);
    free(list->items);
    *list = (sop_list_t){0};
}

void sop_destroy(sop_t **sop)
{
    if (!sop || !*sop)
        return;
    sop_t *s = *sop;
    char *texts[] = {s->code, s->number, s->name, s->agency, s->unit, s->made_on,
                     s->revised_on, s->effective_on, s->approved_by};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        free(texts[i]);
    sop_list_t *lists[] = {&s->legal_basis, &s->qualifications, &s->equipment,
                           &s->warnings, &s->records, &s->related, &s->boxes};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        list_free(lists[i]);
    for (size_t i = 0; i < s->n_steps; i++) {
        free(s->steps[i].activity);
        free(s->steps[i].remark);
        list_free(&s->steps[i].inputs);
        list_free(&s->steps[i].outputs);
    }
    free(s);
    *sop = NULL;
}

const sop_step_t *sop_step(const sop_t *sop, int number)
{
    if (!sop || number < 1 || (size_t)number > sop->n_steps)
        return NULL;
    return &sop->steps[number - 1];
}

/* One call per unit: the format strings stay literal for the compiler's
 * checks and for xgettext. */
const char *sop_step_standard_text(const sop_step_t *st, char *buf, size_t len)
{
    if (!buf || len == 0)
        return buf;
    buf[0] = '\0';
    if (!st)
        return buf;
    int n = st->std_amount;
    unsigned long un = n > 0 ? (unsigned long)n : 0;
    switch (st->std_unit) {
    case DUR_MINUTES:
        snprintf(buf, len, ngettext("%d minute", "%d minutes", un), n);
        break;
    case DUR_HOURS:
        snprintf(buf, len, ngettext("%d hour", "%d hours", un), n);
        break;
    case DUR_DAYS:
        snprintf(buf, len, ngettext("%d working day", "%d working days", un), n);
        break;
    }
    return buf;
}
