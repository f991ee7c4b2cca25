/* The hook for the officer's terminal UI: `sertel` without a command
 * opens it on a terminal (client/tui*.c). Without one (a pipe, a cron
 * job) there is nothing to draw on, so the list of commands is printed
 * as before. argv[0] is "sertel", then only the common options (--key,
 * --endpoint); the return value is the exit code of cli.h. */
#include <unistd.h>

#include "officer.h"
#include "tui.h"

int officer_tui(int argc, char **argv)
{
    cli_common_t common = {0};
    const char *none[1];
    int n_pos;
    if (!cli_parse("sertel", argc, argv, NULL, 0, &common, none, 0, &n_pos))
        return EXIT_USAGE;
    if (common.help || !isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        officer_usage(common.help ? stdout : stderr);
        return common.help ? EXIT_DONE : EXIT_USAGE;
    }
    return tui_main(&common);
}
