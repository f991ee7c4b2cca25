/* The hook for the officer's terminal UI: `sertel` without a command
 * opens it on a terminal (client/tui*.c). Without one (a pipe, a cron
 * job) there is nothing to draw on, so the list of commands is printed
 * as before. argv[0] is "sertel"; the return value is the exit code of
 * cli.h. */
#include <unistd.h>

#include "officer.h"
#include "tui.h"

int officer_tui(int argc, char **argv)
{
    (void)argc, (void)argv;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        officer_usage(stderr);
        return EXIT_USAGE;
    }
    return tui_main(NULL);
}
