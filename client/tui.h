/* The officer's terminal UI: `sertel` with no arguments on a terminal.
 * An inbox updated live from the broker's pushes, the case detail with
 * its lembar disposisi history, and forms for the workflow actions. */
#ifndef SERTEL_TUI_H
#define SERTEL_TUI_H

#include "cli.h"

/* Runs the UI until the officer quits. common carries --key/--endpoint
 * (or NULL for the defaults: $SERTEL_KEY, $SERTEL_ENDPOINT, the key
 * file's endpoint). Expects i18n_init() to have run. Returns a process
 * exit code (EXIT_DONE, EXIT_USAGE without a terminal or key,
 * EXIT_REFUSED when the broker refuses the key). */
int tui_main(const cli_common_t *common);

#endif
