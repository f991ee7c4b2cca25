/* What the remote command groups of sertel-admin share (see admin.h). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "case.h"
#include "i18n.h"
#include "validate.h"

void *admin_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "sertel-admin: %s\n", _("out of memory"));
        exit(EXIT_USAGE);
    }
    return p;
}

/* ---- subcommand tables ------------------------------------------------ */

static void group_usage(FILE *to, const char *group, const admin_sub_t *subs, size_t n)
{
    fprintf(to, _("Usage: sertel-admin %s COMMAND [ARGS...]\n\nCommands:\n"), group);
    for (size_t i = 0; i < n; i++)
        fprintf(to, "  %-10s %s\n", subs[i].name, _(subs[i].summary));
    fprintf(to, _("\n'sertel-admin %s COMMAND --help' describes a command.\n"), group);
}

int admin_group(const char *group, const admin_sub_t *subs, size_t n, int argc, char **argv)
{
    if (argc < 2) {
        group_usage(stderr, group, subs, n);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        group_usage(stdout, group, subs, n);
        return EXIT_DONE;
    }
    for (size_t i = 0; i < n; i++)
        if (strcmp(argv[1], subs[i].name) == 0)
            return subs[i].run(argc - 1, argv + 1);
    fprintf(stderr, _("sertel-admin %s: unknown command '%s'\n"), group, argv[1]);
    group_usage(stderr, group, subs, n);
    return EXIT_USAGE;
}

/* ---- one command's options --------------------------------------------- */

void admin_cmd_usage(FILE *to, const admin_cmd_t *cmd, const cli_opt_t *opts, size_t n_opts)
{
    cli_usage(to, cmd->prog, _(cmd->synopsis), opts, n_opts);
    char about[4096];
    fprintf(to, "\n%s", cli_words(_(cmd->about), about, sizeof about));
    fprintf(to, _("\nExit status: 0 done, 1 invalid input (nothing sent), 2 refused by the\n"
                  "broker, 3 broker unreachable.\n"));
}

int admin_usage_error(const admin_cmd_t *cmd, const char *fmt, ...)
{
    fprintf(stderr, "%s: ", cmd->prog);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, _(" (see '%s --help')\n"), cmd->prog);
    return EXIT_USAGE;
}

int admin_parse(const admin_cmd_t *cmd, int argc, char **argv, const cli_opt_t *opts,
                size_t n_opts, cli_common_t *common, const char **pos, int *n_pos)
{
    if (!cli_parse(cmd->prog, argc, argv, opts, n_opts, common, pos, cmd->max_pos, n_pos))
        return EXIT_USAGE;
    if (common->help) {
        admin_cmd_usage(stdout, cmd, opts, n_opts);
        return EXIT_DONE;
    }
    if (common->json && !cmd->json)
        return admin_usage_error(cmd, _("this command has no --json output"));
    if (*n_pos < cmd->min_pos) {
        admin_cmd_usage(stderr, cmd, opts, n_opts);
        return EXIT_USAGE;
    }
    return ADMIN_RUN;
}

/* ---- calls ---------------------------------------------------------- */

int admin_call(cli_t *cli, Sertel__Envelope *req, Sertel__Envelope__BodyCase want,
               Sertel__Envelope **reply)
{
    int rc = cli_call(cli, req, reply);
    if (rc != EXIT_DONE)
        return rc;
    if ((*reply)->body_case == want)
        return EXIT_DONE;
    cli_error(cli->prog, _("the broker at %s gave an unexpected answer; are the client and the "
                           "broker of the same version?"), conn_endpoint(cli->conn));
    sertel__envelope__free_unpacked(*reply, NULL);
    *reply = NULL;
    return EXIT_REFUSED;
}

int admin_request(const char *prog, const cli_common_t *common, Sertel__Envelope *req,
                  Sertel__Envelope__BodyCase want, Sertel__Envelope **reply)
{
    cli_t cli;
    int rc = cli_open(&cli, prog, common);
    if (rc == EXIT_DONE)
        rc = cli_fetch_calendar(&cli); /* times are shown in the office's zone */
    if (rc == EXIT_DONE)
        rc = admin_call(&cli, req, want, reply);
    cli_close(&cli);
    return rc;
}

int admin_call_done(cli_t *cli, Sertel__Envelope *req)
{
    Sertel__Envelope *reply = NULL;
    int rc = admin_call(cli, req, SERTEL__ENVELOPE__BODY_PONG, &reply);
    if (reply)
        sertel__envelope__free_unpacked(reply, NULL);
    return rc;
}

int admin_command(const char *prog, const cli_common_t *common, Sertel__Envelope *req)
{
    Sertel__Envelope *reply = NULL;
    int rc = admin_request(prog, common, req, SERTEL__ENVELOPE__BODY_PONG, &reply);
    if (reply)
        sertel__envelope__free_unpacked(reply, NULL);
    return rc;
}

/* ---- input ------------------------------------------------------------ */

bool admin_check_nip(const char *prog, const char *what, const char *nip)
{
    char why[256];
    if (validate_nip(nip, why, sizeof why) == SERTEL_OK)
        return true;
    cli_error(prog, "%s: %s", what, why);
    return false;
}

bool admin_parse_when(const char *s, bool end_of_day, int64_t *out)
{
    char date[11];
    size_t len = strlen(s);
    if (len != 10 && len != 16)
        return false;
    memcpy(date, s, 10);
    date[10] = '\0';
    if (!cli_parse_date(date, out))
        return false;
    if (len == 10) {
        *out += end_of_day ? 86400 : 0;
        return true;
    }
    const char *t = s + 11;
    if (s[10] != 'T' || !isdigit((unsigned char)t[0]) || !isdigit((unsigned char)t[1]) ||
        t[2] != ':' || !isdigit((unsigned char)t[3]) || !isdigit((unsigned char)t[4]))
        return false;
    int h = (t[0] - '0') * 10 + (t[1] - '0'), m = (t[3] - '0') * 10 + (t[4] - '0');
    if (h > 23 || m > 59)
        return false;
    *out += h * 3600 + m * 60;
    return true;
}

bool admin_parse_u64(const char *s, uint64_t *out)
{
    if (!s || *s < '0' || *s > '9')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

/* ---- output ----------------------------------------------------------- */

const char *admin_acting_title(int kind)
{
    return kind == ACTING_PLT ? _("Plt.") : kind == ACTING_PLH ? _("Plh.") : "";
}

const calendar_t *admin_calendar(void)
{
    const calendar_t *cal = cli_calendar();
    if (!cal) {
        fprintf(stderr, "sertel-admin: %s\n", _("out of memory"));
        exit(EXIT_USAGE);
    }
    return cal;
}

const char *admin_yes_no(bool b)
{
    return b ? _("yes") : _("no");
}

const char *admin_format_wall(int64_t seconds, char *buf, size_t len)
{
    return format_duration(seconds, 86400, buf, len);
}

/* ---- tables ----------------------------------------------------------- */

/* Characters, not bytes: names carry UTF-8 and must line up. */
static size_t text_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

static char *dup_cell(const char *s)
{
    s = s ? s : "";
    size_t n = strlen(s) + 1;
    char *p = admin_xmalloc(n);
    memcpy(p, s, n);
    /* A newline would break the row; the journal's texts may hold one. */
    for (char *c = p; *c; c++)
        if (*c == '\n' || *c == '\t')
            *c = ' ';
    return p;
}

void admin_table_init(admin_table_t *t, const char *const *titles, size_t n_cols, unsigned right)
{
    *t = (admin_table_t){.n_cols = n_cols, .right = right};
    admin_table_add(t, titles);
}

void admin_table_add(admin_table_t *t, const char *const *cells)
{
    if (t->n_rows == t->cap_rows) {
        t->cap_rows = t->cap_rows ? t->cap_rows * 2 : 16;
        char **grown = realloc(t->cells, t->cap_rows * t->n_cols * sizeof *grown);
        if (!grown) {
            fprintf(stderr, "sertel-admin: %s\n", _("out of memory"));
            exit(EXIT_USAGE);
        }
        t->cells = grown;
    }
    for (size_t c = 0; c < t->n_cols; c++)
        t->cells[t->n_rows * t->n_cols + c] = dup_cell(cells[c]);
    t->n_rows++;
}

size_t admin_table_rows(const admin_table_t *t)
{
    return t->n_rows ? t->n_rows - 1 : 0;
}

void admin_table_print(const admin_table_t *t, FILE *out)
{
    size_t *width = calloc(t->n_cols, sizeof *width);
    if (!width)
        return;
    for (size_t r = 0; r < t->n_rows; r++)
        for (size_t c = 0; c < t->n_cols; c++) {
            size_t w = text_width(t->cells[r * t->n_cols + c]);
            width[c] = w > width[c] ? w : width[c];
        }
    for (size_t r = 0; r < t->n_rows; r++) {
        for (size_t c = 0; c < t->n_cols; c++) {
            const char *s = t->cells[r * t->n_cols + c];
            int pad = (int)(width[c] - text_width(s));
            bool last = c + 1 == t->n_cols;
            if (t->right & (1u << c))
                fprintf(out, "%*s%s", pad, "", s);
            else
                fprintf(out, "%s%*s", s, last ? 0 : pad, "");
            fputs(last ? "\n" : "  ", out);
        }
    }
    free(width);
}

/* The first max characters of cell (longer than max), the last "…". */
static char *cut_cell(char *cell, size_t max)
{
    size_t w = 0;
    const char *p = cell;
    for (; *p; p++) {
        if (((unsigned char)*p & 0xC0) == 0x80)
            continue;
        if (w++ == max - 1)
            break;
    }
    size_t keep = (size_t)(p - cell);
    char *out = admin_xmalloc(keep + sizeof "…");
    memcpy(out, cell, keep);
    memcpy(out + keep, "…", sizeof "…");
    free(cell);
    return out;
}

void admin_table_fit(admin_table_t *t, size_t col, size_t width)
{
    size_t total = 0, col_w = 0;
    for (size_t c = 0; c < t->n_cols; c++) {
        size_t w = 0;
        for (size_t r = 0; r < t->n_rows; r++) {
            size_t cw = text_width(t->cells[r * t->n_cols + c]);
            w = cw > w ? cw : w;
        }
        total += w + (c + 1 < t->n_cols ? 2 : 0);
        if (c == col)
            col_w = w;
    }
    if (col >= t->n_cols || total <= width)
        return;
    size_t floor = text_width(t->cells[col]) > 8 ? text_width(t->cells[col]) : 8;
    size_t want = col_w - (total - width);
    want = want < floor || want > col_w ? floor : want;
    for (size_t r = 1; r < t->n_rows; r++) {
        char **cell = &t->cells[r * t->n_cols + col];
        if (text_width(*cell) > want)
            *cell = cut_cell(*cell, want);
    }
}

void admin_table_free(admin_table_t *t)
{
    for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
        free(t->cells[i]);
    free(t->cells);
    *t = (admin_table_t){0};
}

/* ---- who is who */

void admin_roster_fetch(cli_t *cli, admin_roster_t *ro)
{
    Sertel__OfficerList list = SERTEL__OFFICER_LIST__INIT;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_OFFICER_LIST;
    req.officer_list = &list;
    if (admin_call(cli, &req, SERTEL__ENVELOPE__BODY_OFFICERS, &ro->reply) != EXIT_DONE)
        ro->reply = NULL;
}

void admin_roster_free(admin_roster_t *ro)
{
    if (ro->reply)
        sertel__envelope__free_unpacked(ro->reply, NULL);
    ro->reply = NULL;
}

const Sertel__Officer *admin_roster_find(const admin_roster_t *ro, const char *nip)
{
    for (size_t i = 0; ro->reply && nip && i < ro->reply->officers->n_officers; i++)
        if (strcmp(ro->reply->officers->officers[i]->nip, nip) == 0)
            return ro->reply->officers->officers[i];
    return NULL;
}

const char *admin_roster_name(const admin_roster_t *ro, const char *nip)
{
    const Sertel__Officer *o = admin_roster_find(ro, nip);
    return o ? o->name : "";
}

role_t admin_roster_role(const admin_roster_t *ro, const char *nip)
{
    const Sertel__Officer *o = admin_roster_find(ro, nip);
    return o ? (role_t)o->role : ROLE_NONE;
}

const char *admin_roster_who(const admin_roster_t *ro, const char *nip, bool with_role, char *buf,
                             size_t len)
{
    const Sertel__Officer *o = admin_roster_find(ro, nip);
    if (!o)
        snprintf(buf, len, "%s", nip);
    else
        snprintf(buf, len, "%s (%s)%s%s", o->name, nip, with_role ? ", " : "",
                 with_role ? role_title((role_t)o->role) : "");
    return buf;
}
