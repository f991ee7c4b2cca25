/* The applicant's outbox in the broker. A message is an OutboxItem row
 * (store_outbox.c) plus journal events: EV_MESSAGE_QUEUED when it is
 * queued (its only reader is the notifier, to which the push carries the
 * message itself) and EV_MESSAGE_STATE for every report, so the case's
 * history shows each message and each state it went through. */
#include "outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cmd.h"
#include "codec.h"
#include "i18n.h"
#include "log.h"
#include "message.h"
#include "text.h"
#include "validate.h"

#define TEMPLATE_MAX_BYTES (64 * 1024)

bool outbox_address(Sertel__MessageChannel ch, const char *email, const char *phone,
                    char *out, size_t len)
{
    out[0] = '\0';
    if (ch == SERTEL__MESSAGE_CHANNEL__MSG_EMAIL && email && *email)
        snprintf(out, len, "%s", email);
    else if (ch == SERTEL__MESSAGE_CHANNEL__MSG_WHATSAPP || ch == SERTEL__MESSAGE_CHANNEL__MSG_SMS)
        phone_normalise(phone, out, len);
    return out[0] != '\0';
}

/* ---- templates: files the office edits, read when changed so that an
 * edit needs no restart */

static bool name_ok(const char *name)
{
    size_t n = strlen(name);
    return n > 0 && n <= 64 && strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* A template parsed before is used again while its file is the one read
 * (same inode, size, modification and change times): one stat() a
 * message instead of opening, reading and parsing the file. A file
 * changed less than TEMPLATE_SETTLE_S before it was read could change
 * again within the same timestamp and size unseen, so it is read again
 * until it has settled. */
#define TEMPLATE_CACHE 16
#define TEMPLATE_SETTLE_S 2

typedef struct {
    char name[65];
    struct stat st;
    bool settled;
    template_t *t;
} cached_template_t;

struct outbox_templates {
    cached_template_t e[TEMPLATE_CACHE];
    int next; /* the slot a new name takes, round the table */
};

static bool same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static cached_template_t *cache_slot(broker_t *b, const char *name)
{
    if (!b->templates && !(b->templates = calloc(1, sizeof *b->templates)))
        return NULL;
    struct outbox_templates *c = b->templates;
    for (int i = 0; i < TEMPLATE_CACHE; i++)
        if (c->e[i].t && strcmp(c->e[i].name, name) == 0)
            return &c->e[i];
    cached_template_t *e = &c->e[c->next];
    c->next = (c->next + 1) % TEMPLATE_CACHE;
    template_destroy(&e->t);
    snprintf(e->name, sizeof e->name, "%s", name);
    return e;
}

void outbox_templates_free(broker_t *b)
{
    if (!b->templates)
        return;
    for (int i = 0; i < TEMPLATE_CACHE; i++)
        template_destroy(&b->templates->e[i].t);
    free(b->templates);
    b->templates = NULL;
}

const template_t *outbox_template(cmd_ctx_t *ctx, const char *name)
{
    if (!name || !name_ok(name)) {
        cmd_fail(ctx, SERTEL_E_INVALID, _("template name '%s': use lowercase letters, digits and -"),
                 name ? name : "");
        return NULL;
    }
    char path[4200], err[512] = "";
    snprintf(path, sizeof path, "%s/pesan/%s.pesan", ctx->b->cfg.data_dir, name);
    cached_template_t *e = cache_slot(ctx->b, name);
    if (!e) {
        cmd_fail(ctx, SERTEL_E_NOMEM, _("template %s: %s"), name, sertel_strerror(SERTEL_E_NOMEM));
        return NULL;
    }
    struct stat st;
    memset(&st, 0, sizeof st);
    bool seen = stat(path, &st) == 0;
    if (seen && e->t && e->settled && same_file(&e->st, &st))
        return e->t;
    char *text = text_read_file(path, TEMPLATE_MAX_BYTES, NULL, err, sizeof err);
    template_t *t = text ? template_parse(text, path, err, sizeof err) : NULL;
    free(text);
    template_destroy(&e->t);
    if (!t) {
        cmd_fail(ctx, SERTEL_E_NOT_FOUND, _("template %s: %s"), name, err);
        return NULL;
    }
    struct timespec read_at;
    clock_gettime(CLOCK_REALTIME, &read_at);
    e->t = t;
    e->st = st;
    /* Both times from the stat() before the read: a change after it
     * shows as a newer time next time. */
    time_t changed = st.st_mtim.tv_sec > st.st_ctim.tv_sec ? st.st_mtim.tv_sec : st.st_ctim.tv_sec;
    e->settled = seen && read_at.tv_sec - changed >= TEMPLATE_SETTLE_S;
    return t;
}

/* ---- queueing */

sertel_err_t outbox_queue(cmd_ctx_t *ctx, Sertel__OutboxItem *item)
{
    sertel_err_t e = store_outbox_next_id(ctx->txn, &item->id);
    if (e != SERTEL_OK)
        return e;
    item->state = SERTEL__MESSAGE_STATE__MSG_QUEUED;
    item->queued_at = item->updated_at = ctx->now;
    item->tries = 0;
    Sertel__Event ev = SERTEL__EVENT__INIT;
    ev.kind = SERTEL__EVENT_KIND__EV_MESSAGE_QUEUED;
    ev.case_id = item->case_id;
    ev.at = ctx->now;
    ev.step = item->step;
    ev.actor = ctx->officer.nip;
    ev.actor_role = (Sertel__Role)ctx->officer.role;
    /* The subject, never the address: the journal holds no contact data. */
    ev.text = item->subject && *item->subject ? item->subject : (char *)"";
    ev.note = item->cause;
    ev.message_id = item->id;
    ev.message_channel = item->channel;
    ev.message_state = item->state;
    push_targets_t tg = {.n_pools = 1, .pools = {push_pool(ROLE_NOTIFIER, 0)}};
    e = broker_record_pb(ctx, &ev, &tg, &item->seq);
    return e == SERTEL_OK ? store_outbox_put(ctx->txn, item) : e;
}

typedef struct {
    event_kind_t kind;
    const char *template; /* also the item's cause */
} auto_rule_t;

static const auto_rule_t auto_rules[] = {
    {EV_RECEIVED, "diterima"},
    {EV_RETURNED, "dikembalikan"},
    {EV_REJECTED, "ditolak"},
    {EV_CERTIFIED, "diperbarui"},
};

void outbox_case_values(cmd_ctx_t *ctx, const case_t *c, const char *reason, template_values_t *v,
                        char deadline[64], char valid[64])
{
    const sop_t *sop = broker_sop(ctx->b, c->sop_code);
    const sop_step_t *step = sop ? sop_step(sop, c->step) : NULL;
    memset(v, 0, sizeof *v);
    v->v[FIELD_NAME] = c->app.name;
    v->v[FIELD_CASE] = c->id;
    v->v[FIELD_STEP] = step ? step->activity : NULL;
    v->v[FIELD_REASON] = reason;
    if (c->due_at)
        v->v[FIELD_DEADLINE] = calendar_format_time(ctx->b->cal, c->due_at, deadline, 64);
    if (c->cert_not_after)
        v->v[FIELD_VALID] = calendar_format_time(ctx->b->cal, c->cert_not_after, valid, 64);
}

sertel_err_t outbox_from_template(cmd_ctx_t *ctx, const template_t *t, const char *name,
                                  const char *cause, Sertel__MessageChannel ch, const case_t *c,
                                  const template_values_t *v, Sertel__OutboxItem *item)
{
    char to[EMAIL_MAX_LEN + 1];
    if (!outbox_address(ch, c->app.email, c->app.phone, to, sizeof to))
        return cmd_fail(ctx, SERTEL_E_NO_ADDRESS, _("case %s: the applicant has no address for %s"),
                        c->id, message_channel_code(ch));
    char *subject = template_subject(t, v), *body = template_body(t, v);
    sertel_err_t e = subject && body ? SERTEL_OK : SERTEL_E_NOMEM;
    if (e == SERTEL_OK) {
        sertel__outbox_item__init(item);
        item->case_id = (char *)c->id;
        item->channel = ch;
        item->to = to;
        item->subject = ch == SERTEL__MESSAGE_CHANNEL__MSG_EMAIL ? subject : (char *)"";
        item->body = body;
        item->cause = (char *)cause;
        item->template_ = (char *)name;
        item->step = c->step;
        e = outbox_queue(ctx, item);
    }
    free(subject);
    free(body);
    return e;
}

sertel_err_t outbox_after_event(cmd_ctx_t *ctx, const event_t *ev, const case_t *c, uint64_t *seq,
                                uint64_t *message_id)
{
    const auto_rule_t *rule = NULL;
    for (size_t i = 0; i < sizeof auto_rules / sizeof auto_rules[0]; i++)
        if (auto_rules[i].kind == ev->kind)
            rule = &auto_rules[i];
    if (!rule)
        return SERTEL_OK;
    char saved[sizeof ctx->why];
    memcpy(saved, ctx->why, sizeof saved);
    const template_t *t = outbox_template(ctx, rule->template);
    if (!t) {
        /* A missing or broken template switches the message off; the
         * office hears of it in the log, the case goes on. */
        log_msg(LOG_WARN, _("automatic message '%s' not sent: %s"), rule->template, ctx->why);
        memcpy(ctx->why, saved, sizeof saved);
        return SERTEL_OK;
    }
    template_values_t v;
    char deadline[64], valid[64];
    outbox_case_values(ctx, c, ev->text, &v, deadline, valid);
    sertel_err_t e = SERTEL_OK;
    for (int ch = SERTEL__MESSAGE_CHANNEL__MSG_EMAIL; e == SERTEL_OK && ch <= SERTEL__MESSAGE_CHANNEL__MSG_SMS; ch++) {
        Sertel__OutboxItem item;
        char to[EMAIL_MAX_LEN + 1];
        if (!(template_auto(t) & (1u << ch)) ||
            !outbox_address((Sertel__MessageChannel)ch, c->app.email, c->app.phone, to, sizeof to))
            continue; /* no address on that channel: nothing to send there */
        e = outbox_from_template(ctx, t, rule->template, rule->template, (Sertel__MessageChannel)ch,
                                 c, &v, &item);
        if (e == SERTEL_OK) {
            *seq = item.seq;
            *message_id = item.id;
        }
    }
    memcpy(ctx->why, saved, sizeof saved);
    return e;
}

/* ---- pushes to the notifier */

uint8_t *outbox_pack_push(store_txn_t *t, const Sertel__Event *ev, size_t *len, bool *skip)
{
    *skip = false;
    Sertel__OutboxItem *item = NULL;
    if (ev->kind != SERTEL__EVENT_KIND__EV_MESSAGE_QUEUED ||
        store_outbox_get(t, ev->message_id, &item) != SERTEL_OK)
        return NULL;
    *skip = item->state == SERTEL__MESSAGE_STATE__MSG_SENT ||
            item->state == SERTEL__MESSAGE_STATE__MSG_GIVEN_UP;
    Sertel__Event copy = *ev;
    copy.message = item;
    Sertel__Envelope env = SERTEL__ENVELOPE__INIT;
    env.version = PROTOCOL_VERSION;
    env.body_case = SERTEL__ENVELOPE__BODY_PUSH;
    env.push = &copy;
    uint8_t *buf = *skip ? NULL : codec_pack(&env.base, len);
    sertel__outbox_item__free_unpacked(item, NULL);
    return buf;
}

uint64_t outbox_replay_from(store_txn_t *t, uint64_t since, uint64_t upto)
{
    uint64_t first = store_outbox_first_pending(t);
    uint64_t from = first ? first - 1 : upto;
    return from > since ? from : since;
}
