/* sertel-admin report: the six-monthly SOP-monitoring report of
 * Permenpan RB 35/2012 as PDF (or its charts alone as PNG), from the
 * broker's statistics for a period. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "admin.h"
#include "doc_source.h"
#include "i18n.h"

static const admin_cmd_t cmd_report = {
    "sertel-admin report",
    N_("--from YYYY-MM-DD --to YYYY-MM-DD (--out FILE.pdf | --png DIR)"),
    N_("Writes the SOP-monitoring report (Permenpan RB 35/2012) for the period as an A4\n"
       "PDF under the office's letterhead: the monitoring table with the judgement\n"
       "\"berjalan dengan baik / tidak berjalan dengan baik\" per step (from the share\n"
       "within the Mutu Baku against the office profile's threshold) and the notes filled\n"
       "from the facts, the action and the assessor's initials left to fill in; the\n"
       "Kepala Dinas's signature block; then per step the cases, median and 90th\n"
       "percentile of working time against the Mutu Baku, share within, overdue steps,\n"
       "the waits on applicants apart; per officer; and two charts. --png DIR writes the\n"
       "charts alone (grafik-langkah.png, grafik-bulan.png). The broker keeps statistics\n"
       "per month: the period covers the whole months of --from and --to. Kepala Dinas,\n"
       "Kepala Bidang and administrators only.\n"),
    false, 0, 0,
};

typedef struct {
    const char *from, *to, *out, *png;
} report_args_t;

static bool check_args(const report_args_t *a, int64_t *from, int64_t *to)
{
    if (!a->from || !a->to || (!a->out && !a->png)) {
        admin_usage_error(&cmd_report, _("--from, --to and --out or --png are required"));
        return false;
    }
    if (!admin_parse_when(a->from, false, from) || !admin_parse_when(a->to, true, to)) {
        admin_usage_error(&cmd_report, _("dates are written YYYY-MM-DD"));
        return false;
    }
    if (*from >= *to) {
        admin_usage_error(&cmd_report, _("--from must not be later than --to"));
        return false;
    }
    struct stat st;
    if (a->png && (stat(a->png, &st) != 0 || !S_ISDIR(st.st_mode))) {
        cli_error(cmd_report.prog, _("%s: not a directory"), a->png);
        return false;
    }
    return true;
}

static int fetch_stats(cli_t *cli, int64_t from, int64_t to, Sertel__Envelope **reply)
{
    Sertel__StatsQuery q = SERTEL__STATS_QUERY__INIT;
    q.from = from;
    q.to = to;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_STATS;
    req.stats = &q;
    return admin_call(cli, &req, SERTEL__ENVELOPE__BODY_STATS_REPLY, reply);
}

static int render(const report_args_t *a, doc_source_t *src, const Sertel__Stats *st,
                  int64_t from, int64_t to)
{
    doc_report_t r = {doc_source_office(src), NULL, 0, doc_source_calendar(src), st, from, to,
                      "", ""};
    doc_source_logo(src, &r.logo, &r.logo_len);
    doc_source_head(src, &r.head_name, &r.head_nip);
    char err[512];
    if (a->out && doc_report(a->out, &r, err, sizeof err) != SERTEL_OK) {
        cli_error(cmd_report.prog, "%s: %s", a->out, err);
        return EXIT_USAGE;
    }
    if (a->png && doc_report_png(a->png, &r, err, sizeof err) != SERTEL_OK) {
        cli_error(cmd_report.prog, "%s", err);
        return EXIT_USAGE;
    }
    if (a->out)
        printf("%s\n", a->out);
    if (a->png)
        printf("%s/grafik-langkah.png\n%s/grafik-bulan.png\n", a->png, a->png);
    return EXIT_DONE;
}

int admin_report_main(int argc, char **argv)
{
    report_args_t a = {0};
    const cli_opt_t opts[] = {
        {"--from", "YYYY-MM-DD", &a.from, NULL, NULL, N_("first day of the period")},
        {"--to", "YYYY-MM-DD", &a.to, NULL, NULL, N_("last day of the period")},
        {"--out", "FILE.pdf", &a.out, NULL, NULL, N_("write the report here")},
        {"--png", "DIR", &a.png, NULL, NULL, N_("write the charts alone into this directory")},
    };
    cli_common_t common = {0};
    int n_pos, rc = admin_parse(&cmd_report, argc, argv, opts, sizeof opts / sizeof opts[0],
                                &common, NULL, &n_pos);
    if (rc != ADMIN_RUN)
        return rc;
    int64_t from, to;
    if (!check_args(&a, &from, &to))
        return EXIT_USAGE;
    cli_t cli;
    if ((rc = cli_open(&cli, cmd_report.prog, &common)) != EXIT_DONE)
        return rc;
    Sertel__Envelope *reply = NULL;
    doc_source_t *src = doc_source_new(&cli, cmd_report.prog, &rc);
    if (src)
        rc = fetch_stats(&cli, from, to, &reply);
    if (src && rc == EXIT_DONE)
        rc = render(&a, src, reply->stats_reply, from, to);
    if (reply)
        sertel__envelope__free_unpacked(reply, NULL);
    doc_source_destroy(&src);
    cli_close(&cli);
    doc_release();
    return rc;
}
