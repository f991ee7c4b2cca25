/* Shared by the text-file fuzz targets: the input as a NUL-terminated
 * string, as the loaders get it from text_read_file (which refuses a NUL
 * inside, so such inputs are skipped). */
#ifndef SERTEL_FUZZ_TEXT_H
#define SERTEL_FUZZ_TEXT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline char *fuzz_text(const uint8_t *data, size_t size)
{
    if (memchr(data, '\0', size))
        return NULL;
    char *text = malloc(size + 1);
    if (text) {
        memcpy(text, data, size);
        text[size] = '\0';
    }
    return text;
}

#endif
