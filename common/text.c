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
