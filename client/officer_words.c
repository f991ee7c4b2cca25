/* `sertel complete-words cases|nips [--key FILE] [--endpoint E]`: the
 * words bash completion offers for a case number (the cases in the
 * officer's inbox) or a NIP (the enrolled officers), one a line. Not in
 * the list of commands: it is for the completion script
 * (dist/sertel.bash), which calls it with the --key and --endpoint of
 * the command line being completed. It waits briefly and prints nothing
 * on any failure: a completion never shows an error. */
#include <stdio.h>
#include <string.h>

#include "officer.h"

#define WORDS_TIMEOUT_MS 2000

static void print_cases(const Sertel__Envelope *reply)
{
    const Sertel__CaseList *l = reply->case_list;
    for (size_t i = 0; i < l->n_cases; i++)
        printf("%s\n", l->cases[i]->id);
}

static void print_nips(const Sertel__Envelope *reply)
{
    const Sertel__OfficerListReply *l = reply->officers;
    for (size_t i = 0; i < l->n_officers; i++)
        if (l->officers[i]->active && l->officers[i]->nip && *l->officers[i]->nip)
            printf("%s\n", l->officers[i]->nip);
}

int officer_complete_words(int argc, char **argv)
{
    cli_common_t common = {0};
    const char *what = NULL;
    int n_pos;
    FILE *quiet = freopen("/dev/null", "w", stderr);
    if (!quiet ||
        !cli_parse("sertel complete-words", argc, argv, NULL, 0, &common, &what, 1, &n_pos) ||
        n_pos != 1)
        return EXIT_USAGE;
    Sertel__InboxQuery inbox = SERTEL__INBOX_QUERY__INIT;
    Sertel__OfficerList officers = SERTEL__OFFICER_LIST__INIT;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply = NULL;
    Sertel__Envelope__BodyCase want;
    if (strcmp(what, "cases") == 0) {
        req.body_case = SERTEL__ENVELOPE__BODY_INBOX;
        req.inbox = &inbox;
        want = SERTEL__ENVELOPE__BODY_CASE_LIST;
    } else if (strcmp(what, "nips") == 0) {
        req.body_case = SERTEL__ENVELOPE__BODY_OFFICER_LIST;
        req.officer_list = &officers;
        want = SERTEL__ENVELOPE__BODY_OFFICERS;
    } else
        return EXIT_USAGE;
    cli_t cli;
    int rc = cli_open(&cli, "sertel", &common);
    if (rc != EXIT_DONE)
        return rc;
    cli.timeout_ms = WORDS_TIMEOUT_MS;
    rc = cli_call(&cli, &req, &reply);
    if (rc == EXIT_DONE && reply->body_case == want)
        (want == SERTEL__ENVELOPE__BODY_CASE_LIST ? print_cases : print_nips)(reply);
    if (reply)
        sertel__envelope__free_unpacked(reply, NULL);
    cli_close(&cli);
    return rc;
}
