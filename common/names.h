/* Whether two writings of a person's name are the same person's: the
 * register writes "Dra. Hj. Ñoño Sútisna, M.Si." where a certificate's
 * subject says "NONO SUTISNA". Case and accents are folded (text_fold),
 * titles dropped (the ones before the name from a table, every degree
 * after the first comma or written with an inner dot like "S.Kom"), dots
 * and spacing ignored; what remains must be the same words in the same
 * order. Pure. */
#ifndef SERTEL_NAMES_H
#define SERTEL_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/* The name reduced to its words: "nono sutisna". Returns out. */
char *name_core(const char *name, char *out, size_t len);
/* True when both reduce to the same non-empty words. */
bool name_same_person(const char *a, const char *b);

#endif
