#include "paths.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "i18n.h"

/* The directory holding the running binary, or "" when /proc is not
 * there to say. */
static const char *exe_dir(void)
{
    static char dir[PATH_MAX];
    static bool done;
    if (!done) {
        done = true;
        ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
        dir[n > 0 ? n : 0] = '\0';
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
    }
    return dir;
}

/* A binary under the build directory is a developer's: it must not pick
 * up an older installed copy of the files. */
static bool in_build_tree(void)
{
    size_t n = strlen(SERTEL_BUILD_DIR);
    const char *d = exe_dir();
    return strncmp(d, SERTEL_BUILD_DIR, n) == 0 && (d[n] == '/' || d[n] == '\0');
}

/* build if in the build tree; else exe_dir/rel if it exists; else full. */
static const char *choose(const char *env, char *buf, size_t len, const char *build,
                          const char *rel, const char *full)
{
    const char *e = getenv(env);
    if (e && *e)
        return e;
    if (in_build_tree())
        return build;
    int n = *exe_dir() ? snprintf(buf, len, "%s/%s", exe_dir(), rel) : -1;
    if (n > 0 && (size_t)n < len && access(buf, F_OK) == 0)
        return buf;
    return full;
}

const char *paths_locale_dir(void)
{
    static char buf[PATH_MAX];
    return choose("SERTEL_LOCALEDIR", buf, sizeof buf, SERTEL_BUILD_LOCALEDIR, SERTEL_REL_LOCALEDIR,
                  SERTEL_INSTALL_LOCALEDIR);
}

const char *paths_sop_dir(void)
{
    static char buf[PATH_MAX];
    return choose("SERTEL_SOP_DIR", buf, sizeof buf, SERTEL_SOURCE_DIR "/sop", SERTEL_REL_DATADIR,
                  SERTEL_INSTALL_DATADIR);
}

const char *paths_shipped(const char *name, char *buf, unsigned len)
{
    snprintf(buf, len, "%s/%s", paths_sop_dir(), name);
    return buf;
}

bool paths_make_parents(const char *path, char *err, unsigned errlen)
{
    char dir[PATH_MAX];
    if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir) {
        diag_at(err, errlen, path, 0, "%s", strerror(ENAMETOOLONG));
        return false;
    }
    /* Each '/' after the first character ends a parent. */
    for (char *s = dir + 1; (s = strchr(s, '/')) != NULL; s++) {
        *s = '\0';
        if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
            diag_at(err, errlen, dir, 0, _("cannot create: %s"), strerror(errno));
            return false;
        }
        *s = '/';
    }
    return true;
}
