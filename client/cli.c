#include "cli.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "i18n.h"
#include "validate.h"
#include "worktime.h"

#define DEFAULT_TIMEOUT_MS 10000
/* How long a broker that does not even accept the connection is given. */
#define PROBE_TIMEOUT_MS 2500

/* The office's calendar as the broker runs it, once asked for. */
static calendar_t *office_calendar;
static calendar_t *fallback_calendar;

static char *error_buf;
static size_t error_len;

void cli_error_to(char *buf, size_t len)
{
    error_buf = len ? buf : NULL;
    error_len = len;
}

/* The placeholders a user types dates and times by, in their language:
 * help and errors must name one format (TTTT-BB-HH and JJ:MM in Indonesian,
 * YYYY-MM-DD and HH:MM in English). */
const char *cli_words(const char *in, char *out, size_t len)
{
    const struct {
        const char *word, *local;
    } words[] = {{"YYYY-MM-DD", _("YYYY-MM-DD")}, {"HH:MM", _("HH:MM")}};
    size_t o = 0;
    while (*in && o + 1 < len) {
        size_t i = 0, n = sizeof words / sizeof words[0];
        while (i < n && strncmp(in, words[i].word, strlen(words[i].word)) != 0)
            i++;
        if (i < n && strlen(words[i].local) < len - o) {
            memcpy(out + o, words[i].local, strlen(words[i].local));
            o += strlen(words[i].local);
            in += strlen(words[i].word);
        } else {
            out[o++] = *in++;
        }
    }
    out[o] = '\0';
    return out;
}

void cli_error(const char *prog, const char *fmt, ...)
{
    char text[2048], local[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    cli_words(text, local, sizeof local);
    if (error_buf)
        snprintf(error_buf, error_len, "%s", local);
    else
        fprintf(stderr, "%s: %s\n", prog, local);
}

static const cli_opt_t *find_opt(const char *name, const cli_opt_t *opts, size_t n,
                                 const cli_opt_t *common, size_t n_common)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(opts[i].name, name) == 0)
            return &opts[i];
    for (size_t i = 0; i < n_common; i++)
        if (strcmp(common[i].name, name) == 0)
            return &common[i];
    return NULL;
}

static bool take_value(const char *prog, const cli_opt_t *o, const char *value)
{
    if (o->value) {
        *o->value = value;
        return true;
    }
    if (o->multi->n == CLI_MAX_MULTI) {
        cli_error(prog, _("%s may be given at most %d times"), o->name, CLI_MAX_MULTI);
        return false;
    }
    o->multi->v[o->multi->n++] = value;
    return true;
}

bool cli_parse(const char *prog, int argc, char **argv, const cli_opt_t *opts, size_t n_opts,
               cli_common_t *common, const char **pos, int max_pos, int *n_pos)
{
    const cli_opt_t commons[] = {
        {"--key", "FILE", &common->key_path, NULL, NULL, NULL},
        {"--endpoint", "ENDPOINT", &common->endpoint, NULL, NULL, NULL},
        {"--json", NULL, NULL, &common->json, NULL, NULL},
        {"--help", NULL, NULL, &common->help, NULL, NULL},
    };
    *n_pos = 0;
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--", 2) != 0 || strcmp(argv[i], "--") == 0) {
            if (*n_pos == max_pos) {
                cli_error(prog, _("unexpected argument '%s'"), argv[i]);
                return false;
            }
            pos[(*n_pos)++] = argv[i];
            continue;
        }
        const cli_opt_t *o = find_opt(argv[i], opts, n_opts, commons, sizeof commons / sizeof commons[0]);
        if (!o) {
            cli_error(prog, _("unknown option '%s' (see --help)"), argv[i]);
            return false;
        }
        if (o->flag) {
            *o->flag = true;
            continue;
        }
        if (i + 1 >= argc) {
            cli_error(prog, _("option %s needs a value"), argv[i]);
            return false;
        }
        if (!take_value(prog, o, argv[++i]))
            return false;
    }
    return true;
}

char **cli_hoist_common(int argc, char **argv, int *argc_out)
{
    static const struct {
        const char *name;
        bool has_value;
    } common[] = {{"--key", true}, {"--endpoint", true}, {"--json", false}};
    char **out = calloc((size_t)argc + 1, sizeof *out);
    if (!out)
        return NULL;
    int first = 1; /* the first argument that is not a common option */
    for (bool found = true; found && first < argc;) {
        found = false;
        for (size_t c = 0; c < sizeof common / sizeof common[0] && !found; c++)
            if (strcmp(argv[first], common[c].name) == 0 &&
                (!common[c].has_value || first + 1 < argc)) {
                first += common[c].has_value ? 2 : 1;
                found = true;
            }
    }
    int n = 0;
    out[n++] = argv[0];
    for (int i = first; i < argc; i++)
        out[n++] = argv[i];
    for (int i = 1; i < first; i++)
        out[n++] = argv[i];
    *argc_out = n;
    return out;
}

void cli_usage(FILE *to, const char *prog, const char *usage, const cli_opt_t *opts, size_t n_opts)
{
    char words[1024], left[64], arg[64];
    fprintf(to, _("Usage: %s %s\n"), prog, cli_words(usage, words, sizeof words));
    for (size_t i = 0; i < n_opts; i++) {
        snprintf(left, sizeof left, "%s %s", opts[i].name,
                 cli_words(opts[i].arg ? opts[i].arg : "", arg, sizeof arg));
        fprintf(to, "  %-26s %s\n", left, cli_words(_(opts[i].help), words, sizeof words));
    }
    fprintf(to, _("Common options: --key FILE, --endpoint ENDPOINT, --json, --help\n"));
}

/* Whether a TCP connection to "tcp://HOST:PORT" can be made within
 * timeout_ms; other transports are left to ZeroMQ. */
static bool endpoint_probe(const char *endpoint, int timeout_ms, char *err, size_t errlen)
{
    char host[256];
    const char *hp = endpoint && strncmp(endpoint, "tcp://", 6) == 0 ? endpoint + 6 : NULL;
    const char *colon = hp ? strrchr(hp, ':') : NULL;
    if (!colon || (size_t)(colon - hp) >= sizeof host)
        return true;
    memcpy(host, hp, (size_t)(colon - hp));
    host[colon - hp] = '\0';
    if (host[0] == '[' && host[strlen(host) - 1] == ']') { /* [::1] */
        memmove(host, host + 1, strlen(host));
        host[strlen(host) - 1] = '\0';
    }
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
    int rc = getaddrinfo(host, colon + 1, &hints, &ai);
    if (rc != 0) {
        snprintf(err, errlen, "%s", gai_strerror(rc));
        return false;
    }
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    bool ok = false;
    int so = ECONNREFUSED;
    if (fd >= 0) {
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            ok = true;
        } else if (errno == EINPROGRESS) {
            struct pollfd pfd = {.fd = fd, .events = POLLOUT};
            socklen_t len = sizeof so;
            so = ETIMEDOUT;
            if (poll(&pfd, 1, timeout_ms) == 1 &&
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &len) == 0)
                ok = so == 0;
        } else {
            so = errno;
        }
        close(fd);
    }
    freeaddrinfo(ai);
    if (!ok)
        snprintf(err, errlen, "%s", strerror(so));
    return ok;
}

static int open_conn(cli_t *cli, const char *prog, const cli_common_t *common, bool probe)
{
    memset(cli, 0, sizeof *cli);
    cli->prog = prog;
    cli->timeout_ms = DEFAULT_TIMEOUT_MS;
    char path[4096], err[1024];
    if (!keyfile_resolve(common->key_path, path, sizeof path)) {
        cli_error(prog, _("cannot find a key file: give --key FILE or set SERTEL_KEY"));
        return EXIT_USAGE;
    }
    if (keyfile_read(path, &cli->kf, err, sizeof err) != SERTEL_OK) {
        cli_error(prog, "%s", err);
        /* Only the default place was tried: say how to name another. */
        if (!common->key_path && !getenv("SERTEL_KEY"))
            cli_error(prog, _("cannot find a key file: give --key FILE or set SERTEL_KEY"));
        return EXIT_USAGE;
    }
    const char *endpoint = common->endpoint ? common->endpoint : getenv("SERTEL_ENDPOINT");
    cli->conn = conn_open(&cli->kf, endpoint && *endpoint ? endpoint : NULL, err, sizeof err);
    if (!cli->conn) {
        cli_error(prog, "%s", err);
        return EXIT_UNREACHABLE;
    }
    /* ZeroMQ connects in the background and would wait the whole reply
     * timeout for a broker that is not there: ask the network first. */
    if (probe && !endpoint_probe(conn_endpoint(cli->conn), PROBE_TIMEOUT_MS, err, sizeof err)) {
        cli_error(prog, _("the broker is unreachable at %s: %s"), conn_endpoint(cli->conn), err);
        conn_close(&cli->conn);
        return EXIT_UNREACHABLE;
    }
    return EXIT_DONE;
}

int cli_open(cli_t *cli, const char *prog, const cli_common_t *common)
{
    return open_conn(cli, prog, common, true);
}

int cli_open_waiting(cli_t *cli, const char *prog, const cli_common_t *common)
{
    return open_conn(cli, prog, common, false);
}

const calendar_t *cli_calendar(void)
{
    if (office_calendar)
        return office_calendar;
    if (!fallback_calendar)
        fallback_calendar = calendar_default();
    return fallback_calendar;
}

/* The broker's calendar into *out; the conn_call's result, with its
 * reason in err. */
static sertel_err_t ask_calendar(cli_t *cli, int timeout_ms, calendar_t **out, char *err,
                                 size_t errlen)
{
    Sertel__CalendarQuery q = SERTEL__CALENDAR_QUERY__INIT;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply = NULL;
    req.body_case = SERTEL__ENVELOPE__BODY_CALENDAR_QUERY;
    req.calendar_query = &q;
    sertel_err_t e = conn_call(cli->conn, &req, &reply, timeout_ms, err, errlen);
    if (e != SERTEL_OK)
        return e;
    /* A broker without a calendar of its own runs the default one. */
    *out = NULL;
    if (reply->body_case == SERTEL__ENVELOPE__BODY_CALENDAR && reply->calendar->text &&
        reply->calendar->text[0])
        *out = calendar_parse(reply->calendar->text, reply->calendar->filename, err, errlen);
    if (!*out)
        *out = calendar_default();
    sertel__envelope__free_unpacked(reply, NULL);
    return SERTEL_OK;
}

int cli_fetch_calendar(cli_t *cli)
{
    if (office_calendar)
        return EXIT_DONE;
    char err[1024];
    sertel_err_t e = ask_calendar(cli, cli->timeout_ms, &office_calendar, err, sizeof err);
    if (e != SERTEL_OK) {
        cli_error(cli->prog, "%s", err);
        return e == SERTEL_E_DENIED ? EXIT_REFUSED : EXIT_UNREACHABLE;
    }
    return EXIT_DONE;
}

bool cli_refresh_calendar(cli_t *cli, int timeout_ms)
{
    char err[1024];
    calendar_t *fresh = NULL;
    if (ask_calendar(cli, timeout_ms, &fresh, err, sizeof err) != SERTEL_OK)
        return false;
    calendar_destroy(&office_calendar);
    office_calendar = fresh;
    return true;
}

int cli_calendar_ensure(const char *prog, const cli_common_t *common)
{
    if (office_calendar)
        return EXIT_DONE;
    cli_t cli;
    int rc = cli_open(&cli, prog, common);
    if (rc == EXIT_DONE)
        rc = cli_fetch_calendar(&cli);
    cli_close(&cli);
    return rc;
}

void cli_release_calendar(void)
{
    calendar_destroy(&office_calendar);
    calendar_destroy(&fallback_calendar);
}

void cli_close(cli_t *cli)
{
    conn_close(&cli->conn);
}

int cli_call(cli_t *cli, Sertel__Envelope *req, Sertel__Envelope **reply)
{
    char err[1024];
    sertel_err_t e = conn_call(cli->conn, req, reply, cli->timeout_ms, err, sizeof err);
    if (e != SERTEL_OK) {
        cli_error(cli->prog, "%s", err);
        return e == SERTEL_E_DENIED ? EXIT_REFUSED : EXIT_UNREACHABLE;
    }
    if ((*reply)->body_case == SERTEL__ENVELOPE__BODY_ERROR) {
        const Sertel__Error *er = (*reply)->error;
        cli_error(cli->prog, "%s", er->message && *er->message ? er->message
                                                               : sertel_strerror((sertel_err_t)er->code));
        sertel__envelope__free_unpacked(*reply, NULL);
        *reply = NULL;
        return EXIT_REFUSED;
    }
    return EXIT_DONE;
}

int cli_call_done(cli_t *cli, Sertel__Envelope *req)
{
    Sertel__Envelope *reply = NULL;
    int rc = cli_call(cli, req, &reply);
    if (reply)
        sertel__envelope__free_unpacked(reply, NULL);
    return rc;
}

uint8_t *cli_read_file(const char *prog, const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        cli_error(prog, "%s: %s", path, strerror(errno));
        return NULL;
    }
    uint8_t *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    bool err = ferror(f);
    fclose(f);
    if (!buf || err || n > max) {
        cli_error(prog, n > max ? _("%s: larger than %zu bytes") : _("%s: cannot read"), path, max);
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

bool cli_parse_date(const char *s, int64_t *out)
{
    int y, m, d;
    if (validate_date("date", s, NULL, 0) != SERTEL_OK || sscanf(s, "%d-%d-%d", &y, &m, &d) != 3)
        return false;
    *out = days_from_civil(y, m, d) * 86400 - calendar_utc_offset(cli_calendar());
    return true;
}
