/* Message translation. Sertel speaks Bahasa Indonesia unless the user's
 * environment asks for English (LANGUAGE, LC_ALL, LC_MESSAGES or LANG
 * starting with "en"). Message ids in the source are English; po/id.po
 * carries the Indonesian text. */
#ifndef SERTEL_I18N_H
#define SERTEL_I18N_H

#include <libintl.h>

#define _(s) gettext(s)
#define N_(s) (s)

/* Chooses the language and binds the "sertel" text domain. Call once at the
 * start of main, before any message is formatted. */
void i18n_init(void);

/* Nonzero when the chosen language is English. */
int i18n_is_english(void);

/* Switches the language of messages for what follows ("en" or anything
 * else for Indonesian), e.g. for the reply to one client's request; NULL
 * or "" goes back to the language i18n_init chose. */
void i18n_use(const char *lang);

#endif
