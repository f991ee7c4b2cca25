/* What a file is, judged by its content and never by its name: the letter
 * and the laporan must be documents (PDF unless the SOP allows more), and a
 * "laporan.pdf" that is a renamed spreadsheet or a PDF cut short in
 * transfer must be refused when it arrives, not when the Kepala Dinas
 * opens it. Pure. */
#ifndef SERTEL_FILETYPE_H
#define SERTEL_FILETYPE_H

#include <stddef.h>

/* One bit per type the office may accept ("jenis-berkas" in the SOP). */
enum {
    FILETYPE_PDF = 1u << 0,
    FILETYPE_PNG = 1u << 1,
    FILETYPE_JPEG = 1u << 2,
    /* Not a type: starts as a PDF, but the trailer is broken. */
    FILETYPE_BROKEN_PDF = 1u << 7,
};

/* The type of this content (one FILETYPE_ bit), or 0 when it is none of
 * them. A file that starts like a PDF but whose trailer (startxref, the
 * cross-reference it points at, %%EOF) is missing or broken is no PDF;
 * *problem then names why (N_() text, translate it), else is NULL. */
unsigned filetype_detect(const void *data, size_t len, const char **problem);
/* "pdf", "png", "jpeg", or NULL for anything else. */
const char *filetype_name(unsigned type);
/* The bit for a type word (case ignored; "jpg" is jpeg), or 0. */
unsigned filetype_from_name(const char *name);
/* The types in mask as one line, "pdf, png". Returns buf. */
const char *filetype_list(unsigned mask, char *buf, size_t len);

#endif
