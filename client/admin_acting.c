/* sertel-admin acting: acting officials. A Plt. (pelaksana tugas) or Plh.
 * (pelaksana harian) takes an official's place for a period; the broker
 * then lets them act on that official's steps. Times are office time
 * (WIB). */
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "case.h"
#include "i18n.h"
#include "json.h"
#include "role.h"
#include "worktime.h"

#define TIME_TEXT 64
#define PERIOD_TEXT 160

static const char *period_text(const calendar_t *cal, const Sertel__Acting *a, char *buf, size_t len)
{
    char from[TIME_TEXT], to[TIME_TEXT];
    snprintf(buf, len, "%s – %s", calendar_format_time(cal, a->from, from, sizeof from),
             calendar_format_time(cal, a->to, to, sizeof to));
    return buf;
}

/* ---- acting add ------------------------------------------------------- */

static const admin_cmd_t cmd_add = {
    "sertel-admin acting add",
    N_("--for NIP --by NIP --from YYYY-MM-DD[THH:MM] --to YYYY-MM-DD[THH:MM]\n"
       "       [--kind plt|plh]"),
    N_("Appoints the officer --by to act for the official --for during the period\n"
       "[--from, --to), in office time (WIB). A date without a time starts at 00:00\n"
       "for --from and runs through the whole day for --to. The kind is plh (Plh.,\n"
       "pelaksana harian) unless --kind plt (Plt., pelaksana tugas).\n"),
    false, 0, 0,
};

typedef struct {
    const char *holder, *by, *from, *to, *kind;
} add_opts_t;

static int add_build(const add_opts_t *o, Sertel__Acting *a)
{
    const char *prog = cmd_add.prog;
    const struct {
        const char *opt, *value;
    } required[] = {{"--for", o->holder}, {"--by", o->by}, {"--from", o->from}, {"--to", o->to}};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (!required[i].value)
            return admin_usage_error(&cmd_add, _("%s is required"), required[i].opt);
    if (!admin_check_nip(prog, "--for", o->holder) || !admin_check_nip(prog, "--by", o->by))
        return EXIT_USAGE;
    acting_kind_t kind = o->kind ? acting_from_code(o->kind) : ACTING_PLH;
    if (kind != ACTING_PLT && kind != ACTING_PLH)
        return admin_usage_error(&cmd_add, _("--kind must be plt or plh, not '%s'"), o->kind);
    if (!admin_parse_when(o->from, false, &a->from))
        return admin_usage_error(&cmd_add, _("--from '%s' is not YYYY-MM-DD or YYYY-MM-DDTHH:MM"), o->from);
    if (!admin_parse_when(o->to, true, &a->to))
        return admin_usage_error(&cmd_add, _("--to '%s' is not YYYY-MM-DD or YYYY-MM-DDTHH:MM"), o->to);
    if (a->to <= a->from)
        return admin_usage_error(&cmd_add, _("the period must end after it starts"));
    if (strcmp(o->holder, o->by) == 0)
        return admin_usage_error(&cmd_add, _("an officer cannot act for themselves"));
    a->holder_nip = (char *)o->holder;
    a->by_nip = (char *)o->by;
    a->kind = (Sertel__ActingKind)kind;
    return EXIT_DONE;
}

/* The broker answers with every assignment; ours has the highest id. */
static const Sertel__Acting *newest(const Sertel__ActingListReply *r)
{
    const Sertel__Acting *best = NULL;
    for (size_t i = 0; i < r->n_actings; i++)
        if (!best || r->actings[i]->id > best->id)
            best = r->actings[i];
    return best;
}

static int acting_add(int argc, char **argv)
{
    add_opts_t o = {0};
    const cli_opt_t opts[] = {
        {"--for", "NIP", &o.holder, NULL, NULL, N_("the official whose place is taken")},
        {"--by", "NIP", &o.by, NULL, NULL, N_("the officer who acts")},
        {"--from", "WHEN", &o.from, NULL, NULL, N_("start, YYYY-MM-DD[THH:MM] (office time)")},
        {"--to", "WHEN", &o.to, NULL, NULL, N_("end, YYYY-MM-DD[THH:MM] (office time)")},
        {"--kind", "KIND", &o.kind, NULL, NULL, N_("plh (default) or plt")},
    };
    cli_common_t common = {0};
    int n_pos, rc = admin_parse(&cmd_add, argc, argv, opts, sizeof opts / sizeof opts[0],
                                &common, NULL, &n_pos);
    Sertel__Acting a = SERTEL__ACTING__INIT;
    if (rc != ADMIN_RUN || (rc = add_build(&o, &a)) != EXIT_DONE)
        return rc;
    /* Checked above in any zone; the period is in the office's. */
    if ((rc = cli_calendar_ensure(cmd_add.prog, &common)) != EXIT_DONE ||
        (rc = add_build(&o, &a)) != EXIT_DONE)
        return rc;
    Sertel__ActingAdd add = SERTEL__ACTING_ADD__INIT;
    add.acting = &a;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply = NULL;
    req.body_case = SERTEL__ENVELOPE__BODY_ACTING_ADD;
    req.acting_add = &add;
    cli_t cli;
    admin_roster_t ro = {0};
    if ((rc = cli_open(&cli, cmd_add.prog, &common)) == EXIT_DONE &&
        (rc = admin_call(&cli, &req, SERTEL__ENVELOPE__BODY_ACTINGS, &reply)) == EXIT_DONE)
        admin_roster_fetch(&cli, &ro);
    cli_close(&cli);
    if (rc != EXIT_DONE)
        return rc;
    const Sertel__Acting *made = newest(reply->actings);
    const calendar_t *cal = admin_calendar();
    char period[PERIOD_TEXT], by[320], holder[320];
    if (made)
        printf(_("Acting assignment %llu: %s %s acts for %s, %s.\n"), (unsigned long long)made->id,
               admin_acting_title(made->kind), admin_roster_who(&ro, made->by_nip, false, by, sizeof by),
               admin_roster_who(&ro, made->holder_nip, true, holder, sizeof holder),
               period_text(cal, made, period, sizeof period));
    admin_roster_free(&ro);
    sertel__envelope__free_unpacked(reply, NULL);
    return EXIT_DONE;
}

/* ---- acting list ------------------------------------------------------ */

static const admin_cmd_t cmd_list = {
    "sertel-admin acting list",
    N_("[--json]"),
    N_("Lists the acting assignments: id, kind (Plt./Plh.), the official whose place\n"
       "is taken, who acts, the period (WIB) and whether it was ended.\n"),
    true, 0, 0,
};

static void list_json(const Sertel__ActingListReply *r, const admin_roster_t *ro, const calendar_t *cal)
{
    json_t j;
    json_init(&j, stdout);
    json_obj_begin(&j, NULL);
    json_arr_begin(&j, "actings");
    for (size_t i = 0; i < r->n_actings; i++) {
        const Sertel__Acting *a = r->actings[i];
        char from[TIME_TEXT], to[TIME_TEXT];
        json_obj_begin(&j, NULL);
        json_uint(&j, "id", a->id);
        json_str(&j, "kind", acting_code((acting_kind_t)a->kind));
        json_str(&j, "kind_title", admin_acting_title(a->kind));
        json_str(&j, "holder_nip", a->holder_nip);
        json_str(&j, "holder_name", admin_roster_name(ro, a->holder_nip));
        json_str(&j, "holder_role", role_code(admin_roster_role(ro, a->holder_nip)));
        json_str(&j, "by_nip", a->by_nip);
        json_str(&j, "by_name", admin_roster_name(ro, a->by_nip));
        json_int(&j, "from", a->from);
        json_int(&j, "to", a->to);
        json_str(&j, "from_text", calendar_format_time(cal, a->from, from, sizeof from));
        json_str(&j, "to_text", calendar_format_time(cal, a->to, to, sizeof to));
        json_bool(&j, "ended", a->ended);
        json_obj_end(&j);
    }
    json_arr_end(&j);
    json_obj_end(&j);
    json_finish(&j);
}

static void list_table(const Sertel__ActingListReply *r, const admin_roster_t *ro, const calendar_t *cal)
{
    const char *titles[] = {_("ID"), _("Kind"), _("In place of"), _("Acting officer"),
                            _("Period"), _("Ended")};
    admin_table_t t;
    admin_table_init(&t, titles, 6, 1u << 0);
    for (size_t i = 0; i < r->n_actings; i++) {
        const Sertel__Acting *a = r->actings[i];
        char id[24], holder[320], by[320], period[PERIOD_TEXT];
        snprintf(id, sizeof id, "%llu", (unsigned long long)a->id);
        const char *row[] = {id, admin_acting_title(a->kind),
                             admin_roster_who(ro, a->holder_nip, true, holder, sizeof holder),
                             admin_roster_who(ro, a->by_nip, false, by, sizeof by),
                             period_text(cal, a, period, sizeof period), admin_yes_no(a->ended)};
        admin_table_add(&t, row);
    }
    if (admin_table_rows(&t))
        admin_table_print(&t, stdout);
    else
        printf(_("No acting assignments.\n"));
    admin_table_free(&t);
}

static int acting_list(int argc, char **argv)
{
    cli_common_t common = {0};
    int n_pos, rc = admin_parse(&cmd_list, argc, argv, NULL, 0, &common, NULL, &n_pos);
    if (rc != ADMIN_RUN)
        return rc;
    Sertel__ActingList list = SERTEL__ACTING_LIST__INIT;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply = NULL;
    req.body_case = SERTEL__ENVELOPE__BODY_ACTING_LIST;
    req.acting_list = &list;
    cli_t cli;
    admin_roster_t ro = {0};
    /* Times in the office's zone: the calendar first. */
    if ((rc = cli_open(&cli, cmd_list.prog, &common)) == EXIT_DONE &&
        (rc = cli_fetch_calendar(&cli)) == EXIT_DONE &&
        (rc = admin_call(&cli, &req, SERTEL__ENVELOPE__BODY_ACTINGS, &reply)) == EXIT_DONE)
        admin_roster_fetch(&cli, &ro);
    cli_close(&cli);
    if (rc != EXIT_DONE)
        return rc;
    const calendar_t *cal = admin_calendar();
    (common.json ? list_json : list_table)(reply->actings, &ro, cal);
    admin_roster_free(&ro);
    sertel__envelope__free_unpacked(reply, NULL);
    return EXIT_DONE;
}

/* ---- acting end ------------------------------------------------------- */

static const admin_cmd_t cmd_end = {
    "sertel-admin acting end",
    N_("ID"),
    N_("Ends an acting assignment now (or leaves its end if that is earlier). The\n"
       "id is the one 'sertel-admin acting list' shows.\n"),
    false, 1, 1,
};

static int acting_end(int argc, char **argv)
{
    cli_common_t common = {0};
    const char *pos[1];
    int n_pos, rc = admin_parse(&cmd_end, argc, argv, NULL, 0, &common, pos, &n_pos);
    if (rc != ADMIN_RUN)
        return rc;
    Sertel__ActingEnd end = SERTEL__ACTING_END__INIT;
    if (!admin_parse_u64(pos[0], &end.id) || end.id == 0)
        return admin_usage_error(&cmd_end, _("'%s' is not an assignment id (a number from 1)"), pos[0]);
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply = NULL;
    req.body_case = SERTEL__ENVELOPE__BODY_ACTING_END;
    req.acting_end = &end;
    rc = admin_request(cmd_end.prog, &common, &req, SERTEL__ENVELOPE__BODY_ACTINGS, &reply);
    if (rc != EXIT_DONE)
        return rc;
    sertel__envelope__free_unpacked(reply, NULL);
    printf(_("Acting assignment %llu is ended.\n"), (unsigned long long)end.id);
    return EXIT_DONE;
}

/* ---- the group -------------------------------------------------------- */

static const admin_sub_t subs[] = {
    {"add", acting_add, N_("appoint a Plt. or Plh. for a period")},
    {"list", acting_list, N_("list the acting assignments")},
    {"end", acting_end, N_("end an acting assignment now")},
};

int admin_acting_main(int argc, char **argv)
{
    return admin_group("acting", subs, sizeof subs / sizeof subs[0], argc, argv);
}
