#include "text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "i18n.h"

bool text_is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

char *text_trim(char *s)
{
    while (text_is_blank(*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && text_is_blank(s[n - 1]))
        s[--n] = '\0';
    return s;
}

static bool nul_free(const char *text, size_t len, const char *path, char *err, size_t errlen)
{
    const char *nul = memchr(text, '\0', len);
    if (!nul)
        return true;
    int line = 1;
    for (const char *s = text; s < nul; s++)
        line += *s == '\n';
    diag_at(err, errlen, path, line, "%s", _("NUL byte in the file (is it a text file?)"));
    return false;
}

char *text_read_file(const char *path, size_t limit, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        diag_at(err, errlen, path, 0, _("cannot read the file: %s"), strerror(errno));
        return NULL;
    }
    /* One byte more than the limit tells "too large" from "just fits". */
    char *buf = malloc(limit + 2);
    size_t n = buf ? fread(buf, 1, limit + 1, f) : 0;
    int failed = buf ? ferror(f) : 0, saved = errno;
    fclose(f);
    if (!buf)
        diag_at(err, errlen, path, 0, "%s", sertel_strerror(SERTEL_E_NOMEM));
    else if (failed)
        diag_at(err, errlen, path, 0, _("cannot read the file: %s"), strerror(saved));
    else if (n > limit)
        diag_at(err, errlen, path, 0, _("the file is larger than %zu KiB"), limit / 1024);
    if (!buf || failed || n > limit || !nul_free(buf, n, path, err, errlen)) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

/* Base letters of U+00C0..U+017F, by ranges of code points. */
static const struct {
    unsigned from, to;
    const char *base;
} latin[] = {
    {0xC0, 0xC5, "a"}, {0xC6, 0xC6, "ae"}, {0xC7, 0xC7, "c"}, {0xC8, 0xCB, "e"},
    {0xCC, 0xCF, "i"}, {0xD0, 0xD0, "d"}, {0xD1, 0xD1, "n"}, {0xD2, 0xD6, "o"},
    {0xD8, 0xD8, "o"}, {0xD9, 0xDC, "u"}, {0xDD, 0xDD, "y"}, {0xDE, 0xDE, "th"},
    {0xDF, 0xDF, "ss"}, {0xE0, 0xE5, "a"}, {0xE6, 0xE6, "ae"}, {0xE7, 0xE7, "c"},
    {0xE8, 0xEB, "e"}, {0xEC, 0xEF, "i"}, {0xF0, 0xF0, "d"}, {0xF1, 0xF1, "n"},
    {0xF2, 0xF6, "o"}, {0xF8, 0xF8, "o"}, {0xF9, 0xFC, "u"}, {0xFD, 0xFD, "y"},
    {0xFE, 0xFE, "th"}, {0xFF, 0xFF, "y"}, {0x100, 0x105, "a"}, {0x106, 0x10D, "c"},
    {0x10E, 0x111, "d"}, {0x112, 0x11B, "e"}, {0x11C, 0x123, "g"}, {0x124, 0x127, "h"},
    {0x128, 0x131, "i"}, {0x132, 0x133, "ij"}, {0x134, 0x135, "j"}, {0x136, 0x138, "k"},
    {0x139, 0x142, "l"}, {0x143, 0x14B, "n"}, {0x14C, 0x151, "o"}, {0x152, 0x153, "oe"},
    {0x154, 0x159, "r"}, {0x15A, 0x161, "s"}, {0x162, 0x167, "t"}, {0x168, 0x173, "u"},
    {0x174, 0x175, "w"}, {0x176, 0x178, "y"}, {0x179, 0x17E, "z"}, {0x17F, 0x17F, "s"},
};

static const char *latin_base(unsigned cp)
{
    for (size_t i = 0; i < sizeof latin / sizeof latin[0]; i++)
        if (cp >= latin[i].from && cp <= latin[i].to)
            return latin[i].base;
    return NULL;
}

bool text_same_skipping(const char *a, const char *b, const char *skip)
{
    for (;;) {
        while (*a && strchr(skip, *a))
            a++;
        while (*b && strchr(skip, *b))
            b++;
        if (!*a || !*b)
            return !*a && !*b;
        char ca = (*a >= 'A' && *a <= 'Z') ? (char)(*a + 32) : *a;
        char cb = (*b >= 'A' && *b <= 'Z') ? (char)(*b + 32) : *b;
        if (ca != cb)
            return false;
        a++, b++;
    }
}

char *text_fold(const char *in, char *out, size_t len)
{
    size_t o = 0;
    if (!out || len == 0)
        return out;
    for (const unsigned char *p = (const unsigned char *)in; p && *p && o + 1 < len;) {
        unsigned cp = 0;
        const char *base = NULL;
        if ((p[0] & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) {
            cp = (unsigned)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
            base = latin_base(cp);
        }
        if (base) {
            for (; *base && o + 1 < len; base++)
                out[o++] = *base;
            p += 2;
        } else {
            out[o++] = *p >= 'A' && *p <= 'Z' ? (char)(*p + 32) : (char)*p;
            p++;
        }
    }
    out[o] = '\0';
    return out;
}

char *text_copy(char *dst, size_t cap, const char *src, size_t len)
{
    if (cap == 0)
        return dst;
    size_t n = strnlen(src, len < cap - 1 ? len : cap - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
    return dst;
}
