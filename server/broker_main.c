/* sertel-broker: runs the broker in the foreground until SIGINT/SIGTERM. */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "broker.h"
#include "clockfile.h"
#include "i18n.h"
#include "log.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

/* Tests move the broker's clock by writing Unix seconds into the file
 * named by SERTEL_CLOCK_FILE; without it the broker uses the real time. */
static int64_t file_clock(void *arg)
{
    return clock_file_now(arg);
}

static void usage(FILE *to)
{
    fprintf(to, _("Usage: sertel-broker --data DIR [--endpoint tcp://HOST:PORT] [--verbose]\n"
                  "       sertel-broker init --data DIR [...]   (see sertel-broker init --help)\n"
                  "Runs the Sertel broker in the foreground; stop it with Ctrl-C or SIGTERM.\n"
                  "The data directory is made by 'sertel-broker init'. Port 0 picks a free port.\n"));
}

int main(int argc, char **argv)
{
    i18n_init();
    /* Whatever the broker makes (database, backups, identity) holds the
     * applicants' data or the office's keys: for its owner only. */
    umask(077);
    if (argc > 1 && strcmp(argv[1], "init") == 0)
        return broker_init_main(argc - 1, argv + 1);
    broker_config_t cfg = {.stop = &stop};
    for (int i = 1; i < argc; i++) {
        bool has_value = i + 1 < argc;
        if (strcmp(argv[i], "--data") == 0 && has_value)
            cfg.data_dir = argv[++i];
        else if (strcmp(argv[i], "--endpoint") == 0 && has_value)
            cfg.endpoint = argv[++i];
        else if (strcmp(argv[i], "--verbose") == 0)
            log_set_level(LOG_DEBUG);
        else if (strcmp(argv[i], "--help") == 0)
            return usage(stdout), 0;
        else if (strcmp(argv[i], "--version") == 0)
            return printf("sertel-broker %s\n", SERTEL_VERSION), 0;
        else {
            fprintf(stderr, _("sertel-broker: unknown or incomplete option '%s'\n"), argv[i]);
            usage(stderr);
            return 1;
        }
    }
    if (!cfg.data_dir) {
        usage(stderr);
        return 1;
    }
    const char *clock_file = getenv("SERTEL_CLOCK_FILE");
    if (clock_file && *clock_file) {
        cfg.clock = file_clock;
        cfg.clock_arg = (void *)clock_file;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    char err[1024] = "";
    broker_t *b = broker_new(&cfg, err, sizeof err);
    if (!b) {
        fprintf(stderr, _("sertel-broker: cannot start: %s\n"), err);
        return 1;
    }
    /* The first line on stdout is the endpoint, for scripts and tests. */
    printf("%s\n", broker_endpoint(b));
    fflush(stdout);
    log_msg(LOG_INFO, _("listening on %s, data in %s"), broker_endpoint(b), cfg.data_dir);
    int rc = broker_run(b);
    log_msg(LOG_INFO, _("stopped"));
    broker_destroy(&b);
    return rc;
}
