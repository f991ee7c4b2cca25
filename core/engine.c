/* The workflow engine. Every command goes through one door, engine_apply,
 * which checks it against the command table (which states allow it, who
 * may give it), then runs its small handler on a private copy of the case.
 * Only a command that succeeds in full is handed back, so a refusal can
 * never leave half a change behind. */
#include "engine.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "filetype.h"
#include "i18n.h"
#include "names.h"
#include "text.h"
#include "validate.h"

/* Everything a handler needs, resolved once. */
typedef struct {
    const sop_t *sop;
    const calendar_t *cal;
    const command_t *cmd;
    const actor_t *actor;
    const acting_t *acting; /* the acting assignment in force, or NULL */
    role_t role;            /* effective role and qualifications */
    unsigned quals;
    int64_t now;
    const sop_step_t *step; /* the step the command acts on */
    case_t *c;              /* private copy, handed back on success */
    events_t *evs;
    event_t spare;          /* absorbs an event beyond capacity (see emit) */
    bool overflow;
    char *why;
    size_t whylen;
} ctx_t;

/* ---------------------------------------------------------------- helpers */

static const char *str(const char *s)
{
    return s ? s : "";
}

/* Copies a string into a fixed-size field, cutting it if it is too long:
 * every caller has validated the length already. */
static void copy_str(char *dst, size_t size, const char *src)
{
    size_t n = strnlen(str(src), size - 1);
    memcpy(dst, str(src), n);
    dst[n] = '\0';
}
#define COPY(dst, src) copy_str((dst), sizeof(dst), (src))

/* Fixed-size fields that come from the caller may lack their terminator. */
#define TERMINATED(field) (strnlen((field), sizeof(field)) < sizeof(field))

__attribute__((format(printf, 3, 4)))
static sertel_err_t refuse(ctx_t *x, sertel_err_t err, const char *fmt, ...)
{
    if (x->why && x->whylen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(x->why, x->whylen, fmt, ap);
        va_end(ap);
    }
    return err;
}

/* "Staf (verifikator)": the role a step asks for, as the office says it. */
static const char *role_label(role_t r, unsigned quals, char *buf, size_t len)
{
    char q[64];
    qual_codes(quals, q, sizeof q);
    if (q[0])
        snprintf(buf, len, "%s (%s)", role_title(r), q);
    else
        snprintf(buf, len, "%s", role_title(r));
    return buf;
}

static bool has_role(role_t r, unsigned quals, const sop_step_t *st)
{
    return r == st->role && (quals & st->quals) == st->quals;
}

/* The official position the actor fills: the holder's when acting. */
static const char *official(const ctx_t *x)
{
    return x->acting ? x->acting->holder.nip : x->actor->self.nip;
}

static bool is_actor(const ctx_t *x, const char *nip)
{
    return strcmp(nip, x->actor->self.nip) == 0 ||
           (x->acting && strcmp(nip, x->acting->holder.nip) == 0);
}

/* The Mutu Baku of a step at the urgency in force: an urgent letter may
 * have less time, as the SOP file says (waktu-segera, ...). */
static int64_t step_standard(const ctx_t *x, const sop_step_t *st)
{
    int64_t full = calendar_duration(x->cal, st->std_amount, st->std_unit);
    return full * sop_urgency_percent(x->sop, (int)x->c->urgency) / 100;
}

/* ------------------------------------------------------- acting officers */

/* A Plt/Plh assignment counts only for the officer it names, inside its
 * period, and while the official it stands in for is still enrolled. */
static const acting_t *acting_in_force(const actor_t *a, int64_t now)
{
    const acting_t *ac = a->acting;
    if (!ac || ac->kind == ACTING_NONE || !ac->holder.active)
        return NULL;
    if (strcmp(ac->by_nip, a->self.nip) != 0 || now < ac->from || now >= ac->to)
        return NULL;
    return ac;
}

role_t actor_effective_role(const actor_t *a, int64_t now, unsigned *quals)
{
    const acting_t *ac = a ? acting_in_force(a, now) : NULL;
    const officer_t *o = ac ? &ac->holder : a ? &a->self : NULL;
    if (quals)
        *quals = o ? o->quals : 0;
    return o ? o->role : ROLE_NONE;
}

/* ---------------------------------------------------------------- events */

/* Events are bounded by construction (one per attachment that fits in the
 * case, plus one); should that ever be wrong, the extra event goes to a
 * spare slot and the command is refused rather than writing past the end. */
static event_t *emit(ctx_t *x, event_kind_t kind)
{
    event_t *ev = &x->spare;
    if (x->evs->n < ENGINE_MAX_EVENTS)
        ev = &x->evs->ev[x->evs->n++];
    else
        x->overflow = true;
    memset(ev, 0, sizeof *ev);
    ev->kind = kind;
    COPY(ev->case_id, x->c->id);
    ev->at = x->now;
    ev->step = x->c->step;
    COPY(ev->actor, x->actor->self.nip);
    ev->actor_role = x->role;
    if (x->acting) {
        ev->acting = x->acting->kind;
        COPY(ev->acting_for, x->acting->holder.nip);
    }
    return ev;
}

/* The current step's timing so far, a wait in progress included. Taken
 * before the handler changes the case. */
static void step_timing(const ctx_t *x, event_t *ev)
{
    const case_t *c = x->c;
    ev->work = engine_step_work(x->cal, c, x->now);
    ev->wall = x->now - c->step_started_at;
    ev->wait_wall = c->wait_wall;
    ev->wait_work = c->wait_work;
    if (c->state == CASE_WAITING) {
        ev->wait_wall += x->now - c->waiting_since;
        ev->wait_work += calendar_work_between(x->cal, c->waiting_since, x->now);
    }
    ev->standard = step_standard(x, x->step);
}

static void set_target(event_t *ev, const case_t *c)
{
    ev->next_step = c->step;
    COPY(ev->assignee, c->assignee);
    ev->assignee_role = c->pool_role;
    ev->assignee_quals = c->pool_quals;
}

/* ------------------------------------------------------- case bookkeeping */

static int64_t threshold(const calendar_t *cal, int64_t start, int64_t remaining)
{
    return remaining > 0 ? calendar_add_work(cal, start, remaining) : start;
}

/* Warn at 80% and fall due at 100% of the Mutu Baku, counting only the
 * working time not yet used on this step. A batas waktu set by the
 * disposing officer that comes earlier is the deadline instead: the
 * working time up to it is the step's allowance. */
static void plan_deadlines(ctx_t *x)
{
    case_t *c = x->c;
    int64_t standard = step_standard(x, x->step);
    int64_t due = threshold(x->cal, c->segment_started_at, standard - c->work_banked);
    if (c->deadline > 0 && c->deadline < due) {
        standard = c->work_banked + calendar_work_between(x->cal, c->segment_started_at,
                                                          c->deadline);
        due = c->deadline;
    }
    c->warn_at = threshold(x->cal, c->segment_started_at, standard * 4 / 5 - c->work_banked);
    c->due_at = due;
    if (c->warn_at > due)
        c->warn_at = due;
}

/* The lembar disposisi that starts a step; the first step has none. */
typedef struct {
    const char *instruction, *note;
    boxes_t boxes;
    int64_t deadline;
} sheet_t;

static void start_step(ctx_t *x, const sop_step_t *st, const char *assignee, const sheet_t *sh)
{
    case_t *c = x->c;
    c->step = st->number;
    COPY(c->assignee, assignee);
    c->pool_role = st->role;
    c->pool_quals = st->quals;
    COPY(c->instruction, sh ? sh->instruction : "");
    COPY(c->note, sh ? sh->note : "");
    c->boxes = sh ? sh->boxes : (boxes_t){0};
    c->deadline = sh ? sh->deadline : 0;
    c->step_started_at = c->segment_started_at = x->now;
    c->work_banked = c->wait_wall = c->wait_work = c->waiting_since = 0;
    c->warned = c->overdue = false;
    c->contacts = 0;
    x->step = st;
    plan_deadlines(x);
}

static void close_case(ctx_t *x, case_state_t state, const char *reason)
{
    x->c->state = state;
    x->c->closed_at = x->now;
    COPY(x->c->closed_reason, reason);
    x->c->warn_at = x->c->due_at = 0;
}

/* Remembered with the official position and the effective role, so that a
 * later step of that role returns to the office, not to a stand-in whose
 * assignment may have ended. A case with more officers than fit keeps the
 * first ones, which include everyone the default routing looks for. */
static void record_actor(ctx_t *x)
{
    case_t *c = x->c;
    const char *nip = official(x);
    for (int i = 0; i < c->n_actors; i++)
        if (c->actor_roles[i] == x->role && strcmp(c->actors[i], nip) == 0)
            return;
    if (c->n_actors >= CASE_MAX_ACTORS)
        return;
    COPY(c->actors[c->n_actors], nip);
    c->actor_roles[c->n_actors++] = x->role;
}

static int recent_count(const case_t *c)
{
    if (c->n_recent < 0)
        return 0;
    return c->n_recent < CASE_RECENT_REQUESTS ? c->n_recent : CASE_RECENT_REQUESTS;
}

static bool request_seen(const case_t *c, const char *nip, uint64_t id)
{
    for (int i = 0; id && i < recent_count(c); i++)
        if (c->recent[i].id == id && strcmp(c->recent[i].nip, nip) == 0)
            return true;
    return false;
}

/* n_recent counts up and the slot is n_recent modulo the ring size; it is
 * folded back so that it never overflows. */
static void remember_request(ctx_t *x)
{
    case_t *c = x->c;
    if (!x->cmd->request_id)
        return;
    if (c->n_recent < 0)
        c->n_recent = 0;
    int slot = c->n_recent % CASE_RECENT_REQUESTS;
    COPY(c->recent[slot].nip, x->actor->self.nip);
    c->recent[slot].id = x->cmd->request_id;
    if (++c->n_recent >= 2 * CASE_RECENT_REQUESTS)
        c->n_recent -= CASE_RECENT_REQUESTS;
}

/* ------------------------------------------------------------ validation */

static sertel_err_t check_text(ctx_t *x, const char *label, const char *s, size_t max,
                               bool required)
{
    return validate_text(_(label), str(s), max, required, x->why, x->whylen);
}

static bool is_hash(const char *h, size_t size)
{
    if (strnlen(h, size) != HASH_HEX_LEN)
        return false;
    return strspn(h, "0123456789abcdef") == HASH_HEX_LEN;
}

static sertel_err_t check_attachment(ctx_t *x, const attachment_t *a, int i)
{
    if (!is_hash(a->hash, sizeof a->hash))
        return refuse(x, SERTEL_E_INVALID,
                      _("attachment %d: the content hash must be %d lowercase hexadecimal digits"),
                      i + 1, HASH_HEX_LEN);
    if (!TERMINATED(a->name))
        return refuse(x, SERTEL_E_INVALID, _("attachment %d: the file name is too long"), i + 1);
    sertel_err_t err = check_text(x, N_("attachment file name"), a->name, FILE_NAME_MAX, true);
    if (err)
        return err;
    if (a->size == 0)
        return refuse(x, SERTEL_E_INVALID, _("attachment %d (%s) is empty"), i + 1, a->name);
    return SERTEL_OK;
}

/* A step that asks for the letter or the laporan takes documents only:
 * the types the SOP allows, judged by content, so that a renamed
 * spreadsheet or a PDF cut short in transfer is refused on arrival. */
static sertel_err_t check_document_type(ctx_t *x, const attachment_t *a)
{
    unsigned allowed = sop_file_types(x->sop);
    if (!(x->step->requires & (REQ_SURAT | REQ_LAPORAN)) || (a->type & allowed))
        return SERTEL_OK;
    char list[64];
    filetype_list(allowed, list, sizeof list);
    if (a->type == FILETYPE_BROKEN_PDF)
        return refuse(x, SERTEL_E_INVALID,
                      _("attachment %s starts as a PDF but is damaged or cut short (its "
                        "trailer is unreadable); send the whole file again"),
                      a->name);
    return refuse(x, SERTEL_E_INVALID,
                  _("attachment %s: step %d (%s) takes the letter and the laporan only as %s, "
                    "and this file is not one by its content (whatever its name says)"),
                  a->name, x->step->number, x->step->activity, list);
}

/* All of the command's attachments, and room for them in the case. */
static sertel_err_t check_attachments(ctx_t *x)
{
    const command_t *cmd = x->cmd;
    if (cmd->n_attachments < 0 || (cmd->n_attachments > 0 && !cmd->attachments) ||
        cmd->n_attachments > CASE_MAX_ATTACH)
        return refuse(x, SERTEL_E_INVALID, _("a command carries at most %d attachments"),
                      CASE_MAX_ATTACH);
    for (int i = 0; i < cmd->n_attachments; i++) {
        sertel_err_t err = check_attachment(x, &cmd->attachments[i], i);
        if (!err)
            err = check_document_type(x, &cmd->attachments[i]);
        if (err)
            return err;
    }
    if (x->c->n_attachments + cmd->n_attachments > CASE_MAX_ATTACH)
        return refuse(x, SERTEL_E_FULL,
                      _("case %s already has %d attachments; at most %d fit"),
                      x->c->id, x->c->n_attachments, CASE_MAX_ATTACH);
    return SERTEL_OK;
}

/* Attachments are filed under the step at which they arrive: that is how
 * the report of step 6 is told apart from the letter of step 1. */
static void add_attachments(ctx_t *x)
{
    case_t *c = x->c;
    for (int i = 0; i < x->cmd->n_attachments; i++) {
        attachment_t *a = &c->attachments[c->n_attachments++];
        *a = x->cmd->attachments[i];
        a->step = c->step;
        COPY(emit(x, EV_ATTACHED)->text, a->name);
    }
}

typedef sertel_err_t (*field_check_fn)(ctx_t *x, const char *label, const char *s, size_t max);

static sertel_err_t field_text(ctx_t *x, const char *label, const char *s, size_t max)
{
    return check_text(x, label, s, max, true);
}

static sertel_err_t field_nip(ctx_t *x, const char *label, const char *s, size_t max)
{
    (void)label, (void)max;
    return validate_nip(s, x->why, x->whylen);
}

/* The NIK is asked for only when the applicant gives it. */
static sertel_err_t field_nik(ctx_t *x, const char *label, const char *s, size_t max)
{
    (void)label, (void)max;
    return s[0] ? validate_nik(s, x->why, x->whylen) : SERTEL_OK;
}

static sertel_err_t field_optional(ctx_t *x, const char *label, const char *s, size_t max)
{
    return check_text(x, label, s, max, false);
}

static sertel_err_t field_email(ctx_t *x, const char *label, const char *s, size_t max)
{
    (void)label, (void)max;
    return validate_email(s, x->why, x->whylen);
}

static sertel_err_t field_phone(ctx_t *x, const char *label, const char *s, size_t max)
{
    (void)label, (void)max;
    return validate_phone(s, x->why, x->whylen);
}

static void office_today(const ctx_t *x, char out[11]);

/* A real day, and not after today in the office's zone: a letter is
 * registered after it was written. */
static sertel_err_t field_date(ctx_t *x, const char *label, const char *s, size_t max)
{
    (void)max;
    sertel_err_t err = validate_date(_(label), s, x->why, x->whylen);
    if (err)
        return err;
    char today[11];
    office_today(x, today);
    return strcmp(s, today) > 0
               ? refuse(x, SERTEL_E_INVALID, _("%s %s is after today (%s)"), _(label), s, today)
               : SERTEL_OK;
}

/* The day the letter arrived: given, or today; never before the letter. */
static sertel_err_t field_received(ctx_t *x, const char *label, const char *s, size_t max)
{
    return s[0] ? field_date(x, label, s, max) : SERTEL_OK;
}

#define APP_FIELD(member, label, max, check) \
    {label, offsetof(application_t, member), sizeof(((application_t *)0)->member), max, check}

static const struct {
    const char *label;
    size_t offset, size, max;
    field_check_fn check;
} app_fields[] = {
    APP_FIELD(name, N_("applicant name"), NAME_MAX_LEN, field_text),
    APP_FIELD(nip, N_("applicant NIP"), NIP_LEN, field_nip),
    APP_FIELD(nik, N_("applicant NIK"), NIK_LEN, field_nik),
    APP_FIELD(unit, N_("work unit"), NAME_MAX_LEN, field_text),
    APP_FIELD(position, N_("position"), NAME_MAX_LEN, field_text),
    APP_FIELD(email, N_("e-mail"), EMAIL_MAX_LEN, field_email),
    APP_FIELD(phone, N_("phone"), PHONE_MAX_LEN, field_phone),
    APP_FIELD(letter_no, N_("letter number"), LETTER_NO_MAX, field_text),
    APP_FIELD(letter_date, N_("letter date"), 10, field_date),
    APP_FIELD(subject, N_("subject"), SUBJECT_MAX, field_text),
    APP_FIELD(agenda_no, N_("office agenda number"), AGENDA_NO_MAX, field_optional),
    APP_FIELD(srikandi_no, N_("SRIKANDI number"), AGENDA_NO_MAX, field_optional),
    APP_FIELD(received_date, N_("date received"), 10, field_received),
};

static sertel_err_t check_application(ctx_t *x, const application_t *app)
{
    if (!app)
        return refuse(x, SERTEL_E_INVALID, _("the application is missing"));
    for (size_t i = 0; i < sizeof app_fields / sizeof app_fields[0]; i++) {
        const char *s = (const char *)app + app_fields[i].offset;
        if (strnlen(s, app_fields[i].size) >= app_fields[i].size)
            return refuse(x, SERTEL_E_INVALID, _("%s is too long"), _(app_fields[i].label));
        sertel_err_t err = app_fields[i].check(x, app_fields[i].label, s, app_fields[i].max);
        if (err)
            return err;
    }
    if (app->channel < CHANNEL_SURAT || app->channel > CHANNEL_EMAIL)
        return refuse(x, SERTEL_E_INVALID, _("unknown channel of the application (%d)"),
                      (int)app->channel);
    if (app->urgency < URGENCY_BIASA || app->urgency > URGENCY_SANGAT_SEGERA)
        return refuse(x, SERTEL_E_INVALID, _("unknown urgency (%d)"), (int)app->urgency);
    if (app->classification < 0 || app->classification > CLASS_SANGAT_RAHASIA)
        return refuse(x, SERTEL_E_INVALID, _("unknown classification (sifat) (%d)"),
                      (int)app->classification);
    if (app->received_date[0] && strcmp(app->received_date, app->letter_date) < 0)
        return refuse(x, SERTEL_E_INVALID, _("the letter cannot arrive (%s) before it is dated (%s)"),
                      app->received_date, app->letter_date);
    return SERTEL_OK;
}

/* Today's date in the office's zone, YYYY-MM-DD. */
static void office_today(const ctx_t *x, char out[11])
{
    int64_t y, days = (x->now + calendar_utc_offset(x->cal)) / 86400;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    char buf[32];
    snprintf(buf, sizeof buf, "%04d-%02d-%02d", (int)y, m, d);
    copy_str(out, 11, buf);
}

static sertel_err_t check_identity(ctx_t *x)
{
    const char *id = str(x->cmd->case_id), *code = str(x->cmd->sop_code);
    sertel_err_t err = check_text(x, N_("agenda number"), id, CASE_ID_MAX, true);
    if (err)
        return err;
    /* The agenda number is a key in the store and a line in every listing. */
    if (strpbrk(id, "\n\t"))
        return refuse(x, SERTEL_E_INVALID, _("the agenda number must be a single line"));
    if (!code[0] || strlen(code) >= sizeof x->c->sop_code)
        return refuse(x, SERTEL_E_INVALID, _("the SOP code must be 1 to %d characters"),
                      (int)sizeof x->c->sop_code - 1);
    if (x->sop->code && strcmp(code, x->sop->code) != 0)
        return refuse(x, SERTEL_E_INVALID, _("the case names SOP %s but SOP %s was given"),
                      code, x->sop->code);
    return SERTEL_OK;
}

/* ------------------------------------------------------------- handlers */

static sertel_err_t do_intake(ctx_t *x)
{
    sertel_err_t err;
    if ((err = check_identity(x)) || (err = check_application(x, x->cmd->app)) ||
        (err = check_attachments(x)) ||
        (err = check_text(x, N_("reason"), x->cmd->force_note, TEXT_MAX, false)))
        return err;
    case_t *c = x->c;
    COPY(c->id, x->cmd->case_id);
    COPY(c->sop_code, x->cmd->sop_code);
    c->state = CASE_OPEN;
    c->app = *x->cmd->app;
    if (!c->app.classification)
        c->app.classification = CLASS_BIASA;
    if (!c->app.received_date[0])
        office_today(x, c->app.received_date);
    c->urgency = c->app.urgency;
    c->created_at = x->now;
    COPY(c->received_by, official(x));
    start_step(x, x->step, official(x), NULL);
    record_actor(x);
    event_t *ev = emit(x, EV_RECEIVED);
    set_target(ev, c);
    ev->urgency = c->urgency;
    COPY(ev->note, x->cmd->force_note);
    COPY(ev->text, x->cmd->force_of);
    add_attachments(x);
    return SERTEL_OK;
}


bool engine_same_letter(const case_t *c, const application_t *app)
{
    return c && app && !case_is_closed(c) && strcmp(c->app.nip, app->nip) == 0 &&
           /* letter numbers as people type them: spaces do not count */
           text_same_skipping(c->app.letter_no, app->letter_no, " ");
}

static bool has_letter(const ctx_t *x)
{
    return x->c->n_attachments > 0;
}

/* Written out, or a box ticked: either tells the receiver what to do. */
static bool has_instruction(const ctx_t *x)
{
    return str(x->cmd->instruction)[0] != '\0' || (x->cmd->boxes && x->cmd->boxes->n > 0);
}

static bool has_contact(const ctx_t *x)
{
    return x->c->contacts > 0;
}

static bool has_certificate(const ctx_t *x)
{
    return x->c->cert_serial[0] != '\0';
}

static bool has_report(const ctx_t *x)
{
    for (int i = 0; i < x->c->n_attachments; i++)
        if (x->c->attachments[i].step == x->c->step)
            return true;
    return false;
}

/* The Kelengkapan checks a step may ask for ("syarat" in the SOP file). */
static const struct {
    unsigned bit;
    bool (*met)(const ctx_t *x);
    const char *missing;
} requirements[] = {
    {REQ_SURAT, has_letter, N_("the application letter is not attached")},
    {REQ_INSTRUKSI, has_instruction, N_("the disposition has no instruction")},
    {REQ_KONTAK, has_contact, N_("the applicant has not been contacted at this step")},
    {REQ_SERTIFIKAT, has_certificate, N_("the renewed certificate is not recorded")},
    {REQ_LAPORAN, has_report, N_("the renewal report is not attached")},
};

static sertel_err_t check_requirements(ctx_t *x)
{
    for (size_t i = 0; i < sizeof requirements / sizeof requirements[0]; i++)
        if ((x->step->requires & requirements[i].bit) && !requirements[i].met(x))
            return refuse(x, SERTEL_E_INCOMPLETE, _("Kelengkapan incomplete: %s"),
                          _(requirements[i].missing));
    return SERTEL_OK;
}

static sertel_err_t check_target(ctx_t *x, const sop_step_t *next, const officer_t *to)
{
    char want[96], is[96];
    if (!TERMINATED(to->nip) || !to->nip[0] || !TERMINATED(to->name))
        return refuse(x, SERTEL_E_INVALID, _("the receiving officer is not identified"));
    if (!has_role(to->role, to->quals, next))
        return refuse(x, SERTEL_E_WRONG_ROLE, _("officer %s (%s) is %s; step %d (%s) is for %s"),
                      to->name, to->nip, role_label(to->role, to->quals, is, sizeof is),
                      next->number, next->activity,
                      role_label(next->role, next->quals, want, sizeof want));
    if (!to->active)
        return refuse(x, SERTEL_E_DENIED, _("officer %s (%s) is not active"), to->name, to->nip);
    return SERTEL_OK;
}

/* Who receives the next step when the disposition names no one: the same
 * officer when the step stays with the same role (5 -> 6), an officer of
 * the case who already holds that role (the Kadis of step 2 receives the
 * report at step 7), else the role pool. Steps that need a qualification
 * never fall back to an earlier actor: the qualification is the point. */
static void default_assignee(ctx_t *x, const sop_step_t *next, char *nip, size_t size)
{
    const case_t *c = x->c;
    if (next->role == x->step->role && next->quals == x->step->quals) {
        copy_str(nip, size, c->assignee[0] ? c->assignee : official(x));
        return;
    }
    for (int i = 0; !next->quals && i < c->n_actors; i++)
        if (c->actor_roles[i] == next->role) {
            copy_str(nip, size, c->actors[i]);
            return;
        }
    nip[0] = '\0';
}

static sertel_err_t choose_assignee(ctx_t *x, const sop_step_t *next, char *nip, size_t size)
{
    const officer_t *to = x->cmd->to;
    if (!next) {
        return to ? refuse(x, SERTEL_E_WRONG_STEP,
                           _("step %d is the last step; there is no one to dispose to"),
                           x->step->number)
                  : SERTEL_OK;
    }
    if (!to) {
        default_assignee(x, next, nip, size);
        return SERTEL_OK;
    }
    sertel_err_t err = check_target(x, next, to);
    if (!err)
        copy_str(nip, size, to->nip);
    return err;
}

/* The boxes as the SOP spells them, each once. */
static sertel_err_t check_boxes(ctx_t *x, boxes_t *out)
{
    const boxes_t *in = x->cmd->boxes;
    memset(out, 0, sizeof *out);
    if (!in)
        return SERTEL_OK;
    if (in->n < 0 || in->n > CASE_MAX_BOXES)
        return refuse(x, SERTEL_E_INVALID, _("a disposition ticks at most %d boxes"),
                      CASE_MAX_BOXES);
    for (int i = 0; i < in->n; i++) {
        const char *box = TERMINATED(in->v[i]) ? sop_box(x->sop, in->v[i]) : NULL;
        if (!box) {
            char list[512];
            return refuse(x, SERTEL_E_INVALID,
                          _("'%.64s' is not an instruction box of SOP %s; its boxes: %s"),
                          in->v[i], x->sop->code, sop_boxes_text(x->sop, list, sizeof list));
        }
        for (int j = 0; j < out->n; j++)
            if (strcmp(out->v[j], box) == 0)
                return refuse(x, SERTEL_E_INVALID, _("box '%s' is ticked twice"), box);
        COPY(out->v[out->n++], box);
    }
    return SERTEL_OK;
}

/* The rest of the sheet: a batas waktu lies ahead, an urgency is known. */
static sertel_err_t check_sheet(ctx_t *x, const sop_step_t *next, sheet_t *sh)
{
    const command_t *cmd = x->cmd;
    sertel_err_t err;
    if ((err = check_text(x, N_("instruction"), cmd->instruction, TEXT_MAX, false)) ||
        (err = check_text(x, N_("note"), cmd->note, TEXT_MAX, false)) ||
        (err = check_boxes(x, &sh->boxes)))
        return err;
    if (cmd->urgency < 0 || cmd->urgency > URGENCY_SANGAT_SEGERA)
        return refuse(x, SERTEL_E_INVALID, _("unknown urgency (%d)"), (int)cmd->urgency);
    if (cmd->deadline && cmd->deadline <= x->now)
        return refuse(x, SERTEL_E_INVALID, _("the batas waktu must be later than now"));
    if (!next && (cmd->deadline || sh->boxes.n || cmd->urgency))
        return refuse(x, SERTEL_E_WRONG_STEP,
                      _("step %d is the last step; its completion carries no disposition"),
                      x->step->number);
    sh->instruction = cmd->instruction;
    sh->note = cmd->note;
    sh->deadline = cmd->deadline;
    return SERTEL_OK;
}

static void sheet_to_event(const ctx_t *x, const sheet_t *sh, event_t *ev)
{
    COPY(ev->text, sh->instruction);
    COPY(ev->note, sh->note);
    ev->boxes = sh->boxes;
    ev->deadline = sh->deadline;
    ev->urgency = x->c->urgency;
}

static sertel_err_t do_complete(ctx_t *x)
{
    const command_t *cmd = x->cmd;
    const sop_step_t *next = sop_step(x->sop, x->c->step + 1);
    char nip[NIP_LEN + 1] = "";
    sheet_t sh;
    sertel_err_t err;
    if ((err = check_sheet(x, next, &sh)) || (err = check_attachments(x)) ||
        (err = choose_assignee(x, next, nip, sizeof nip)))
        return err;
    add_attachments(x);
    if ((err = check_requirements(x)))
        return err;
    event_t *ev = emit(x, next ? EV_DISPOSED : EV_ARCHIVED);
    step_timing(x, ev);
    x->c->case_work += ev->work;
    x->c->case_standard += ev->standard;
    record_actor(x);
    if (!next) {
        ev->case_work = x->c->case_work;
        ev->case_standard = x->c->case_standard;
        sheet_to_event(x, &sh, ev);
        close_case(x, CASE_DONE, "");
        return SERTEL_OK;
    }
    if (cmd->urgency)
        x->c->urgency = cmd->urgency;
    start_step(x, next, nip, &sh);
    sheet_to_event(x, &sh, ev);
    set_target(ev, x->c);
    return SERTEL_OK;
}

static sertel_err_t check_reason(ctx_t *x)
{
    return check_text(x, N_("reason"), x->cmd->reason, TEXT_MAX, true);
}

/* The officers' clock stops: the working time used so far is banked and
 * the step has no deadline until the applicant answers. */
static sertel_err_t do_return(ctx_t *x)
{
    sertel_err_t err = check_reason(x);
    if (err)
        return err;
    case_t *c = x->c;
    event_t *ev = emit(x, EV_RETURNED);
    step_timing(x, ev);
    COPY(ev->text, x->cmd->reason);
    c->work_banked += calendar_work_between(x->cal, c->segment_started_at, x->now);
    /* Returned from the pool, the case is the returner's to resume. */
    if (!c->assignee[0])
        COPY(c->assignee, official(x));
    c->state = CASE_WAITING;
    c->waiting_since = x->now;
    c->warn_at = c->due_at = 0;
    return SERTEL_OK;
}

static sertel_err_t do_resume(ctx_t *x)
{
    sertel_err_t err = check_text(x, N_("note"), x->cmd->note, TEXT_MAX, false);
    if (err)
        return err;
    case_t *c = x->c;
    event_t *ev = emit(x, EV_RESUMED);
    step_timing(x, ev);
    COPY(ev->note, x->cmd->note);
    c->wait_wall += x->now - c->waiting_since;
    c->wait_work += calendar_work_between(x->cal, c->waiting_since, x->now);
    c->waiting_since = 0;
    c->segment_started_at = x->now;
    c->state = CASE_OPEN;
    plan_deadlines(x);
    return SERTEL_OK;
}

static sertel_err_t close_with_reason(ctx_t *x, case_state_t state, event_kind_t kind)
{
    sertel_err_t err = check_reason(x);
    if (err)
        return err;
    event_t *ev = emit(x, kind);
    step_timing(x, ev);
    COPY(ev->text, x->cmd->reason);
    close_case(x, state, x->cmd->reason);
    return SERTEL_OK;
}

static sertel_err_t do_reject(ctx_t *x)
{
    return close_with_reason(x, CASE_REJECTED, EV_REJECTED);
}

static sertel_err_t do_withdraw(ctx_t *x)
{
    return close_with_reason(x, CASE_WITHDRAWN, EV_WITHDRAWN);
}

static sertel_err_t do_attach(ctx_t *x)
{
    if (x->cmd->n_attachments == 0)
        return refuse(x, SERTEL_E_INVALID, _("no attachment given"));
    sertel_err_t err = check_attachments(x);
    if (!err)
        add_attachments(x);
    return err;
}

/* The event has no field for the channel, so its code goes in the note:
 * the journal must show how the applicant was reached. */
/* Contacts and the certificate belong to the steps whose Kelengkapan
 * checks them (syarat kontak, sertifikat): the SOP says where. */
static sertel_err_t step_records(ctx_t *x, unsigned req, const char *what)
{
    if (x->step->requires & req)
        return SERTEL_OK;
    return refuse(x, SERTEL_E_WRONG_STEP, _("step %d (%s) does not record %s"), x->step->number,
                  x->step->activity, _(what));
}

static sertel_err_t do_contact(ctx_t *x)
{
    const command_t *cmd = x->cmd;
    if (cmd->contact_channel < CONTACT_EMAIL || cmd->contact_channel > CONTACT_WHATSAPP)
        return refuse(x, SERTEL_E_INVALID, _("unknown contact channel (%d)"),
                      (int)cmd->contact_channel);
    sertel_err_t err = check_text(x, N_("contact summary"), cmd->summary, TEXT_MAX, true);
    if (err)
        return err;
    x->c->contacts++;
    event_t *ev = emit(x, EV_CONTACTED);
    COPY(ev->text, cmd->summary);
    COPY(ev->note, contact_channel_code(cmd->contact_channel));
    return SERTEL_OK;
}

/* A certificate sent whole must be the applicant's: its subject's name
 * is the applicant's (titles, case and accents aside), and a NIK or NIP
 * in its serialNumber is the applicant's own. */
static sertel_err_t check_holder(ctx_t *x)
{
    const command_t *cmd = x->cmd;
    const application_t *app = &x->c->app;
    if (!cmd->cert_holder)
        return SERTEL_OK;
    if (!cmd->cert_holder[0])
        return refuse(x, SERTEL_E_INVALID,
                      _("the certificate's subject names nobody (it has no CN)"));
    if (!name_same_person(app->name, cmd->cert_holder))
        return refuse(x, SERTEL_E_INVALID,
                      _("the certificate is issued to \"%s\", not to the applicant %s"),
                      cmd->cert_holder, app->name);
    const char *id = cmd->cert_holder_id ? cmd->cert_holder_id : "";
    if (strlen(id) == NIK_LEN && app->nik[0] && strcmp(id, app->nik) != 0)
        return refuse(x, SERTEL_E_INVALID,
                      _("the certificate names NIK %s; the applicant's NIK is %s"), id, app->nik);
    if (strlen(id) == NIP_LEN && strcmp(id, app->nip) != 0)
        return refuse(x, SERTEL_E_INVALID,
                      _("the certificate names NIP %s; the applicant's NIP is %s"), id, app->nip);
    return SERTEL_OK;
}

static sertel_err_t do_certificate(ctx_t *x)
{
    const command_t *cmd = x->cmd;
    sertel_err_t err = check_text(x, N_("certificate serial number"), cmd->cert_serial,
                                  SERIAL_MAX, true);
    if (!err)
        err = check_holder(x);
    if (err)
        return err;
    /* As certificates print it: hexadecimal, perhaps in colon-separated pairs. */
    if (strspn(cmd->cert_serial, "0123456789abcdefABCDEF:") != strlen(cmd->cert_serial))
        return refuse(x, SERTEL_E_INVALID,
                      _("the certificate serial number %s is not hexadecimal"), cmd->cert_serial);
    if (cmd->cert_not_after <= x->now)
        return refuse(x, SERTEL_E_INVALID,
                      _("the renewed certificate's end of validity must be in the future"));
    COPY(x->c->cert_serial, cmd->cert_serial);
    x->c->cert_not_after = cmd->cert_not_after;
    COPY(emit(x, EV_CERTIFIED)->text, cmd->cert_serial);
    return SERTEL_OK;
}

/* The pool's officers see the case leave their inbox: it is now the
 * taker's alone. */
static sertel_err_t do_take(ctx_t *x)
{
    case_t *c = x->c;
    if (c->assignee[0])
        return is_actor(x, c->assignee)
                   ? refuse(x, SERTEL_E_STATE, _("step %d of case %s is already yours"), c->step,
                            c->id)
                   : refuse(x, SERTEL_E_WRONG_ACTOR,
                            _("step %d of case %s was already taken by %s"), c->step, c->id,
                            c->assignee);
    COPY(c->assignee, official(x));
    set_target(emit(x, EV_TAKEN), c);
    return SERTEL_OK;
}

/* Only a superior of the step's role reassigns (staf -> jf -> kabid ->
 * kadis): the one who disposed, or the one above. */
static bool is_superior_of(role_t r, role_t of)
{
    for (role_t s = role_superior(of); s != ROLE_NONE; s = role_superior(s))
        if (s == r)
            return true;
    return false;
}

static sertel_err_t do_reassign(ctx_t *x)
{
    case_t *c = x->c;
    const officer_t *to = x->cmd->to;
    sertel_err_t err = check_reason(x);
    if (err)
        return err;
    if (to && (err = check_target(x, x->step, to)))
        return err;
    if (!c->assignee[0] && !to)
        return refuse(x, SERTEL_E_STATE, _("step %d of case %s is already in the pool"), c->step,
                      c->id);
    if (to && strcmp(to->nip, c->assignee) == 0)
        return refuse(x, SERTEL_E_STATE, _("step %d of case %s is already with %s"), c->step,
                      c->id, to->nip);
    event_t *ev = emit(x, EV_REASSIGNED);
    COPY(ev->note, c->assignee);
    COPY(ev->text, x->cmd->reason);
    COPY(c->assignee, to ? to->nip : "");
    set_target(ev, c);
    return SERTEL_OK;
}

/* --------------------------------------------------------- command table */

#define IN(s) (1u << (s))

typedef enum {
    WHO_FIRST_STEP,          /* holds the role of step 1 */
    WHO_CURRENT,             /* holds the current step's role and assignment */
    WHO_CURRENT_OR_RECEIVER, /* ... or received the application */
    WHO_OWNER,               /* holds the step by name: work is recorded by one officer */
    WHO_POOL,                /* holds the current step's role (assignment checked by the handler) */
    WHO_SUPERIOR,            /* a superior of the current step's role */
} who_t;

static const struct {
    unsigned states;         /* states of the case that allow it; 0: creates one */
    who_t who;
    const char *state_why;   /* why, when the case's state does not allow it */
    sertel_err_t (*run)(ctx_t *x);
    unsigned records;        /* the syarat whose step alone records it (REQ_*), or 0 */
    const char *record_what; /* what it records, for the refusal elsewhere */
} commands[] = {
    [CMD_INTAKE] = {0, WHO_FIRST_STEP, NULL, do_intake},
    [CMD_COMPLETE] = {IN(CASE_OPEN), WHO_CURRENT,
                      N_("the case is waiting on the applicant; resume it before completing the step"),
                      do_complete},
    [CMD_RETURN] = {IN(CASE_OPEN), WHO_CURRENT,
                    N_("the case is already waiting on the applicant"), do_return},
    /* The applicant's answer reaches the front office as often as the
     * officer who asked: either may resume. */
    [CMD_RESUME] = {IN(CASE_WAITING), WHO_CURRENT_OR_RECEIVER,
                    N_("the case is not waiting on the applicant; there is nothing to resume"),
                    do_resume},
    [CMD_REJECT] = {IN(CASE_OPEN) | IN(CASE_WAITING), WHO_CURRENT, NULL, do_reject},
    [CMD_WITHDRAW] = {IN(CASE_OPEN) | IN(CASE_WAITING), WHO_CURRENT_OR_RECEIVER, NULL,
                      do_withdraw},
    [CMD_ATTACH] = {IN(CASE_OPEN) | IN(CASE_WAITING), WHO_OWNER, NULL, do_attach},
    [CMD_CONTACT] = {IN(CASE_OPEN) | IN(CASE_WAITING), WHO_OWNER, NULL, do_contact, REQ_KONTAK,
                     N_("contacts with the applicant")},
    [CMD_CERTIFICATE] = {IN(CASE_OPEN), WHO_OWNER,
                         N_("the case is waiting on the applicant; resume it before recording the certificate"),
                         do_certificate, REQ_SERTIFIKAT, N_("the renewed certificate")},
    [CMD_TAKE] = {IN(CASE_OPEN) | IN(CASE_WAITING), WHO_POOL, NULL, do_take},
    [CMD_REASSIGN] = {IN(CASE_OPEN) | IN(CASE_WAITING), WHO_SUPERIOR, NULL, do_reassign},
};

static sertel_err_t check_role(ctx_t *x)
{
    char want[96], is[96];
    if (has_role(x->role, x->quals, x->step))
        return SERTEL_OK;
    return refuse(x, SERTEL_E_WRONG_ROLE, _("step %d (%s) is for %s; you act as %s"),
                  x->step->number, x->step->activity,
                  role_label(x->step->role, x->step->quals, want, sizeof want),
                  role_label(x->role, x->quals, is, sizeof is));
}

static sertel_err_t check_superior(ctx_t *x)
{
    char want[96];
    if (is_superior_of(x->role, x->step->role))
        return SERTEL_OK;
    return refuse(x, SERTEL_E_WRONG_ROLE,
                  _("only a superior of %s may reassign step %d (%s); you act as %s"),
                  role_label(x->step->role, x->step->quals, want, sizeof want), x->step->number,
                  x->step->activity, role_title(x->role));
}

static sertel_err_t check_who(ctx_t *x, who_t who)
{
    const case_t *c = x->c;
    if (who == WHO_CURRENT_OR_RECEIVER && c->received_by[0] && is_actor(x, c->received_by))
        return SERTEL_OK;
    if (who == WHO_SUPERIOR)
        return check_superior(x);
    sertel_err_t err = check_role(x);
    if (err || who == WHO_FIRST_STEP || who == WHO_POOL)
        return err;
    /* Two verifiers recording contacts on one pool case would each think
     * it theirs: work waits until one has taken it. */
    if (who == WHO_OWNER && !c->assignee[0])
        return refuse(x, SERTEL_E_WRONG_ACTOR,
                      _("step %d of case %s is in the pool of %s: take it first (sertel take %s)"),
                      c->step, c->id, role_title(c->pool_role), c->id);
    if (c->assignee[0] && !is_actor(x, c->assignee))
        return refuse(x, SERTEL_E_WRONG_ACTOR, _("step %d of case %s is assigned to %s, not to you"),
                      c->step, c->id, c->assignee);
    return SERTEL_OK;
}

/* Separation of duties (pisah-tugas): the officer who registered a
 * letter does not dispose it as Plt/Plh of the official who should check
 * it. Withdrawing and resuming are the registrar's own business. */
static sertel_err_t check_separation(ctx_t *x, const case_t *in)
{
    command_kind_t k = x->cmd->kind;
    if (!x->acting || x->sop->no_separation || in->step <= 1 || k == CMD_WITHDRAW ||
        k == CMD_RESUME || strcmp(in->received_by, x->actor->self.nip) != 0)
        return SERTEL_OK;
    return refuse(x, SERTEL_E_DENIED,
                  _("separation of duties: %s registered case %s and may not act on it as %s "
                    "%s, %s (pisah-tugas in the SOP)"),
                  x->actor->self.nip, in->id, x->acting->kind == ACTING_PLT ? "Plt." : "Plh.",
                  role_title(x->acting->holder.role), x->acting->holder.nip);
}

/* What is checked before any handler runs, in the order a user would want
 * to hear it: who they are, whether the case can take the command, whether
 * it is theirs to give. A retried request is recognised before the state
 * check, so the retry of a closing command says "already applied". */
static sertel_err_t admit(ctx_t *x, const case_t *in)
{
    const command_t *cmd = x->cmd;
    if (!x->actor->self.active)
        return refuse(x, SERTEL_E_DENIED, _("officer %s is not active"), x->actor->self.nip);
    if (cmd->kind == CMD_INTAKE) {
        if (in)
            return refuse(x, SERTEL_E_STATE, _("case %s already exists"), in->id);
        x->step = sop_step(x->sop, 1);
        return x->step ? check_who(x, WHO_FIRST_STEP)
                       : refuse(x, SERTEL_E_WRONG_STEP, _("the SOP has no steps"));
    }
    if (!in)
        return refuse(x, SERTEL_E_NOT_FOUND, _("no case given"));
    if (request_seen(in, x->actor->self.nip, cmd->request_id))
        return refuse(x, SERTEL_E_DUPLICATE, _("request %llu was already applied to case %s"),
                      (unsigned long long)cmd->request_id, in->id);
    if (case_is_closed(in))
        return refuse(x, SERTEL_E_CLOSED, _("case %s is already closed (%s)"), in->id,
                      case_state_title(in->state));
    if ((int)in->state < CASE_OPEN || in->state > CASE_WITHDRAWN ||
        !(commands[cmd->kind].states & IN(in->state)))
        return refuse(x, SERTEL_E_STATE, "%s",
                      commands[cmd->kind].state_why ? _(commands[cmd->kind].state_why)
                                                    : sertel_strerror(SERTEL_E_STATE));
    x->step = sop_step(x->sop, in->step);
    if (!x->step)
        return refuse(x, SERTEL_E_WRONG_STEP, _("step %d of case %s is not in the SOP"),
                      in->step, in->id);
    sertel_err_t err = SERTEL_OK;
    if (commands[cmd->kind].records)
        err = step_records(x, commands[cmd->kind].records, commands[cmd->kind].record_what);
    if (!err)
        err = check_who(x, commands[cmd->kind].who);
    return err ? err : check_separation(x, in);
}

sertel_err_t engine_apply(const sop_t *sop, const calendar_t *cal, const case_t *in,
                          const command_t *cmd, const actor_t *actor, int64_t now,
                          case_t *out, events_t *evs, char *why, size_t whylen)
{
    case_t c;
    events_t e;
    ctx_t x = {.sop = sop, .cal = cal, .cmd = cmd, .actor = actor, .now = now,
               .c = &c, .evs = &e, .why = why, .whylen = whylen};
    if (!sop || !cal || !cmd || !actor || !out || !evs)
        return refuse(&x, SERTEL_E_INVALID, _("incomplete call to the engine"));
    if ((int)cmd->kind <= 0 || (size_t)cmd->kind >= sizeof commands / sizeof commands[0])
        return refuse(&x, SERTEL_E_INVALID, _("unknown command (%d)"), (int)cmd->kind);
    x.acting = acting_in_force(actor, now);
    x.role = actor_effective_role(actor, now, &x.quals);
    if (in)
        c = *in;
    else
        memset(&c, 0, sizeof c);
    e.n = 0;
    sertel_err_t err = admit(&x, in);
    if (err)
        return err;
    err = commands[cmd->kind].run(&x);
    if (!err && x.overflow)
        err = refuse(&x, SERTEL_E_FULL, _("too many events for one command"));
    if (err)
        return err;
    remember_request(&x);
    *out = c;
    /* The events made, not the whole array (32 KiB for one or two). */
    evs->n = e.n;
    memcpy(evs->ev, e.ev, (size_t)e.n * sizeof e.ev[0]);
    return SERTEL_OK;
}

/* ------------------------------------------------------------ event kinds */

static const struct {
    const char *code;
    const char *title;
} event_kinds[] = {
    [EV_RECEIVED] = {"diterima", N_("received")},
    [EV_DISPOSED] = {"didisposisikan", N_("disposed")},
    [EV_ARCHIVED] = {"diarsipkan", N_("archived")},
    [EV_RETURNED] = {"dikembalikan", N_("returned to the applicant")},
    [EV_RESUMED] = {"dilanjutkan", N_("resumed")},
    [EV_REJECTED] = {"ditolak", N_("rejected")},
    [EV_WITHDRAWN] = {"dicabut", N_("withdrawn by the applicant")},
    [EV_ATTACHED] = {"dilampiri", N_("document attached")},
    [EV_CONTACTED] = {"dihubungi", N_("applicant contacted")},
    [EV_CERTIFIED] = {"sertifikat", N_("certificate recorded")},
    [EV_WARNED] = {"peringatan", N_("nearing the Mutu Baku")},
    [EV_OVERDUE] = {"terlambat", N_("past the Mutu Baku")},
    [EV_TAKEN] = {"diambil", N_("taken from the pool")},
    [EV_REASSIGNED] = {"dialihkan", N_("reassigned")},
};

static bool event_kind_known(event_kind_t k)
{
    return (int)k > 0 && (size_t)k < sizeof event_kinds / sizeof event_kinds[0] &&
           event_kinds[k].code;
}

const char *event_kind_code(event_kind_t k)
{
    return event_kind_known(k) ? event_kinds[k].code : NULL;
}

const char *event_kind_title(event_kind_t k)
{
    return event_kind_known(k) ? _(event_kinds[k].title) : "";
}
