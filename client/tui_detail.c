/* One case: a live summary line, then (scrollable) the applicant, the
 * letter, attachments, the certificate and the history — the chain of
 * lembar disposisi — from the journal. The text is wrapped once per
 * width and kept until the case or the width changes. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "i18n.h"
#include "tui_internal.h"

#define LABEL_COLS 18

/* ---- lines */

typedef struct {
    tui_t *t;
    int attr;
    int indent;
} wrap_t;

static void push_line(tui_t *t, const char *text, size_t n, int indent, int attr)
{
    tui_line_t *grown = realloc(t->lines, (size_t)(t->n_lines + 1) * sizeof *grown);
    char *s = malloc((size_t)indent + n + 1);
    if (!grown || !s) {
        free(s);
        if (grown)
            t->lines = grown;
        return;
    }
    t->lines = grown;
    memset(s, ' ', (size_t)indent);
    memcpy(s + indent, text, n);
    s[indent + n] = '\0';
    t->lines[t->n_lines++] = (tui_line_t){s, attr};
}

static void emit_piece(void *arg, const char *p, size_t n)
{
    wrap_t *w = arg;
    push_line(w->t, p, n, w->indent, w->attr);
}

/* text wrapped to width at indent columns. */
static void add(tui_t *t, int indent, int attr, const char *text)
{
    wrap_t w = {t, attr, indent};
    tui_wrap(text, t->lines_width - indent, emit_piece, &w);
}

static void addf(tui_t *t, int indent, int attr, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void addf(tui_t *t, int indent, int attr, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    add(t, indent, attr, buf);
}

/* "  Label:          value", the value wrapped under itself; nothing
 * for an empty value. */
static void field(tui_t *t, const char *label, const char *value)
{
    if (!value || !*value)
        return;
    char head[256];
    int lw = tui_width(label);
    snprintf(head, sizeof head, "  %s:%*s", label, lw + 1 < LABEL_COLS ? LABEL_COLS - lw - 1 : 1, "");
    int hw = tui_width(head);
    if (t->lines_width - hw < 20) { /* narrow: the value on its own lines */
        add(t, 2, A_BOLD, label);
        add(t, 4, 0, value);
        return;
    }
    int before = t->n_lines;
    add(t, hw, 0, value);
    if (t->n_lines > before) {
        /* The label goes over the first line's indent. */
        tui_line_t *l = &t->lines[before];
        size_t hl = strlen(head), vl = strlen(l->text + hw);
        char *s = malloc(hl + vl + 1);
        if (s) {
            memcpy(s, head, hl);
            memcpy(s + hl, l->text + hw, vl + 1);
            free(l->text);
            l->text = s;
        }
    }
}

static void heading(tui_t *t, const char *title)
{
    push_line(t, "", 0, 0, 0);
    add(t, 0, A_BOLD | A_UNDERLINE, title);
}

static void clear_lines(tui_t *t)
{
    for (int i = 0; i < t->n_lines; i++)
        free(t->lines[i].text);
    free(t->lines);
    t->lines = NULL;
    t->n_lines = 0;
}

/* ---- words */

static const char *contact_title(const char *code)
{
    switch (contact_channel_from_code(code)) {
    case CONTACT_EMAIL:
        return _("by e-mail");
    case CONTACT_SMS:
        return _("by short message (SMS)");
    case CONTACT_TELP:
        return _("by telephone");
    case CONTACT_WHATSAPP:
        return _("by WhatsApp");
    default:
        return code;
    }
}

static const char *urgency_title(int u)
{
    switch (u) {
    case SERTEL__URGENCY__URGENCY_SEGERA:
        return _("urgent");
    case SERTEL__URGENCY__URGENCY_SANGAT_SEGERA:
        return _("very urgent");
    case SERTEL__URGENCY__URGENCY_BIASA:
        return _("normal");
    default:
        return "";
    }
}

/* "Name (Role)", or the role pool: "Staff (verifier)". */
static void holder_text(tui_t *t, const char *nip, int role, unsigned quals, char *buf, size_t len)
{
    if (nip && *nip)
        snprintf(buf, len, "%s (%s)", tui_officer_name(t, nip), role_title((role_t)role));
    else if (quals & QUAL_VERIFIKATOR)
        snprintf(buf, len, _("any %s (verifier)"), role_title((role_t)role));
    else
        snprintf(buf, len, _("any %s"), role_title((role_t)role));
}

static const char *when(tui_t *t, int64_t at, char *buf, size_t len)
{
    return at > 0 ? calendar_format_time(t->cal, at, buf, len) : "";
}

/* ---- sections */

static void section_case(tui_t *t, const Sertel__Case *c)
{
    char buf[512], w[128];
    const sop_step_t *st = tui_sops_step(t->sops, c->sop_code, c->step);
    if (c->state == SERTEL__CASE_STATE__STATE_OPEN || c->state == SERTEL__CASE_STATE__STATE_WAITING) {
        if (st)
            snprintf(buf, sizeof buf, _("Step %d: %s"), (int)c->step, st->activity);
        else
            snprintf(buf, sizeof buf, _("Step %d"), (int)c->step);
        field(t, _("Now at"), buf);
        holder_text(t, c->assignee, c->pool_role, c->pool_quals, buf, sizeof buf);
        field(t, _("Held by"), buf);
        field(t, _("Instruction"), c->instruction);
        field(t, _("Step began"), when(t, c->step_started_at, w, sizeof w));
        if (st) {
            char std[64];
            field(t, _("Mutu Baku"), sop_step_standard_text(st, std, sizeof std));
        }
        field(t, _("Due"), when(t, c->due_at, w, sizeof w));
        if (c->state == SERTEL__CASE_STATE__STATE_WAITING)
            field(t, _("Waiting since"), when(t, c->waiting_since, w, sizeof w));
    } else {
        field(t, _("Closed"), when(t, c->closed_at, w, sizeof w));
        field(t, _("Reason"), c->closed_reason);
    }
    field(t, _("SOP"), c->sop_code);
    field(t, _("Registered"), when(t, c->created_at, w, sizeof w));
    if (c->received_by && *c->received_by)
        field(t, _("Received by"), tui_officer_name(t, c->received_by));
}

static void section_applicant(tui_t *t, const Sertel__Application *a)
{
    heading(t, _("Applicant"));
    if (!a)
        return;
    field(t, _("Name"), a->name);
    field(t, _("NIP"), a->nip);
    field(t, _("NIK"), a->nik);
    field(t, _("Unit"), a->unit);
    field(t, _("Position"), a->position);
    field(t, _("E-mail"), a->email);
    field(t, _("Telephone"), a->phone);
}

static void section_letter(tui_t *t, const Sertel__Application *a)
{
    heading(t, _("Application letter"));
    if (!a)
        return;
    /* As `sertel show` words it: the day the letter came, and how. */
    char arrived[64];
    snprintf(arrived, sizeof arrived, "%s, %s",
             a->received_date && a->received_date[0] ? a->received_date : "-",
             officer_channel_title(a->channel));
    field(t, _("Arrived"), arrived);
    field(t, _("Letter no."), a->letter_no);
    field(t, _("Letter date"), a->letter_date);
    field(t, _("Subject"), a->subject);
    field(t, _("Urgency"), urgency_title(a->urgency));
}

static void section_attachments(tui_t *t, const Sertel__Case *c)
{
    heading(t, _("Attachments"));
    if (c->n_attachments == 0)
        add(t, 2, A_DIM, _("(none)"));
    for (size_t i = 0; i < c->n_attachments; i++) {
        const Sertel__Attachment *a = c->attachments[i];
        addf(t, 2, 0, _("%s — %llu bytes, step %d, SHA-256 %.16s…"), a->name,
             (unsigned long long)a->size, (int)a->step, a->hash ? a->hash : "");
    }
}

static void section_certificate(tui_t *t, const Sertel__Case *c)
{
    char w[128];
    heading(t, _("Certificate"));
    if (!c->cert_serial || !*c->cert_serial) {
        add(t, 2, A_DIM, _("(not recorded yet)"));
        return;
    }
    field(t, _("Serial number"), c->cert_serial);
    field(t, _("Valid until"), when(t, c->cert_not_after, w, sizeof w));
}

/* What the event's text is, by kind. */
static const char *text_label(int kind)
{
    switch (kind) {
    case SERTEL__EVENT_KIND__EV_DISPOSED:
    case SERTEL__EVENT_KIND__EV_ARCHIVED:
        return _("Instruction");
    case SERTEL__EVENT_KIND__EV_RETURNED:
    case SERTEL__EVENT_KIND__EV_REJECTED:
    case SERTEL__EVENT_KIND__EV_WITHDRAWN:
        return _("Reason");
    case SERTEL__EVENT_KIND__EV_CONTACTED:
        return _("Summary");
    case SERTEL__EVENT_KIND__EV_ATTACHED:
        return _("Document");
    case SERTEL__EVENT_KIND__EV_CERTIFIED:
        return _("Serial number");
    default:
        return _("Text");
    }
}

static void history_event(tui_t *t, const Sertel__Event *e)
{
    char w[128], buf[1024], who[512];
    const char *title = event_kind_title((event_kind_t)e->kind);
    addf(t, 0, A_BOLD, "%s  %s %d · %s", when(t, e->at, w, sizeof w), _("Step"), (int)e->step,
         title && *title ? title : "?");
    if (e->actor && *e->actor) {
        snprintf(who, sizeof who, "%s (%s)", tui_officer_name(t, e->actor), role_title((role_t)e->actor_role));
        if (e->acting != SERTEL__ACTING_KIND__ACTING_NONE && e->acting_for && *e->acting_for)
            snprintf(buf, sizeof buf, _("by %s, %s for %s"), who,
                     e->acting == SERTEL__ACTING_KIND__ACTING_PLT ? "Plt." : "Plh.",
                     tui_officer_name(t, e->acting_for));
        else
            snprintf(buf, sizeof buf, _("by %s"), who);
        add(t, 4, 0, buf);
    }
    if (e->kind == SERTEL__EVENT_KIND__EV_DISPOSED && e->next_step > 0) {
        holder_text(t, e->assignee, e->assignee_role, e->assignee_quals, who, sizeof who);
        const sop_step_t *st = NULL;
        if (t->detail && t->detail->case_detail->case_)
            st = tui_sops_step(t->sops, t->detail->case_detail->case_->sop_code, e->next_step);
        if (st)
            addf(t, 4, 0, _("→ step %d (%s): %s"), (int)e->next_step, st->activity, who);
        else
            addf(t, 4, 0, _("→ step %d: %s"), (int)e->next_step, who);
    }
    if (e->kind == SERTEL__EVENT_KIND__EV_OVERDUE && e->escalate_to)
        addf(t, 4, 0, _("→ reported to the %s"), role_title((role_t)e->escalate_to));
    if (e->text && *e->text)
        addf(t, 4, 0, "%s: %s", text_label(e->kind), e->text);
    if (e->note && *e->note) {
        if (e->kind == SERTEL__EVENT_KIND__EV_CONTACTED)
            addf(t, 4, 0, "%s: %s", _("Reached"), contact_title(e->note));
        else
            addf(t, 4, 0, "%s: %s", _("Note"), e->note);
    }
    if (e->standard > 0 || e->work > 0) {
        char used[64], std[64];
        calendar_format_work(t->cal, e->work, used, sizeof used);
        calendar_format_work(t->cal, e->standard, std, sizeof std);
        addf(t, 4, e->standard > 0 && e->work > e->standard ? tui_attr(PAIR_LATE) : (int)A_DIM,
             _("working time %s of a Mutu Baku of %s"), used, std);
    }
    if (e->wait_wall > 0) {
        char waited[64];
        calendar_format_work(t->cal, e->wait_work, waited, sizeof waited);
        addf(t, 4, A_DIM, _("waited on the applicant: %s of working time"), waited);
    }
}

static void section_history(tui_t *t, const Sertel__CaseDetail *d)
{
    heading(t, _("History (lembar disposisi)"));
    if (d->n_history == 0)
        add(t, 2, A_DIM, _("(none)"));
    for (size_t i = 0; i < d->n_history; i++)
        history_event(t, d->history[i]);
}

void tui_detail_layout(tui_t *t, int width, bool force)
{
    if (!force && width == t->lines_width && t->lines)
        return;
    clear_lines(t);
    t->lines_width = width < 20 ? 20 : width;
    const Sertel__CaseDetail *d = t->detail ? t->detail->case_detail : NULL;
    if (!d || !d->case_)
        return;
    section_case(t, d->case_);
    section_applicant(t, d->case_->app);
    section_letter(t, d->case_->app);
    section_attachments(t, d->case_);
    section_certificate(t, d->case_);
    section_history(t, d);
}

/* ---- the view */

void tui_detail_open(tui_t *t, const char *case_id)
{
    if (strcmp(t->detail_id, case_id) != 0) {
        tui_detail_clear(t);
        snprintf(t->detail_id, sizeof t->detail_id, "%s", case_id);
    }
    t->view = VIEW_DETAIL;
    tui_unmark_fresh(t, case_id);
    tui_fetch_detail(t);
}

void tui_detail_set(tui_t *t, Sertel__Envelope *reply)
{
    if (t->detail)
        sertel__envelope__free_unpacked(t->detail, NULL);
    t->detail = reply;
    t->detail_at = (int64_t)time(NULL);
    tui_detail_layout(t, t->lines_width ? t->lines_width : COLS, true);
}

void tui_detail_clear(tui_t *t)
{
    clear_lines(t);
    if (t->detail)
        sertel__envelope__free_unpacked(t->detail, NULL);
    t->detail = NULL;
    t->detail_id[0] = '\0';
    t->detail_top = 0;
}

void tui_detail_draw(tui_t *t, int y, int height, int width, int64_t now)
{
    const Sertel__Case *c = t->detail && t->detail->case_detail ? t->detail->case_detail->case_ : NULL;
    if (!c) {
        tui_put(y + 1, 2, t->online ? _("Reading the case…") : _("Waiting for the broker…"), width - 3, false);
        return;
    }
    tui_detail_layout(t, width - 1, false);
    /* The summary stays on top, with the countdown live. */
    char line[1024], cd[128];
    int level;
    tui_countdown(t, c, t->detail_at, now, cd, sizeof cd, &level);
    snprintf(line, sizeof line, "%s · %s · %s%s%s", c->id, c->app && c->app->name ? c->app->name : "",
             case_state_title((case_state_t)c->state), cd[0] ? " · " : "", cd);
    attrset(A_BOLD | (level == 2 ? tui_attr(PAIR_LATE) : level == 1 ? tui_attr(PAIR_WARN) : 0));
    tui_put(y, 0, line, width, true);
    attrset(A_NORMAL);
    int rows = height - 1;
    if (t->detail_top > t->n_lines - rows)
        t->detail_top = t->n_lines - rows;
    if (t->detail_top < 0)
        t->detail_top = 0;
    for (int i = 0; i < rows && t->detail_top + i < t->n_lines; i++) {
        const tui_line_t *l = &t->lines[t->detail_top + i];
        attrset(l->attr);
        tui_put(y + 1 + i, 0, l->text, width - 1, false);
    }
    attrset(A_NORMAL);
    /* Where we are in a text longer than the screen. */
    if (t->n_lines > rows && rows > 2) {
        int bar = (int)((int64_t)(rows - 1) * t->detail_top / (t->n_lines - rows));
        for (int i = 0; i < rows; i++)
            mvaddch(y + 1 + i, width - 1, i == bar ? ACS_BLOCK : ACS_VLINE);
    }
}

bool tui_detail_key(tui_t *t, wint_t key, int height)
{
    int rows = height - 1, page = rows > 2 ? rows - 1 : 1;
    switch (key) {
    case KEY_UP:
        t->detail_top--;
        break;
    case KEY_DOWN:
        t->detail_top++;
        break;
    case KEY_PPAGE:
        t->detail_top -= page;
        break;
    case KEY_NPAGE:
    case ' ':
        t->detail_top += page;
        break;
    case KEY_HOME:
        t->detail_top = 0;
        break;
    case KEY_END:
        t->detail_top = t->n_lines;
        break;
    default:
        return false;
    }
    if (t->detail_top > t->n_lines - rows)
        t->detail_top = t->n_lines - rows;
    if (t->detail_top < 0)
        t->detail_top = 0;
    return true;
}
