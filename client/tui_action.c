/* The workflow actions the UI offers, each a form and a request: the
 * same requests as `sertel complete|return|resume|reject|contact|notify`.
 * Whether the officer may do it is the broker's to say; its refusal
 * goes to the status line and the form stays open to be corrected. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "message.h"
#include "requests.h"
#include "tui_internal.h"

enum { F_TO = 0, F_INSTRUCTION = 1, F_NOTE = 2 }; /* complete */
enum { F_REASON = 0 };                             /* return, reject; resume's note */
enum { F_CHANNEL = 0, F_SUMMARY = 1 };             /* contact */
enum { F_TEMPLATE = 1, F_MESSAGE = 2 };            /* notify, after its channel */

static const char *const contact_codes[] = {"email", "sms", "telp", "whatsapp", NULL};
static const char *const message_codes[] = {"email", "whatsapp", "sms", NULL};

static const struct {
    tui_action_t action;
    wint_t key;
    const char *title;   /* N_() */
    const char *done;    /* N_(), after the case number */
} actions[] = {
    {ACT_COMPLETE, 'c', N_("Complete the step"), N_("step completed")},
    {ACT_RETURN, 'r', N_("Return to the applicant"), N_("returned to the applicant")},
    {ACT_RESUME, 'u', N_("Resume"), N_("resumed")},
    {ACT_REJECT, 'x', N_("Reject the application"), N_("rejected")},
    {ACT_CONTACT, 'k', N_("Log a contact with the applicant"), N_("contact logged")},
    {ACT_NOTIFY, 'm', N_("Write to the applicant"), N_("message queued")},
    {ACT_TAKE, 't', N_("Take the case"), N_("taken; the step is yours")},
};

static int find(tui_action_t a)
{
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
        if (actions[i].action == a)
            return (int)i;
    return -1;
}

tui_action_t tui_action_for_key(wint_t key)
{
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
        if (actions[i].key == key)
            return actions[i].action;
    return 0;
}

/* Taking a case asks nothing more: it is sent at once, as `sertel take`. */
static void take_now(tui_t *t, const char *case_id)
{
    char id[CASE_ID_MAX + 1];
    snprintf(id, sizeof id, "%s", case_id);
    Sertel__Take take = SERTEL__TAKE__INIT;
    take.case_id = id;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply;
    req.body_case = SERTEL__ENVELOPE__BODY_TAKE;
    req.take = &take;
    if (!tui_call(t, &req, &reply, id))
        return;
    sertel__envelope__free_unpacked(reply, NULL);
    tui_status(t, false, "%s: %s", id, _("taken; the step is yours"));
    t->inbox_stale = true;
    t->detail_stale = t->detail_id[0] != '\0';
}

void tui_action_open(tui_t *t, tui_action_t a, const char *case_id)
{
    if (a == ACT_TAKE) {
        take_now(t, case_id);
        return;
    }
    int i = find(a);
    if (i < 0)
        return;
    tui_form_destroy(&t->form);
    tui_form_t *f = tui_form_new(_(actions[i].title), a, case_id);
    if (!f)
        return;
    switch (a) {
    case ACT_COMPLETE:
        tui_form_add(f, FIELD_TEXT, _("To (NIP; empty: whom the SOP names)"), false, NIP_LEN, NULL);
        tui_form_add(f, FIELD_TEXT, _("Instruction"), false, TEXT_MAX, NULL);
        tui_form_add(f, FIELD_TEXT, _("Note"), false, TEXT_MAX, NULL);
        break;
    case ACT_RETURN:
    case ACT_REJECT:
        tui_form_add(f, FIELD_TEXT, _("Reason"), true, TEXT_MAX, NULL);
        break;
    case ACT_RESUME:
        tui_form_add(f, FIELD_TEXT, _("Note"), false, TEXT_MAX, NULL);
        break;
    case ACT_CONTACT:
        tui_form_add(f, FIELD_CHOICE, _("Channel"), true, 0, contact_codes);
        tui_form_add(f, FIELD_TEXT, _("Summary"), true, TEXT_MAX, NULL);
        break;
    case ACT_TAKE: /* sent at once, above */
        break;
    case ACT_NOTIFY:
        tui_form_add(f, FIELD_CHOICE, _("Channel"), true, 0, message_codes);
        tui_form_add(f, FIELD_TEXT, _("Template (e.g. kelengkapan), or"), false, 64, NULL);
        tui_form_add(f, FIELD_TEXT, _("Message ({nama}, {nomor perkara}, ...)"), false, TEXT_MAX, NULL);
        break;
    }
    t->form = f;
}

bool tui_action_send(tui_t *t)
{
    tui_form_t *f = t->form;
    int missing = tui_form_missing(f);
    if (missing >= 0) {
        tui_status(t, true, "%s", _("fill in the fields marked *"));
        return false;
    }
    char id[CASE_ID_MAX + 1];
    snprintf(id, sizeof id, "%s", tui_form_case(f));
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    Sertel__Complete complete = SERTEL__COMPLETE__INIT;
    text_msg_t text;
    Sertel__Contact contact = SERTEL__CONTACT__INIT;
    Sertel__Notify notify = SERTEL__NOTIFY__INIT;
    /* Values live in the form until it is destroyed; each field has its
     * own buffer, so taking several at once is safe. */
    switch ((tui_action_t)tui_form_action(f)) {
    case ACT_COMPLETE:
        complete.case_id = id;
        complete.to_nip = (char *)tui_form_value(f, F_TO);
        complete.instruction = (char *)tui_form_value(f, F_INSTRUCTION);
        complete.note = (char *)tui_form_value(f, F_NOTE);
        req.body_case = SERTEL__ENVELOPE__BODY_COMPLETE;
        req.complete = &complete;
        break;
    case ACT_RETURN:
        request_return(&req, &text, id, (char *)tui_form_value(f, F_REASON));
        break;
    case ACT_RESUME:
        request_resume(&req, &text, id, (char *)tui_form_value(f, F_REASON));
        break;
    case ACT_REJECT:
        request_reject(&req, &text, id, (char *)tui_form_value(f, F_REASON));
        break;
    case ACT_CONTACT:
        contact.case_id = id;
        contact.channel = (Sertel__ContactChannel)contact_channel_from_code(tui_form_value(f, F_CHANNEL));
        contact.summary = (char *)tui_form_value(f, F_SUMMARY);
        req.body_case = SERTEL__ENVELOPE__BODY_CONTACT;
        req.contact = &contact;
        break;
    case ACT_NOTIFY:
        notify.case_id = id;
        notify.channel = message_channel_from_code(tui_form_value(f, F_CHANNEL));
        notify.template_ = (char *)tui_form_value(f, F_TEMPLATE);
        notify.text = (char *)tui_form_value(f, F_MESSAGE);
        req.body_case = SERTEL__ENVELOPE__BODY_NOTIFY;
        req.notify = &notify;
        break;
    default:
        return false;
    }
    int i = find((tui_action_t)tui_form_action(f));
    tui_status(t, false, "%s", _("sending…"));
    tui_draw_screen(t, (int64_t)time(NULL)); /* the call may take a while */
    Sertel__Envelope *reply;
    if (!tui_call(t, &req, &reply, id))
        return false;
    sertel__envelope__free_unpacked(reply, NULL);
    tui_form_destroy(&t->form);
    tui_status(t, false, "%s: %s", id, _(actions[i].done));
    t->inbox_stale = true;
    t->detail_stale = t->detail_id[0] != '\0';
    return true;
}
