/* Small text helpers shared by the plain-text loaders (SOP, calendar, key
 * files) and the clients. */
#ifndef SERTEL_TEXT_H
#define SERTEL_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Space, tab or carriage return (files saved on Windows). */
bool text_is_blank(char c);
/* Strips blanks from both ends, in place; returns the first kept byte. */
char *text_trim(char *s);
/* Latin text folded for matching: lower case, accents dropped ("Ñoño
 * SÚTISNA" -> "nono sutisna"); other characters are kept as they are.
 * Writes at most len bytes, terminated; returns out. */
char *text_fold(const char *in, char *out, size_t len);
/* True when a and b are the same text once ASCII case is ignored and
 * every byte in skip is passed over in both (skip " ": "800 / 123 /
 * disdik" is "800/123/Disdik"). */
bool text_same_skipping(const char *a, const char *b, const char *skip);
/* Copies the first len bytes of src (fewer if it ends before) into dst
 * of cap bytes, cut to fit and terminated, without formatting (the
 * broker does this for every request and push). Returns dst. */
char *text_copy(char *dst, size_t cap, const char *src, size_t len);
/* Reads a whole text file of at most limit bytes into a NUL-terminated
 * malloc'd buffer. A NUL byte inside is refused with its line, since the
 * parsers would otherwise silently stop there. On error returns NULL with
 * "PATH: reason" or "PATH:LINE: reason" in err. */
char *text_read_file(const char *path, size_t limit, size_t *len, char *err, size_t errlen);

#endif
