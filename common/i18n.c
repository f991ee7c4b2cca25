#include "i18n.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "paths.h"

static int english, default_english;

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
    english = default_english = strncmp(requested_language(), "en", 2) == 0;
    /* gettext ignores LANGUAGE under the plain "C" locale, which is all a
     * fresh machine may have; C.UTF-8 is always there and is not "C". */
    const char *loc = setlocale(LC_ALL, "");
    if (!loc || strcmp(loc, "C") == 0 || strcmp(loc, "POSIX") == 0)
        setlocale(LC_ALL, "C.UTF-8");
    setenv("LANGUAGE", english ? "en" : "id", 1);
    bindtextdomain("sertel", paths_locale_dir());
    bind_textdomain_codeset("sertel", "UTF-8");
    textdomain("sertel");
}

void i18n_use(const char *lang)
{
    int want_english = lang && *lang ? strncmp(lang, "en", 2) == 0 : default_english;
    if (want_english == english)
        return;
    english = want_english;
    setenv("LANGUAGE", english ? "en" : "id", 1);
    /* Setting the text domain again makes gettext drop its cache of
     * translations looked up under the previous language. */
    textdomain(textdomain(NULL));
}

int i18n_is_english(void)
{
    return english;
}
