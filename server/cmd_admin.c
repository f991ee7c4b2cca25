/* Administration: officers and their keys, acting officials (Plt/Plh),
 * SOP loading, statistics and backup. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "i18n.h"
#include "validate.h"

/* ---- officers */

static sertel_err_t reply_pong(cmd_ctx_t *ctx, Sertel__Envelope *reply)
{
    return cmd_ping(ctx, NULL, reply);
}

static sertel_err_t officer_event(cmd_ctx_t *ctx, const char *what, const officer_t *o)
{
    char text[TEXT_MAX + 1];
    snprintf(text, sizeof text, "%s %s (%s, %s)", what, o->nip, o->name, role_code(o->role));
    return broker_record_admin(ctx, SERTEL__EVENT_KIND__EV_OFFICER_CHANGED, text);
}

CMD(cmd_officer_add)
{
    const Sertel__Officer *in = req->officer_add->officer;
    officer_t o, existing;
    if (!in)
        return cmd_fail(ctx, SERTEL_E_INVALID, _("the officer's data are missing"));
    sertel_err_t e = codec_officer_from_pb(in, &o, ctx->why, sizeof ctx->why);
    if (e == SERTEL_OK)
        e = validate_nip(o.nip, ctx->why, sizeof ctx->why);
    if (e == SERTEL_OK)
        e = validate_text(_("name"), o.name, NAME_MAX_LEN, true, ctx->why, sizeof ctx->why);
    if (e != SERTEL_OK)
        return e;
    if (o.role <= ROLE_NONE || o.role >= ROLE__COUNT)
        return cmd_fail(ctx, SERTEL_E_INVALID, _("unknown role"));
    if (in->public_key.len != 32)
        return cmd_fail(ctx, SERTEL_E_INVALID, _("the officer's public key must be 32 bytes"));
    if (store_officer_get(ctx->txn, o.nip, &existing, NULL) == SERTEL_OK)
        return cmd_fail(ctx, SERTEL_E_EXISTS, _("officer %s is already enrolled"), o.nip);
    o.active = true;
    e = store_officer_put(ctx->txn, &o, in->public_key.data);
    if (e == SERTEL_E_EXISTS)
        return cmd_fail(ctx, e, _("this key already belongs to another officer"));
    if (e == SERTEL_OK)
        e = officer_event(ctx, "officer add", &o);
    return e == SERTEL_OK ? reply_pong(ctx, reply) : e;
}

typedef struct {
    cmd_ctx_t *ctx;
    cmd_list_t list;
    sertel_err_t e;
} walk_t;

static int add_officer(const officer_t *o, void *arg)
{
    walk_t *w = arg;
    officer_t *copy = cmd_alloc(w->ctx, sizeof *copy);
    Sertel__Officer *pb = cmd_alloc(w->ctx, sizeof *pb);
    if (copy && pb) {
        *copy = *o;
        codec_officer_to_pb(copy, pb);
    }
    if (!copy || !pb || !cmd_append(w->ctx, &w->list, pb)) {
        w->e = SERTEL_E_NOMEM;
        return 1;
    }
    return 0;
}

CMD(cmd_officer_list)
{
    (void)req;
    walk_t w = {.ctx = ctx};
    sertel_err_t e = store_officers(ctx->txn, add_officer, &w);
    Sertel__OfficerListReply *r = cmd_alloc(ctx, sizeof *r);
    if ((e = cmd_walk_failed(e, w.e, r)) != SERTEL_OK)
        return e;
    sertel__officer_list_reply__init(r);
    r->officers = (Sertel__Officer **)w.list.items;
    r->n_officers = w.list.n;
    reply->body_case = SERTEL__ENVELOPE__BODY_OFFICERS;
    reply->officers = r;
    return SERTEL_OK;
}

static sertel_err_t load_officer(cmd_ctx_t *ctx, const char *nip, officer_t *o)
{
    if (!nip || store_officer_get(ctx->txn, nip, o, NULL) != SERTEL_OK)
        return cmd_fail(ctx, SERTEL_E_NOT_FOUND, _("officer %s is not enrolled"), nip ? nip : "");
    return SERTEL_OK;
}

/* The next handshake is refused by ZAP; the live sessions stop once the
 * change is committed (or at once, should the list be full). */
static void cut_sessions(cmd_ctx_t *ctx, const char *nip)
{
    if (ctx->b->n_cut < (int)(sizeof ctx->b->cut_nips / sizeof ctx->b->cut_nips[0]))
        snprintf(ctx->b->cut_nips[ctx->b->n_cut++], NIP_LEN + 1, "%s", nip);
    else
        session_cut_off(ctx->b, nip);
}

CMD(cmd_officer_disable)
{
    officer_t o;
    sertel_err_t e = load_officer(ctx, req->officer_disable->nip, &o);
    if (e != SERTEL_OK)
        return e;
    if (strcmp(o.nip, ctx->officer.nip) == 0)
        return cmd_fail(ctx, SERTEL_E_DENIED, _("you cannot disable your own key"));
    o.active = false;
    e = store_officer_put(ctx->txn, &o, NULL);
    if (e == SERTEL_OK)
        e = officer_event(ctx, "officer disable", &o);
    if (e != SERTEL_OK)
        return e;
    cut_sessions(ctx, o.nip);
    return reply_pong(ctx, reply);
}

CMD(cmd_officer_role)
{
    const Sertel__OfficerRole *in = req->officer_role;
    officer_t o;
    sertel_err_t e = load_officer(ctx, in->nip, &o);
    if (e != SERTEL_OK)
        return e;
    if ((int)in->role <= ROLE_NONE || (int)in->role >= ROLE__COUNT)
        return cmd_fail(ctx, SERTEL_E_INVALID, _("unknown role"));
    o.role = (role_t)in->role;
    o.quals = in->quals;
    e = store_officer_put(ctx->txn, &o, NULL);
    if (e == SERTEL_OK)
        e = officer_event(ctx, "officer role", &o);
    return e == SERTEL_OK ? reply_pong(ctx, reply) : e;
}

/* A new key for a lost or leaked one: the old key is forgotten in the
 * same transaction (ZAP refuses it from the commit on) and the sessions
 * opened with it are dropped. */
CMD(cmd_officer_rekey)
{
    const Sertel__OfficerRekey *in = req->officer_rekey;
    officer_t o;
    sertel_err_t e = load_officer(ctx, in->nip, &o);
    if (e != SERTEL_OK)
        return e;
    if (strcmp(o.nip, ctx->officer.nip) == 0)
        return cmd_fail(ctx, SERTEL_E_DENIED,
                        _("you cannot replace your own key over a session it opened: ask "
                          "another administrator"));
    if (in->public_key.len != 32)
        return cmd_fail(ctx, SERTEL_E_INVALID, _("the officer's public key must be 32 bytes"));
    e = store_officer_put(ctx->txn, &o, in->public_key.data);
    if (e == SERTEL_E_EXISTS)
        return cmd_fail(ctx, e, _("this key already belongs to an officer"));
    if (e == SERTEL_OK)
        e = officer_event(ctx, "officer rekey", &o);
    if (e != SERTEL_OK)
        return e;
    cut_sessions(ctx, o.nip);
    return reply_pong(ctx, reply);
}

CMD(cmd_officer_enable)
{
    officer_t o;
    sertel_err_t e = load_officer(ctx, req->officer_enable->nip, &o);
    if (e != SERTEL_OK)
        return e;
    if (o.active)
        return cmd_fail(ctx, SERTEL_E_STATE, _("officer %s (%s) is already active"), o.name, o.nip);
    o.active = true;
    e = store_officer_put(ctx->txn, &o, NULL);
    if (e == SERTEL_OK)
        e = officer_event(ctx, "officer enable", &o);
    return e == SERTEL_OK ? reply_pong(ctx, reply) : e;
}

/* One of the officer's words, if given: checked, then copied. */
static sertel_err_t edit_text(cmd_ctx_t *ctx, const char *label, const char *value, char *field,
                              size_t size)
{
    if (!value || !*value)
        return SERTEL_OK;
    sertel_err_t e = validate_text(label, value, size - 1, true, ctx->why, sizeof ctx->why);
    if (e == SERTEL_OK)
        snprintf(field, size, "%s", value);
    return e;
}

CMD(cmd_officer_edit)
{
    const Sertel__OfficerEdit *in = req->officer_edit;
    officer_t o;
    sertel_err_t e = load_officer(ctx, in->nip, &o);
    if (e == SERTEL_OK && !*(in->name ? in->name : "") && !*(in->unit ? in->unit : "") &&
        !*(in->position ? in->position : ""))
        return cmd_fail(ctx, SERTEL_E_INVALID, _("nothing to change: give a name, unit or position"));
    if (e == SERTEL_OK)
        e = edit_text(ctx, _("name"), in->name, o.name, sizeof o.name);
    if (e == SERTEL_OK)
        e = edit_text(ctx, _("unit"), in->unit, o.unit, sizeof o.unit);
    if (e == SERTEL_OK)
        e = edit_text(ctx, _("position"), in->position, o.position, sizeof o.position);
    if (e == SERTEL_OK)
        e = store_officer_put(ctx->txn, &o, NULL);
    if (e == SERTEL_OK)
        e = officer_event(ctx, "officer edit", &o);
    return e == SERTEL_OK ? reply_pong(ctx, reply) : e;
}

/* ---- acting officials */

/* Another assignment for the same holder whose period meets [from, to). */
typedef struct {
    const Sertel__Acting *want;
    Sertel__Acting found;
    char by[NIP_LEN + 1];
    bool clash;
} overlap_walk_t;

static int find_overlap(const Sertel__Acting *a, void *arg)
{
    overlap_walk_t *w = arg;
    if (a->ended || strcmp(a->holder_nip, w->want->holder_nip) != 0 || a->to <= w->want->from ||
        a->from >= w->want->to)
        return 0;
    w->found = *a;
    snprintf(w->by, sizeof w->by, "%s", a->by_nip);
    w->clash = true;
    return 1;
}

/* The office's rules for acting officials (from the default SOP): one
 * stand-in per official at a time, and only from a position that may
 * stand in. */
static sertel_err_t check_acting_rules(cmd_ctx_t *ctx, const Sertel__Acting *a,
                                       const officer_t *holder, const officer_t *by)
{
    char from[64], to[64], who[160], whom[160];
    snprintf(who, sizeof who, "%s (NIP %s)", by->name, by->nip);
    snprintf(whom, sizeof whom, "%s (NIP %s)", holder->name, holder->nip);
    if (!sop_may_stand_in(broker_sop(ctx->b, NULL), holder->role, by->role))
        return cmd_fail(ctx, SERTEL_E_DENIED,
                        _("%s is %s and may not stand in for %s, %s (plt-plh in the SOP)"), who,
                        role_title(by->role), whom, role_title(holder->role));
    overlap_walk_t w = {.want = a};
    sertel_err_t e = store_actings(ctx->txn, find_overlap, &w);
    if (e != SERTEL_OK || !w.clash)
        return e;
    officer_t other;
    if (store_officer_get(ctx->txn, w.by, &other, NULL) == SERTEL_OK)
        snprintf(who, sizeof who, "%s (NIP %s)", other.name, other.nip);
    else
        snprintf(who, sizeof who, "NIP %s", w.by);
    return cmd_fail(ctx, SERTEL_E_EXISTS,
                    _("%s already has an acting official for that period: %s, %s, from %s to %s "
                      "(end it first: sertel-admin acting end %llu)"),
                    whom, who, w.found.kind == SERTEL__ACTING_KIND__ACTING_PLT ? "Plt." : "Plh.",
                    calendar_format_time(ctx->b->cal, w.found.from, from, sizeof from),
                    calendar_format_time(ctx->b->cal, w.found.to, to, sizeof to),
                    (unsigned long long)w.found.id);
}

CMD(cmd_acting_add)
{
    Sertel__Acting *a = req->acting_add->acting;
    officer_t holder, by;
    if (!a)
        return cmd_fail(ctx, SERTEL_E_INVALID, _("the acting assignment's data are missing"));
    sertel_err_t e = load_officer(ctx, a->holder_nip, &holder);
    if (e == SERTEL_OK)
        e = load_officer(ctx, a->by_nip, &by);
    if (e != SERTEL_OK)
        return e;
    if (strcmp(holder.nip, by.nip) == 0)
        return cmd_fail(ctx, SERTEL_E_INVALID, _("an officer cannot act for themselves"));
    if (a->kind != SERTEL__ACTING_KIND__ACTING_PLT && a->kind != SERTEL__ACTING_KIND__ACTING_PLH)
        return cmd_fail(ctx, SERTEL_E_INVALID, _("the kind must be plt or plh"));
    if (a->from >= a->to)
        return cmd_fail(ctx, SERTEL_E_INVALID, _("the period must end after it starts"));
    if ((e = check_acting_rules(ctx, a, &holder, &by)) != SERTEL_OK)
        return e;
    a->id = 0;
    a->ended = false;
    e = store_acting_put(ctx->txn, a);
    char text[TEXT_MAX + 1];
    snprintf(text, sizeof text, "acting add %llu: %s %s for %s", (unsigned long long)a->id,
             acting_code((acting_kind_t)a->kind), by.nip, holder.nip);
    if (e == SERTEL_OK)
        e = broker_record_acting(ctx, text, a);
    return e == SERTEL_OK ? cmd_acting_list(ctx, NULL, reply) : e;
}

static void acting_free(void *p)
{
    sertel__acting__free_unpacked(p, NULL);
}

static int add_acting(const Sertel__Acting *a, void *arg)
{
    walk_t *w = arg;
    size_t len;
    uint8_t *buf = codec_pack(&a->base, &len);
    Sertel__Acting *copy = buf ? sertel__acting__unpack(NULL, len, buf) : NULL;
    free(buf);
    if (copy && !cmd_defer(w->ctx, acting_free, copy)) {
        sertel__acting__free_unpacked(copy, NULL);
        copy = NULL;
    }
    if (!copy || !cmd_append(w->ctx, &w->list, copy)) {
        w->e = SERTEL_E_NOMEM;
        return 1;
    }
    return 0;
}

CMD(cmd_acting_list)
{
    (void)req;
    walk_t w = {.ctx = ctx};
    sertel_err_t e = store_actings(ctx->txn, add_acting, &w);
    Sertel__ActingListReply *r = cmd_alloc(ctx, sizeof *r);
    if ((e = cmd_walk_failed(e, w.e, r)) != SERTEL_OK)
        return e;
    sertel__acting_list_reply__init(r);
    r->actings = (Sertel__Acting **)w.list.items;
    r->n_actings = w.list.n;
    reply->body_case = SERTEL__ENVELOPE__BODY_ACTINGS;
    reply->actings = r;
    return SERTEL_OK;
}

CMD(cmd_acting_end)
{
    Sertel__Acting *a = NULL;
    uint64_t id = req->acting_end->id;
    if (store_acting_get(ctx->txn, id, &a) != SERTEL_OK)
        return cmd_fail(ctx, SERTEL_E_NOT_FOUND, _("acting assignment %llu not found"),
                        (unsigned long long)id);
    a->ended = true;
    /* Ended early: the period stops now, or never begins. */
    if (a->to > ctx->now)
        a->to = ctx->now > a->from ? ctx->now : a->from;
    sertel_err_t e = store_acting_put(ctx->txn, a);
    char text[64];
    snprintf(text, sizeof text, "acting end %llu", (unsigned long long)id);
    if (e == SERTEL_OK)
        e = broker_record_acting(ctx, text, a);
    sertel__acting__free_unpacked(a, NULL);
    return e == SERTEL_OK ? cmd_acting_list(ctx, NULL, reply) : e;
}

/* ---- SOPs, statistics, backup */

CMD(cmd_sop_load)
{
    const Sertel__SopLoad *in = req->sop_load;
    const char *name = in->filename && *in->filename ? in->filename : "sop";
    sop_t *sop = sop_parse(in->text ? in->text : "", name, ctx->why, sizeof ctx->why);
    if (!sop)
        return SERTEL_E_INVALID;
    if (!broker_sop(ctx->b, sop->code) && ctx->b->n_sops == MAX_SOPS) {
        sop_destroy(&sop);
        return cmd_fail(ctx, SERTEL_E_FULL, _("the broker holds at most %d SOPs"), MAX_SOPS);
    }
    sertel_err_t e = store_text_put(ctx->txn, "sop", sop->code, in->text);
    char text[TEXT_MAX + 1];
    snprintf(text, sizeof text, "sop load %s (%s)", sop->code, sop->number);
    if (e == SERTEL_OK)
        e = broker_record_admin(ctx, SERTEL__EVENT_KIND__EV_SOP_LOADED, text);
    sop_destroy(&sop);
    /* The broker runs the new SOP once it is durable. */
    ctx->b->reload_sops |= e == SERTEL_OK;
    return e == SERTEL_OK ? reply_pong(ctx, reply) : e;
}

static void stats_free(void *p)
{
    store_stats_clear(p);
    free(p);
}

/* Rows come keyed; the office reads activities and names. */
static void label_rows(cmd_ctx_t *ctx, Sertel__Stats *st)
{
    const sop_t *sop = broker_sop(ctx->b, NULL);
    for (size_t i = 0; sop && i < st->n_steps; i++) {
        const sop_step_t *step = sop_step(sop, atoi(st->steps[i]->key));
        if (step)
            st->steps[i]->label = step->activity;
    }
    for (size_t i = 0; i < st->n_officers; i++) {
        officer_t *o = cmd_alloc(ctx, sizeof *o);
        if (o && store_officer_get(ctx->txn, st->officers[i]->key, o, NULL) == SERTEL_OK)
            st->officers[i]->label = o->name;
    }
}

CMD(cmd_stats)
{
    Sertel__Stats *st = malloc(sizeof *st);
    if (!st || !cmd_defer(ctx, stats_free, st)) {
        free(st);
        return SERTEL_E_NOMEM;
    }
    sertel__stats__init(st);
    sertel_err_t e = store_stats_query(ctx->txn, req->stats->from, req->stats->to, ctx->b->cal, st);
    if (e != SERTEL_OK)
        return e;
    label_rows(ctx, st);
    reply->body_case = SERTEL__ENVELOPE__BODY_STATS_REPLY;
    reply->stats_reply = st;
    return SERTEL_OK;
}

/* The directory comes over the network and ends up in the broker's log
 * and in file-system calls: an absolute path of printable UTF-8 only. */
static sertel_err_t check_backup_dir(cmd_ctx_t *ctx, const char *dir)
{
    if (!dir || !*dir)
        return cmd_fail(ctx, SERTEL_E_INVALID, _("name the backup directory"));
    size_t len = strlen(dir);
    if (len > 1024 || !utf8_valid(dir, len))
        return cmd_fail(ctx, SERTEL_E_INVALID, "%s",
                        _("the backup directory must be a path of valid UTF-8, at most 1024 bytes"));
    for (const unsigned char *c = (const unsigned char *)dir; *c; c++)
        if (*c < 0x20 || *c == 0x7f)
            return cmd_fail(ctx, SERTEL_E_INVALID, "%s",
                            _("the backup directory must not contain control characters"));
    if (dir[0] != '/')
        return cmd_fail(ctx, SERTEL_E_INVALID,
                        _("the backup directory must be an absolute path (it is on the broker's "
                          "machine): %s"), dir);
    return SERTEL_OK;
}

CMD(cmd_backup)
{
    const char *dir = req->backup->dir;
    sertel_err_t e = check_backup_dir(ctx, dir);
    if (e == SERTEL_OK)
        e = store_backup(ctx->b->store, dir, ctx->why, sizeof ctx->why);
    /* The copy carries the broker's identity, so that a restore can tell
     * it is this broker's, and is private like the data directory. */
    if (e == SERTEL_OK)
        e = datadir_backup_seal(ctx->b->datadir, dir, ctx->why, sizeof ctx->why);
    return e == SERTEL_OK ? reply_pong(ctx, reply) : e;
}

/* ---- the working calendar */

#define CALENDAR_NAME "kalender-kerja.conf"

CMD(cmd_calendar_query)
{
    (void)req;
    char *text = NULL;
    Sertel__CalendarText *r = cmd_alloc(ctx, sizeof *r);
    if (!r)
        return SERTEL_E_NOMEM;
    sertel__calendar_text__init(r);
    /* A data directory made without a calendar file runs the default. */
    if (store_text_get(ctx->txn, "calendar", "default", &text) == SERTEL_OK &&
        !cmd_defer(ctx, free, text)) {
        free(text);
        return SERTEL_E_NOMEM;
    }
    r->text = text ? text : "";
    r->filename = CALENDAR_NAME;
    reply->body_case = SERTEL__ENVELOPE__BODY_CALENDAR;
    reply->calendar = r;
    return SERTEL_OK;
}

CMD(cmd_calendar_load)
{
    const Sertel__CalendarLoad *in = req->calendar_load;
    const char *name = in->filename && *in->filename ? in->filename : CALENDAR_NAME;
    calendar_t *cal = calendar_parse(in->text ? in->text : "", name, ctx->why, sizeof ctx->why);
    if (!cal)
        return SERTEL_E_INVALID;
    char text[TEXT_MAX + 1], zone[64];
    calendar_format_time(cal, ctx->now, zone, sizeof zone);
    calendar_destroy(&cal);
    sertel_err_t e = store_text_put(ctx->txn, "calendar", "default", in->text);
    snprintf(text, sizeof text, "calendar load %s (now %s)", name, zone);
    if (e == SERTEL_OK)
        e = broker_record_office(ctx, SERTEL__EVENT_KIND__EV_CALENDAR_LOADED, text);
    /* The new calendar runs once it is durable. */
    ctx->b->reload_sops |= e == SERTEL_OK;
    return e == SERTEL_OK ? reply_pong(ctx, reply) : e;
}
