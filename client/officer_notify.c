/* The applicant's messages as the verifier sees them: write to the
 * applicant of a case (notify) and list the outbox (outbox). The
 * sending itself is sertel-notifier's. */
#include <stdio.h>
#include <string.h>

#include "case.h"
#include "i18n.h"
#include "message.h"
#include "officer.h"
#include "outbox_view.h"

int officer_notify(int argc, char **argv)
{
    static const officer_spec_t spec = {
        "sertel notify", "CASE --channel email|whatsapp|sms (--template NAME | --message TEXT)",
        N_("Writes to the applicant of a case you hold: a message from one of the office's "
           "templates (DATA/pesan/NAME.pesan on the broker), or your own text, which may use "
           "the same fields ({nama}, {nomor perkara}, ...). sertel-notifier sends it; a "
           "message delivered at the step that asks for a contact with the applicant counts "
           "as that contact."),
        1, 1};
    const char *channel = NULL, *template = NULL, *message = NULL, *pos[1];
    const cli_opt_t opts[] = {
        {"--channel", "email|whatsapp|sms", &channel, NULL, NULL, N_("how the message goes")},
        {"--template", "NAME", &template, NULL, NULL, N_("the office's template to send")},
        {"--message", "TEXT", &message, NULL, NULL, N_("your own text")},
    };
    cli_common_t common;
    int rc = officer_parse_case(&spec, argc, argv, opts, 3, &common, pos);
    if (rc != OFFICER_GO)
        return rc;
    if (!officer_check_text(spec.prog, "--channel", channel, 16, true) ||
        !officer_check_text(spec.prog, "--template", template, 64, false) ||
        !officer_check_text(spec.prog, "--message", message, 2000, false))
        return EXIT_USAGE;
    Sertel__MessageChannel ch = message_channel_from_code(channel);
    if (!ch) {
        cli_error(spec.prog, _("%s: '%s' is not one of %s"), "--channel", channel, "email, whatsapp, sms");
        return EXIT_USAGE;
    }
    if (!template == !message) {
        cli_error(spec.prog, "%s", _("give either --template or --message"));
        return EXIT_USAGE;
    }
    Sertel__Notify in = SERTEL__NOTIFY__INIT;
    in.case_id = (char *)pos[0];
    in.channel = ch;
    in.template_ = (char *)(template ? template : "");
    in.text = (char *)(message ? message : "");
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply;
    req.body_case = SERTEL__ENVELOPE__BODY_NOTIFY;
    req.notify = &in;
    cli_t cli;
    rc = officer_request(&cli, spec.prog, &common, &req, SERTEL__ENVELOPE__BODY_DONE, &reply);
    if (rc == EXIT_DONE && common.json)
        printf("{\"case\":\"%s\",\"message\":%llu,\"seq\":%llu}\n", reply->done->case_id,
               (unsigned long long)reply->done->message_id, (unsigned long long)reply->done->seq);
    else if (rc == EXIT_DONE)
        printf(_("%s: message #%llu queued (%s)\n"), reply->done->case_id,
               (unsigned long long)reply->done->message_id, channel);
    if (reply)
        sertel__envelope__free_unpacked(reply, NULL);
    cli_close(&cli);
    return rc;
}

int officer_outbox(int argc, char **argv)
{
    static const officer_spec_t spec = {
        "sertel outbox", "[CASE] [--failed] [--json]",
        N_("Lists the messages to applicants, newest first: of one case, or of every case you "
           "may read; with --failed only those that failed or were given up, with the reason."),
        0, 1};
    bool failed = false;
    const char *pos[1] = {NULL};
    const cli_opt_t opts[] = {
        {"--failed", NULL, NULL, &failed, NULL, N_("only failed or given-up messages")},
    };
    cli_common_t common;
    int n_pos, rc = officer_parse(&spec, argc, argv, opts, 1, &common, pos, &n_pos);
    if (rc != OFFICER_GO)
        return rc;
    if (n_pos && !officer_check_text(spec.prog, "CASE", pos[0], CASE_ID_MAX, true))
        return EXIT_USAGE;
    Sertel__OutboxQuery q = SERTEL__OUTBOX_QUERY__INIT;
    q.case_id = (char *)(n_pos ? pos[0] : "");
    q.failed_only = failed;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply;
    req.body_case = SERTEL__ENVELOPE__BODY_OUTBOX_QUERY;
    req.outbox_query = &q;
    cli_t cli;
    rc = officer_request(&cli, spec.prog, &common, &req, SERTEL__ENVELOPE__BODY_OUTBOX_LIST, &reply);
    if (rc == EXIT_DONE) {
        outbox_view_print(stdout, reply->outbox_list, common.json);
        sertel__envelope__free_unpacked(reply, NULL);
    }
    cli_close(&cli);
    return rc;
}

/* The verifiers' "perlu diperbarui": certificates the broker has reminded
 * their holders of and no renewal has started for, below the inbox. Said
 * nothing when there are none or the register is not the officer's. */
void officer_print_due(cli_t *cli)
{
    Sertel__CertQuery q = SERTEL__CERT_QUERY__INIT;
    q.reminded_only = true;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply = NULL;
    req.body_case = SERTEL__ENVELOPE__BODY_CERT_QUERY;
    req.cert_query = &q;
    char err[256];
    if (conn_call(cli->conn, &req, &reply, cli->timeout_ms, err, sizeof err) != SERTEL_OK)
        return;
    const Sertel__CertList *l = reply->body_case == SERTEL__ENVELOPE__BODY_CERT_LIST ? reply->cert_list : NULL;
    if (l && l->n_certs) {
        printf("\n%s\n", _("Perlu diperbarui (certificates near their expiry; sertel renew SERIAL):"));
        for (size_t i = 0; i < l->n_certs; i++) {
            char until[64];
            printf("  %-18s %s (NIP %s), %s — %s %s\n", l->certs[i]->serial, l->certs[i]->name,
                   l->certs[i]->nip, l->certs[i]->unit, _("valid until"),
                   officer_time(l->certs[i]->not_after, until, sizeof until));
        }
    }
    sertel__envelope__free_unpacked(reply, NULL);
}
