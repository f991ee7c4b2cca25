/* sertel-broker: runs the broker in the foreground until SIGINT/SIGTERM.
 * Settings come from --config FILE (each "key = value" is the long option
 * --key value) and then the command line, which wins. */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker.h"
#include "clockfile.h"
#include "conf.h"
#include "i18n.h"
#include "log.h"
#include "sdnotify.h"
#include "version.h"

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
    fprintf(to, _("Usage: sertel-broker [--config FILE] [--data DIR] [--log-level debug|info|warn|error]\n"
                  "                     [OPTIONS]\n"
                  "       sertel-broker init --data DIR [...]\n"
                  "Runs the Sertel broker in the foreground; stop it with Ctrl-C or SIGTERM.\n\n"
                  "Options:\n"
                  "  --config FILE              read settings from FILE, one option a line:\n"
                  "                             \"data = DIR\" is --data DIR; the command line\n"
                  "                             wins\n"
                  "  --data DIR                 the data directory (made by 'sertel-broker init')\n"
                  "  --endpoint tcp://HOST:PORT where to listen (default: the one in the data\n"
                  "                             directory's broker.key; port 0 picks a free port)\n"
                  "  --log-level LEVEL          debug, info, warn or error (default info)\n"
                  "  --verbose                  the same as --log-level debug\n"
                  "  --init-if-missing          make the data directory first if it has none\n"
                  "  --admin-key FILE           where that writes the administrator's key file\n"
                  "                             (outside the data directory)\n"
                  "  --version, --help\n\n"
                  "Commands:\n"
                  "  init        make a data directory (sertel-broker init --help)\n"
                  "  restore     put a backup back, with the broker stopped\n"
                  "              (sertel-broker restore --help)\n"));
    fprintf(to, "%s", _("  verify      the journal's hash chain, offline (sertel-broker verify --help)\n"
                        "  check       every record and index, offline (sertel-broker check --help)\n"
                        "  rotate-key  a new data key, the broker stopped (sertel-broker rotate-key --help)\n"));
    broker_limits_t d = BROKER_LIMITS_DEFAULT;
    fprintf(to, _("\nLimits per officer's key (0: none):\n"
                  "  --max-connections-per-key N  live connections of one key (%d)\n"
                  "  --max-in-flight N            requests of one key waiting for an answer (%d)\n"
                  "  --max-writes-per-minute N    changes one key may make in a minute (%d)\n"
                  "  --max-search-scan N          cases one search examines at most (%d)\n"
                  "  --send-queue N               messages queued to a connection that does not\n"
                  "                               read, before it must catch up (%d)\n"),
            d.connections, d.in_flight, d.writes_per_minute, d.search_scan, d.send_queue);
}

/* The limit options: name and field. */
static const struct {
    const char *name;
    size_t offset;
} limit_options[] = {
    {"--max-connections-per-key", offsetof(broker_limits_t, connections)},
    {"--max-in-flight", offsetof(broker_limits_t, in_flight)},
    {"--max-writes-per-minute", offsetof(broker_limits_t, writes_per_minute)},
    {"--max-search-scan", offsetof(broker_limits_t, search_scan)},
    {"--send-queue", offsetof(broker_limits_t, send_queue)},
};

/* The limit option named opt, or NULL. */
static int *limit_field(broker_limits_t *l, const char *opt)
{
    for (size_t k = 0; k < sizeof limit_options / sizeof limit_options[0]; k++)
        if (strcmp(opt, limit_options[k].name) == 0)
            return (int *)((char *)l + limit_options[k].offset);
    return NULL;
}

static bool parse_limit(const char *v, int *out)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < 0 || n > 1000000000)
        return false;
    *out = (int)n;
    return true;
}

typedef struct {
    broker_config_t cfg;
    bool init_if_missing;
    const char *admin_key; /* where --init-if-missing writes the administrator's key */
} opts_t;

static bool from_file(const conf_args_t *a, int i)
{
    char where[8];
    return conf_args_origin(a, i, where, sizeof where) != NULL;
}

/* "sertel-broker: FILE:LINE: message" when the file gave argument i;
 * a mistake on the command line is followed by the usage. */
__attribute__((format(printf, 3, 4)))
static bool bad(const conf_args_t *a, int i, const char *fmt, ...)
{
    char where[4200];
    const char *origin = conf_args_origin(a, i, where, sizeof where);
    fputs("sertel-broker: ", stderr);
    if (origin)
        fprintf(stderr, "%s: ", origin);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (!origin)
        usage(stderr);
    return false;
}

/* A switch has no value, so it has no place in the file. */
static bool parse_switch(const conf_args_t *a, int i, bool *flag)
{
    if (from_file(a, i))
        return bad(a, i, _("'%s' is a command-line switch, not a setting of the file"),
                   conf_args_argv(a)[i] + 2);
    *flag = true;
    return true;
}

static bool parse_args(const conf_args_t *a, opts_t *o)
{
    int argc = conf_args_argc(a);
    char **argv = conf_args_argv(a);
    bool verbose = false;
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        bool has_value = i + 1 < argc;
        log_level_t level;
        int *limit = has_value ? limit_field(&o->cfg.limits, opt) : NULL;
        if (limit) {
            if (!parse_limit(argv[++i], limit))
                return bad(a, i, _("%s needs a whole number from 0 to 1000000000, not '%s'"), opt,
                           argv[i]);
        } else if (strcmp(opt, "--data") == 0 && has_value)
            o->cfg.data_dir = argv[++i];
        else if (strcmp(opt, "--endpoint") == 0 && has_value)
            o->cfg.endpoint = argv[++i];
        else if (strcmp(opt, "--admin-key") == 0 && has_value)
            o->admin_key = argv[++i];
        else if (strcmp(opt, "--config") == 0 && has_value && !from_file(a, i))
            i++; /* read before the others */
        else if (strcmp(opt, "--log-level") == 0 && has_value) {
            if (!log_level_parse(argv[++i], &level))
                return bad(a, i, _("unknown log level '%s' (debug, info, warn, error)"), argv[i]);
            log_set_level(level);
        } else if (strcmp(opt, "--verbose") == 0) {
            if (!parse_switch(a, i, &verbose))
                return false;
            log_set_level(LOG_DEBUG);
        } else if (strcmp(opt, "--init-if-missing") == 0) {
            if (!parse_switch(a, i, &o->init_if_missing))
                return false;
        } else if (from_file(a, i))
            return bad(a, i, _("unknown setting '%s'"), opt + 2);
        else
            return bad(a, i, _("unknown or incomplete option '%s'"), opt);
    }
    return true;
}

/* --config FILE anywhere on the command line, read before the rest. */
static const char *config_path(int argc, char **argv)
{
    const char *path = NULL;
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--config") == 0)
            path = argv[++i];
    return path;
}

/* --init-if-missing: a directory without the broker's key nor a database
 * is made as `sertel-broker init` would (its report, naming the
 * administrator's key file, goes to the journal under systemd). */
static bool init_if_missing(const opts_t *o)
{
    char key[4096], db[4096];
    snprintf(key, sizeof key, "%s/broker.key", o->cfg.data_dir);
    snprintf(db, sizeof db, "%s/db", o->cfg.data_dir);
    if (access(key, F_OK) == 0 || access(db, F_OK) == 0)
        return true;
    char *args[8] = {"init", "--data", (char *)o->cfg.data_dir};
    int n = 3;
    if (o->cfg.endpoint) {
        args[n++] = "--endpoint";
        args[n++] = (char *)o->cfg.endpoint;
    }
    if (o->admin_key) {
        args[n++] = "--admin-key";
        args[n++] = (char *)o->admin_key;
    }
    log_msg(LOG_INFO, _("no data directory in %s yet: making it"), o->cfg.data_dir);
    int rc = broker_init_main(n, args);
    fflush(stdout);
    return rc == 0;
}

static int serve(opts_t *o)
{
    const char *clock_file = getenv("SERTEL_CLOCK_FILE");
    if (clock_file && *clock_file) {
        o->cfg.clock = file_clock;
        o->cfg.clock_arg = (void *)clock_file;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    char err[1024] = "";
    broker_t *b = broker_new(&o->cfg, err, sizeof err);
    if (!b) {
        fprintf(stderr, _("sertel-broker: cannot start: %s\n"), err);
        return 1;
    }
    /* The first line on stdout is the endpoint, for scripts and tests. */
    printf("%s\n", broker_endpoint(b));
    fflush(stdout);
    log_msg(LOG_INFO, _("listening on %s, data in %s"), broker_endpoint(b), o->cfg.data_dir);
    if (!sdnotify("READY=1"))
        log_msg(LOG_WARN, _("cannot tell systemd the broker is ready: %s"), strerror(errno));
    int rc = broker_run(b);
    sdnotify("STOPPING=1");
    log_msg(LOG_INFO, _("stopped"));
    broker_destroy(&b);
    return rc;
}

int main(int argc, char **argv)
{
    i18n_init();
    /* Whatever the broker makes (database, backups, identity) holds the
     * applicants' data or the office's keys: for its owner only. */
    umask(077);
    if (argc > 1 && strcmp(argv[1], "init") == 0)
        return broker_init_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "restore") == 0)
        return broker_restore_main(argc - 1, argv + 1);
    if (argc > 1 && (strcmp(argv[1], "verify") == 0 || strcmp(argv[1], "check") == 0))
        return broker_verify_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "rotate-key") == 0)
        return broker_rotate_main(argc - 1, argv + 1);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0)
            return usage(stdout), 0;
        if (strcmp(argv[i], "--version") == 0)
            return version_print("sertel-broker");
    }
    char err[1024] = "";
    conf_args_t *a = conf_args_new(config_path(argc, argv), argc, argv, err, sizeof err);
    if (!a) {
        fprintf(stderr, _("sertel-broker: %s\n"), err);
        return 1;
    }
    opts_t o = {.cfg = {.stop = &stop, .limits = BROKER_LIMITS_DEFAULT}};
    int rc = 1;
    bool ok = parse_args(a, &o);
    if (ok && !o.cfg.data_dir) {
        fprintf(stderr, "%s\n", _("sertel-broker: no data directory: give --data DIR or 'data' "
                                  "in the --config file"));
        usage(stderr);
        ok = false;
    }
    if (ok && (!o.init_if_missing || init_if_missing(&o)))
        rc = serve(&o);
    conf_args_destroy(&a);
    return rc;
}
