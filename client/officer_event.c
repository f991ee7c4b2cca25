/* Cases and events as the officer reads them: one line per event (show's
 * history, watch) and the JSON documents of docs/cli.md. What an event
 * says depends on its kind, so the kinds are a table, not a switch. */
#include <string.h>

#include "case.h"
#include "engine.h"
#include "event_names.h"
#include "i18n.h"
#include "message.h"
#include "officer.h"
#include "role.h"

/* Which parts of an event are worth showing. */
enum {
    SHOW_TARGET = 1u << 0,   /* where the case went: next step and assignee */
    SHOW_TEXT = 1u << 1,     /* text, under the kind's label */
    SHOW_NOTE = 1u << 2,     /* the free note */
    SHOW_CHANNEL = 1u << 3,  /* the note holds a contact channel's code */
    SHOW_ESCALATE = 1u << 4, /* the superior an overdue step went to */
    SHOW_PREVIOUS = 1u << 5, /* the note holds the holder before a reassignment */
    SHOW_MESSAGE = 1u << 6,  /* an outbox message: its number, channel and state */
};

/* Administrative kinds have no engine name (event_kind_t). */
enum {
    KIND_OFFICER_CHANGED = 20,
    KIND_ACTING_CHANGED = 21,
    KIND_SOP_LOADED = 22,
    KIND_CALENDAR_LOADED = 32,
    KIND_MESSAGE_QUEUED = 40,
    KIND_MESSAGE_STATE = 41,
    KIND_CERT_DUE = 42,
    KIND_CERT_REGISTERED = 43,
    KIND_OFFICE_LOADED = 50,
};

/* Per kind: what is shown, and the label of its text. Codes and titles
 * are event_names.c's. */
static const struct {
    unsigned show;
    const char *text_label; /* N_(); NULL: the text stands alone */
} kinds[] = {
    /* text and note: a letter registered again beside an open case, and why */
    [EV_RECEIVED] = {SHOW_TARGET | SHOW_TEXT | SHOW_NOTE, N_("again beside case")},
    [EV_DISPOSED] = {SHOW_TARGET | SHOW_TEXT | SHOW_NOTE, N_("instruction")},
    [EV_ARCHIVED] = {SHOW_TEXT | SHOW_NOTE, N_("instruction")},
    [EV_RETURNED] = {SHOW_TEXT, N_("reason")},
    [EV_RESUMED] = {SHOW_NOTE, NULL},
    [EV_REJECTED] = {SHOW_TEXT, N_("reason")},
    [EV_WITHDRAWN] = {SHOW_TEXT, N_("reason")},
    [EV_ATTACHED] = {SHOW_TEXT, N_("file")},
    [EV_CONTACTED] = {SHOW_TEXT | SHOW_CHANNEL, NULL},
    [EV_CERTIFIED] = {SHOW_TEXT, N_("serial number")},
    [EV_WARNED] = {0, NULL},
    [EV_OVERDUE] = {SHOW_ESCALATE, NULL},
    [KIND_OFFICER_CHANGED] = {SHOW_TEXT, NULL},
    [KIND_ACTING_CHANGED] = {SHOW_TEXT, NULL},
    [KIND_SOP_LOADED] = {SHOW_TEXT, NULL},
    [EV_TAKEN] = {SHOW_TARGET, NULL},
    [EV_REASSIGNED] = {SHOW_TARGET | SHOW_TEXT | SHOW_PREVIOUS, N_("reason")},
    [KIND_CALENDAR_LOADED] = {SHOW_TEXT, NULL},
    [KIND_MESSAGE_QUEUED] = {SHOW_MESSAGE | SHOW_TEXT, NULL},
    [KIND_MESSAGE_STATE] = {SHOW_MESSAGE | SHOW_TEXT, N_("reason")},
    [KIND_CERT_DUE] = {SHOW_TEXT | SHOW_NOTE, N_("serial number")},
    [KIND_CERT_REGISTERED] = {SHOW_TEXT | SHOW_NOTE, N_("serial number")},
    [KIND_OFFICE_LOADED] = {SHOW_TEXT, NULL},
};

#define N_KINDS (sizeof kinds / sizeof kinds[0])

static bool kind_known(int kind)
{
    return kind > 0 && (size_t)kind < N_KINDS;
}

static const char *role_code_or_empty(int role)
{
    const char *code = role_code((role_t)role);
    return code ? code : "";
}

/* ---- text */

/* Appends "; part" (or the first part) to buf. */
static void add_part(char *buf, size_t len, const char *part)
{
    size_t used = strlen(buf);
    if (used + 1 < len)
        snprintf(buf + used, len - used, "%s%s", used ? "; " : "", part);
}

/* An event is one line wherever it is shown (history, lembar disposisi,
 * watch): the line breaks of an instruction or a note typed over several
 * lines read as " / ". */
static void one_line(char *buf, size_t len)
{
    char out[4096];
    size_t o = 0;
    for (const char *p = buf; *p && o + 4 < sizeof out; p++) {
        if (*p == '\r')
            continue;
        if (*p == '\n') {
            memcpy(out + o, " / ", 3);
            o += 3;
        } else {
            out[o++] = *p;
        }
    }
    out[o] = '\0';
    snprintf(buf, len, "%s", out);
}

const char *officer_event_what(const Sertel__Event *ev, const officer_names_t *names, char *buf,
                               size_t len)
{
    unsigned show = kind_known(ev->kind) ? kinds[ev->kind].show : SHOW_TEXT;
    const char *text = ev->text ? ev->text : "", *note = ev->note ? ev->note : "";
    char part[1200], place[256];
    buf[0] = '\0';
    if (show & SHOW_TARGET) {
        snprintf(part, sizeof part, "→ %s",
                 officer_place(names, ev->next_step, ev->assignee_role, ev->assignee_quals,
                               ev->assignee, place, sizeof place));
        add_part(buf, len, part);
    }
    if (show & SHOW_MESSAGE) {
        snprintf(part, sizeof part, "#%llu %s: %s", (unsigned long long)ev->message_id,
                 message_channel_code(ev->message_channel), message_state_title(ev->message_state));
        add_part(buf, len, part);
    }
    if ((show & SHOW_CHANNEL) && text[0]) {
        snprintf(part, sizeof part, _("via %s: \"%s\""), note, text);
        add_part(buf, len, part);
    } else if ((show & SHOW_TEXT) && text[0]) {
        const char *label = kind_known(ev->kind) ? kinds[ev->kind].text_label : NULL;
        if (label)
            snprintf(part, sizeof part, "%s: \"%s\"", _(label), text);
        else
            snprintf(part, sizeof part, "\"%s\"", text);
        add_part(buf, len, part);
    }
    if (ev->n_boxes) {
        char boxes[600];
        snprintf(part, sizeof part, "[%s]", officer_boxes(ev->boxes, ev->n_boxes, boxes,
                                                         sizeof boxes));
        add_part(buf, len, part);
    }
    if ((show & SHOW_PREVIOUS) && note[0]) {
        snprintf(part, sizeof part, _("was with %s"), officer_name(names, note));
        add_part(buf, len, part);
    }
    if ((show & SHOW_NOTE) && note[0]) {
        snprintf(part, sizeof part, "%s: \"%s\"", _("note"), note);
        add_part(buf, len, part);
    }
    if (ev->deadline) {
        char when[64];
        snprintf(part, sizeof part, _("batas waktu %s"), officer_time(ev->deadline, when,
                                                                      sizeof when));
        add_part(buf, len, part);
    }
    if ((show & SHOW_ESCALATE) && ev->escalate_to) {
        snprintf(part, sizeof part, _("escalated to %s"), role_title((role_t)ev->escalate_to));
        add_part(buf, len, part);
    }
    one_line(buf, len);
    return buf;
}

/* Columns of an event line, wide enough for the longest value in either
 * language, so that a history reads as a table. */
#define TIME_COLUMNS 23
#define CASE_COLUMNS 15
#define TITLE_COLUMNS 29
#define STEP_COLUMNS 11

void officer_print_event(FILE *out, const Sertel__Event *ev, const officer_names_t *names,
                         bool with_case)
{
    char when[64], step[32], who[256], what[2048];
    officer_pad(out, officer_time(ev->at, when, sizeof when), TIME_COLUMNS);
    if (with_case)
        officer_pad(out, ev->case_id, CASE_COLUMNS);
    officer_pad(out, event_name_title(ev->kind), TITLE_COLUMNS);
    if (ev->step)
        snprintf(step, sizeof step, _("step %d"), ev->step);
    else
        step[0] = '\0';
    officer_pad(out, step, STEP_COLUMNS);
    fputs(officer_actor(names, ev->actor, ev->actor_role, ev->acting, who, sizeof who), out);
    officer_event_what(ev, names, what, sizeof what);
    if (what[0])
        fprintf(out, "  %s", what);
    fputc('\n', out);
}

/* ---- JSON */

void officer_json_event(json_t *j, const char *key, const Sertel__Event *ev)
{
    char quals[64];
    json_obj_begin(j, key);
    json_uint(j, "seq", ev->seq);
    json_str(j, "kind", event_name_code(ev->kind));
    json_str(j, "case", ev->case_id);
    json_int(j, "at", ev->at);
    json_int(j, "step", ev->step);
    json_str(j, "actor", ev->actor);
    json_str(j, "actor_role", role_code_or_empty(ev->actor_role));
    json_str(j, "acting", acting_code((acting_kind_t)ev->acting));
    json_str(j, "acting_for", ev->acting_for);
    json_int(j, "next_step", ev->next_step);
    json_str(j, "assignee", ev->assignee);
    json_str(j, "assignee_role", role_code_or_empty(ev->assignee_role));
    json_str(j, "assignee_quals", qual_codes(ev->assignee_quals, quals, sizeof quals));
    json_str(j, "escalate_to", role_code_or_empty(ev->escalate_to));
    json_str(j, "text", ev->text);
    json_str(j, "note", ev->note);
    json_int(j, "work", ev->work);
    json_int(j, "wall", ev->wall);
    json_int(j, "wait_work", ev->wait_work);
    json_int(j, "wait_wall", ev->wait_wall);
    json_int(j, "standard", ev->standard);
    json_strs(j, "boxes", ev->boxes, ev->n_boxes);
    json_int(j, "deadline", ev->deadline);
    json_str(j, "urgency", urgency_code((urgency_t)ev->urgency));
    if (ev->message_id) {
        json_uint(j, "message", ev->message_id);
        json_str(j, "message_channel", message_channel_code(ev->message_channel));
        json_str(j, "message_state", message_state_code(ev->message_state));
    }
    json_obj_end(j);
}

static void json_applicant(json_t *j, const Sertel__Application *a)
{
    json_obj_begin(j, "applicant");
    json_str(j, "name", a ? a->name : "");
    json_str(j, "nip", a ? a->nip : "");
    json_str(j, "nik", a ? a->nik : "");
    json_str(j, "unit", a ? a->unit : "");
    json_str(j, "position", a ? a->position : "");
    json_str(j, "email", a ? a->email : "");
    json_str(j, "phone", a ? a->phone : "");
    json_obj_end(j);
    json_obj_begin(j, "letter");
    json_str(j, "channel", a ? channel_code((channel_t)a->channel) : "");
    json_str(j, "number", a ? a->letter_no : "");
    json_str(j, "date", a ? a->letter_date : "");
    json_str(j, "subject", a ? a->subject : "");
    json_str(j, "urgency", a ? urgency_code((urgency_t)a->urgency) : "");
    json_str(j, "sifat", a ? classification_code(a->classification ? (classification_t)a->classification
                                                                   : CLASS_BIASA)
                           : "");
    json_str(j, "received", a ? a->received_date : "");
    json_str(j, "agenda_no", a ? a->agenda_no : "");
    json_str(j, "srikandi_no", a ? a->srikandi_no : "");
    json_obj_end(j);
}

static void json_attachments(json_t *j, const Sertel__Case *c)
{
    json_arr_begin(j, "attachments");
    for (size_t i = 0; i < c->n_attachments; i++) {
        const Sertel__Attachment *a = c->attachments[i];
        json_obj_begin(j, NULL);
        json_str(j, "name", a->name);
        json_str(j, "hash", a->hash);
        json_uint(j, "size", a->size);
        json_int(j, "step", a->step);
        json_obj_end(j);
    }
    json_arr_end(j);
}

void officer_json_case(json_t *j, const char *key, const Sertel__Case *c, int64_t now)
{
    char quals[64];
    json_obj_begin(j, key);
    json_str(j, "id", c->id);
    json_str(j, "sop", c->sop_code);
    json_str(j, "state", case_state_code((case_state_t)c->state));
    json_int(j, "step", c->step);
    json_str(j, "assignee", c->assignee);
    json_str(j, "pool_role", role_code_or_empty(c->pool_role));
    json_str(j, "pool_quals", qual_codes(c->pool_quals, quals, sizeof quals));
    json_str(j, "instruction", c->instruction);
    json_strs(j, "boxes", c->boxes, c->n_boxes);
    json_str(j, "note", c->note);
    json_int(j, "deadline", c->deadline);
    json_str(j, "urgency", urgency_code((urgency_t)c->urgency));
    json_int(j, "created_at", c->created_at);
    json_str(j, "received_by", c->received_by);
    json_int(j, "step_started_at", c->step_started_at);
    json_int(j, "warn_at", c->warn_at);
    json_int(j, "due_at", c->due_at);
    /* c->overdue is set by the broker's sweep, which may not have run yet. */
    json_bool(j, "overdue", c->overdue || (c->state == SERTEL__CASE_STATE__STATE_OPEN &&
                                           c->due_at && now > c->due_at));
    json_int(j, "work_used", c->work_used);
    json_int(j, "time_left", officer_work_left(c, now));
    json_int(j, "waiting_since", c->waiting_since);
    json_int(j, "contacts", c->contacts);
    json_applicant(j, c->app);
    json_attachments(j, c);
    json_obj_begin(j, "certificate");
    json_str(j, "serial", c->cert_serial);
    json_int(j, "not_after", c->cert_not_after);
    json_obj_end(j);
    json_int(j, "closed_at", c->closed_at);
    json_str(j, "closed_reason", c->closed_reason);
    json_obj_end(j);
}
