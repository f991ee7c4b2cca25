/* sertel: the officer's client. main only dispatches, from one table;
 * the commands live in officer_case.c, officer_view.c and
 * officer_watch.c, the terminal UI hook in officer_tui.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "officer.h"
#include "version.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"receive", officer_receive, N_("register an incoming application (step 1)")},
    {"inbox", officer_inbox, N_("list the cases waiting for you")},
    {"show", officer_show, N_("show a case, its lembar disposisi and history")},
    {"attachment", officer_attachment, N_("save an attachment of a case (the letter, the report)")},
    {"find", officer_find, N_("find cases by applicant, state or date")},
    {"complete", officer_complete, N_("complete the current step and dispose the case")},
    {"return", officer_return, N_("return an incomplete application to the applicant")},
    {"resume", officer_resume, N_("go on once the applicant has answered")},
    {"reject", officer_reject, N_("reject the application")},
    {"withdraw", officer_withdraw, N_("record that the applicant withdrew")},
    {"contact", officer_contact, N_("record a contact with the applicant")},
    {"certificate", officer_certificate, N_("record the renewed certificate")},
    {"take", officer_take, N_("take a case from your role's pool")},
    {"reassign", officer_reassign, N_("give a taken step to another officer, or back to the pool")},
    {"watch", officer_watch, N_("print the events that concern you as they happen")},
    {"print", officer_print, N_("print a case's lembar disposisi or laporan as PDF")},
    {"verify", officer_verify, N_("check a printed document against the journal")},
    {"notify", officer_notify, N_("write to the applicant (e-mail, WhatsApp, SMS)")},
    {"outbox", officer_outbox, N_("list the messages to applicants and their state")},
    {"renew", officer_renew, N_("open a renewal case for a certificate in the register")},
};

void officer_usage(FILE *to)
{
    fprintf(to, _("Usage: sertel COMMAND [ARGS...]\n\nCommands:\n"));
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(to, "  %-12s %s\n", commands[i].name, _(commands[i].summary));
    fprintf(to, _("\nCommon options, before or after the command: --key FILE, --endpoint ENDPOINT, "
                  "--json.\n"));
    fprintf(to, _("\n'sertel COMMAND --help' describes a command. Exit codes: 0 done, 1 usage or "
                  "invalid input (nothing sent), 2 refused by the broker, 3 broker "
                  "unreachable.\n"));
}

static int dispatch(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
                      strcmp(argv[1], "help") == 0)) {
        officer_usage(stdout);
        return EXIT_DONE;
    }
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        return version_print("sertel");
    }
    if (argc < 2 || strncmp(argv[1], "--", 2) == 0)
        return officer_tui(argc, argv); /* `sertel` or `sertel --key K` */
    if (strcmp(argv[1], "complete-words") == 0) /* for bash completion; not listed */
        return officer_complete_words(argc - 1, argv + 1);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, _("sertel: unknown command '%s'\n"), argv[1]);
    officer_usage(stderr);
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    i18n_init();
    int n;
    char **args = cli_hoist_common(argc, argv, &n);
    if (!args)
        return EXIT_UNREACHABLE;
    int rc = dispatch(n, args);
    officer_release();
    free(args);
    return rc;
}
