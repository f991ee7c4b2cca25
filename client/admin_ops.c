/* sertel-admin stats, backup, journal and sop load: the broker's
 * operations that are not about officers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "csv.h"
#include "engine.h"
#include "event_names.h"
#include "i18n.h"
#include "json.h"
#include "sop.h"
#include "stats.h"

#define DURATION_TEXT 64
#define TIME_TEXT 64
#define SOP_FILE_MAX (1u << 20)

/* ====================================================================== */
/* stats                                                                   */
/* ====================================================================== */

static const admin_cmd_t cmd_stats = {
    "sertel-admin stats",
    N_("[--from YYYY-MM-DD] [--to YYYY-MM-DD] [--wide] [--json|--csv]"),
    N_("Shows how the office keeps to the SOP: per step (cases, median and 90th\n"
       "percentile of working time, share within the Mutu Baku, overdue steps), per\n"
       "officer and per month; then the time waited on applicants, apart, in\n"
       "calendar time. The broker keeps statistics per month: a period covers the\n"
       "whole months of --from and --to. The tables fit 80 columns (long activities\n"
       "and names cut short, officers by name); --wide shows them whole, with the\n"
       "officers' NIPs. Only Kepala Dinas, Kepala Bidang and administrators may\n"
       "read them.\n"),
    true, 0, 0,
};

/* What a section's rows are about, for titles, JSON keys and CSV. */
typedef enum { SEC_STEP, SEC_OFFICER, SEC_MONTH } section_t;

static const struct {
    const char *csv;   /* section name in CSV, array name in JSON */
    const char *json_key;
    const char *title; /* N_() */
    const char *key_title, *label_title, *late_title; /* N_() */
} sections[] = {
    [SEC_STEP] = {"step", "steps", N_("Per step"), N_("No."), N_("Activity"), N_("Overdue")},
    [SEC_OFFICER] = {"officer", "officers", N_("Per officer"), N_("NIP"), N_("Name"),
                     N_("Completed late")},
    [SEC_MONTH] = {"month", "months", N_("Per month"), N_("Month"), NULL, N_("Overdue")},
};

static void rows_of(const Sertel__Stats *st, section_t s, Sertel__StatsRow ***rows, size_t *n)
{
    *rows = s == SEC_STEP ? st->steps : s == SEC_OFFICER ? st->officers : st->months;
    *n = s == SEC_STEP ? st->n_steps : s == SEC_OFFICER ? st->n_officers : st->n_months;
}

/* Rounded; -1 when there is nothing to divide. */
static int within_percent(const Sertel__StatsRow *r)
{
    return r->cases ? (int)((r->within * 100 + r->cases / 2) / r->cases) : -1;
}

/* ---- text ----------------------------------------------------------- */

/* The default tables fit a terminal of this many columns. */
#define NARROW_COLUMNS 80

static void section_table(const Sertel__Stats *st, section_t s, const calendar_t *cal, bool wide)
{
    Sertel__StatsRow **rows;
    size_t n;
    rows_of(st, s, &rows, &n);
    bool labelled = sections[s].label_title != NULL;
    /* Narrow: short titles, and officers by name alone (the NIP is in
     * --wide, --json and --csv). */
    bool keyed = wide || s != SEC_OFFICER;
    const char *all[] = {keyed ? _(sections[s].key_title) : NULL,
                         labelled ? _(sections[s].label_title) : NULL,
                         wide ? _("Steps done") : _("Steps"), _("Median"), _("P90"),
                         wide ? _("Within Mutu Baku") : _("On time"),
                         wide ? _(sections[s].late_title) : _("Late")};
    /* A month needs no label column: drop it by shifting the rest left. */
    const char *titles[7];
    size_t cols = 0;
    for (size_t i = 0; i < 7; i++)
        if (all[i])
            titles[cols++] = all[i];
    unsigned right = 0x1fu << (cols - 5); /* the five number columns, last */
    admin_table_t t;
    admin_table_init(&t, titles, cols, right | (s == SEC_STEP ? 1u : 0u));
    for (size_t i = 0; i < n; i++) {
        const Sertel__StatsRow *r = rows[i];
        char cases[24], med[DURATION_TEXT], p90[DURATION_TEXT], pct[16], late[24];
        snprintf(cases, sizeof cases, "%llu", (unsigned long long)r->cases);
        snprintf(late, sizeof late, "%llu", (unsigned long long)r->overdue);
        int p = within_percent(r);
        if (p < 0)
            snprintf(pct, sizeof pct, "-");
        else
            snprintf(pct, sizeof pct, "%d%%", p);
        const char *cells[] = {r->key, r->label, cases, calendar_format_work(cal, r->median_work, med, sizeof med),
                               calendar_format_work(cal, r->p90_work, p90, sizeof p90), pct, late};
        const char *row[7];
        for (size_t c = 0, k = 0; c < 7; c++)
            if (all[c])
                row[k++] = cells[c];
        admin_table_add(&t, row);
    }
    if (!wide && labelled)
        admin_table_fit(&t, keyed ? 1 : 0, NARROW_COLUMNS);
    printf("%s\n", _(sections[s].title));
    if (admin_table_rows(&t))
        admin_table_print(&t, stdout);
    else
        printf(_("  (no completed steps)\n"));
    putchar('\n');
    admin_table_free(&t);
}

static void period_line(const char *from_month, const char *to_month)
{
    if (!*from_month && !*to_month)
        printf(_("Period: everything recorded\n\n"));
    else
        printf(_("Period: %s to %s (whole months)\n\n"), *from_month ? from_month : "…",
               *to_month ? to_month : "…");
}

/* Cases end to end: what the office took in and finished, and whether a
 * whole case kept to the sum of its steps' Mutu Baku. */
static void cases_text(const Sertel__Stats *st, const calendar_t *cal)
{
    const Sertel__StatsRow *done = st->cases_done;
    uint64_t finished = done ? done->cases : 0;
    char med[DURATION_TEXT], p90[DURATION_TEXT];
    printf(_("Cases (end to end)\n"));
    printf(_("  registered: %llu, archived: %llu\n"), (unsigned long long)st->cases_opened,
           (unsigned long long)finished);
    if (finished) {
        printf(_("  archived within the Mutu Baku end to end: %llu (%d%%); beyond it: %llu\n"),
               (unsigned long long)done->within, within_percent(done),
               (unsigned long long)done->overdue);
        printf(_("  working time end to end: median %s, 90th percentile %s\n"),
               calendar_format_work(cal, done->median_work, med, sizeof med),
               calendar_format_work(cal, done->p90_work, p90, sizeof p90));
    }
    putchar('\n');
}

static void stats_text(const Sertel__Stats *st, const calendar_t *cal, const char *from_month,
                       const char *to_month, bool wide)
{
    printf(_("SOP compliance\n"));
    period_line(from_month, to_month);
    cases_text(st, cal);
    for (section_t s = SEC_STEP; s <= SEC_MONTH; s++)
        section_table(st, s, cal, wide);
    char med[DURATION_TEXT], p90[DURATION_TEXT];
    printf(_("Waiting on the applicant (calendar time, not counted above)\n"));
    printf(_("  returns: %llu, median: %s, 90th percentile: %s\n"), (unsigned long long)st->waits,
           admin_format_wall(st->median_wait, med, sizeof med),
           admin_format_wall(st->p90_wait, p90, sizeof p90));
}

/* ---- JSON ----------------------------------------------------------- */

static void row_json(json_t *j, section_t s, const Sertel__StatsRow *r, const calendar_t *cal)
{
    char med[DURATION_TEXT], p90[DURATION_TEXT], std[DURATION_TEXT];
    json_obj_begin(j, NULL);
    if (s == SEC_STEP) {
        json_int(j, "step", atoi(r->key));
        json_str(j, "activity", r->label);
    } else if (s == SEC_OFFICER) {
        json_str(j, "nip", r->key);
        json_str(j, "name", r->label);
    } else {
        json_str(j, "month", r->key);
    }
    json_uint(j, "cases", r->cases);
    json_int(j, "median_work", r->median_work);
    json_int(j, "p90_work", r->p90_work);
    json_str(j, "median_text", calendar_format_work(cal, r->median_work, med, sizeof med));
    json_str(j, "p90_text", calendar_format_work(cal, r->p90_work, p90, sizeof p90));
    json_uint(j, "within", r->within);
    json_int(j, "within_percent", within_percent(r));
    json_uint(j, "overdue", r->overdue);
    if (s == SEC_STEP) {
        json_int(j, "standard", r->standard);
        json_str(j, "standard_text", calendar_format_work(cal, r->standard, std, sizeof std));
    }
    json_obj_end(j);
}

static void stats_json(const Sertel__Stats *st, const calendar_t *cal, const char *from_month,
                       const char *to_month)
{
    json_t j;
    char med[DURATION_TEXT], p90[DURATION_TEXT];
    json_init(&j, stdout);
    json_obj_begin(&j, NULL);
    json_obj_begin(&j, "period");
    json_str(&j, "from_month", from_month);
    json_str(&j, "to_month", to_month);
    json_obj_end(&j);
    for (section_t s = SEC_STEP; s <= SEC_MONTH; s++) {
        Sertel__StatsRow **rows;
        size_t n;
        rows_of(st, s, &rows, &n);
        json_arr_begin(&j, sections[s].json_key);
        for (size_t i = 0; i < n; i++)
            row_json(&j, s, rows[i], cal);
        json_arr_end(&j);
    }
    const Sertel__StatsRow *done = st->cases_done;
    json_obj_begin(&j, "cases");
    json_uint(&j, "registered", st->cases_opened);
    json_uint(&j, "archived", done ? done->cases : 0);
    json_uint(&j, "within", done ? done->within : 0);
    json_int(&j, "within_percent", done ? within_percent(done) : -1);
    json_uint(&j, "beyond", done ? done->overdue : 0);
    json_int(&j, "median_work", done ? done->median_work : 0);
    json_int(&j, "p90_work", done ? done->p90_work : 0);
    json_obj_end(&j);
    json_obj_begin(&j, "waiting");
    json_uint(&j, "count", st->waits);
    json_int(&j, "median_wall", st->median_wait);
    json_int(&j, "p90_wall", st->p90_wait);
    json_str(&j, "median_text", admin_format_wall(st->median_wait, med, sizeof med));
    json_str(&j, "p90_text", admin_format_wall(st->p90_wait, p90, sizeof p90));
    json_obj_end(&j);
    json_obj_end(&j);
    json_finish(&j);
}

/* ---- CSV (RFC 4180) ------------------------------------------------- */

static void csv_field(const char *s, bool last)
{
    csv_write_field(stdout, s, last);
}

static void csv_row(const char *section, const char *key, const char *label, uint64_t count,
                    int64_t median, int64_t p90, uint64_t within, uint64_t overdue, int64_t standard)
{
    char num[5][24];
    snprintf(num[0], sizeof num[0], "%llu", (unsigned long long)count);
    snprintf(num[1], sizeof num[1], "%lld", (long long)median);
    snprintf(num[2], sizeof num[2], "%lld", (long long)p90);
    snprintf(num[3], sizeof num[3], "%llu", (unsigned long long)within);
    snprintf(num[4], sizeof num[4], "%llu", (unsigned long long)overdue);
    char std[24];
    snprintf(std, sizeof std, "%lld", (long long)standard);
    const char *f[] = {section, key, label, num[0], num[1], num[2], num[3], num[4], std};
    for (size_t i = 0; i < 9; i++)
        csv_field(f[i], i == 8);
}

/* One table for all sections; seconds are working time, except the
 * waiting row's (wall time). Column names are fixed, not translated. */
static void stats_csv(const Sertel__Stats *st)
{
    fputs("section,key,label,count,median_seconds,p90_seconds,within,overdue,standard_seconds\r\n",
          stdout);
    for (section_t s = SEC_STEP; s <= SEC_MONTH; s++) {
        Sertel__StatsRow **rows;
        size_t n;
        rows_of(st, s, &rows, &n);
        for (size_t i = 0; i < n; i++)
            csv_row(sections[s].csv, rows[i]->key, rows[i]->label, rows[i]->cases,
                    rows[i]->median_work, rows[i]->p90_work, rows[i]->within, rows[i]->overdue,
                    rows[i]->standard);
    }
    csv_row("waiting", "", "", st->waits, st->median_wait, st->p90_wait, 0, 0, 0);
    csv_row("registered", "", "", st->cases_opened, 0, 0, 0, 0, 0);
    if (st->cases_done)
        csv_row("archived", "", "", st->cases_done->cases, st->cases_done->median_work,
                st->cases_done->p90_work, st->cases_done->within, st->cases_done->overdue, 0);
    fflush(stdout);
}

/* ---- the command ------------------------------------------------------ */

/* --to is a whole day: its last second, so that its month is the last. */
static int stats_period(const char *from, const char *to, Sertel__StatsQuery *q)
{
    if (from && !cli_parse_date(from, &q->from))
        return admin_usage_error(&cmd_stats, _("--from '%s' is not a date YYYY-MM-DD"), from);
    if (to && !cli_parse_date(to, &q->to))
        return admin_usage_error(&cmd_stats, _("--to '%s' is not a date YYYY-MM-DD"), to);
    if (to)
        q->to += 86400 - 1;
    if (from && to && q->to < q->from)
        return admin_usage_error(&cmd_stats, _("--to must not be before --from"));
    return EXIT_DONE;
}

int admin_stats_main(int argc, char **argv)
{
    const char *from = NULL, *to = NULL;
    bool csv = false, wide = false;
    const cli_opt_t opts[] = {
        {"--wide", NULL, NULL, &wide, NULL,
         N_("whole activities and names, and the officers' NIPs (wider than 80 columns)")},
        {"--from", "YYYY-MM-DD", &from, NULL, NULL, N_("first day of the period (its month counts)")},
        {"--to", "YYYY-MM-DD", &to, NULL, NULL, N_("last day of the period (its month counts)")},
        {"--csv", NULL, NULL, &csv, NULL, N_("one CSV table instead of text")},
    };
    cli_common_t common = {0};
    Sertel__StatsQuery q = SERTEL__STATS_QUERY__INIT;
    int n_pos, rc = admin_parse(&cmd_stats, argc, argv, opts, sizeof opts / sizeof opts[0],
                                &common, NULL, &n_pos);
    if (rc != ADMIN_RUN)
        return rc;
    if (csv && common.json)
        return admin_usage_error(&cmd_stats, _("give --json or --csv, not both"));
    if ((rc = stats_period(from, to, &q)) != EXIT_DONE)
        return rc;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply = NULL;
    req.body_case = SERTEL__ENVELOPE__BODY_STATS;
    req.stats = &q;
    rc = admin_request(cmd_stats.prog, &common, &req, SERTEL__ENVELOPE__BODY_STATS_REPLY, &reply);
    if (rc != EXIT_DONE)
        return rc;
    char from_month[STATS_MONTH_KEY_LEN] = "", to_month[STATS_MONTH_KEY_LEN] = "";
    const calendar_t *cal = admin_calendar();
    if (from)
        stats_month_key(q.from, calendar_utc_offset(cal), from_month);
    if (to)
        stats_month_key(q.to, calendar_utc_offset(cal), to_month);
    if (csv)
        stats_csv(reply->stats_reply);
    else if (common.json)
        stats_json(reply->stats_reply, cal, from_month, to_month);
    else
        stats_text(reply->stats_reply, cal, from_month, to_month, wide);
    sertel__envelope__free_unpacked(reply, NULL);
    return EXIT_DONE;
}

/* ====================================================================== */
/* backup                                                                  */
/* ====================================================================== */

static const admin_cmd_t cmd_backup = {
    "sertel-admin backup",
    N_("DIR"),
    N_("Asks the broker to write a consistent copy of its database (data.mdb) into\n"
       "DIR while it keeps running. DIR is a directory on the broker's machine, not\n"
       "necessarily this one, so give it as an absolute path; it is made if missing,\n"
       "and an existing copy there is never overwritten.\n"),
    false, 1, 1,
};

int admin_backup_main(int argc, char **argv)
{
    cli_common_t common = {0};
    const char *pos[1];
    int n_pos, rc = admin_parse(&cmd_backup, argc, argv, NULL, 0, &common, pos, &n_pos);
    if (rc != ADMIN_RUN)
        return rc;
    /* A relative path would be the broker's working directory's. */
    if (pos[0][0] != '/')
        return admin_usage_error(&cmd_backup,
                                 _("'%s' is not an absolute path; DIR is on the broker's machine"),
                                 pos[0]);
    Sertel__Backup b = SERTEL__BACKUP__INIT;
    b.dir = (char *)pos[0];
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_BACKUP;
    req.backup = &b;
    rc = admin_command(cmd_backup.prog, &common, &req);
    if (rc != EXIT_DONE)
        return rc;
    printf(_("The broker wrote a consistent copy of its database to %s/data.mdb on its own "
             "machine.\nCheck it there with: mdb_stat %s\n"), pos[0], pos[0]);
    return EXIT_DONE;
}

/* ====================================================================== */
/* journal                                                                 */
/* ====================================================================== */

static const admin_cmd_t cmd_journal = {
    "sertel-admin journal",
    N_("[--case CASE] [--since SEQ] [--limit N] [--json]"),
    N_("Shows the audit journal: every state change, in order, with its sequence\n"
       "number, time (WIB), case, event, who acted (and for whom, as Plt./Plh.),\n"
       "the step and the text. --since SEQ shows the events after SEQ; --case shows\n"
       "one case's events; the broker returns at most --limit events (default\n"
       "1000). Only Kepala Dinas, Kepala Bidang and administrators may read it.\n"),
    true, 0, 0,
};


/* Who acted as people read it: "Dedi Supriadi (Plh. Kepala Dinas)" when
 * acting, else the name; the NIP where the officer is not (or no longer)
 * enrolled under it. */
static const char *actor_text(const Sertel__Event *ev, const admin_roster_t *ro, char *buf,
                              size_t len)
{
    const char *name = admin_roster_name(ro, ev->actor);
    const char *who = *name ? name : ev->actor;
    if (ev->acting == SERTEL__ACTING_KIND__ACTING_NONE)
        snprintf(buf, len, "%s", who);
    else
        snprintf(buf, len, "%s (%s %s)", who, admin_acting_title(ev->acting),
                 role_title((role_t)ev->actor_role));
    return buf;
}

static void journal_json(Sertel__Event *const *evs, size_t n, const admin_roster_t *ro,
                         const calendar_t *cal)
{
    json_t j;
    json_init(&j, stdout);
    json_obj_begin(&j, NULL);
    json_arr_begin(&j, "events");
    for (size_t i = 0; i < n; i++) {
        const Sertel__Event *ev = evs[i];
        const char *code = event_name_code(ev->kind), *title = event_name_title(ev->kind);
        char when[TIME_TEXT];
        json_obj_begin(&j, NULL);
        json_uint(&j, "seq", ev->seq);
        json_int(&j, "at", ev->at);
        json_str(&j, "time", calendar_format_time(cal, ev->at, when, sizeof when));
        json_str(&j, "case", ev->case_id);
        json_str(&j, "kind", code);
        json_str(&j, "title", title);
        json_str(&j, "actor", ev->actor);
        json_str(&j, "actor_name", admin_roster_name(ro, ev->actor));
        json_str(&j, "actor_role", role_code((role_t)ev->actor_role));
        json_str(&j, "acting", acting_code((acting_kind_t)ev->acting));
        json_str(&j, "acting_for", ev->acting_for);
        json_int(&j, "step", ev->step);
        json_int(&j, "next_step", ev->next_step);
        json_str(&j, "assignee", ev->assignee);
        json_str(&j, "text", ev->text);
        json_str(&j, "note", ev->note);
        json_obj_end(&j);
    }
    json_arr_end(&j);
    json_obj_end(&j);
    json_finish(&j);
}

static void journal_table(Sertel__Event *const *evs, size_t n, const admin_roster_t *ro,
                          const calendar_t *cal)
{
    const char *titles[] = {_("Seq"), _("Time"), _("Case"), _("Event"), _("Actor"), _("Step"),
                            _("Text")};
    admin_table_t t;
    admin_table_init(&t, titles, 7, 1u << 0 | 1u << 5);
    for (size_t i = 0; i < n; i++) {
        const Sertel__Event *ev = evs[i];
        char seq[24], when[TIME_TEXT], actor[256], step[16], text[1100];
        snprintf(seq, sizeof seq, "%llu", (unsigned long long)ev->seq);
        step[0] = '\0';
        if (ev->step > 0)
            snprintf(step, sizeof step, "%d", ev->step);
        snprintf(text, sizeof text, "%s%s%s", ev->text, *ev->text && *ev->note ? " / " : "",
                 ev->note);
        const char *row[] = {seq, calendar_format_time(cal, ev->at, when, sizeof when), ev->case_id,
                             event_name_title(ev->kind), actor_text(ev, ro, actor, sizeof actor),
                             step, text};
        admin_table_add(&t, row);
    }
    if (admin_table_rows(&t))
        admin_table_print(&t, stdout);
    else
        printf(_("No events.\n"));
    admin_table_free(&t);
}

/* The broker reads a case's events from its start; --since still
 * applies, here. */
static size_t after_since(Sertel__Event **evs, size_t n, uint64_t since)
{
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (evs[i]->seq > since)
            evs[kept++] = evs[i];
    return kept;
}

static int journal_query(const char *case_id, const char *since, const char *limit,
                         Sertel__JournalQuery *q)
{
    uint64_t v;
    if (since && !admin_parse_u64(since, &q->since))
        return admin_usage_error(&cmd_journal, _("--since '%s' is not a sequence number"), since);
    if (limit && (!admin_parse_u64(limit, &v) || v == 0 || v > UINT32_MAX))
        return admin_usage_error(&cmd_journal, _("--limit '%s' is not a number from 1"), limit);
    q->limit = limit ? (uint32_t)v : 0;
    q->case_id = (char *)(case_id ? case_id : "");
    return EXIT_DONE;
}

/* ---- journal verify */

static const admin_cmd_t cmd_journal_verify = {
    "sertel-admin journal verify",
    N_("[--data DIR]"),
    N_("Verifies the journal's hash chain: every event from the first, each record\n"
       "hashed (SHA-256) over the one before, so an event edited or removed is\n"
       "found; names the first bad sequence number, or prints the chain head to\n"
       "compare with the broker's log and the backup manifests. With --data DIR it\n"
       "runs offline on a stopped broker's data directory or a backup copy (it runs\n"
       "sertel-broker verify; no broker needed); without, the live broker verifies\n"
       "its own journal (Kepala Dinas, Kepala Bidang, administrators). A broken chain\n"
       "exits with 4.\n"),
    false, 0, 0,
};

#define EXIT_BROKEN 4

static int verify_offline(const char *dir)
{
    char *args[] = {"sertel-broker", "verify", "--data", (char *)dir, NULL};
    admin_exec_broker(args);
    fprintf(stderr, _("%s: cannot run sertel-broker verify: %s\n"), cmd_journal_verify.prog,
            strerror(errno));
    return EXIT_USAGE;
}

static int admin_journal_verify_main(int argc, char **argv)
{
    const char *dir = NULL;
    const cli_opt_t opts[] = {
        {"--data", "DIR", &dir, NULL, NULL, N_("a data directory or backup copy, offline")},
    };
    cli_common_t common = {0};
    int n_pos, rc = admin_parse(&cmd_journal_verify, argc, argv, opts, sizeof opts / sizeof opts[0],
                                &common, NULL, &n_pos);
    if (rc != ADMIN_RUN)
        return rc;
    if (dir)
        return verify_offline(dir);
    Sertel__JournalVerify v = SERTEL__JOURNAL_VERIFY__INIT;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply = NULL;
    req.body_case = SERTEL__ENVELOPE__BODY_JOURNAL_VERIFY;
    req.journal_verify = &v;
    rc = admin_request(cmd_journal_verify.prog, &common, &req,
                       SERTEL__ENVELOPE__BODY_JOURNAL_VERIFIED, &reply);
    if (rc != EXIT_DONE)
        return rc;
    const Sertel__JournalVerifyReply *r = reply->journal_verified;
    if (r->bad_seq)
        printf(_("Journal broken at record %llu: %s\n(records 1 to %llu verified)\n"),
               (unsigned long long)r->bad_seq, r->problem, (unsigned long long)r->events);
    else
        printf(_("Journal intact: %llu events; chain head seq %llu, SHA-256 %s\n"),
               (unsigned long long)r->events, (unsigned long long)r->head_seq, r->head_hash);
    rc = r->bad_seq ? EXIT_BROKEN : EXIT_DONE;
    sertel__envelope__free_unpacked(reply, NULL);
    return rc;
}

int admin_journal_main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "verify") == 0)
        return admin_journal_verify_main(argc - 1, argv + 1);
    const char *case_id = NULL, *since = NULL, *limit = NULL;
    const cli_opt_t opts[] = {
        {"--case", "CASE", &case_id, NULL, NULL, N_("only this case's events")},
        {"--since", "SEQ", &since, NULL, NULL, N_("only events after this sequence number")},
        {"--limit", "N", &limit, NULL, NULL, N_("at most N events (default 1000)")},
    };
    cli_common_t common = {0};
    Sertel__JournalQuery q = SERTEL__JOURNAL_QUERY__INIT;
    int n_pos, rc = admin_parse(&cmd_journal, argc, argv, opts, sizeof opts / sizeof opts[0],
                                &common, NULL, &n_pos);
    if (rc != ADMIN_RUN || (rc = journal_query(case_id, since, limit, &q)) != EXIT_DONE)
        return rc;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply = NULL;
    req.body_case = SERTEL__ENVELOPE__BODY_JOURNAL;
    req.journal = &q;
    cli_t cli;
    admin_roster_t ro = {0};
    /* Times in the office's zone: the calendar first. */
    if ((rc = cli_open(&cli, cmd_journal.prog, &common)) == EXIT_DONE &&
        (rc = cli_fetch_calendar(&cli)) == EXIT_DONE &&
        (rc = admin_call(&cli, &req, SERTEL__ENVELOPE__BODY_EVENTS, &reply)) == EXIT_DONE)
        admin_roster_fetch(&cli, &ro);
    cli_close(&cli);
    if (rc != EXIT_DONE)
        return rc;
    Sertel__EventList *el = reply->events;
    size_t n = after_since(el->events, el->n_events, q.since);
    const calendar_t *cal = admin_calendar();
    (common.json ? journal_json : journal_table)(el->events, n, &ro, cal);
    admin_roster_free(&ro);
    sertel__envelope__free_unpacked(reply, NULL);
    return EXIT_DONE;
}

/* ====================================================================== */
/* sop load                                                                */
/* ====================================================================== */

static const admin_cmd_t cmd_sop_load = {
    "sertel-admin sop load",
    N_("FILE"),
    N_("Checks an SOP file here, as 'sop check' does, and sends it to the broker,\n"
       "which keeps it and runs it from now on. A file with the code of a loaded\n"
       "SOP replaces it, for the cases still open too. An invalid file is not sent:\n"
       "the first error is named as FILE:LINE: reason.\n"),
    false, 1, 1,
};

void admin_sop_load_usage(FILE *to)
{
    admin_cmd_usage(to, &cmd_sop_load, NULL, 0);
}

/* The file as text, checked; NULL after saying why. */
static char *read_sop(const char *path, sop_t **sop)
{
    size_t len;
    char *text = (char *)cli_read_file(cmd_sop_load.prog, path, SOP_FILE_MAX, &len);
    char err[1024];
    if (!text)
        return NULL;
    text[len] = '\0'; /* cli_read_file leaves room for it */
    if (strlen(text) != len) {
        cli_error(cmd_sop_load.prog, _("%s: not a text file (it holds a NUL byte)"), path);
    } else if (!(*sop = sop_parse(text, path, err, sizeof err))) {
        fprintf(stderr, "%s\n", err);
    } else {
        return text;
    }
    free(text);
    return NULL;
}

int admin_sop_load_main(int argc, char **argv)
{
    cli_common_t common = {0};
    const char *pos[1];
    int n_pos, rc = admin_parse(&cmd_sop_load, argc, argv, NULL, 0, &common, pos, &n_pos);
    if (rc != ADMIN_RUN)
        return rc;
    sop_t *sop = NULL;
    char *text = read_sop(pos[0], &sop);
    if (!text)
        return EXIT_USAGE;
    Sertel__SopLoad load = SERTEL__SOP_LOAD__INIT;
    load.text = text;
    load.filename = (char *)pos[0];
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_SOP_LOAD;
    req.sop_load = &load;
    rc = admin_command(cmd_sop_load.prog, &common, &req);
    if (rc == EXIT_DONE) {
        printf(ngettext("SOP %s (%s) is loaded: %zu step.\n", "SOP %s (%s) is loaded: %zu steps.\n",
                        sop->n_steps),
               sop->code, sop->number, sop->n_steps);
    }
    sop_destroy(&sop);
    free(text);
    return rc;
}
