/* Commands of the applicant's outbox: a verifier's message to the
 * applicant (notify), the notifier's reports (message_report) and the
 * outbox as officers read it (outbox_query). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "i18n.h"
#include "outbox.h"
#include "validate.h"

#define MESSAGE_TEXT_MAX 2000
#define OUTBOX_LIST_MAX 500
/* The subject of a verifier's own text: the applicant reads Indonesian. */
#define FREE_TEXT_SUBJECT "Permohonan pembaharuan sertifikat elektronik {nomor perkara}"

static void item_free(void *p)
{
    sertel__outbox_item__free_unpacked(p, NULL);
}

/* The reply: the one item as stored now. */
static sertel_err_t reply_items(cmd_ctx_t *ctx, Sertel__OutboxItem **items, size_t n,
                                Sertel__Envelope *reply)
{
    Sertel__OutboxList *l = cmd_alloc(ctx, sizeof *l);
    if (!l)
        return SERTEL_E_NOMEM;
    sertel__outbox_list__init(l);
    l->items = items;
    l->n_items = n;
    reply->body_case = SERTEL__ENVELOPE__BODY_OUTBOX_LIST;
    reply->outbox_list = l;
    return SERTEL_OK;
}

sertel_err_t cmd_outbox_item(cmd_ctx_t *ctx, uint64_t id, Sertel__Envelope *reply)
{
    Sertel__OutboxItem *item = NULL, **items = cmd_alloc(ctx, sizeof *items);
    if (!items)
        return SERTEL_E_NOMEM;
    sertel_err_t e = store_outbox_get(ctx->txn, id, &item);
    if (e != SERTEL_OK)
        return e;
    if (!cmd_defer(ctx, item_free, item)) {
        item_free(item);
        return SERTEL_E_NOMEM;
    }
    items[0] = item;
    return reply_items(ctx, items, 1, reply);
}

/* The verifier holding the case (in person or through its pool) writes
 * to its applicant; an administrator may too. */
static bool may_write(cmd_ctx_t *ctx, const case_t *c)
{
    const officer_t *o = &ctx->officer;
    if (o->role == ROLE_ADMIN)
        return true;
    if (c->assignee[0])
        return strcmp(c->assignee, o->nip) == 0;
    return push_pool_has(push_pool(c->pool_role, c->pool_quals), o->role, o->quals);
}

static sertel_err_t notify_checks(cmd_ctx_t *ctx, const Sertel__Notify *in, const case_t *c)
{
    bool has_template = in->template_ && *in->template_, has_text = in->text && *in->text;
    if (has_template == has_text)
        return cmd_fail(ctx, SERTEL_E_INVALID, _("give either a template or a message text"));
    if (!message_channel_code(in->channel)[0])
        return cmd_fail(ctx, SERTEL_E_INVALID, _("unknown channel (give email, whatsapp or sms)"));
    if (has_text) {
        sertel_err_t e = validate_text(_("message"), in->text, MESSAGE_TEXT_MAX, true, ctx->why,
                                       sizeof ctx->why);
        if (e != SERTEL_OK)
            return e;
    }
    if (c->state != CASE_OPEN && c->state != CASE_WAITING)
        return cmd_fail(ctx, SERTEL_E_CLOSED, _("case %s is closed"), c->id);
    if (!may_write(ctx, c))
        return cmd_fail(ctx, SERTEL_E_WRONG_ACTOR,
                        _("case %s: only the officer holding the case writes to its applicant"), c->id);
    return SERTEL_OK;
}

CMD(cmd_notify)
{
    const Sertel__Notify *in = req->notify;
    case_t c;
    sertel_err_t e = cmd_case_load(ctx, in->case_id, &c);
    if (e != SERTEL_OK)
        return e;
    e = notify_checks(ctx, in, &c);
    if (e != SERTEL_OK)
        return e;
    bool has_template = in->template_ && *in->template_;
    const char *text = has_template ? NULL : in->text;
    char *owned = NULL;
    if (text) {
        /* A free text is a one-off template: its fields are filled too. */
        size_t n = strlen(FREE_TEXT_SUBJECT) + strlen(text) + 32;
        owned = malloc(n);
        if (!owned)
            return SERTEL_E_NOMEM;
        snprintf(owned, n, "subjek = %s\n---\n%s\n", FREE_TEXT_SUBJECT, text);
    }
    char err[512] = "";
    /* A free text is parsed here and freed here; a named template is the
     * broker's (outbox_template). */
    template_t *parsed = has_template ? NULL : template_parse(owned, "pesan", err, sizeof err);
    const template_t *t = has_template ? outbox_template(ctx, in->template_) : parsed;
    free(owned);
    if (!t)
        return err[0] ? cmd_fail(ctx, SERTEL_E_INVALID, _("message: %s"), err) : SERTEL_E_NOT_FOUND;
    template_values_t v;
    char deadline[64], valid[64];
    outbox_case_values(ctx, &c, NULL, &v, deadline, valid);
    Sertel__OutboxItem item;
    e = outbox_from_template(ctx, t, has_template ? in->template_ : "", "manual", in->channel, &c,
                             &v, &item);
    template_destroy(&parsed);
    Sertel__Done *done = e == SERTEL_OK ? cmd_alloc(ctx, sizeof *done) : NULL;
    if (e != SERTEL_OK || !done)
        return e != SERTEL_OK ? e : SERTEL_E_NOMEM;
    /* As every write on a case answers, plus the message's number. */
    sertel__done__init(done);
    done->case_id = cmd_strdup(ctx, c.id);
    done->seq = item.seq;
    done->message_id = item.id;
    done->case_ = cmd_case_pb(ctx, &c);
    reply->body_case = SERTEL__ENVELOPE__BODY_DONE;
    reply->done = done;
    return done->case_id && done->case_ ? SERTEL_OK : SERTEL_E_NOMEM;
}

/* ---- the notifier's reports */

#define FROM(s) (1u << SERTEL__MESSAGE_STATE__##s)
/* Per reported state: the states it may follow, and whether it needs
 * its reason. */
static const struct {
    unsigned from;
    bool needs_reason;
} transitions[] = {
    [SERTEL__MESSAGE_STATE__MSG_SENDING] = {FROM(MSG_QUEUED) | FROM(MSG_FAILED) | FROM(MSG_SENDING), false},
    [SERTEL__MESSAGE_STATE__MSG_SENT] = {FROM(MSG_SENDING), false},
    [SERTEL__MESSAGE_STATE__MSG_FAILED] = {FROM(MSG_SENDING), true},
    [SERTEL__MESSAGE_STATE__MSG_GIVEN_UP] = {FROM(MSG_QUEUED) | FROM(MSG_FAILED) | FROM(MSG_SENDING), true},
};

static bool is_final(Sertel__MessageState s)
{
    return s == SERTEL__MESSAGE_STATE__MSG_SENT || s == SERTEL__MESSAGE_STATE__MSG_GIVEN_UP;
}

/* Who hears of a report: failures reach the officer holding the case (or
 * the verifiers, for a reminder) and the administrators; the rest is in
 * the history only. A failure is told once, at its first try. */
static void report_targets(cmd_ctx_t *ctx, const Sertel__OutboxItem *item, push_targets_t *tg)
{
    memset(tg, 0, sizeof *tg);
    bool tell = item->state == SERTEL__MESSAGE_STATE__MSG_GIVEN_UP ||
                (item->state == SERTEL__MESSAGE_STATE__MSG_FAILED && item->tries == 1);
    if (!tell)
        return;
    tg->pools[tg->n_pools++] = push_pool(ROLE_ADMIN, 0);
    case_t c;
    if (item->case_id && *item->case_id && store_case_get(ctx->txn, item->case_id, &c) == SERTEL_OK &&
        c.assignee[0])
        snprintf(tg->nips[tg->n_nips++], NIP_LEN + 1, "%s", c.assignee);
    else
        tg->pools[tg->n_pools++] = push_pool(ROLE_STAF, QUAL_VERIFIKATOR);
}

/* A verifier's message delivered at the step it was written at counts as
 * the step's contact with the applicant (Kelengkapan "kontak"). */
static sertel_err_t count_contact(cmd_ctx_t *ctx, const Sertel__OutboxItem *item)
{
    case_t old, c;
    if (strcmp(item->cause, "manual") != 0 || !item->case_id || !*item->case_id ||
        store_case_get(ctx->txn, item->case_id, &old) != SERTEL_OK || old.step != item->step ||
        (old.state != CASE_OPEN && old.state != CASE_WAITING))
        return SERTEL_OK;
    c = old;
    c.contacts++;
    event_t ev = {.kind = EV_CONTACTED, .at = ctx->now, .step = c.step, .actor_role = ROLE_NOTIFIER};
    snprintf(ev.case_id, sizeof ev.case_id, "%s", c.id);
    snprintf(ev.actor, sizeof ev.actor, "%s", ctx->officer.nip);
    snprintf(ev.text, sizeof ev.text, _("message #%llu delivered"), (unsigned long long)item->id);
    snprintf(ev.note, sizeof ev.note, "%s", message_channel_code(item->channel));
    sertel_err_t e = store_case_put(ctx->txn, &old, &c);
    return e == SERTEL_OK ? broker_record(ctx, &ev, &c, NULL) : e;
}

static sertel_err_t journal_state(cmd_ctx_t *ctx, const Sertel__OutboxItem *item)
{
    Sertel__Event ev = SERTEL__EVENT__INIT;
    ev.kind = SERTEL__EVENT_KIND__EV_MESSAGE_STATE;
    ev.case_id = item->case_id;
    ev.at = ctx->now;
    ev.step = item->step;
    ev.actor = ctx->officer.nip;
    ev.actor_role = (Sertel__Role)ctx->officer.role;
    ev.text = item->state == SERTEL__MESSAGE_STATE__MSG_FAILED ||
                      item->state == SERTEL__MESSAGE_STATE__MSG_GIVEN_UP ? item->reason : (char *)"";
    ev.message_id = item->id;
    ev.message_state = item->state;
    ev.message_channel = item->channel;
    push_targets_t tg;
    report_targets(ctx, item, &tg);
    return broker_record_pb(ctx, &ev, &tg, NULL);
}

static sertel_err_t report_checks(cmd_ctx_t *ctx, const Sertel__MessageReport *in,
                                  const Sertel__OutboxItem *item)
{
    size_t st = (size_t)in->state;
    if (st >= sizeof transitions / sizeof transitions[0] || !transitions[st].from)
        return cmd_fail(ctx, SERTEL_E_INVALID, _("message #%llu: a report says sending, sent, failed or given up"),
                        (unsigned long long)in->id);
    if (is_final(item->state))
        return cmd_fail(ctx, SERTEL_E_MESSAGE_FINAL, _("message #%llu is already %s"),
                        (unsigned long long)in->id, message_state_code(item->state));
    if (!(transitions[st].from & (1u << item->state)))
        return cmd_fail(ctx, SERTEL_E_STATE, _("message #%llu: %s cannot follow %s"),
                        (unsigned long long)in->id, message_state_code(in->state),
                        message_state_code(item->state));
    if (transitions[st].needs_reason && (!in->reason || !*in->reason))
        return cmd_fail(ctx, SERTEL_E_INVALID, _("message #%llu: a failure needs its reason"),
                        (unsigned long long)in->id);
    return in->reason && *in->reason
        ? validate_text(_("reason"), in->reason, TEXT_MAX, false, ctx->why, sizeof ctx->why)
        : SERTEL_OK;
}

CMD(cmd_message_report)
{
    const Sertel__MessageReport *in = req->message_report;
    Sertel__OutboxItem *stored = NULL;
    if (store_outbox_get(ctx->txn, in->id, &stored) != SERTEL_OK)
        return cmd_fail(ctx, SERTEL_E_NOT_FOUND, _("message #%llu not found"), (unsigned long long)in->id);
    if (!cmd_defer(ctx, item_free, stored)) {
        item_free(stored);
        return SERTEL_E_NOMEM;
    }
    sertel_err_t e = report_checks(ctx, in, stored);
    Sertel__OutboxItem **items = cmd_alloc(ctx, sizeof *items), *item = cmd_alloc(ctx, sizeof *item);
    if (e != SERTEL_OK || !items || !item)
        return e != SERTEL_OK ? e : SERTEL_E_NOMEM;
    /* A shallow copy: its strings stay the stored item's and the
     * request's, both alive until the reply is packed. */
    *item = *stored;
    item->state = in->state;
    item->updated_at = ctx->now;
    if (in->state == SERTEL__MESSAGE_STATE__MSG_SENDING)
        item->tries++;
    if (in->reason && *in->reason)
        item->reason = in->reason;
    e = store_outbox_put(ctx->txn, item);
    if (e == SERTEL_OK && in->state == SERTEL__MESSAGE_STATE__MSG_SENT)
        e = count_contact(ctx, item);
    /* The state last: a repeated report is answered from this event. */
    if (e == SERTEL_OK)
        e = journal_state(ctx, item);
    if (e != SERTEL_OK)
        return e;
    items[0] = item;
    return reply_items(ctx, items, 1, reply);
}

/* ---- the outbox as officers read it */

typedef struct {
    cmd_ctx_t *ctx;
    const Sertel__OutboxQuery *q;
    push_scope_t scope;
    cmd_list_t items;
    bool all_cases; /* administrators and leaders read every message */
    sertel_err_t e;
} outbox_walk_t;

static bool visible(outbox_walk_t *w, const Sertel__OutboxItem *item)
{
    if (w->all_cases)
        return true;
    case_t c;
    if (!item->case_id || !*item->case_id) /* reminders: for the verifiers */
        return (w->ctx->officer.quals & QUAL_VERIFIKATOR) != 0;
    return store_case_get(w->ctx->txn, item->case_id, &c) == SERTEL_OK &&
           cmd_case_visible(&c, &w->scope);
}

static int add_item(const Sertel__OutboxItem *item, void *arg)
{
    outbox_walk_t *w = arg;
    const Sertel__OutboxQuery *q = w->q;
    bool failed = item->state == SERTEL__MESSAGE_STATE__MSG_FAILED ||
                  item->state == SERTEL__MESSAGE_STATE__MSG_GIVEN_UP;
    /* Case numbers are typed in either case; they are stored in upper. */
    if ((q->case_id && *q->case_id && strcasecmp(q->case_id, item->case_id) != 0) ||
        (q->failed_only && !failed) || !visible(w, item))
        return 0;
    size_t len = protobuf_c_message_get_packed_size(&item->base);
    uint8_t *buf = malloc(len ? len : 1);
    Sertel__OutboxItem *copy = NULL;
    if (buf) {
        protobuf_c_message_pack(&item->base, buf);
        copy = sertel__outbox_item__unpack(NULL, len, buf);
        free(buf);
    }
    if (copy && !cmd_defer(w->ctx, item_free, copy)) {
        item_free(copy);
        copy = NULL;
    }
    if (!copy || !cmd_append(w->ctx, &w->items, copy)) {
        w->e = SERTEL_E_NOMEM;
        return 1;
    }
    uint32_t limit = q->limit && q->limit < OUTBOX_LIST_MAX ? q->limit : OUTBOX_LIST_MAX;
    return w->items.n >= limit;
}

CMD(cmd_outbox_query)
{
    outbox_walk_t w = {.ctx = ctx, .q = req->outbox_query};
    role_t r = ctx->officer.role;
    w.all_cases = r == ROLE_ADMIN || r == ROLE_KADIS || r == ROLE_KABID;
    session_scope(ctx, &ctx->officer, &w.scope);
    sertel_err_t e = store_outbox_all(ctx->txn, add_item, &w);
    if (e == SERTEL_OK)
        e = w.e;
    return e == SERTEL_OK ? reply_items(ctx, (Sertel__OutboxItem **)w.items.items, w.items.n, reply) : e;
}
