/* sertel-admin outbox: the messages to applicants, for the administrator
 * who watches the notifier (failed and given-up ones with --failed). */
#include "admin.h"
#include "i18n.h"
#include "outbox_view.h"

static const admin_cmd_t cmd_outbox = {
    "sertel-admin outbox",
    N_("[--case CASE] [--failed] [--json]"),
    N_("Lists the messages to applicants and certificate holders, newest first, with\n"
       "their state (queued, sending, sent, failed, given up), tries and the last\n"
       "failure's reason. sertel-notifier sends them; see docs/notifier.md.\n"),
    true, 0, 0,
};

int admin_outbox_main(int argc, char **argv)
{
    const char *case_id = NULL;
    bool failed = false;
    const cli_opt_t opts[] = {
        {"--case", "CASE", &case_id, NULL, NULL, N_("only this case's messages")},
        {"--failed", NULL, NULL, &failed, NULL, N_("only failed or given-up messages")},
    };
    cli_common_t common = {0};
    int n_pos, rc = admin_parse(&cmd_outbox, argc, argv, opts, sizeof opts / sizeof opts[0], &common,
                                NULL, &n_pos);
    if (rc != ADMIN_RUN)
        return rc;
    Sertel__OutboxQuery q = SERTEL__OUTBOX_QUERY__INIT;
    q.case_id = (char *)(case_id ? case_id : "");
    q.failed_only = failed;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply = NULL;
    req.body_case = SERTEL__ENVELOPE__BODY_OUTBOX_QUERY;
    req.outbox_query = &q;
    rc = admin_request(cmd_outbox.prog, &common, &req, SERTEL__ENVELOPE__BODY_OUTBOX_LIST, &reply);
    if (rc != EXIT_DONE)
        return rc;
    outbox_view_print(stdout, reply->outbox_list, common.json);
    sertel__envelope__free_unpacked(reply, NULL);
    return EXIT_DONE;
}
