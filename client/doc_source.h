/* What printing a case's documents needs from the broker besides the case
 * itself: the office profile (kop and logo) and the officers' names; and
 * the seal that ties a document to the journal. Shared by `sertel print`,
 * `sertel verify` and `sertel-admin archive export`. */
#ifndef SERTEL_DOC_SOURCE_H
#define SERTEL_DOC_SOURCE_H

#include "cli.h"
#include "doc.h"

typedef struct doc_source doc_source_t;

/* Asks the broker for its working calendar (the zone documents are dated
 * in), the office profile and the officers; NULL after
 * printing why (as "prog: ..."), with *rc the exit code. */
doc_source_t *doc_source_new(cli_t *cli, const char *prog, int *rc);
void doc_source_destroy(doc_source_t **s);
const office_t *doc_source_office(const doc_source_t *s);
const calendar_t *doc_source_calendar(const doc_source_t *s);
/* The office's logo (PNG), NULL when none. */
void doc_source_logo(const doc_source_t *s, const uint8_t **logo, size_t *len);
/* The Kepala Dinas (the active officer of that role), for signatures;
 * "" and false when there is none. */
bool doc_source_head(const doc_source_t *s, const char **name, const char **nip);
/* The officer's name, or the NIP when unknown. */
const char *doc_source_name(void *s, const char *nip);

/* Asks for one case with its history (reply kept in *reply, to free),
 * and for the broker's calendar first, so its times are shown in the
 * office's zone. */
int doc_fetch_case(cli_t *cli, const char *prog, const char *case_id, Sertel__Envelope **reply);

/* The journal chain's hash at record seq (0: the head's), and the head. */
int doc_fetch_chain(cli_t *cli, const char *prog, uint64_t seq, char hash[DOC_DIGEST_HEX + 1],
                    uint64_t *head_seq, char head[DOC_DIGEST_HEX + 1]);

/* Writes the document kind ("lembar" or "laporan") of the case to path,
 * sealed at the case's last event. The seal's text goes to seal (may be
 * NULL). Returns an exit code after printing any problem. */
int doc_source_print(doc_source_t *s, const char *prog, const Sertel__CaseDetail *d,
                     const char *kind, const char *path, char *seal, size_t seal_len);

#endif
