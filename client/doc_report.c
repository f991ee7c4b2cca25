/* The SOP-monitoring report (Permenpan RB 35/2012, "Monitoring
 * Pelaksanaan SOP AP"): the monitoring table the assessor signs, with
 * the judgement and the notes filled from the statistics and the action
 * and initials left blank; then the facts behind it per step, the waits
 * on applicants, per officer, two charts, and the Kepala Dinas's
 * signature block. */
#include <cairo.h>
#include <stdio.h>
#include <string.h>

#include "doc.h"
#include "i18n.h"

#define CHART_H 190.0
#define STATS_KEY 16

/* "YYYY-MM" of instant t in the office's zone. */
static void month_key(int64_t t, int offset, char key[STATS_KEY])
{
    int64_t y, local = t + offset;
    int m, d;
    civil_from_days(local >= 0 ? local / 86400 : (local - 86399) / 86400, &y, &m, &d);
    snprintf(key, STATS_KEY, "%04lld-%02d", (long long)y, m);
}

static int share(const Sertel__StatsRow *r)
{
    return r->cases ? (int)((r->within * 100 + r->cases / 2) / r->cases) : -1;
}

static const char *work(const doc_report_t *r, int64_t s, char *buf, size_t len)
{
    return s ? calendar_format_work(r->cal, s, buf, len) : "-";
}

static void heading(doc_t *d, const char *text)
{
    doc_style_t h = DOC_BODY;
    h.bold = true;
    doc_skip(d, 10);
    doc_need(d, 60);
    doc_para(d, text, &h);
    doc_skip(d, 3);
}

static void title(doc_t *d, const doc_report_t *r)
{
    char from[64], to[64], period[200];
    doc_para(d, _("SOP IMPLEMENTATION MONITORING"), &DOC_TITLE);
    doc_style_t sub = DOC_BODY;
    sub.align = DOC_CENTER;
    int off = calendar_utc_offset(r->cal);
    snprintf(period, sizeof period, _("Period %s to %s"), doc_date(r->from, off, from, sizeof from),
             doc_date(r->to - 1, off, to, sizeof to));
    doc_para(d, period, &sub);
    doc_skip(d, 10);
}

/* "Berjalan dengan baik" when the share within the Mutu Baku reaches
 * the office's threshold. */
static const char *judgement(const doc_report_t *r, const Sertel__StatsRow *row)
{
    int s = share(row);
    if (s < 0)
        return _("not yet assessable (no step completed in the period)");
    return s >= r->office->threshold ? _("carried out well") : _("not carried out well");
}

static void findings(const doc_report_t *r, const Sertel__StatsRow *row, char *buf, size_t len)
{
    char med[64], std[64], p90[64];
    if (!row->cases) {
        snprintf(buf, len, _("No completion in the period."));
        return;
    }
    snprintf(buf, len,
             _("%llu of %llu done within the Mutu Baku of %s (%d%%, threshold %d%%); median %s, "
               "90%% within %s; %llu overdue."),
             (unsigned long long)row->within, (unsigned long long)row->cases,
             work(r, row->standard, std, sizeof std), share(row), r->office->threshold,
             work(r, row->median_work, med, sizeof med), work(r, row->p90_work, p90, sizeof p90),
             (unsigned long long)row->overdue);
}

static void monitoring_table(doc_t *d, const doc_report_t *r)
{
    heading(d, _("A. SOP implementation monitoring"));
    const doc_col_t cols[] = {
        {_("No."), 0.06, DOC_CENTER},
        {_("Procedure"), 0.25, DOC_LEFT},
        {_("Assessment of implementation"), 0.15, DOC_LEFT},
        {_("Notes on the assessment"), 0.26, DOC_LEFT},
        {_("Action to be taken"), 0.18, DOC_LEFT},
        {_("Assessor's initials"), 0.10, DOC_LEFT},
    };
    doc_table_t *t = doc_table_begin(d, cols, 6);
    for (size_t i = 0; i < r->stats->n_steps; i++) {
        const Sertel__StatsRow *row = r->stats->steps[i];
        char notes[512];
        findings(r, row, notes, sizeof notes);
        const char *cells[] = {row->key, row->label, judgement(r, row), notes, "", ""};
        doc_table_row(t, cells, 34);
    }
    doc_table_end(&t);
}

static void steps_table(doc_t *d, const doc_report_t *r)
{
    heading(d, _("B. Working time per step against the Mutu Baku"));
    const doc_col_t cols[] = {
        {_("No."), 0.06, DOC_CENTER},       {_("Activity"), 0.34, DOC_LEFT},
        {_("Completed"), 0.09, DOC_RIGHT},  {_("Median"), 0.1, DOC_RIGHT},
        {_("P90"), 0.1, DOC_RIGHT},         {_("Mutu Baku"), 0.1, DOC_RIGHT},
        {_("Within"), 0.1, DOC_RIGHT},      {_("Overdue"), 0.11, DOC_RIGHT},
    };
    doc_table_t *t = doc_table_begin(d, cols, 8);
    for (size_t i = 0; i < r->stats->n_steps; i++) {
        const Sertel__StatsRow *row = r->stats->steps[i];
        char n[24], med[64], p90[64], std[64], within[24], late[24];
        snprintf(n, sizeof n, "%llu", (unsigned long long)row->cases);
        snprintf(within, sizeof within, share(row) < 0 ? "-" : "%d%%", share(row));
        snprintf(late, sizeof late, "%llu", (unsigned long long)row->overdue);
        const char *cells[] = {row->key, row->label, n,
                               work(r, row->median_work, med, sizeof med),
                               work(r, row->p90_work, p90, sizeof p90),
                               work(r, row->standard, std, sizeof std), within, late};
        doc_table_row(t, cells, 0);
    }
    doc_table_end(&t);
    char med[64], p90[64], line[400];
    if (r->stats->waits)
        snprintf(line, sizeof line,
                 _("Waiting on the applicant, counted apart (calendar time, outside the officers' "
                   "working time): %llu times; median %s, 90%% within %s."),
                 (unsigned long long)r->stats->waits,
                 format_duration(r->stats->median_wait, 86400, med, sizeof med),
                 format_duration(r->stats->p90_wait, 86400, p90, sizeof p90));
    else
        snprintf(line, sizeof line, "%s", _("No case waited on its applicant in the period."));
    doc_skip(d, 4);
    doc_para(d, line, &DOC_SMALL);
}

static void officers_table(doc_t *d, const doc_report_t *r)
{
    heading(d, _("C. Per officer"));
    const doc_col_t cols[] = {
        {_("Name"), 0.27, DOC_LEFT},         {"NIP", 0.23, DOC_LEFT},
        {_("Steps done"), 0.1, DOC_RIGHT},   {_("Median"), 0.1, DOC_RIGHT},
        {_("P90"), 0.1, DOC_RIGHT},          {_("Within"), 0.09, DOC_RIGHT},
        {_("Completed late"), 0.11, DOC_RIGHT},
    };
    doc_table_t *t = doc_table_begin(d, cols, 7);
    for (size_t i = 0; i < r->stats->n_officers; i++) {
        const Sertel__StatsRow *row = r->stats->officers[i];
        char n[24], med[64], p90[64], within[24], late[24];
        snprintf(n, sizeof n, "%llu", (unsigned long long)row->cases);
        snprintf(within, sizeof within, share(row) < 0 ? "-" : "%d%%", share(row));
        snprintf(late, sizeof late, "%llu", (unsigned long long)row->overdue);
        const char *cells[] = {row->label && *row->label ? row->label : row->key, row->key, n,
                               work(r, row->median_work, med, sizeof med),
                               work(r, row->p90_work, p90, sizeof p90), within, late};
        doc_table_row(t, cells, 0);
    }
    if (!r->stats->n_officers) {
        const char *cells[] = {_("No step was completed in the period."), "", "", "", "", "", ""};
        doc_table_row(t, cells, 0);
    }
    doc_table_end(&t);
}

/* ---- charts */

typedef struct {
    doc_bar_t bars[64];
    char labels[64][24], notes[64][48];
    int n;
} bars_t;

static void step_bars(const doc_report_t *r, bars_t *b)
{
    b->n = 0;
    for (size_t i = 0; i < r->stats->n_steps && b->n < 64; i++) {
        const Sertel__StatsRow *row = r->stats->steps[i];
        doc_bar_t *bar = &b->bars[b->n];
        char med[24], std[24];
        snprintf(b->labels[b->n], sizeof b->labels[0], "%s", row->key);
        snprintf(b->notes[b->n], sizeof b->notes[0], "%s / %s",
                 work(r, row->median_work, med, sizeof med), work(r, row->standard, std, sizeof std));
        bar->label = b->labels[b->n];
        bar->note = b->notes[b->n];
        bar->empty = !row->cases || !row->standard;
        bar->value = bar->empty ? 0 : 100.0 * (double)row->median_work / (double)row->standard;
        b->n++;
    }
}

static const Sertel__StatsRow *month_row(const doc_report_t *r, const char *key)
{
    for (size_t i = 0; i < r->stats->n_months; i++)
        if (strcmp(r->stats->months[i]->key, key) == 0)
            return r->stats->months[i];
    return NULL;
}

/* Every month of the period, those without a completed step as "-". */
static void month_bars(const doc_report_t *r, bars_t *b)
{
    char first[STATS_KEY], last[STATS_KEY];
    int off = calendar_utc_offset(r->cal);
    month_key(r->from, off, first);
    month_key(r->to - 1, off, last);
    int y, m, ly, lm;
    sscanf(first, "%d-%d", &y, &m);
    sscanf(last, "%d-%d", &ly, &lm);
    for (b->n = 0; b->n < 64 && (y < ly || (y == ly && m <= lm)); b->n++) {
        char key[STATS_KEY], ymd[STATS_KEY + 8], name[64];
        snprintf(key, sizeof key, "%04d-%02d", y, m);
        snprintf(ymd, sizeof ymd, "%s-01", key);
        const Sertel__StatsRow *row = month_row(r, key);
        int pct = row ? share(row) : -1;
        doc_date_text(ymd, name, sizeof name);
        /* "1 November 2026" -> "Nov 2026" */
        const char *month = strchr(name, ' ');
        snprintf(b->labels[b->n], sizeof b->labels[0], "%.3s %d", month ? month + 1 : name, y);
        snprintf(b->notes[b->n], sizeof b->notes[0], pct < 0 ? "-" : "%d%%", pct);
        doc_bar_t *bar = &b->bars[b->n];
        bar->label = b->labels[b->n];
        bar->note = pct < 0 ? NULL : b->notes[b->n];
        bar->empty = pct < 0;
        bar->value = pct < 0 ? 0 : pct;
        if (++m > 12)
            m = 1, y++;
    }
}

typedef void (*chart_fn)(cairo_t *cr, const doc_report_t *r, double x, double y, double w,
                         double h);

static void chart_steps(cairo_t *cr, const doc_report_t *r, double x, double y, double w, double h)
{
    bars_t b;
    step_bars(r, &b);
    doc_chart_bars(cr, x, y, w, h, _("Median working time per step, as a share of its Mutu Baku"),
                   b.bars, b.n, 100, _("Mutu Baku"), false);
}

static void chart_months(cairo_t *cr, const doc_report_t *r, double x, double y, double w,
                         double h)
{
    bars_t b;
    month_bars(r, &b);
    char ref[64];
    snprintf(ref, sizeof ref, _("threshold %d%%"), r->office->threshold);
    doc_chart_bars(cr, x, y, w, h, _("Steps done within the Mutu Baku, per month"), b.bars, b.n,
                   r->office->threshold, ref, true);
}

static void charts(doc_t *d, const doc_report_t *r)
{
    heading(d, _("D. Charts"));
    const chart_fn fns[] = {chart_steps, chart_months};
    for (size_t i = 0; i < 2; i++) {
        doc_need(d, CHART_H + 10);
        fns[i](doc_cairo(d), r, doc_left(), doc_y(d), doc_width(), CHART_H);
        doc_skip(d, CHART_H + 12);
    }
}

static void signature(doc_t *d, const doc_report_t *r)
{
    char place[OFFICE_TEXT_MAX + 80], date[64], nip[64], title_text[OFFICE_TEXT_MAX + 8];
    snprintf(place, sizeof place, "%s, %s", r->office->city,
             doc_date(r->to - 1, calendar_utc_offset(r->cal), date, sizeof date));
    snprintf(title_text, sizeof title_text, "%s,", r->office->head_title);
    doc_need(d, 120);
    doc_skip(d, 16);
    double x = doc_left() + doc_width() * 0.5, w = doc_width() * 0.5, y = doc_y(d);
    y += doc_text_at(d, x, y, w, place, &DOC_BODY);
    y += doc_text_at(d, x, y, w, title_text, &DOC_BODY) + 52;
    doc_style_t name = DOC_BODY;
    name.bold = true;
    y += doc_text_at(d, x, y, w,
                     r->head_name && *r->head_name ? r->head_name : "(.................................)",
                     &name);
    snprintf(nip, sizeof nip, "NIP %s", r->head_nip ? r->head_nip : "");
    y += doc_text_at(d, x, y, w, nip, &DOC_BODY);
    doc_set_y(d, y);
}

sertel_err_t doc_report(const char *path, const doc_report_t *r, char *err, size_t errlen)
{
    char subject[160], from[64];
    snprintf(subject, sizeof subject, _("SOP monitoring from %s"),
             doc_date(r->from, calendar_utc_offset(r->cal), from, sizeof from));
    doc_meta_t meta = {_("SOP implementation monitoring"), subject, NULL, r->office->agency,
                       r->to - 1, calendar_utc_offset(r->cal)};
    doc_t *d = doc_new(path, &meta, err, errlen);
    if (!d)
        return SERTEL_E_IO;
    doc_footer(d, _("Sertel · SOP monitoring"));
    doc_kop(d, r->office, r->logo, r->logo_len);
    title(d, r);
    monitoring_table(d, r);
    signature(d, r);
    doc_new_page(d);
    steps_table(d, r);
    officers_table(d, r);
    charts(d, r);
    return doc_finish(&d, err, errlen);
}

sertel_err_t doc_report_png(const char *dir, const doc_report_t *r, char *err, size_t errlen)
{
    static const struct {
        const char *name;
        chart_fn fn;
    } pngs[] = {{"grafik-langkah.png", chart_steps}, {"grafik-bulan.png", chart_months}};
    const double scale = 3; /* 1,425 x 600 pixels: sharp on a slide */
    for (size_t i = 0; i < 2; i++) {
        cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)(475 * scale),
                                                        (int)(200 * scale));
        cairo_t *cr = cairo_create(s);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_paint(cr);
        cairo_scale(cr, scale, scale);
        pngs[i].fn(cr, r, 8, 8, 459, 184);
        cairo_destroy(cr);
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, pngs[i].name);
        cairo_status_t st = cairo_surface_write_to_png(s, path);
        cairo_surface_destroy(s);
        if (st != CAIRO_STATUS_SUCCESS) {
            snprintf(err, errlen, "%s: %s", path, cairo_status_to_string(st));
            return SERTEL_E_IO;
        }
    }
    return SERTEL_OK;
}
