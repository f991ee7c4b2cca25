/* Layout primitives for the PDF documents: the page, flowing text, wrapped
 * table cells, rules and boxes, the office's letterhead and office dates.
 * cairo draws, pango lays out the text (with fontconfig choosing among
 * the Debian fonts named in the families below). */
#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "i18n.h"

#define TABLE_MAX_COLS 16
#define CELL_PAD 3.5
#define FOOTER_STYLE_SIZE 7.5

const doc_style_t DOC_BODY = {11, false, false, DOC_LEFT, DOC_SERIF};
const doc_style_t DOC_SMALL = {9, false, false, DOC_LEFT, DOC_SERIF};
const doc_style_t DOC_TITLE = {13, true, false, DOC_CENTER, DOC_SERIF};
const doc_style_t DOC_CELL = {9.5, false, false, DOC_LEFT, DOC_SERIF};
const doc_style_t DOC_HEAD = {9.5, true, false, DOC_CENTER, DOC_SERIF};

/* Liberation's metrics match the fonts offices type letters in (Times New
 * Roman, Arial); DejaVu covers what they lack. */
static const char *const families[] = {
    [DOC_SERIF] = "Liberation Serif,DejaVu Serif",
    [DOC_SANS] = "Liberation Sans,DejaVu Sans",
    [DOC_MONO] = "DejaVu Sans Mono",
};

struct doc {
    cairo_surface_t *surface;
    cairo_t *cr;
    PangoLayout *layout;
    /* What the layout holds now: a cell is measured, then drawn, with the
     * same text, and laying it out again would double the work. */
    char *laid_text;
    double laid_w;
    doc_style_t laid_style;
    double y;
    int page;
    char footer[256];
};

cairo_t *doc_cairo(doc_t *d)
{
    return d->cr;
}

double doc_y(const doc_t *d)
{
    return d->y;
}

void doc_set_y(doc_t *d, double y)
{
    d->y = y;
}

double doc_left(void)
{
    return DOC_MARGIN_L;
}

double doc_width(void)
{
    return DOC_PAGE_W - DOC_MARGIN_L - DOC_MARGIN_R;
}

/* ISO 8601 in the office's zone, as cairo writes it into the PDF. */
static void iso_date(int64_t t, int offset, char *buf, size_t len)
{
    int64_t local = t + offset, y;
    int m, day;
    civil_from_days(local >= 0 ? local / 86400 : (local - 86399) / 86400, &y, &m, &day);
    int64_t sec = ((local % 86400) + 86400) % 86400;
    snprintf(buf, len, "%04lld-%02d-%02dT%02lld:%02lld:%02lld%c%02d:%02d", (long long)y, m, day,
             (long long)(sec / 3600), (long long)(sec / 60 % 60), (long long)(sec % 60),
             offset < 0 ? '-' : '+', abs(offset) / 3600, abs(offset) / 60 % 60);
}

static void set_metadata(cairo_surface_t *s, const doc_meta_t *m)
{
    const struct {
        cairo_pdf_metadata_t key;
        const char *value;
    } items[] = {
        {CAIRO_PDF_METADATA_TITLE, m->title},
        {CAIRO_PDF_METADATA_SUBJECT, m->subject},
        {CAIRO_PDF_METADATA_KEYWORDS, m->keywords},
        {CAIRO_PDF_METADATA_AUTHOR, m->author},
        {CAIRO_PDF_METADATA_CREATOR, "Sertel " SERTEL_VERSION},
    };
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
        if (items[i].value && *items[i].value)
            cairo_pdf_surface_set_metadata(s, items[i].key, items[i].value);
    /* Without these cairo writes the clock's time: the same data would
     * give different bytes. */
    char when[40];
    iso_date(m->created, m->utc_offset, when, sizeof when);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, when);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_MOD_DATE, when);
}

static PangoLayout *new_layout(cairo_t *cr)
{
    /* Outlines, not hinted metrics: the same layout on every surface. */
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    PangoLayout *l = pango_cairo_create_layout(cr);
    PangoContext *pc = pango_layout_get_context(l);
    pango_cairo_context_set_font_options(pc, fo);
    pango_layout_context_changed(l);
    cairo_font_options_destroy(fo);
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    return l;
}

doc_t *doc_new(const char *path, const doc_meta_t *meta, char *err, size_t errlen)
{
    doc_t *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(err, errlen, "%s", sertel_strerror(SERTEL_E_NOMEM));
        return NULL;
    }
    d->surface = cairo_pdf_surface_create(path, DOC_PAGE_W, DOC_PAGE_H);
    if (cairo_surface_status(d->surface) != CAIRO_STATUS_SUCCESS) {
        snprintf(err, errlen, "%s: %s", path,
                 cairo_status_to_string(cairo_surface_status(d->surface)));
        cairo_surface_destroy(d->surface);
        free(d);
        return NULL;
    }
    set_metadata(d->surface, meta);
    d->cr = cairo_create(d->surface);
    d->layout = new_layout(d->cr);
    d->y = DOC_MARGIN_T;
    d->page = 1;
    return d;
}

static void draw_footer(doc_t *d)
{
    if (!d->footer[0])
        return;
    char text[320];
    snprintf(text, sizeof text, _("%s · page %d"), d->footer, d->page);
    doc_style_t st = {FOOTER_STYLE_SIZE, false, false, DOC_CENTER, DOC_SERIF};
    cairo_save(d->cr);
    cairo_set_source_rgb(d->cr, 0.35, 0.35, 0.35);
    doc_text_at(d, DOC_MARGIN_L, DOC_PAGE_H - DOC_MARGIN_B + 18, doc_width(), text, &st);
    cairo_restore(d->cr);
}

void doc_footer(doc_t *d, const char *text)
{
    snprintf(d->footer, sizeof d->footer, "%s", text);
}

sertel_err_t doc_finish(doc_t **dp, char *err, size_t errlen)
{
    doc_t *d = *dp;
    if (!d)
        return SERTEL_OK;
    draw_footer(d);
    g_object_unref(d->layout);
    free(d->laid_text);
    cairo_destroy(d->cr);
    cairo_surface_finish(d->surface);
    cairo_status_t st = cairo_surface_status(d->surface);
    cairo_surface_destroy(d->surface);
    free(d);
    *dp = NULL;
    if (st != CAIRO_STATUS_SUCCESS) {
        snprintf(err, errlen, "%s", cairo_status_to_string(st));
        return SERTEL_E_IO;
    }
    return SERTEL_OK;
}

void doc_new_page(doc_t *d)
{
    draw_footer(d);
    cairo_show_page(d->cr);
    d->page++;
    d->y = DOC_MARGIN_T;
}

void doc_need(doc_t *d, double height)
{
    if (d->y + height > DOC_PAGE_H - DOC_MARGIN_B && d->y > DOC_MARGIN_T)
        doc_new_page(d);
}

void doc_skip(doc_t *d, double points)
{
    d->y += points;
}

/* ---- text */

static bool same_style(const doc_style_t *a, const doc_style_t *b)
{
    return a->size == b->size && a->bold == b->bold && a->italic == b->italic &&
           a->align == b->align && a->family == b->family;
}

static void set_text(doc_t *d, double w, const char *text, const doc_style_t *st)
{
    text = text ? text : "";
    if (d->laid_text && strcmp(d->laid_text, text) == 0 && d->laid_w == w &&
        same_style(&d->laid_style, st))
        return;
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, families[st->family]);
    pango_font_description_set_absolute_size(fd, st->size * PANGO_SCALE);
    pango_font_description_set_weight(fd, st->bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_style(fd, st->italic ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL);
    pango_layout_set_font_description(d->layout, fd);
    pango_font_description_free(fd);
    static const PangoAlignment align[] = {PANGO_ALIGN_LEFT, PANGO_ALIGN_CENTER, PANGO_ALIGN_RIGHT};
    pango_layout_set_alignment(d->layout, align[st->align]);
    pango_layout_set_width(d->layout, (int)(w * PANGO_SCALE));
    pango_layout_set_text(d->layout, text, -1);
    free(d->laid_text);
    d->laid_text = strdup(text);
    d->laid_w = w;
    d->laid_style = *st;
}

double doc_text_height(doc_t *d, double w, const char *text, const doc_style_t *st)
{
    set_text(d, w, text, st);
    int pw, ph;
    pango_layout_get_size(d->layout, &pw, &ph);
    return (double)ph / PANGO_SCALE;
}

double doc_text_at(doc_t *d, double x, double y, double w, const char *text,
                   const doc_style_t *st)
{
    double h = doc_text_height(d, w, text, st);
    cairo_move_to(d->cr, x, y);
    pango_cairo_show_layout(d->cr, d->layout);
    return h;
}

void doc_para(doc_t *d, const char *text, const doc_style_t *st)
{
    double h = doc_text_height(d, doc_width(), text, st);
    doc_need(d, h);
    d->y += doc_text_at(d, DOC_MARGIN_L, d->y, doc_width(), text, st);
}

void doc_field(doc_t *d, const char *label, const char *value, double label_w)
{
    double w = doc_width() - label_w - 10;
    double h = doc_text_height(d, w, value && *value ? value : "-", &DOC_BODY);
    doc_need(d, h);
    doc_text_at(d, DOC_MARGIN_L, d->y, label_w, label, &DOC_BODY);
    doc_text_at(d, DOC_MARGIN_L + label_w, d->y, 10, ":", &DOC_BODY);
    d->y += doc_text_at(d, DOC_MARGIN_L + label_w + 10, d->y, w, value && *value ? value : "-",
                        &DOC_BODY) + 2;
}

/* ---- lines and boxes */

void doc_rule(doc_t *d, double width)
{
    cairo_set_line_width(d->cr, width);
    cairo_move_to(d->cr, DOC_MARGIN_L, d->y);
    cairo_line_to(d->cr, DOC_MARGIN_L + doc_width(), d->y);
    cairo_stroke(d->cr);
}

void doc_box(doc_t *d, double x, double y, double w, double h, double line)
{
    cairo_set_line_width(d->cr, line);
    cairo_rectangle(d->cr, x, y, w, h);
    cairo_stroke(d->cr);
}

void doc_checkbox(doc_t *d, double x, double y, double size, bool ticked)
{
    doc_box(d, x, y, size, size, 0.7);
    if (!ticked)
        return;
    cairo_set_line_width(d->cr, 1.4);
    cairo_move_to(d->cr, x + size * 0.2, y + size * 0.55);
    cairo_line_to(d->cr, x + size * 0.42, y + size * 0.8);
    cairo_line_to(d->cr, x + size * 0.85, y + size * 0.18);
    cairo_stroke(d->cr);
}

/* ---- tables */

struct doc_table {
    doc_t *d;
    doc_col_t cols[TABLE_MAX_COLS];
    double x[TABLE_MAX_COLS], w[TABLE_MAX_COLS];
    int n;
};

static double row_height(doc_table_t *t, const char *const *cells, const doc_style_t *st,
                         double min_h)
{
    double h = min_h;
    for (int i = 0; i < t->n; i++) {
        double ch = doc_text_height(t->d, t->w[i] - 2 * CELL_PAD, cells[i], st) + 2 * CELL_PAD;
        if (ch > h)
            h = ch;
    }
    return h;
}

static void draw_row(doc_table_t *t, const char *const *cells, const doc_style_t *st, double h,
                     bool shaded)
{
    doc_t *d = t->d;
    for (int i = 0; i < t->n; i++) {
        if (shaded) {
            cairo_save(d->cr);
            cairo_set_source_rgb(d->cr, 0.9, 0.9, 0.9);
            cairo_rectangle(d->cr, t->x[i], d->y, t->w[i], h);
            cairo_fill(d->cr);
            cairo_restore(d->cr);
        }
        doc_box(d, t->x[i], d->y, t->w[i], h, 0.6);
        doc_style_t cs = *st;
        if (!shaded)
            cs.align = t->cols[i].align;
        if (cells[i] && *cells[i])
            doc_text_at(d, t->x[i] + CELL_PAD, d->y + CELL_PAD, t->w[i] - 2 * CELL_PAD, cells[i],
                        &cs);
    }
    d->y += h;
}

static void draw_heading(doc_table_t *t)
{
    if (!t->cols[0].title)
        return; /* a table of labelled fields has no heading */
    const char *titles[TABLE_MAX_COLS];
    for (int i = 0; i < t->n; i++)
        titles[i] = t->cols[i].title;
    double h = row_height(t, titles, &DOC_HEAD, 0);
    draw_row(t, titles, &DOC_HEAD, h, true);
}

doc_table_t *doc_table_begin(doc_t *d, const doc_col_t *cols, int n_cols)
{
    doc_table_t *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->d = d;
    t->n = n_cols < TABLE_MAX_COLS ? n_cols : TABLE_MAX_COLS;
    double x = DOC_MARGIN_L;
    for (int i = 0; i < t->n; i++) {
        t->cols[i] = cols[i];
        t->x[i] = x;
        t->w[i] = cols[i].share * doc_width();
        x += t->w[i];
    }
    doc_need(d, 60);
    draw_heading(t);
    return t;
}

void doc_table_row(doc_table_t *t, const char *const *cells, double min_h)
{
    if (!t)
        return;
    double h = row_height(t, cells, &DOC_CELL, min_h);
    if (t->d->y + h > DOC_PAGE_H - DOC_MARGIN_B) {
        doc_new_page(t->d);
        draw_heading(t);
    }
    draw_row(t, cells, &DOC_CELL, h, false);
}

void doc_table_end(doc_table_t **t)
{
    free(*t);
    *t = NULL;
}

/* ---- the letterhead */

typedef struct {
    const uint8_t *data;
    size_t len, at;
} png_reader_t;

static cairo_status_t read_png(void *closure, unsigned char *out, unsigned int len)
{
    png_reader_t *r = closure;
    if (r->len - r->at < len)
        return CAIRO_STATUS_READ_ERROR;
    memcpy(out, r->data + r->at, len);
    r->at += len;
    return CAIRO_STATUS_SUCCESS;
}

/* The logo scaled to height h at (x, y); its width, 0 when unreadable. */
static double draw_logo(doc_t *d, const uint8_t *png, size_t len, double x, double y, double h)
{
    png_reader_t r = {png, len, 0};
    cairo_surface_t *img = cairo_image_surface_create_from_png_stream(read_png, &r);
    double w = 0;
    if (cairo_surface_status(img) == CAIRO_STATUS_SUCCESS && cairo_image_surface_get_height(img)) {
        double scale = h / cairo_image_surface_get_height(img);
        w = cairo_image_surface_get_width(img) * scale;
        cairo_save(d->cr);
        cairo_translate(d->cr, x, y);
        cairo_scale(d->cr, scale, scale);
        cairo_set_source_surface(d->cr, img, 0, 0);
        cairo_paint(d->cr);
        cairo_restore(d->cr);
    }
    cairo_surface_destroy(img);
    return w;
}

void doc_kop(doc_t *d, const office_t *o, const uint8_t *logo, size_t logo_len)
{
    const double logo_h = 66;
    double top = d->y;
    double logo_w = logo && logo_len ? draw_logo(d, logo, logo_len, DOC_MARGIN_L, top, logo_h) : 0;
    /* The text is centred on the page's column, beside the logo. */
    double x = DOC_MARGIN_L + (logo_w > 0 ? logo_w + 8 : 0);
    double w = doc_width() - (logo_w > 0 ? 2 * (logo_w + 8) : 0);
    const doc_style_t gov = {13.5, true, false, DOC_CENTER, DOC_SERIF};
    const doc_style_t agency = {16, true, false, DOC_CENTER, DOC_SERIF};
    const doc_style_t addr = {9.5, false, false, DOC_CENTER, DOC_SERIF};
    double y = top;
    y += doc_text_at(d, x, y, w, o->government, &gov);
    y += doc_text_at(d, x, y, w, o->agency, &agency) + 1;
    y += doc_text_at(d, x, y, w, o->address, &addr);
    if (o->contact[0])
        y += doc_text_at(d, x, y, w, o->contact, &addr);
    d->y = (y > top + logo_h ? y : top + logo_h) + 4;
    doc_rule(d, 2.2);
    d->y += 2.6;
    doc_rule(d, 0.7);
    d->y += 14;
}

/* ---- dates */

static const char *const months[] = {
    N_("January"), N_("February"), N_("March"),     N_("April"),   N_("May"),      N_("June"),
    N_("July"),    N_("August"),   N_("September"), N_("October"), N_("November"), N_("December"),
};

const char *doc_date(int64_t t, int utc_offset, char *buf, size_t len)
{
    int64_t local = t + utc_offset, y;
    int m, day;
    civil_from_days(local >= 0 ? local / 86400 : (local - 86399) / 86400, &y, &m, &day);
    snprintf(buf, len, "%d %s %lld", day, _(months[m - 1]), (long long)y);
    return buf;
}

const char *doc_datetime(int64_t t, const calendar_t *cal, char *buf, size_t len)
{
    /* calendar_format_time ends in "HH:MM ZONE": keep those two words. */
    char whole[96], date[64];
    calendar_format_time(cal, t, whole, sizeof whole);
    const char *p = whole + strlen(whole);
    int spaces = 0;
    while (p > whole && spaces < 2)
        if (*--p == ' ')
            spaces++;
    snprintf(buf, len, "%s %s", doc_date(t, calendar_utc_offset(cal), date, sizeof date),
             spaces == 2 ? p + 1 : whole);
    return buf;
}

const char *doc_date_text(const char *ymd, char *buf, size_t len)
{
    int y, m, day;
    char tail;
    if (!ymd || sscanf(ymd, "%4d-%2d-%2d%c", &y, &m, &day, &tail) != 3 || m < 1 || m > 12) {
        snprintf(buf, len, "%s", ymd ? ymd : "");
        return buf;
    }
    snprintf(buf, len, "%d %s %d", day, _(months[m - 1]), y);
    return buf;
}

void doc_release(void)
{
    /* Pango's font map, so that leak checkers see only our own. Not
     * cairo_debug_reset_static_data() nor FcFini(): pango loads
     * fontconfig in a thread of its own that nobody can wait for, and
     * tearing either down under it aborted a print now and then at exit
     * (fontconfig's and cairo's own caches are tests/lsan.supp's). */
    pango_cairo_font_map_set_default(NULL);
}
