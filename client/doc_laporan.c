/* The laporan hasil pembaharuan sertifikat elektronik (the output of SOP
 * step 6), made from the case: the applicant, the letter, the renewed
 * certificate and who verified it, every contact with the applicant and
 * its outcome, and each step's dates and working time against its Mutu
 * Baku; signed by the verifier. */
#include <stdio.h>
#include <string.h>

#include "case.h"
#include "doc_case.h"
#include "i18n.h"
#include "role.h"

#define LABEL_W 150.0

static void heading(doc_t *d, const char *text)
{
    doc_style_t h = DOC_BODY;
    h.bold = true;
    doc_skip(d, 8);
    doc_need(d, 40);
    doc_para(d, text, &h);
    doc_skip(d, 3);
}

/* The NIK is personal data: enough of it to recognise, not to reuse. */
static const char *masked_nik(const char *nik, char *buf, size_t len)
{
    size_t n = nik ? strlen(nik) : 0;
    if (n < 10)
        snprintf(buf, len, "%s", n ? nik : "-");
    else
        snprintf(buf, len, "%.6s%.*s%s", nik, (int)(n - 10), "xxxxxxxxxxxxxxxx", nik + n - 4);
    return buf;
}

static void applicant(doc_t *d, const doc_case_t *c)
{
    const Sertel__Case *k = c->detail->case_;
    const Sertel__Application *a = k->app;
    char nik[40], dated[64], received[96];
    heading(d, _("I. Applicant and application"));
    doc_field(d, _("Name"), a->name, LABEL_W);
    doc_field(d, "NIP", a->nip, LABEL_W);
    doc_field(d, "NIK", masked_nik(a->nik, nik, sizeof nik), LABEL_W);
    doc_field(d, _("Position"), a->position, LABEL_W);
    doc_field(d, _("Work unit"), a->unit, LABEL_W);
    doc_field(d, _("E-mail"), a->email, LABEL_W);
    doc_field(d, _("Phone"), a->phone, LABEL_W);
    doc_field(d, _("Letter number"), a->letter_no, LABEL_W);
    doc_field(d, _("Letter date"), doc_date_text(a->letter_date, dated, sizeof dated), LABEL_W);
    doc_field(d, _("Received on"), doc_datetime(k->created_at, c->cal, received, sizeof received),
              LABEL_W);
    doc_field(d, _("Agenda number"), k->id, LABEL_W);
}

static const Sertel__Event *last_of(const doc_case_t *c, Sertel__EventKind kind)
{
    const Sertel__Event *found = NULL;
    for (size_t i = 0; i < c->detail->n_history; i++)
        if (c->detail->history[i]->kind == kind)
            found = c->detail->history[i];
    return found;
}

static void certificate(doc_t *d, const doc_case_t *c)
{
    const Sertel__Case *k = c->detail->case_;
    char until[64], who[400], when[96];
    heading(d, _("II. The renewed certificate"));
    const Sertel__Event *cert = last_of(c, SERTEL__EVENT_KIND__EV_CERTIFIED);
    bool has = k->cert_serial && *k->cert_serial;
    doc_field(d, _("Serial number"), has ? k->cert_serial : _("not recorded yet"), LABEL_W);
    doc_field(d, _("Valid until"),
              has ? doc_date(k->cert_not_after, calendar_utc_offset(c->cal), until, sizeof until)
                  : "-",
              LABEL_W);
    doc_field(d, _("Verified by"), cert ? doc_case_actor(c, cert, who, sizeof who) : "-", LABEL_W);
    doc_field(d, _("Recorded on"), cert ? doc_datetime(cert->at, c->cal, when, sizeof when) : "-",
              LABEL_W);
}

/* A message's last state in the history: delivered, failed, waiting. */
static const char *message_outcome(const doc_case_t *c, uint64_t id)
{
    int state = SERTEL__MESSAGE_STATE__MSG_QUEUED;
    for (size_t i = 0; i < c->detail->n_history; i++) {
        const Sertel__Event *ev = c->detail->history[i];
        if (ev->kind == SERTEL__EVENT_KIND__EV_MESSAGE_STATE && ev->message_id == id)
            state = ev->message_state;
    }
    switch (state) {
    case SERTEL__MESSAGE_STATE__MSG_SENT:
        return _("message delivered");
    case SERTEL__MESSAGE_STATE__MSG_GIVEN_UP:
        return _("message could not be delivered");
    case SERTEL__MESSAGE_STATE__MSG_FAILED:
        return _("sending failed; will be tried again");
    default:
        return _("message waiting to be sent");
    }
}

static const char *message_channel(int ch)
{
    static const char *const names[] = {"-", "email", "whatsapp", "sms"};
    return ch >= 1 && ch <= 3 ? names[ch] : "-";
}

/* Contacts, messages, returns to the applicant and their answers. */
static const char *contact_outcome(const doc_case_t *c, const Sertel__Event *ev)
{
    switch (ev->kind) {
    case SERTEL__EVENT_KIND__EV_MESSAGE_QUEUED:
        return message_outcome(c, ev->message_id);
    case SERTEL__EVENT_KIND__EV_CONTACTED:
        return _("contact recorded");
    case SERTEL__EVENT_KIND__EV_RETURNED:
        return _("returned to the applicant to complete");
    case SERTEL__EVENT_KIND__EV_RESUMED:
        return _("the applicant answered; work resumed");
    default:
        return "";
    }
}

static void contacts(doc_t *d, const doc_case_t *c)
{
    heading(d, _("III. Contacts with the applicant"));
    const doc_col_t cols[] = {
        {_("No."), 0.06, DOC_CENTER}, {_("Date and time"), 0.19, DOC_LEFT},
        {_("Channel"), 0.11, DOC_LEFT}, {_("What was said"), 0.34, DOC_LEFT},
        {_("By"), 0.16, DOC_LEFT},     {_("Outcome"), 0.14, DOC_LEFT},
    };
    doc_table_t *t = doc_table_begin(d, cols, 6);
    int n = 0;
    for (size_t i = 0; i < c->detail->n_history; i++) {
        const Sertel__Event *ev = c->detail->history[i];
        const char *outcome = contact_outcome(c, ev);
        if (!*outcome)
            continue;
        char no[16], when[96];
        snprintf(no, sizeof no, "%d", ++n);
        bool contact = ev->kind == SERTEL__EVENT_KIND__EV_CONTACTED;
        bool message = ev->kind == SERTEL__EVENT_KIND__EV_MESSAGE_QUEUED;
        const char *channel = message ? message_channel(ev->message_channel)
                              : contact && ev->note ? ev->note : "-";
        const char *who = ev->actor && *ev->actor ? doc_case_name(c, ev->actor) : _("Sertel (automatic)");
        const char *row[] = {no, doc_datetime(ev->at, c->cal, when, sizeof when), channel,
                             ev->text, who, outcome};
        doc_table_row(t, row, 0);
    }
    if (!n) {
        const char *row[] = {"-", _("no contact was recorded"), "", "", "", ""};
        doc_table_row(t, row, 0);
    }
    doc_table_end(&t);
}

/* Each completed step: when it began and ended, its working time against
 * the Mutu Baku, the time waited on the applicant apart. */
static void timing(doc_t *d, const doc_case_t *c)
{
    heading(d, _("IV. Time per step against the Mutu Baku"));
    const doc_col_t cols[] = {
        {_("Step"), 0.07, DOC_CENTER},     {_("Done by"), 0.25, DOC_LEFT},
        {_("Started"), 0.16, DOC_LEFT},    {_("Completed"), 0.16, DOC_LEFT},
        {_("Working time"), 0.12, DOC_RIGHT}, {_("Mutu Baku"), 0.1, DOC_RIGHT},
        {_("Assessment"), 0.14, DOC_LEFT},
    };
    doc_table_t *t = doc_table_begin(d, cols, 7);
    int64_t start = c->detail->case_->created_at, total = 0;
    for (size_t i = 0; i < c->detail->n_history; i++) {
        const Sertel__Event *ev = c->detail->history[i];
        if (ev->kind != SERTEL__EVENT_KIND__EV_DISPOSED && ev->kind != SERTEL__EVENT_KIND__EV_ARCHIVED)
            continue;
        char step[16], who[400], from[96], to[96], work[64], std[64], verdict[160], waited[64];
        snprintf(step, sizeof step, "%d", ev->step);
        calendar_format_work(c->cal, ev->work, work, sizeof work);
        calendar_format_work(c->cal, ev->standard, std, sizeof std);
        snprintf(verdict, sizeof verdict, "%s", ev->standard && ev->work <= ev->standard
                                                    ? _("within the Mutu Baku")
                                                    : _("past the Mutu Baku"));
        if (ev->wait_wall > 0) {
            size_t n = strlen(verdict);
            snprintf(verdict + n, sizeof verdict - n, _("; waited on the applicant %s"),
                     format_duration(ev->wait_wall, 86400, waited, sizeof waited));
        }
        const char *row[] = {step, doc_case_actor(c, ev, who, sizeof who),
                             doc_datetime(start, c->cal, from, sizeof from),
                             doc_datetime(ev->at, c->cal, to, sizeof to), work,
                             ev->standard ? std : "-", verdict};
        doc_table_row(t, row, 0);
        total += ev->work;
        start = ev->at;
    }
    doc_table_end(&t);
    char all[64], line[160];
    snprintf(line, sizeof line, _("Working time of all completed steps: %s."),
             calendar_format_work(c->cal, total, all, sizeof all));
    doc_skip(d, 4);
    doc_para(d, line, &DOC_SMALL);
}

/* "Ciamis, 24 November 2026", the verifier's title, room to sign, name. */
static void signature(doc_t *d, const doc_case_t *c)
{
    const Sertel__Event *cert = last_of(c, SERTEL__EVENT_KIND__EV_CERTIFIED);
    char place[OFFICE_TEXT_MAX + 80], date[64], nip[64];
    snprintf(place, sizeof place, "%s, %s", c->office->city,
             doc_date(c->made_at, calendar_utc_offset(c->cal), date, sizeof date));
    doc_need(d, 110);
    doc_skip(d, 14);
    double x = doc_left() + doc_width() * 0.55, w = doc_width() * 0.45, y = doc_y(d);
    y += doc_text_at(d, x, y, w, place, &DOC_BODY);
    y += doc_text_at(d, x, y, w, _("Verifikator Sertifikat Elektronik,"), &DOC_BODY) + 48;
    doc_style_t name = DOC_BODY;
    name.bold = true;
    const char *who = cert ? doc_case_name(c, cert->actor) : "";
    y += doc_text_at(d, x, y, w, *who ? who : "(.................................)", &name);
    snprintf(nip, sizeof nip, "NIP %s", cert ? cert->actor : "");
    y += doc_text_at(d, x, y, w, nip, &DOC_BODY);
    doc_set_y(d, y + 10);
}

sertel_err_t doc_laporan(const char *path, const doc_case_t *c, char *err, size_t errlen)
{
    if (!c->detail->case_ || !c->detail->case_->app) {
        snprintf(err, errlen, "%s", _("the case has no application to print"));
        return SERTEL_E_INVALID;
    }
    doc_t *d = doc_case_open(path, c, _("LAPORAN HASIL PEMBAHARUAN SERTIFIKAT ELEKTRONIK"), err,
                             errlen);
    if (!d)
        return SERTEL_E_IO;
    applicant(d, c);
    certificate(d, c);
    contacts(d, c);
    timing(d, c);
    signature(d, c);
    doc_case_seal(d, c);
    return doc_finish(&d, err, errlen);
}
