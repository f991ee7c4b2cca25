#include "filetype.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"

/* A PDF reader starts from the end: %%EOF, before it "startxref" and the
 * byte offset of the cross-reference table ("xref") or stream ("N G obj").
 * The spec puts them in the last 1024 bytes. */
#define PDF_TAIL 1024

static const struct {
    unsigned type;
    const char *name;
    const char *magic;
    size_t magic_len;
} types[] = {
    {FILETYPE_PDF, "pdf", "%PDF-", 5},
    {FILETYPE_PNG, "png", "\x89PNG\r\n\x1a\n", 8},
    {FILETYPE_JPEG, "jpeg", "\xff\xd8\xff", 3},
};

#define N_TYPES (sizeof types / sizeof types[0])

static bool is_space(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\0';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The last occurrence of word in [s, s+n), or NULL. */
static const char *last_of(const char *s, size_t n, const char *word)
{
    size_t w = strlen(word);
    for (size_t i = n >= w ? n - w + 1 : 0; i-- > 0;)
        if (memcmp(s + i, word, w) == 0)
            return s + i;
    return NULL;
}

static const char *skip_space(const char *p, const char *end)
{
    while (p < end && is_space(*p))
        p++;
    return p;
}

static const char *skip_digits(const char *p, const char *end)
{
    while (p < end && is_digit(*p))
        p++;
    return p;
}

/* At off: "xref" or "N G obj" (a cross-reference stream). */
static bool xref_at(const char *s, size_t len, size_t off)
{
    const char *p = s + off, *end = s + len;
    if ((size_t)(end - p) >= 4 && memcmp(p, "xref", 4) == 0)
        return true;
    const char *q = skip_digits(p, end);
    if (q == p || (q = skip_space(q, end)) == end)
        return false;
    const char *r = skip_digits(q, end);
    if (r == q)
        return false;
    r = skip_space(r, end);
    return (size_t)(end - r) >= 3 && memcmp(r, "obj", 3) == 0;
}

static const char *pdf_trailer_problem(const char *s, size_t len)
{
    size_t tail = len < PDF_TAIL ? len : PDF_TAIL;
    const char *t = s + len - tail;
    const char *eof = last_of(t, tail, "%%EOF");
    if (!eof || skip_space(eof + 5, s + len) != s + len)
        return N_("the file does not end as a PDF ends (cut short or damaged?)");
    const char *sx = last_of(t, (size_t)(eof - t), "startxref");
    if (!sx)
        return N_("the trailer has no startxref");
    const char *p = skip_space(sx + 9, eof);
    const char *q = skip_digits(p, eof);
    if (q == p || q - p > 12 || skip_space(q, eof) != eof)
        return N_("the trailer's startxref holds no offset");
    unsigned long long off = 0;
    for (; p < q; p++)
        off = off * 10 + (unsigned)(*p - '0');
    if (off >= (unsigned long long)(sx - s) || !xref_at(s, len, (size_t)off))
        return N_("the trailer's startxref does not point at a cross-reference");
    return NULL;
}

unsigned filetype_detect(const void *data, size_t len, const char **problem)
{
    const char *s = data;
    if (problem)
        *problem = NULL;
    for (size_t i = 0; s && i < N_TYPES; i++) {
        if (len < types[i].magic_len || memcmp(s, types[i].magic, types[i].magic_len) != 0)
            continue;
        const char *why = types[i].type == FILETYPE_PDF ? pdf_trailer_problem(s, len) : NULL;
        if (problem)
            *problem = why;
        return why ? 0 : types[i].type;
    }
    return 0;
}

const char *filetype_name(unsigned type)
{
    for (size_t i = 0; i < N_TYPES; i++)
        if (types[i].type == type)
            return types[i].name;
    return NULL;
}

unsigned filetype_from_name(const char *name)
{
    if (name && strcasecmp(name, "jpg") == 0)
        return FILETYPE_JPEG;
    for (size_t i = 0; name && i < N_TYPES; i++)
        if (strcasecmp(name, types[i].name) == 0)
            return types[i].type;
    return 0;
}

const char *filetype_list(unsigned mask, char *buf, size_t len)
{
    size_t o = 0;
    if (len)
        buf[0] = '\0';
    for (size_t i = 0; i < N_TYPES && o < len; i++)
        if (mask & types[i].type) {
            int n = snprintf(buf + o, len - o, "%s%s", o ? ", " : "", types[i].name);
            o += n > 0 ? (size_t)n : 0;
        }
    return buf;
}
