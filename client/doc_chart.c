/* Bar charts for the SOP-monitoring report: percentages against a
 * reference line (the Mutu Baku's 100%, the office's threshold), the
 * scale chosen to hold the tallest bar, labels laid out by pango. Works
 * on any cairo surface, so the same chart goes on the page or in a PNG. */
#include <cairo.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>

#include "doc.h"

#define FONT "Liberation Sans,DejaVu Sans"

/* Text at (x, y): align 0 left, 1 centre, 2 right of x; returns height. */
static double label(cairo_t *cr, double x, double y, double w, const char *text, double size,
                    int align, bool bold)
{
    PangoLayout *l = pango_cairo_create_layout(cr);
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, FONT);
    pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    pango_layout_set_width(l, (int)(w * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    static const PangoAlignment a[] = {PANGO_ALIGN_LEFT, PANGO_ALIGN_CENTER, PANGO_ALIGN_RIGHT};
    pango_layout_set_alignment(l, a[align]);
    pango_layout_set_text(l, text, -1);
    int pw, ph;
    pango_layout_get_size(l, &pw, &ph);
    double left = align == 1 ? x - w / 2 : align == 2 ? x - w : x;
    cairo_move_to(cr, left, y);
    pango_cairo_show_layout(cr, l);
    g_object_unref(l);
    return (double)ph / PANGO_SCALE;
}

/* A scale top that is a round number of tens above every bar and ref. */
static double scale_top(const doc_bar_t *bars, int n, double ref)
{
    double top = ref * 1.25;
    for (int i = 0; i < n; i++)
        if (!bars[i].empty && bars[i].value * 1.1 > top)
            top = bars[i].value * 1.1;
    double step = top > 400 ? 100 : top > 150 ? 50 : 20;
    return ceil(top / step) * step;
}

void doc_chart_bars(cairo_t *cr, double x, double y, double w, double h, const char *title,
                    const doc_bar_t *bars, int n, double ref, const char *ref_label,
                    bool higher_better)
{
    cairo_save(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    double title_h = label(cr, x, y, w, title, 10, 0, true) + 6;
    const double axis_w = 34, label_h = 24, note_h = 12;
    double px = x + axis_w, pw = w - axis_w - 4, py = y + title_h + note_h,
           ph = h - title_h - note_h - label_h;
    double top = scale_top(bars, n, ref), tick = top > 400 ? 100 : top > 150 ? 50 : 20;
    /* Grid and axis. */
    cairo_set_line_width(cr, 0.4);
    for (double v = 0; v <= top + 0.01; v += tick) {
        double gy = py + ph - v / top * ph;
        cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
        cairo_move_to(cr, px, gy);
        cairo_line_to(cr, px + pw, gy);
        cairo_stroke(cr);
        char t[16];
        snprintf(t, sizeof t, "%.0f%%", v);
        cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
        label(cr, px - 4, gy - 5, axis_w - 4, t, 7, 2, false);
    }
    /* Bars. */
    double slot = n ? pw / n : pw, bw = slot * 0.6;
    for (int i = 0; i < n; i++) {
        double bx = px + i * slot + (slot - bw) / 2, cx = px + i * slot + slot / 2;
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        label(cr, cx, py + ph + 3, slot, bars[i].label, 7.5, 1, false);
        if (bars[i].empty) {
            label(cr, cx, py + ph - 12, slot, "-", 8, 1, false);
            continue;
        }
        double bh = (bars[i].value > top ? top : bars[i].value) / top * ph;
        bool over = higher_better ? bars[i].value < ref : bars[i].value > ref;
        if (over)
            cairo_set_source_rgb(cr, 0.78, 0.25, 0.2);
        else
            cairo_set_source_rgb(cr, 0.16, 0.38, 0.62);
        cairo_rectangle(cr, bx, py + ph - bh, bw, bh);
        cairo_fill(cr);
        if (bars[i].note) {
            cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
            label(cr, cx, py + ph - bh - 11, slot, bars[i].note, 6.5, 1, false);
        }
    }
    /* The reference line. */
    double ry = py + ph - ref / top * ph;
    static const double dash[] = {4, 3};
    cairo_set_dash(cr, dash, 2, 0);
    cairo_set_line_width(cr, 1);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_move_to(cr, px, ry);
    cairo_line_to(cr, px + pw, ry);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    label(cr, px + pw, ry - 10, pw, ref_label, 7, 2, false);
    cairo_set_line_width(cr, 0.8);
    cairo_move_to(cr, px, py);
    cairo_line_to(cr, px, py + ph);
    cairo_line_to(cr, px + pw, py + ph);
    cairo_stroke(cr);
    cairo_restore(cr);
}
