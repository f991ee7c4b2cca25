/* What the officer's commands share: the command line, a request with
 * its expected answer, officers' names, and times as people read them. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "case.h"
#include "clockfile.h"
#include "i18n.h"
#include "officer.h"
#include "role.h"
#include "timeleft.h"
#include "validate.h"

/* Names are a nicety: a slow broker must not hold up a command that is
 * already done, so their request gets a short wait. */
#define NAMES_TIMEOUT_MS 3000

/* ---- command lines */

int officer_parse(const officer_spec_t *spec, int argc, char **argv, const cli_opt_t *opts,
                  size_t n_opts, cli_common_t *common, const char **pos, int *n_pos)
{
    const char *unused[1];
    memset(common, 0, sizeof *common);
    if (!cli_parse(spec->prog, argc, argv, opts, n_opts, common, pos ? pos : unused,
                   spec->max_pos, n_pos))
        return EXIT_USAGE;
    if (common->help) {
        cli_usage(stdout, spec->prog, spec->args, opts, n_opts);
        char about[2048];
        printf("\n%s\n", cli_words(_(spec->about), about, sizeof about));
        return EXIT_DONE;
    }
    if (*n_pos < spec->min_pos) {
        cli_error(spec->prog, _("the case number is missing (see --help)"));
        return EXIT_USAGE;
    }
    return OFFICER_GO;
}

int officer_parse_case(const officer_spec_t *spec, int argc, char **argv, const cli_opt_t *opts,
                       size_t n_opts, cli_common_t *common, const char **case_id)
{
    int n_pos, rc = officer_parse(spec, argc, argv, opts, n_opts, common, case_id, &n_pos);
    if (rc == OFFICER_GO && !officer_check_text(spec->prog, "CASE", *case_id, CASE_ID_MAX, true))
        return EXIT_USAGE;
    return rc;
}

bool officer_check_text(const char *prog, const char *option, const char *value, size_t max,
                        bool required)
{
    char why[256];
    if (!value && required) {
        cli_error(prog, _("option %s is required (see --help)"), option);
        return false;
    }
    /* The option is the field's name here: it is what the user typed. */
    if (validate_text(option, value ? value : "", max, required, why, sizeof why) != SERTEL_OK) {
        cli_error(prog, "%s", why);
        return false;
    }
    return true;
}

bool officer_check_nip(const char *prog, const char *option, const char *value)
{
    char why[256];
    if (value && validate_nip(value, why, sizeof why) != SERTEL_OK) {
        cli_error(prog, "%s: %s", option, why);
        return false;
    }
    return true;
}

/* The broker words its reason in the user's language (Envelope.lang);
 * the code's title stands in only when it gave none. */
static int refused(const char *prog, const Sertel__Error *er)
{
    if (er->message && er->message[0])
        cli_error(prog, "%s", er->message);
    else
        cli_error(prog, "%s", sertel_strerror((sertel_err_t)er->code));
    return EXIT_REFUSED;
}

int officer_request(cli_t *cli, const char *prog, const cli_common_t *common,
                    Sertel__Envelope *req, Sertel__Envelope__BodyCase want,
                    Sertel__Envelope **reply)
{
    *reply = NULL;
    int rc = cli_open(cli, prog, common);
    if (rc == EXIT_DONE)
        rc = cli_fetch_calendar(cli); /* times are shown in the office's zone */
    return rc == EXIT_DONE ? officer_call(cli, prog, req, want, reply) : rc;
}

int officer_call(cli_t *cli, const char *prog, Sertel__Envelope *req, Sertel__Envelope__BodyCase want,
                 Sertel__Envelope **reply)
{
    char err[1024];
    int rc = EXIT_DONE;
    *reply = NULL;
    sertel_err_t e = conn_call(cli->conn, req, reply, cli->timeout_ms, err, sizeof err);
    if (e != SERTEL_OK) {
        cli_error(prog, "%s", err);
        return e == SERTEL_E_DENIED ? EXIT_REFUSED : EXIT_UNREACHABLE;
    }
    if ((*reply)->body_case == SERTEL__ENVELOPE__BODY_ERROR)
        rc = refused(prog, (*reply)->error);
    else if ((*reply)->body_case != want) {
        cli_error(prog, _("%s: the broker's answer was not understood"), conn_endpoint(cli->conn));
        rc = EXIT_UNREACHABLE;
    }
    if (rc != EXIT_DONE) {
        sertel__envelope__free_unpacked(*reply, NULL);
        *reply = NULL;
    }
    return rc;
}

/* ---- names */

static void names_copy(officer_names_t *names, const Sertel__OfficerListReply *list)
{
    names->v = calloc(list->n_officers ? list->n_officers : 1, sizeof *names->v);
    if (!names->v)
        return;
    for (size_t i = 0; i < list->n_officers; i++) {
        const Sertel__Officer *o = list->officers[i];
        snprintf(names->v[names->n].nip, sizeof names->v[0].nip, "%s", o->nip ? o->nip : "");
        snprintf(names->v[names->n].name, sizeof names->v[0].name, "%s", o->name ? o->name : "");
        names->n++;
    }
}

void officer_names_load(cli_t *cli, officer_names_t *names)
{
    names->v = NULL;
    names->n = 0;
    Sertel__OfficerList q = SERTEL__OFFICER_LIST__INIT;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_OFFICER_LIST;
    req.officer_list = &q;
    Sertel__Envelope *reply = NULL;
    char err[512];
    if (conn_call(cli->conn, &req, &reply, NAMES_TIMEOUT_MS, err, sizeof err) != SERTEL_OK)
        return;
    if (reply->body_case == SERTEL__ENVELOPE__BODY_OFFICERS)
        names_copy(names, reply->officers);
    sertel__envelope__free_unpacked(reply, NULL);
}

void officer_names_free(officer_names_t *names)
{
    free(names->v);
    names->v = NULL;
    names->n = 0;
}

const char *officer_name(const officer_names_t *names, const char *nip)
{
    for (size_t i = 0; names && nip && i < names->n; i++)
        if (strcmp(names->v[i].nip, nip) == 0 && names->v[i].name[0])
            return names->v[i].name;
    return nip ? nip : "";
}

/* The titles an acting official signs with, the same in both languages. */
static const char *const acting_prefix[] = {[ACTING_NONE] = "", [ACTING_PLT] = "Plt. ",
                                            [ACTING_PLH] = "Plh. "};

const char *officer_actor(const officer_names_t *names, const char *nip, int role, int acting,
                          char *buf, size_t len)
{
    const char *title = role_title((role_t)role);
    const char *prefix = acting > 0 && acting <= ACTING_PLH ? acting_prefix[acting] : "";
    if (title[0])
        snprintf(buf, len, "%s (%s%s)", officer_name(names, nip), prefix, title);
    else
        snprintf(buf, len, "%s", officer_name(names, nip));
    return buf;
}

const char *officer_place(const officer_names_t *names, int step, int role, unsigned quals,
                          const char *assignee, char *buf, size_t len)
{
    char who[160];
    snprintf(who, sizeof who, "%s%s%s", role_title((role_t)role),
             quals & QUAL_VERIFIKATOR ? " " : "", quals & QUAL_VERIFIKATOR ? _("(verifier)") : "");
    if (assignee && assignee[0])
        snprintf(buf, len, _("step %d (%s, %s)"), step, who, officer_name(names, assignee));
    else
        snprintf(buf, len, _("step %d (%s)"), step, who);
    return buf;
}

/* ---- time */

const calendar_t *officer_calendar(void)
{
    return cli_calendar();
}

void officer_release(void)
{
    cli_release_calendar();
}

int64_t officer_now(void)
{
    return clock_now();
}

const char *officer_time(int64_t t, char *buf, size_t len)
{
    if (t == 0) {
        snprintf(buf, len, "-");
        return buf;
    }
    return calendar_format_time(officer_calendar(), t, buf, len);
}

/* The broker stops the clock (due_at 0) while the case waits on the
 * applicant and once it is closed. Working time is counted with the
 * default calendar: the office's holidays are the broker's to know, so
 * near a holiday this is an estimate; the due time itself is exact. */
int64_t officer_work_left(const Sertel__Case *c, int64_t now)
{
    if (c->state != SERTEL__CASE_STATE__STATE_OPEN || c->due_at == 0)
        return 0;
    if (now <= c->due_at)
        return calendar_work_between(officer_calendar(), now, c->due_at);
    return -calendar_work_between(officer_calendar(), c->due_at, now);
}

const char *officer_time_left(const Sertel__Case *c, int64_t now, char *buf, size_t len)
{
    if (c->state == SERTEL__CASE_STATE__STATE_WAITING)
        snprintf(buf, len, "%s", case_state_title(CASE_WAITING));
    else if (c->state != SERTEL__CASE_STATE__STATE_OPEN || c->due_at == 0)
        snprintf(buf, len, "-");
    else {
        int64_t left = officer_work_left(c, now);
        timeleft_format(officer_calendar(), left < 0 ? -left : left, now > c->due_at, buf, len);
    }
    return buf;
}

/* ---- output */

int officer_width(const char *s)
{
    int w = 0;
    for (; s && *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

void officer_pad(FILE *out, const char *s, int width)
{
    fputs(s ? s : "", out);
    if (width <= 0)
        return;
    /* A value wider than its column still leaves a gap before the next:
     * a translation may be longer than the column was made for. */
    int pad = width - officer_width(s);
    for (int i = 0; i < (pad < 2 ? 2 : pad); i++)
        fputc(' ', out);
}

static const char *const urgency_titles[] = {
    [URGENCY_BIASA] = N_("normal"),
    [URGENCY_SEGERA] = N_("urgent"),
    [URGENCY_SANGAT_SEGERA] = N_("very urgent"),
};

static const char *const classification_titles[] = {
    [CLASS_BIASA] = N_("ordinary"),
    [CLASS_TERBATAS] = N_("restricted"),
    [CLASS_RAHASIA] = N_("confidential"),
    [CLASS_SANGAT_RAHASIA] = N_("secret"),
};

static const char *const channel_titles[] = {
    [CHANNEL_SURAT] = N_("by letter"),
    [CHANNEL_TELP] = N_("by telephone"),
    [CHANNEL_FAX] = N_("by fax"),
    [CHANNEL_EMAIL] = N_("by e-mail"),
};

#define TITLE_AT(table, i) \
    ((i) > 0 && (size_t)(i) < sizeof(table) / sizeof(table)[0] ? _((table)[i]) : "-")

const char *officer_urgency_title(int urgency)
{
    return TITLE_AT(urgency_titles, urgency);
}

const char *officer_classification_title(int classification)
{
    return TITLE_AT(classification_titles, classification ? classification : CLASS_BIASA);
}

const char *officer_boxes(char *const *boxes, size_t n, char *buf, size_t len)
{
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s%s", i ? ", " : "", boxes[i]);
    }
    return buf;
}

const char *officer_channel_title(int channel)
{
    return TITLE_AT(channel_titles, channel);
}
