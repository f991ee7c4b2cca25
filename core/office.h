/* The office profile: what every document the office prints carries at
 * its head (the kop surat: government, agency, address, logo), the town
 * its letters are dated from, the title of its head for the signature
 * block, the instruction boxes of its lembar disposisi and the share
 * within the Mutu Baku below which the SOP-monitoring report judges a
 * step "tidak berjalan dengan baik".
 *
 * A plain text file of "key = value" lines (sop/kantor.conf is the
 * shipped example), kept in the broker's data directory where the
 * administrator edits it. Pure: parsing only, no files. */
#ifndef SERTEL_OFFICE_H
#define SERTEL_OFFICE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define OFFICE_FILE "kantor.conf"
#define OFFICE_TEXT_MAX 256
#define OFFICE_MAX_BOXES 12
#define OFFICE_BOX_MAX 64
#define OFFICE_LOGO_NAME_MAX 64
#define OFFICE_LOGO_MAX (1u << 20)
#define OFFICE_FILE_MAX (64u << 10)

typedef struct {
    char government[OFFICE_TEXT_MAX + 1]; /* "PEMERINTAH KABUPATEN CIAMIS" */
    char agency[OFFICE_TEXT_MAX + 1];     /* "DINAS KOMUNIKASI DAN INFORMATIKA" */
    char address[OFFICE_TEXT_MAX + 1];    /* street, town, postcode */
    char contact[OFFICE_TEXT_MAX + 1];    /* telephone, web site, e-mail; optional */
    char city[OFFICE_TEXT_MAX + 1];       /* "Ciamis", for "Ciamis, 24 November 2026" */
    char head_title[OFFICE_TEXT_MAX + 1]; /* "Kepala Dinas Komunikasi dan Informatika" */
    char logo[OFFICE_LOGO_NAME_MAX + 1];  /* PNG file beside the profile; "" for none */
    int threshold;                        /* percent within the Mutu Baku, 1..100 */
    char boxes[OFFICE_MAX_BOXES][OFFICE_BOX_MAX + 1]; /* "Tanggapi", "Arsipkan", ... */
    int n_boxes;
} office_t;

/* Parses a profile; on error returns SERTEL_E_INVALID with
 * "FILENAME:LINE: reason" in err. */
sertel_err_t office_parse(const char *text, const char *filename, office_t *out, char *err,
                          size_t errlen);

/* A logo file name is a plain name in the data directory: letters,
 * digits, '.', '-', '_', not starting with '.', ending in ".png". */
bool office_logo_name_ok(const char *name);
/* The bytes start like a PNG image. */
bool office_logo_is_png(const void *data, size_t len);

#endif
