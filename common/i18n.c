#include "i18n.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

static int english;

/* The first of these variables that is set decides, as gettext would. */
static const char *requested_language(void)
{
    static const char *vars[] = {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return v;
    }
    return "";
}

void i18n_init(void)
{
    english = strncmp(requested_language(), "en", 2) == 0;
    /* gettext ignores LANGUAGE under the plain "C" locale, which is all a
     * fresh machine may have; C.UTF-8 is always there and is not "C". */
    const char *loc = setlocale(LC_ALL, "");
    if (!loc || strcmp(loc, "C") == 0 || strcmp(loc, "POSIX") == 0)
        setlocale(LC_ALL, "C.UTF-8");
    setenv("LANGUAGE", english ? "en" : "id", 1);
    const char *dir = getenv("SERTEL_LOCALEDIR");
    bindtextdomain("sertel", dir && *dir ? dir : SERTEL_LOCALEDIR);
    bind_textdomain_codeset("sertel", "UTF-8");
    textdomain("sertel");
}

int i18n_is_english(void)
{
    return english;
}
