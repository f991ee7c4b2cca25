/* Where a binary finds what ships with it: the translations and the
 * shipped SOP and calendar. Run from the build tree, a binary uses the
 * build tree's translations and the source tree's sop/; installed, it
 * looks relative to its own directory (PREFIX/bin or PREFIX/sbin ->
 * PREFIX/share/...), so a package unpacked anywhere (dpkg -x into a
 * scratch root) finds its own files, and falls back to the configured
 * install prefix. */
#ifndef SERTEL_PATHS_H
#define SERTEL_PATHS_H

#include <stdbool.h>

/* The gettext locale directory ($SERTEL_LOCALEDIR first). */
const char *paths_locale_dir(void);
/* The directory of the shipped SOP and calendar files ($SERTEL_SOP_DIR
 * first): the source tree's sop/ or PREFIX/share/sertel. */
const char *paths_sop_dir(void);
/* dir/name of a shipped file into buf; returns buf. */
const char *paths_shipped(const char *name, char *buf, unsigned len);

/* Makes the missing parent directories of path (as mkdir -p would, mode
 * 0755 before the umask); path itself is left to the caller. False with
 * "DIR: reason" in err. */
bool paths_make_parents(const char *path, char *err, unsigned errlen);

#endif
