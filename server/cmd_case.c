/* Workflow commands: each becomes an engine command on one case; the
 * result is written with its index rows, journal entries and statistics
 * in the batch's transaction. */
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "filetype.h"
#include "cmd.h"
#include "i18n.h"
#include "log.h"
#include "certs.h"
#include "certread.h"
#include "outbox.h"

#define ATTACH_MAX_BYTES (4u * 1024 * 1024)

sertel_err_t cmd_fail(cmd_ctx_t *ctx, sertel_err_t e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->why, sizeof ctx->why, fmt, ap);
    va_end(ap);
    return e;
}

int64_t cmd_event_time(cmd_ctx_t *ctx, const case_t *c)
{
    int64_t last = c ? case_last_event(c) : 0;
    if (last <= ctx->now)
        return ctx->now;
    log_msg(LOG_WARN, _("case %s: the clock reads %lld, %lld s before the case's last event; "
                        "the new event takes the last event's time"),
            c->id, (long long)ctx->now, (long long)(last - ctx->now));
    return last;
}

static void case_pb_free(void *p)
{
    codec_case_pb_clear(p);
    free(p);
}

Sertel__Case *cmd_case_pb(cmd_ctx_t *ctx, const case_t *c)
{
    case_t *copy = cmd_alloc(ctx, sizeof *copy);
    Sertel__Case *pb = malloc(sizeof *pb);
    if (!copy || !pb || !cmd_defer(ctx, case_pb_free, pb)) {
        free(pb);
        return NULL;
    }
    *copy = *c;
    codec_case_to_pb(copy, pb);
    const sop_t *sop = broker_sop(ctx->b, c->sop_code);
    pb->work_used = sop ? engine_step_work(ctx->b->cal, c, ctx->now) : 0;
    return pb;
}

/* ---- acting officials */

typedef struct {
    cmd_ctx_t *ctx;
    const sop_step_t *step;
    const case_t *c;
    acting_t *out;
    bool found;
} acting_walk_t;

static int match_acting(const Sertel__Acting *a, void *arg)
{
    acting_walk_t *w = arg;
    officer_t holder;
    if (a->ended || strcmp(a->by_nip, w->ctx->officer.nip) != 0 || a->from > w->ctx->now ||
        w->ctx->now >= a->to || store_officer_get(w->ctx->txn, a->holder_nip, &holder, NULL))
        return 0;
    bool fits = !w->step || (holder.role == w->step->role && (w->step->quals & ~holder.quals) == 0);
    bool assigned = !w->c || !w->c->assignee[0] || strcmp(w->c->assignee, holder.nip) == 0;
    if (!fits || !assigned)
        return 0;
    w->out->kind = (acting_kind_t)a->kind;
    w->out->holder = holder;
    snprintf(w->out->by_nip, sizeof w->out->by_nip, "%s", a->by_nip);
    w->out->from = a->from;
    w->out->to = a->to;
    w->found = true;
    return 1;
}

const acting_t *cmd_acting_for(cmd_ctx_t *ctx, const case_t *c, const sop_t *sop, acting_t *out)
{
    const sop_step_t *step = sop_step(sop, c ? c->step : 1);
    /* In their own right first: an acting official keeps their own job. */
    bool own_role = step && ctx->officer.role == step->role &&
                    (step->quals & ~ctx->officer.quals) == 0 &&
                    (!c || !c->assignee[0] || strcmp(c->assignee, ctx->officer.nip) == 0);
    if (own_role)
        return NULL;
    acting_walk_t w = {ctx, step, c, out, false};
    store_actings(ctx->txn, match_acting, &w);
    return w.found ? out : NULL;
}

/* ---- attachments: content in, hash stored */

/* libsodium's SHA-256, as the journal chain's: OpenSSL's EVP would
 * start its providers at the first attachment, about 2 MiB resident for
 * the broker's life (docs/architecture.md, Memory). */
static void sha256_hex(const void *data, size_t len, char out[HASH_HEX_LEN + 1])
{
    unsigned char md[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(md, data, len);
    sodium_bin2hex(out, HASH_HEX_LEN + 1, md, sizeof md);
}

static sertel_err_t take_attachments(cmd_ctx_t *ctx, Sertel__Attachment **in, size_t n,
                                     attachment_t **out, int *n_out)
{
    if (n > CASE_MAX_ATTACH)
        return cmd_fail(ctx, SERTEL_E_FULL, _("at most %d attachments per case"), CASE_MAX_ATTACH);
    attachment_t *a = cmd_alloc(ctx, sizeof *a * (n ? n : 1));
    if (!a)
        return SERTEL_E_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const Sertel__Attachment *pa = in[i];
        if (pa->content.len == 0 || pa->content.len > ATTACH_MAX_BYTES)
            return cmd_fail(ctx, SERTEL_E_INVALID, _("attachment '%s' must hold 1 byte to %u MiB"),
                            pa->name ? pa->name : "", ATTACH_MAX_BYTES >> 20);
        if (!pa->name || strlen(pa->name) > FILE_NAME_MAX)
            return cmd_fail(ctx, SERTEL_E_INVALID, _("attachment name is missing or too long"));
        sha256_hex(pa->content.data, pa->content.len, a[i].hash);
        snprintf(a[i].name, sizeof a[i].name, "%s", pa->name);
        a[i].size = pa->content.len;
        const char *broken = NULL;
        a[i].type = filetype_detect(pa->content.data, pa->content.len, &broken);
        if (broken)
            a[i].type = FILETYPE_BROKEN_PDF;
        sertel_err_t e = store_blob_put(ctx->txn, a[i].hash, pa->content.data, pa->content.len);
        if (e != SERTEL_OK)
            return e;
    }
    *out = a;
    *n_out = (int)n;
    return SERTEL_OK;
}

/* ---- applying an engine command */

static sertel_err_t reply_done(cmd_ctx_t *ctx, const case_t *c, uint64_t seq, uint64_t message_id,
                               Sertel__Envelope *reply)
{
    Sertel__Done *done = cmd_alloc(ctx, sizeof *done);
    if (!done)
        return SERTEL_E_NOMEM;
    sertel__done__init(done);
    done->case_id = cmd_strdup(ctx, c->id);
    done->seq = seq;
    done->message_id = message_id;
    done->case_ = cmd_case_pb(ctx, c);
    reply->body_case = SERTEL__ENVELOPE__BODY_DONE;
    reply->done = done;
    return done->case_id && done->case_ ? SERTEL_OK : SERTEL_E_NOMEM;
}

static sertel_err_t write_result(cmd_ctx_t *ctx, const case_t *old, const case_t *c,
                                 const events_t *evs, Sertel__Envelope *reply)
{
    sertel_err_t e = store_case_put(ctx->txn, old, c);
    uint64_t seq = 0, message_id = 0;
    for (int i = 0; e == SERTEL_OK && i < evs->n; i++)
        e = broker_record(ctx, &evs->ev[i], c, &seq);
    /* The applicant hears of it in the same transaction, or not at all;
     * the messages come last, so that a repeated request is answered
     * from its last event with the message's number. */
    for (int i = 0; e == SERTEL_OK && i < evs->n; i++)
        e = outbox_after_event(ctx, &evs->ev[i], c, &seq, &message_id);
    /* A certificate recorded enters the register with the same commit. */
    for (int i = 0; e == SERTEL_OK && i < evs->n; i++)
        e = certs_after_event(ctx, &evs->ev[i], c);
    return e == SERTEL_OK ? reply_done(ctx, c, seq, message_id, reply) : e;
}

/* The engine knows officers by NIP; people read names. Each NIP of an
 * enrolled officer in a refusal becomes "Name (position, NIP ...)" (the
 * position when known), unless it is already in brackets after a name. */
static void name_officers(cmd_ctx_t *ctx)
{
    char out[sizeof ctx->why];
    size_t o = 0;
    const char *p = ctx->why;
    while (*p && o + 1 < sizeof out) {
        size_t run = strspn(p, "0123456789");
        officer_t who;
        char nip[NIP_LEN + 1];
        if (run == NIP_LEN) {
            memcpy(nip, p, NIP_LEN);
            nip[NIP_LEN] = '\0';
        }
        bool named = p > ctx->why && p[-1] == '(';
        if (run == NIP_LEN && !named && store_officer_get(ctx->txn, nip, &who, NULL) == SERTEL_OK) {
            int n = snprintf(out + o, sizeof out - o, "%s (%s%sNIP %s)", who.name, who.position,
                             who.position[0] ? ", " : "", nip);
            o = n < 0 ? o : (size_t)n >= sizeof out - o ? sizeof out - 1 : o + (size_t)n;
        } else {
            size_t n = run ? run : 1;
            if (n > sizeof out - 1 - o)
                n = sizeof out - 1 - o;
            memcpy(out + o, p, n);
            o += n;
        }
        p += run ? run : 1;
    }
    out[o] = '\0';
    memcpy(ctx->why, out, o + 1);
}

static sertel_err_t apply(cmd_ctx_t *ctx, const case_t *old, const sop_t *sop, command_t *cmd,
                          Sertel__Envelope *reply)
{
    acting_t acting;
    actor_t actor = {.self = ctx->officer, .acting = cmd_acting_for(ctx, old, sop, &acting)};
    case_t *c = cmd_alloc_raw(ctx, sizeof *c);
    events_t *evs = cmd_alloc_raw(ctx, sizeof *evs);
    if (!c || !evs)
        return SERTEL_E_NOMEM;
    cmd->request_id = ctx->request_id;
    int64_t at = cmd_event_time(ctx, old);
    sertel_err_t e = engine_apply(sop, ctx->b->cal, old, cmd, &actor, at, c, evs,
                                  ctx->why, sizeof ctx->why);
    if (e != SERTEL_OK) {
        name_officers(ctx);
        return e;
    }
    c->last_event_at = at;
    return write_result(ctx, old, c, evs, reply);
}

/* Case numbers are read as people type them: se-2026-00007 is
 * SE-2026-00007. */
sertel_err_t cmd_case_load(cmd_ctx_t *ctx, const char *id, case_t *out)
{
    char upper[CASE_ID_MAX + 1];
    if (!id || strlen(id) > CASE_ID_MAX)
        return cmd_fail(ctx, SERTEL_E_NOT_FOUND, _("case %s not found"), id ? id : "");
    if (store_case_get(ctx->txn, id, out) == SERTEL_OK)
        return SERTEL_OK;
    size_t i = 0;
    for (; id[i]; i++)
        upper[i] = id[i] >= 'a' && id[i] <= 'z' ? (char)(id[i] - 32) : id[i];
    upper[i] = '\0';
    if (store_case_get(ctx->txn, upper, out) == SERTEL_OK)
        return SERTEL_OK;
    return cmd_fail(ctx, SERTEL_E_NOT_FOUND, _("case %s not found"), id);
}

static sertel_err_t apply_on(cmd_ctx_t *ctx, const char *case_id, command_t *cmd,
                             Sertel__Envelope *reply)
{
    case_t *old = cmd_alloc_raw(ctx, sizeof *old);
    if (!old)
        return SERTEL_E_NOMEM;
    sertel_err_t e = cmd_case_load(ctx, case_id, old);
    if (e != SERTEL_OK)
        return e;
    const sop_t *sop = broker_sop(ctx->b, old->sop_code);
    if (!sop)
        return cmd_fail(ctx, SERTEL_E_NOT_FOUND, _("SOP '%s' of case %s is not loaded"),
                        old->sop_code, old->id);
    return apply(ctx, old, sop, cmd, reply);
}

/* ---- the commands */

/* ---- duplicates: the same letter registered twice */

typedef struct {
    const application_t *app;
    case_t *found;
    bool hit;
} dup_walk_t;

static int find_same_letter(const case_t *c, void *arg)
{
    dup_walk_t *w = arg;
    if (!engine_same_letter(c, w->app))
        return 0;
    *w->found = *c;
    w->hit = true;
    return 1;
}

/* A letter whose applicant and number match an open case is refused
 * unless the officer insists, with a reason the journal keeps. */
static sertel_err_t check_duplicate(cmd_ctx_t *ctx, const Sertel__Intake *in,
                                    const application_t *app, command_t *cmd)
{
    case_t *other = cmd_alloc(ctx, sizeof *other);
    if (!other)
        return SERTEL_E_NOMEM;
    dup_walk_t w = {app, other, false};
    sertel_err_t e = store_cases_by_applicant(ctx->txn, app->nip, NULL, find_same_letter, &w);
    if (e != SERTEL_OK || !w.hit)
        return e;
    if (!in->force)
        return cmd_fail(ctx, SERTEL_E_LIKELY_DUPLICATE,
                        _("letter %s of %s is already case %s (step %d, received %s); to register "
                          "it again, force it with the reason"),
                        other->app.letter_no, other->app.name, other->id, other->step,
                        other->app.received_date);
    if (!in->force_reason || !in->force_reason[0])
        return cmd_fail(ctx, SERTEL_E_INVALID,
                        _("registering a letter again needs the reason (it is journaled)"));
    cmd->force_note = in->force_reason;
    cmd->force_of = other->id;
    return SERTEL_OK;
}

sertel_err_t cmd_intake_of(cmd_ctx_t *ctx, const Sertel__Intake *in, Sertel__Envelope *reply)
{
    const sop_t *sop = broker_sop(ctx->b, in->sop_code);
    if (!sop)
        return cmd_fail(ctx, SERTEL_E_NOT_FOUND, _("SOP '%s' is not loaded"),
                        in->sop_code && *in->sop_code ? in->sop_code : ctx->b->default_sop);
    application_t *app = cmd_alloc(ctx, sizeof *app);
    if (!app)
        return SERTEL_E_NOMEM;
    if (!in->app)
        return cmd_fail(ctx, SERTEL_E_INVALID, _("the application's data are missing"));
    sertel_err_t e = codec_app_from_pb(in->app, app, ctx->why, sizeof ctx->why);
    command_t cmd = {.kind = CMD_INTAKE, .sop_code = sop->code, .app = app};
    if (e == SERTEL_OK)
        e = check_duplicate(ctx, in, app, &cmd);
    if (e == SERTEL_OK)
        e = take_attachments(ctx, in->attachments, in->n_attachments,
                             (attachment_t **)&cmd.attachments, &cmd.n_attachments);
    char id[CASE_ID_MAX + 1];
    time_t local = (time_t)(ctx->now + calendar_utc_offset(ctx->b->cal));
    struct tm tm;
    gmtime_r(&local, &tm);
    if (e == SERTEL_OK)
        e = store_next_case_id(ctx->txn, tm.tm_year + 1900, id, sizeof id);
    cmd.case_id = id;
    return e == SERTEL_OK ? apply(ctx, NULL, sop, &cmd, reply) : e;
}

CMD(cmd_intake)
{
    return cmd_intake_of(ctx, req->intake, reply);
}

/* The boxes as sent; the engine checks them against the SOP's list. */
static sertel_err_t take_boxes(cmd_ctx_t *ctx, const Sertel__Complete *in, boxes_t *b)
{
    if (in->n_boxes > CASE_MAX_BOXES)
        return cmd_fail(ctx, SERTEL_E_INVALID, _("a disposition ticks at most %d boxes"),
                        CASE_MAX_BOXES);
    b->n = (int)in->n_boxes;
    for (size_t i = 0; i < in->n_boxes; i++) {
        if (!in->boxes[i] || strlen(in->boxes[i]) > BOX_MAX_LEN)
            return cmd_fail(ctx, SERTEL_E_INVALID, _("box %zu is empty or too long"), i + 1);
        snprintf(b->v[i], sizeof b->v[i], "%s", in->boxes[i]);
    }
    return SERTEL_OK;
}

CMD(cmd_complete)
{
    const Sertel__Complete *in = req->complete;
    command_t cmd = {.kind = CMD_COMPLETE, .instruction = in->instruction, .note = in->note,
                     .deadline = in->deadline, .urgency = (urgency_t)in->urgency};
    officer_t *to = cmd_alloc(ctx, sizeof *to);
    boxes_t *boxes = cmd_alloc(ctx, sizeof *boxes);
    if (!to || !boxes)
        return SERTEL_E_NOMEM;
    sertel_err_t be = take_boxes(ctx, in, boxes);
    if (be != SERTEL_OK)
        return be;
    cmd.boxes = boxes;
    if (in->to_nip && *in->to_nip) {
        if (store_officer_get(ctx->txn, in->to_nip, to, NULL) != SERTEL_OK)
            return cmd_fail(ctx, SERTEL_E_NOT_FOUND, _("officer %s is not enrolled"), in->to_nip);
        cmd.to = to;
    }
    sertel_err_t e = take_attachments(ctx, in->attachments, in->n_attachments,
                                      (attachment_t **)&cmd.attachments, &cmd.n_attachments);
    return e == SERTEL_OK ? apply_on(ctx, in->case_id, &cmd, reply) : e;
}

CMD(cmd_return)
{
    command_t cmd = {.kind = CMD_RETURN, .reason = req->return_->reason};
    return apply_on(ctx, req->return_->case_id, &cmd, reply);
}

CMD(cmd_resume)
{
    command_t cmd = {.kind = CMD_RESUME, .note = req->resume->note};
    return apply_on(ctx, req->resume->case_id, &cmd, reply);
}

CMD(cmd_reject)
{
    command_t cmd = {.kind = CMD_REJECT, .reason = req->reject->reason};
    return apply_on(ctx, req->reject->case_id, &cmd, reply);
}

CMD(cmd_withdraw)
{
    command_t cmd = {.kind = CMD_WITHDRAW, .reason = req->withdraw->reason};
    return apply_on(ctx, req->withdraw->case_id, &cmd, reply);
}

CMD(cmd_attach)
{
    command_t cmd = {.kind = CMD_ATTACH};
    sertel_err_t e = take_attachments(ctx, req->attach->attachments, req->attach->n_attachments,
                                      (attachment_t **)&cmd.attachments, &cmd.n_attachments);
    return e == SERTEL_OK ? apply_on(ctx, req->attach->case_id, &cmd, reply) : e;
}

CMD(cmd_contact)
{
    command_t cmd = {.kind = CMD_CONTACT,
                     .contact_channel = (contact_channel_t)req->contact->channel,
                     .summary = req->contact->summary};
    return apply_on(ctx, req->contact->case_id, &cmd, reply);
}

/* Serial (hex), expiry and holder read from the certificate itself. */
static sertel_err_t read_der(cmd_ctx_t *ctx, const ProtobufCBinaryData *der, cert_facts_t *f)
{
    switch (certread_der(der->data, der->len, f)) {
    case CERTREAD_OK:
        return SERTEL_OK;
    case CERTREAD_NOT_DER:
        return cmd_fail(ctx, SERTEL_E_INVALID, _("the certificate is not a DER X.509 certificate"));
    case CERTREAD_UNREADABLE:
        return cmd_fail(ctx, SERTEL_E_INVALID, _("the certificate's serial or expiry is unreadable"));
    case CERTREAD_NO_LIBRARY:
        break;
    }
    log_msg(LOG_ERROR, _("cannot read a certificate: %s is not available"), SERTEL_LIBCRYPTO);
    return cmd_fail(ctx, SERTEL_E_IO, _("the broker cannot read certificates sent whole; give the serial and expiry instead"));
}

CMD(cmd_certificate)
{
    const Sertel__Certificate *in = req->certificate;
    cert_facts_t *f = cmd_alloc(ctx, sizeof *f);
    if (!f)
        return SERTEL_E_NOMEM;
    snprintf(f->serial, sizeof f->serial, "%s", in->serial ? in->serial : "");
    f->not_after = in->not_after;
    if (in->serial && strlen(in->serial) > SERIAL_MAX)
        return cmd_fail(ctx, SERTEL_E_INVALID, _("certificate serial is too long"));
    if (in->der.len) {
        sertel_err_t e = read_der(ctx, &in->der, f);
        if (e != SERTEL_OK)
            return e;
    }
    command_t cmd = {.kind = CMD_CERTIFICATE, .cert_serial = f->serial,
                     .cert_not_after = f->not_after,
                     .cert_holder = in->der.len ? f->holder : NULL,
                     .cert_holder_id = f->holder_id};
    return apply_on(ctx, in->case_id, &cmd, reply);
}

CMD(cmd_take)
{
    command_t cmd = {.kind = CMD_TAKE};
    return apply_on(ctx, req->take->case_id, &cmd, reply);
}

CMD(cmd_reassign)
{
    const Sertel__Reassign *in = req->reassign;
    command_t cmd = {.kind = CMD_REASSIGN, .reason = in->reason};
    officer_t *to = cmd_alloc(ctx, sizeof *to);
    if (!to)
        return SERTEL_E_NOMEM;
    if (in->to_nip && *in->to_nip) {
        if (store_officer_get(ctx->txn, in->to_nip, to, NULL) != SERTEL_OK)
            return cmd_fail(ctx, SERTEL_E_NOT_FOUND, _("officer %s is not enrolled"), in->to_nip);
        cmd.to = to;
    }
    return apply_on(ctx, in->case_id, &cmd, reply);
}
