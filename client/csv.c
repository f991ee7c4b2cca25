#include "csv.h"

#include <string.h>

void csv_write_field(FILE *out, const char *s, bool last)
{
    if (strpbrk(s, ",\"\n\r")) {
        fputc('"', out);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', out); /* a quote inside is doubled */
            fputc(*s, out);
        }
        fputc('"', out);
    } else {
        fputs(s, out);
    }
    fputs(last ? "\r\n" : ",", out);
}

void csv_reader_init(csv_reader_t *r, const char *text)
{
    r->p = text;
    r->line = 1;
}

/* One field at r->p into out; false when malformed. */
static bool read_field(csv_reader_t *r, char *out, bool *too_long)
{
    size_t n = 0;
    const char *p = r->p;
    bool quoted = *p == '"';
    p += quoted;
    for (;;) {
        char c = *p;
        if (quoted && c == '"' && p[1] == '"') {
            c = '"';
            p++;
        } else if (quoted && c == '"') {
            p++;
            quoted = false;
            if (*p && *p != ',' && *p != '\n' && *p != '\r')
                return false; /* text after the closing quote */
            continue;
        } else if (!c || (!quoted && (c == ',' || c == '\n' || c == '\r'))) {
            break;
        }
        if (c == '\n')
            r->line++;
        if (n < CSV_FIELD_MAX)
            out[n++] = c;
        else
            *too_long = true;
        p++;
    }
    out[n] = '\0';
    r->p = p;
    return !quoted;
}

int csv_next(csv_reader_t *r, csv_record_t *rec)
{
    while (*r->p == '\n' || *r->p == '\r')
        r->line += *r->p++ == '\n';
    if (!*r->p)
        return 0;
    rec->n = 0;
    rec->line = r->line;
    bool too_long = false;
    for (;;) {
        if (rec->n == CSV_MAX_FIELDS || !read_field(r, rec->f[rec->n++], &too_long) || too_long)
            return -1;
        if (*r->p != ',')
            break;
        r->p++;
    }
    if (*r->p == '\r')
        r->p++;
    if (*r->p == '\n') {
        r->p++;
        r->line++;
    }
    return 1;
}
