/* A QR code drawn with cairo from libqrencode's modules: vector squares,
 * so it stays sharp at any print size and decodes from a 150 dpi scan. */
#include <cairo.h>
#include <qrencode.h>

#include "doc.h"

bool doc_qr(cairo_t *cr, double x, double y, double size, const char *text)
{
    /* Level M: a smudged or folded sheet still reads. */
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr)
        return false;
    const int quiet = 2; /* modules of white margin (the page around is white too) */
    double m = size / (qr->width + 2 * quiet);
    cairo_save(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, x, y, size, size);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (int r = 0; r < qr->width; r++)
        for (int c = 0; c < qr->width; c++)
            if (qr->data[r * qr->width + c] & 1)
                cairo_rectangle(cr, x + (c + quiet) * m, y + (r + quiet) * m, m, m);
    cairo_fill(cr);
    cairo_restore(cr);
    QRcode_free(qr);
    return true;
}
