/* sertel-admin: the administrator's client. main only dispatches to the
 * command groups; each group lives in its own admin_<group>.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "cli.h"
#include "i18n.h"
#include "version.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} groups[] = {
    {"init", admin_init_main, N_("create a broker data directory (runs sertel-broker init)")},
    {"officer", admin_officer_main, N_("enrol, list, disable officers; change roles")},
    {"acting", admin_acting_main, N_("appoint and end acting officials (Plt./Plh.)")},
    {"sop", admin_sop_main, N_("check, show SOP files; load one into the broker")},
    {"calendar", admin_calendar_main, N_("check working-calendar files; load one into the broker")},
    {"stats", admin_stats_main, N_("SOP-compliance statistics")},
    {"journal", admin_journal_main, N_("the audit journal")},
    {"backup", admin_backup_main, N_("a consistent copy of the broker's database")},
    {"rotate-key", admin_rotate_key_main,
     N_("a new key for the applicants' personal data, offline (runs sertel-broker rotate-key)")},
    {"archive", admin_archive_main, N_("export archived cases with their documents (arsip)")},
    {"report", admin_report_main, N_("the SOP-monitoring report (Permenpan RB 35/2012) as PDF")},
    {"office", admin_office_main, N_("the office profile (kop surat) documents are printed with")},
    {"outbox", admin_outbox_main, N_("messages to applicants and their state")},
    {"certs", admin_certs_main, N_("the certificate register: import, list, due for renewal")},
};

static void usage(FILE *to)
{
    fprintf(to, _("Usage: sertel-admin COMMAND [ARGS...]\n\nCommands:\n"));
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
        fprintf(to, "  %-10s %s\n", groups[i].name, _(groups[i].summary));
    fprintf(to, _("\n'sertel-admin COMMAND --help' describes a command.\n"));
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 1;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        return version_print("sertel-admin");
    }
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
        if (strcmp(argv[1], groups[i].name) == 0)
            return groups[i].run(argc - 1, argv + 1);
    fprintf(stderr, _("sertel-admin: unknown command '%s'\n"), argv[1]);
    usage(stderr);
    return 1;
}

int main(int argc, char **argv)
{
    i18n_init();
    int n;
    char **args = cli_hoist_common(argc, argv, &n);
    if (!args)
        return 1;
    int rc = dispatch(n, args);
    free(args);
    return rc;
}
