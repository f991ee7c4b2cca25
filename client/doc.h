/* Documents as PDF (A4): the layout primitives every document is built
 * from (doc_layout.c), the QR code (doc_qr.c), charts (doc_chart.c), and
 * the documents themselves: the lembar disposisi (doc_lembar.c), the
 * laporan hasil pembaharuan (doc_laporan.c) and the SOP-monitoring
 * report (doc_report.c).
 *
 * A document is laid out top to bottom: text flows at the current line
 * and moves to a new page when the next block does not fit. Text is
 * UTF-8 and wraps at word boundaries (inside a word only when one word is
 * wider than its box), so long names and texts never overflow.
 *
 * Output is deterministic: the PDF's creation date comes from the data
 * (set in doc_meta_t), never from the clock, so the same data give the
 * same bytes. */
#ifndef SERTEL_DOC_H
#define SERTEL_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "office.h"
#include "worktime.h"

typedef struct _cairo cairo_t;
typedef struct doc doc_t;

/* A4 in points, and the margins of an office letter. */
#define DOC_PAGE_W 595.28
#define DOC_PAGE_H 841.89
#define DOC_MARGIN_L 70.0
#define DOC_MARGIN_R 50.0
#define DOC_MARGIN_T 40.0
#define DOC_MARGIN_B 50.0

typedef struct {
    const char *title;
    const char *subject;
    const char *keywords; /* the verification text, read back by `sertel verify` */
    const char *author;   /* the agency */
    int64_t created;      /* Unix seconds, from the data; 0: none written */
    int utc_offset;       /* of the office, for the dates written */
} doc_meta_t;

/* ---- text styles */
typedef enum { DOC_LEFT, DOC_CENTER, DOC_RIGHT } doc_align_t;
typedef enum { DOC_SERIF, DOC_SANS, DOC_MONO } doc_family_t;

typedef struct {
    double size;      /* points */
    bool bold, italic;
    doc_align_t align;
    doc_family_t family;
} doc_style_t;

extern const doc_style_t DOC_BODY;   /* 11 pt serif */
extern const doc_style_t DOC_SMALL;  /* 9 pt serif */
extern const doc_style_t DOC_TITLE;  /* 13 pt bold, centred */
extern const doc_style_t DOC_CELL;   /* 9.5 pt serif, table cells */
extern const doc_style_t DOC_HEAD;   /* 9.5 pt bold, centred: table headings */

/* ---- the document */

/* Opens a PDF at path; NULL with err set. */
doc_t *doc_new(const char *path, const doc_meta_t *meta, char *err, size_t errlen);
/* Finishes and closes the file; SERTEL_E_IO with err set when cairo could
 * not write it. d is destroyed either way. */
sertel_err_t doc_finish(doc_t **d, char *err, size_t errlen);
cairo_t *doc_cairo(doc_t *d);

/* The current line (from the top of the page) and the text column. */
double doc_y(const doc_t *d);
void doc_set_y(doc_t *d, double y);
double doc_left(void);
double doc_width(void);
/* Starts a new page. */
void doc_new_page(doc_t *d);
/* Starts a new page unless height points still fit on this one. */
void doc_need(doc_t *d, double height);
/* Vertical space. */
void doc_skip(doc_t *d, double points);

/* Draws text in a box of width w at (x, y) without moving the line;
 * returns its height. */
double doc_text_at(doc_t *d, double x, double y, double w, const char *text,
                   const doc_style_t *st);
/* The height text would take in width w. */
double doc_text_height(doc_t *d, double w, const char *text, const doc_style_t *st);
/* A paragraph across the text column at the current line, which moves
 * below it (a new page first when it does not fit). */
void doc_para(doc_t *d, const char *text, const doc_style_t *st);
/* "label : value" rows with the labels in a column of label_w points. */
void doc_field(doc_t *d, const char *label, const char *value, double label_w);

/* A horizontal rule across the text column at the current line. */
void doc_rule(doc_t *d, double width);
void doc_box(doc_t *d, double x, double y, double w, double h, double line);
/* A square box, ticked or not. */
void doc_checkbox(doc_t *d, double x, double y, double size, bool ticked);

/* ---- tables: columns as fractions of the text column; cells wrap; a
 * row never splits, and the heading is repeated on every page (a table
 * whose first column has no title has no heading). */
typedef struct {
    const char *title;
    double share;      /* of the table's width */
    doc_align_t align;
} doc_col_t;

typedef struct doc_table doc_table_t;
doc_table_t *doc_table_begin(doc_t *d, const doc_col_t *cols, int n_cols);
/* One row of n_cols cells (NULL or "" for an empty cell). min_h: the row
 * is at least this tall (room to write by hand). */
void doc_table_row(doc_table_t *t, const char *const *cells, double min_h);
void doc_table_end(doc_table_t **t);

/* ---- the office's letterhead: logo (PNG, may be NULL), government,
 * agency, address and contact, centred, above a double rule. */
void doc_kop(doc_t *d, const office_t *o, const uint8_t *logo, size_t logo_len);
/* The page footer line at the bottom of every page from now on, with the
 * page number ("dicetak oleh Sertel · SE-2026-00001 · halaman 2"). */
void doc_footer(doc_t *d, const char *text);

/* ---- dates as offices write them */

/* "24 November 2026" (English month names with LANG=en). */
const char *doc_date(int64_t t, int utc_offset, char *buf, size_t len);
/* "24 November 2026 14:05 WIB", the zone label from the calendar. */
const char *doc_datetime(int64_t t, const calendar_t *cal, char *buf, size_t len);
/* A "YYYY-MM-DD" date as "20 November 2026"; the text itself if not one. */
const char *doc_date_text(const char *ymd, char *buf, size_t len);

/* ---- the QR code (doc_qr.c): text as a QR code of side size points at
 * (x, y); false when the text cannot be encoded. */
bool doc_qr(cairo_t *cr, double x, double y, double size, const char *text);

/* Frees what the text engine caches between documents (fonts); call once
 * when the program has finished with documents. */
void doc_release(void);

#endif

/* ---- documents about one case (doc_lembar.c, doc_laporan.c) */

#include "sertel.pb-c.h"

/* The display name of an officer's NIP (the NIP itself when unknown). */
typedef const char *(*doc_name_fn)(void *arg, const char *nip);

typedef struct {
    const office_t *office;
    const uint8_t *logo;  /* PNG or NULL */
    size_t logo_len;
    const calendar_t *cal;
    const Sertel__CaseDetail *detail; /* the case and its history */
    doc_name_fn name;
    void *name_arg;
    const char *seal;     /* the verification text (doc_seal.c), printed and in the QR */
    uint64_t seq;         /* the journal sequence the document stands at */
    int64_t made_at;      /* the time of that event: the document's date */
} doc_case_t;

sertel_err_t doc_lembar(const char *path, const doc_case_t *c, char *err, size_t errlen);
sertel_err_t doc_laporan(const char *path, const doc_case_t *c, char *err, size_t errlen);

/* ---- the seal (doc_seal.c): what a printed document's QR code says, so
 * that it can be checked against the journal later.
 *
 *   SERTEL1;lembar;SE-2026-00001;42;<case digest>[;<chain hash>]
 *
 * 42 is the journal sequence of the case's last event when the document
 * was made; the case digest is the SHA-256 (hex) of the case's events up
 * to it, in a canonical form; the chain hash, when the broker keeps a
 * hash-chained journal, is the chain's hash at that sequence. */

#define DOC_SEAL_MAX 256
#define DOC_DIGEST_HEX 64

typedef struct {
    char kind[16];                      /* "lembar", "laporan" */
    char case_id[40];
    uint64_t seq;
    char digest[DOC_DIGEST_HEX + 1];
    char chain[DOC_DIGEST_HEX + 1];     /* "" when not known */
} doc_seal_t;

/* The last sequence among the case's events (0 when none). */
uint64_t doc_case_seq(const Sertel__CaseDetail *d, int64_t *at);
/* The digest of the case's events with seq <= upto. */
void doc_case_digest(const Sertel__CaseDetail *d, uint64_t upto, char out[DOC_DIGEST_HEX + 1]);
void doc_seal_format(const doc_seal_t *s, char *buf, size_t len);
/* Parses a seal (surrounding blanks allowed); false if it is not one. */
bool doc_seal_parse(const char *text, doc_seal_t *out);
/* Finds the seal in a PDF made by Sertel (its Keywords); false if none. */
bool doc_seal_from_pdf(const uint8_t *pdf, size_t len, doc_seal_t *out);

/* ---- charts (doc_chart.c), drawn with cairo into a rectangle of any
 * surface: the report's page or a PNG of their own. */

typedef struct {
    const char *label;  /* under the bar: "1", "Jul 2026" */
    double value;       /* the bar: percent */
    const char *note;   /* above the bar: "7 mnt / 10 mnt"; NULL for none */
    bool empty;         /* no data: drawn as "-" */
} doc_bar_t;

/* Bars in percent against a dashed reference line at ref percent (the
 * Mutu Baku's 100%, or the office's threshold), with a title and axis;
 * a bar on the wrong side of the line (above it, or with higher_better
 * below it) is drawn red. */
void doc_chart_bars(cairo_t *cr, double x, double y, double w, double h, const char *title,
                    const doc_bar_t *bars, int n, double ref, const char *ref_label,
                    bool higher_better);

/* ---- the SOP-monitoring report (doc_report.c) */

typedef struct {
    const office_t *office;
    const uint8_t *logo;
    size_t logo_len;
    const calendar_t *cal;
    const Sertel__Stats *stats;
    int64_t from, to;         /* the period, [from, to) */
    const char *head_name;    /* the Kepala Dinas who signs; "" when unknown */
    const char *head_nip;
} doc_report_t;

sertel_err_t doc_report(const char *path, const doc_report_t *r, char *err, size_t errlen);
/* The two charts alone, as DIR/grafik-langkah.png and DIR/grafik-bulan.png. */
sertel_err_t doc_report_png(const char *dir, const doc_report_t *r, char *err, size_t errlen);
