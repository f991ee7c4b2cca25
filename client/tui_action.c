/* The workflow actions the UI offers, each a form and a request: the
 * same requests as `sertel complete|return|resume|reject|contact|notify|
 * take|certificate` and an attachment. Files are read by the commands'
 * own code (officer.h), its messages caught for the screen. Whether the
 * officer may do it is the broker's to say; its refusal is shown whole
 * in the form, which stays open to be corrected. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "message.h"
#include "officer.h"
#include "requests.h"
#include "tui_internal.h"

#define MAX_CANDIDATES 64

enum { F_TO = 0, F_INSTRUCTION = 1, F_NOTE = 2, F_ATTACH = 3 }; /* complete */
enum { F_FILE = 0 };                               /* attach, certificate */
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
    {ACT_ATTACH, 'a', N_("Attach a file"), N_("file attached")},
    {ACT_CERTIFICATE, 's', N_("Record the renewed certificate"), N_("certificate recorded")},
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

/* The case the action is on, as the screen has it (open, or selected). */
static const Sertel__Case *case_shown(tui_t *t, const char *case_id)
{
    const Sertel__Case *c = t->detail && t->detail->case_detail && t->detail->case_detail->case_ &&
                                    strcmp(t->detail->case_detail->case_->id, case_id) == 0
                                ? t->detail->case_detail->case_
                                : tui_inbox_selected(t);
    return c && strcmp(c->id, case_id) == 0 ? c : NULL;
}

/* Whom the step after the case's current one may go to: the active
 * officers of the next step's role (and qualification, e.g. the
 * verifiers), by name, from the broker's list; every other officer when
 * the SOP file is not here to say. The first choice leaves it to the SOP. */
static void add_to_field(tui_t *t, tui_form_t *f, const Sertel__Case *c)
{
    const sop_step_t *now = c ? tui_sops_step(t->sops, c->sop_code, c->step) : NULL;
    const sop_step_t *next = c ? tui_sops_step(t->sops, c->sop_code, c->step + 1) : NULL;
    const Sertel__OfficerListReply *l = t->officers ? t->officers->officers : NULL;
    static char text[MAX_CANDIDATES + 1][256];
    const char *labels[MAX_CANDIDATES + 1], *values[MAX_CANDIDATES + 1];
    int n = 0;
    /* The last step goes to nobody: the case is archived. */
    bool last = now && !next;
    labels[n] = last ? _("(nobody: the case is archived)") : _("(whom the SOP names, or the pool)");
    values[n++] = "";
    for (size_t i = 0; !last && l && i < l->n_officers && n <= MAX_CANDIDATES; i++) {
        const Sertel__Officer *o = l->officers[i];
        if (!o->active || !o->nip || strcmp(o->nip, t->nip) == 0)
            continue;
        if (next && ((role_t)o->role != next->role || (o->quals & next->quals) != next->quals))
            continue;
        char codes[32], quals[40] = "";
        if (o->quals)
            snprintf(quals, sizeof quals, " (%s)", qual_codes(o->quals, codes, sizeof codes));
        snprintf(text[n], sizeof text[n], "%s — %s%s%s%s", o->name && *o->name ? o->name : o->nip,
                 role_title((role_t)o->role), quals, o->unit && *o->unit ? ", " : "",
                 o->unit ? o->unit : "");
        labels[n] = text[n];
        values[n++] = o->nip;
    }
    tui_form_add_list(f, _("To"), false, labels, values, n); /* copies them */
}

static bool wants_laporan(tui_t *t, const char *case_id)
{
    const Sertel__Case *c = case_shown(t, case_id);
    const sop_step_t *st = c ? tui_sops_step(t->sops, c->sop_code, c->step) : NULL;
    return st && (st->requires & REQ_LAPORAN);
}

void tui_action_open(tui_t *t, tui_action_t a, const char *case_id)
{
    if (a == ACT_TAKE) {
        take_now(t, case_id);
        return;
    }
    if (a == ACT_INTAKE) {
        tui_intake_open(t);
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
        if (!t->officers)
            tui_fetch_officers(t);
        add_to_field(t, f, case_shown(t, case_id));
        tui_form_add(f, FIELD_TEXT, _("Instruction"), false, TEXT_MAX, NULL);
        tui_form_add(f, FIELD_TEXT, _("Note"), false, TEXT_MAX, NULL);
        tui_form_add(f, FIELD_TEXT, _("Attach (file path)"), false, 4000, NULL);
        /* The laporan just printed for this case is what a step whose
         * Kelengkapan asks for one (step 6) attaches. */
        if (t->laporan[0] && strcmp(t->laporan_case, case_id) == 0 && wants_laporan(t, case_id))
            tui_form_set(f, F_ATTACH, t->laporan);
        break;
    case ACT_ATTACH:
        tui_form_add(f, FIELD_TEXT, _("File (path; at most 4 MiB)"), true, 4000, NULL);
        break;
    case ACT_CERTIFICATE:
        tui_form_add(f, FIELD_TEXT, _("Certificate file (DER or PEM)"), true, 4000, NULL);
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
    case ACT_INTAKE: /* its own form, tui_intake.c */
        break;
    case ACT_NOTIFY:
        tui_form_add(f, FIELD_CHOICE, _("Channel"), true, 0, message_codes);
        tui_form_add(f, FIELD_TEXT, _("Template (e.g. kelengkapan), or"), false, 64, NULL);
        tui_form_add(f, FIELD_TEXT, _("Message ({nama}, {nomor perkara}, ...)"), false, TEXT_MAX, NULL);
        break;
    }
    t->form = f;
}

bool tui_read_files(tui_t *t, const char *path, officer_files_t *files)
{
    cli_multi_t paths = {.n = 0};
    if (path && *path)
        paths.v[paths.n++] = path;
    char why[TUI_STATUS_MAX] = "";
    cli_error_to(why, sizeof why);
    bool ok = officer_files_read("sertel", &paths, files);
    cli_error_to(NULL, 0);
    if (!ok)
        tui_status(t, true, "%s", why);
    return ok;
}

static uint8_t *read_certificate(tui_t *t, const char *path, size_t *len)
{
    char why[TUI_STATUS_MAX] = "";
    cli_error_to(why, sizeof why);
    uint8_t *der = officer_read_certificate("sertel", path, len);
    cli_error_to(NULL, 0);
    if (!der)
        tui_status(t, true, "%s", why);
    return der;
}

/* What a request points at, kept until it is sent. */
typedef struct {
    char id[CASE_ID_MAX + 1];
    Sertel__Complete complete;
    text_msg_t text;
    Sertel__Contact contact;
    Sertel__Notify notify;
    Sertel__Attach attach;
    Sertel__Certificate cert;
    officer_files_t files;
} parts_t;

/* Builds the request of the submitted form into req (pointing into m);
 * false, with the reason on the status line, when a file cannot be used. */
static bool build(tui_t *t, tui_form_t *f, Sertel__Envelope *req, parts_t *m)
{
    char *id = m->id;
    /* Values live in the form until it is destroyed; each field has its
     * own buffer, so taking several at once is safe. */
    switch ((tui_action_t)tui_form_action(f)) {
    case ACT_COMPLETE:
        m->complete.case_id = id;
        m->complete.to_nip = (char *)tui_form_value(f, F_TO);
        m->complete.instruction = (char *)tui_form_value(f, F_INSTRUCTION);
        m->complete.note = (char *)tui_form_value(f, F_NOTE);
        if (!tui_read_files(t, tui_form_value(f, F_ATTACH), &m->files))
            return false;
        m->complete.attachments = m->files.ptr;
        m->complete.n_attachments = m->files.n;
        req->body_case = SERTEL__ENVELOPE__BODY_COMPLETE;
        req->complete = &m->complete;
        break;
    case ACT_ATTACH:
        if (!tui_read_files(t, tui_form_value(f, F_FILE), &m->files))
            return false;
        m->attach.case_id = id;
        m->attach.attachments = m->files.ptr;
        m->attach.n_attachments = m->files.n;
        req->body_case = SERTEL__ENVELOPE__BODY_ATTACH;
        req->attach = &m->attach;
        break;
    case ACT_CERTIFICATE:
        m->cert.case_id = id;
        m->cert.serial = "";
        if (!(m->cert.der.data = read_certificate(t, tui_form_value(f, F_FILE), &m->cert.der.len)))
            return false;
        req->body_case = SERTEL__ENVELOPE__BODY_CERTIFICATE;
        req->certificate = &m->cert;
        break;
    case ACT_RETURN:
        request_return(req, &m->text, id, (char *)tui_form_value(f, F_REASON));
        break;
    case ACT_RESUME:
        request_resume(req, &m->text, id, (char *)tui_form_value(f, F_REASON));
        break;
    case ACT_REJECT:
        request_reject(req, &m->text, id, (char *)tui_form_value(f, F_REASON));
        break;
    case ACT_CONTACT:
        m->contact.case_id = id;
        m->contact.channel = (Sertel__ContactChannel)contact_channel_from_code(tui_form_value(f, F_CHANNEL));
        m->contact.summary = (char *)tui_form_value(f, F_SUMMARY);
        req->body_case = SERTEL__ENVELOPE__BODY_CONTACT;
        req->contact = &m->contact;
        break;
    case ACT_NOTIFY:
        m->notify.case_id = id;
        m->notify.channel = message_channel_from_code(tui_form_value(f, F_CHANNEL));
        m->notify.template_ = (char *)tui_form_value(f, F_TEMPLATE);
        m->notify.text = (char *)tui_form_value(f, F_MESSAGE);
        req->body_case = SERTEL__ENVELOPE__BODY_NOTIFY;
        req->notify = &m->notify;
        break;
    default:
        return false;
    }
    return true;
}

bool tui_action_send(tui_t *t)
{
    tui_form_t *f = t->form;
    int missing = tui_form_missing(f);
    if (missing >= 0) {
        tui_status(t, true, "%s", _("fill in the fields marked *"));
        return false;
    }
    if (tui_form_action(f) == ACT_INTAKE)
        return tui_intake_send(t);
    parts_t m = {.complete = SERTEL__COMPLETE__INIT, .contact = SERTEL__CONTACT__INIT,
                 .notify = SERTEL__NOTIFY__INIT, .attach = SERTEL__ATTACH__INIT,
                 .cert = SERTEL__CERTIFICATE__INIT};
    snprintf(m.id, sizeof m.id, "%s", tui_form_case(f));
    char *id = m.id;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    if (!build(t, f, &req, &m)) {
        officer_files_free(&m.files); /* what was read before the one refused */
        return false;
    }
    int i = find((tui_action_t)tui_form_action(f));
    tui_status(t, false, "%s", _("sending…"));
    tui_draw_screen(t, (int64_t)time(NULL)); /* the call may take a while */
    Sertel__Envelope *reply;
    bool sent = tui_call(t, &req, &reply, id);
    officer_files_free(&m.files);
    free(m.cert.der.data);
    if (!sent)
        return false;
    sertel__envelope__free_unpacked(reply, NULL);
    tui_form_destroy(&t->form);
    tui_status(t, false, "%s: %s", id, _(actions[i].done));
    t->inbox_stale = true;
    t->detail_stale = t->detail_id[0] != '\0';
    return true;
}
