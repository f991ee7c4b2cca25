/* What the documents about one case share (doc_case.c): opening one with
 * the office's letterhead and metadata, who acted and as what, and the
 * seal block with the QR code at the end. Internal to doc_lembar.c and
 * doc_laporan.c. */
#ifndef SERTEL_DOC_CASE_H
#define SERTEL_DOC_CASE_H

#include "doc.h"

/* Opens path with the kop, the title and the footer. */
doc_t *doc_case_open(const char *path, const doc_case_t *c, const char *title, char *err,
                     size_t errlen);
/* "Dedi Supriadi, Kepala Bidang ..." or, for an acting official,
 * "Dedi Supriadi, Plh. Kepala Dinas, a.n. Tino Armyanto". */
const char *doc_case_actor(const doc_case_t *c, const Sertel__Event *ev, char *buf, size_t len);
/* Where a disposition sent the case: the next step's officer or pool. */
const char *doc_case_target(const doc_case_t *c, const Sertel__Event *ev, char *buf, size_t len);
/* The QR code with the seal beside it, and how to check it. */
void doc_case_seal(doc_t *d, const doc_case_t *c);
/* The officer's display name. */
const char *doc_case_name(const doc_case_t *c, const char *nip);
/* The applicant's name, never NULL. */
const char *doc_case_applicant(const doc_case_t *c);

#endif
