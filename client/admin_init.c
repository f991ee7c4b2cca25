/* sertel-admin init: an alias kept for habit. Data directories are made
 * by the broker's own binary (`sertel-broker init`, as initdb is not
 * psql), so sertel-admin never links the store; this only finds that
 * binary and hands the arguments over. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "i18n.h"

/* Beside this binary or in the sbin directory beside its bin when
 * installed (/usr/bin/sertel-admin, /usr/sbin/sertel-broker), in
 * ../server when run from the build tree, else on PATH (an ordinary
 * user's PATH lacks /usr/sbin on Debian). SERTEL_BROKER names it. */
void admin_exec_broker(char **args)
{
    const char *named = getenv("SERTEL_BROKER");
    if (named && *named) {
        execv(named, args);
        return;
    }
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        const char *dir = dirname(self);
        static const char *const near[] = {"/sertel-broker", "/" SERTEL_REL_SBINDIR "/sertel-broker",
                                            "/../server/sertel-broker"};
        for (size_t i = 0; i < sizeof near / sizeof near[0]; i++) {
            char path[PATH_MAX + 32];
            snprintf(path, sizeof path, "%s%s", dir, near[i]);
            if (access(path, X_OK) == 0)
                execv(path, args);
        }
    }
    execvp("sertel-broker", args);
}

/* sertel-broker ARGV... (argv[0] is the broker's command); returns only
 * when it cannot be run. */
static void pass_to_broker(int argc, char **argv)
{
    char **args = calloc((size_t)argc + 2, sizeof *args);
    if (!args)
        return;
    args[0] = "sertel-broker";
    for (int i = 0; i < argc; i++)
        args[i + 1] = argv[i];
    admin_exec_broker(args);
    free(args);
}

int admin_init_main(int argc, char **argv)
{
    pass_to_broker(argc, argv);
    fprintf(stderr, _("sertel-admin init: cannot run sertel-broker init: %s\n"), strerror(errno));
    return 1;
}

/* sertel-admin rotate-key --data DIR: a new data key, offline, by the
 * binary that links the store (sertel-broker rotate-key). */
int admin_rotate_key_main(int argc, char **argv)
{
    pass_to_broker(argc, argv);
    fprintf(stderr, _("sertel-admin rotate-key: cannot run sertel-broker rotate-key: %s\n"),
            strerror(errno));
    return 1;
}
