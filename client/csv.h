/* CSV as RFC 4180 has it (commas, fields in double quotes with "" for a
 * quote, CRLF or LF line ends): written for the reports, read for the
 * certificate register's import. */
#ifndef SERTEL_CSV_H
#define SERTEL_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CSV_MAX_FIELDS 16
#define CSV_FIELD_MAX 512

/* One field, then "," or (last) CRLF. */
void csv_write_field(FILE *out, const char *s, bool last);

typedef struct {
    const char *p;  /* the rest of the text */
    int line;       /* the line the next record starts on */
} csv_reader_t;

typedef struct {
    char f[CSV_MAX_FIELDS][CSV_FIELD_MAX + 1];
    int n;
    int line;       /* where it started */
} csv_record_t;

void csv_reader_init(csv_reader_t *r, const char *text);
/* The next non-empty record: 1, 0 at the end, -1 on a malformed one (an
 * unclosed quote, too many or too long fields) with its line in rec->line. */
int csv_next(csv_reader_t *r, csv_record_t *rec);

#endif
