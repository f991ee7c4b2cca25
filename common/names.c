#include "names.h"

#include <stdio.h>
#include <string.h>

#include "text.h"

#define NAME_BUF 512

/* Titles written before a name in Indonesian offices, folded and without
 * dots: Dr., Dra., Drs., Ir., H., Hj., Prof., K.H., R. (Raden) is a name. */
static const char *const front_titles[] = {
    "dr", "dra", "drs", "ir", "h", "hj", "prof", "kh", "hc", "apt", "ns",
};

static bool is_front_title(const char *w)
{
    for (size_t i = 0; i < sizeof front_titles / sizeof front_titles[0]; i++)
        if (strcmp(w, front_titles[i]) == 0)
            return true;
    return false;
}

/* "s.kom", "m.si", "s.t": a dot with letters after it inside the word. */
static bool is_degree(const char *w)
{
    const char *dot = strchr(w, '.');
    return dot && dot[1] != '\0';
}

/* Appends word w (dots dropped) to out. */
static void add_word(char *out, size_t len, size_t *o, const char *w)
{
    if (*o && *o + 1 < len)
        out[(*o)++] = ' ';
    for (; *w && *o + 1 < len; w++)
        if (*w != '.')
            out[(*o)++] = *w;
    out[*o] = '\0';
}

char *name_core(const char *name, char *out, size_t len)
{
    char folded[NAME_BUF];
    size_t o = 0;
    if (!len)
        return out;
    out[0] = '\0';
    text_fold(name ? name : "", folded, sizeof folded);
    char *comma = strchr(folded, ',');
    if (comma)
        *comma = '\0'; /* degrees follow the first comma */
    bool front = true;
    char *save = NULL;
    for (char *w = strtok_r(folded, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
        char bare[NAME_BUF];
        size_t b = 0;
        for (const char *p = w; *p && b + 1 < sizeof bare; p++)
            if (*p != '.')
                bare[b++] = *p;
        bare[b] = '\0';
        if (!b || is_degree(w) || (front && is_front_title(bare)))
            continue;
        front = false;
        add_word(out, len, &o, bare);
    }
    return out;
}

bool name_same_person(const char *a, const char *b)
{
    char ca[NAME_BUF], cb[NAME_BUF];
    name_core(a, ca, sizeof ca);
    name_core(b, cb, sizeof cb);
    return ca[0] && strcmp(ca, cb) == 0;
}
