/* Reads: the session's Hello, inbox, one case with its history, search,
 * the audit journal. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "log.h"
#include "i18n.h"
#include "text.h"

#define SEARCH_DEFAULT 100
#define SEARCH_MAX 1000
#define JOURNAL_DEFAULT 1000
#define JOURNAL_MAX 100000

static void event_free(void *p)
{
    sertel__event__free_unpacked(p, NULL);
}

Sertel__Event *cmd_event_copy(cmd_ctx_t *ctx, const Sertel__Event *ev)
{
    size_t len;
    uint8_t *buf = codec_pack(&ev->base, &len);
    Sertel__Event *copy = buf ? sertel__event__unpack(NULL, len, buf) : NULL;
    free(buf);
    if (copy && !cmd_defer(ctx, event_free, copy)) {
        sertel__event__free_unpacked(copy, NULL);
        return NULL;
    }
    return copy;
}

static Sertel__Officer *officer_pb(cmd_ctx_t *ctx, const officer_t *o)
{
    officer_t *copy = cmd_alloc(ctx, sizeof *copy);
    Sertel__Officer *pb = cmd_alloc(ctx, sizeof *pb);
    if (!copy || !pb)
        return NULL;
    *copy = *o;
    codec_officer_to_pb(copy, pb);
    return pb;
}

/* Where the replay starts and what the Welcome says of the broker's
 * history: a position of another broker, of a history a restore undid, or
 * past the head is replayed from a point both histories share, and the
 * events the client saw that are gone are logged loudly. */
static void history_welcome(cmd_ctx_t *ctx, const Sertel__Hello *h, Sertel__Welcome *w)
{
    const identity_t *id = datadir_identity(ctx->b->datadir);
    uint64_t missing = 0;
    ctx->replay_from = identity_replay_from(id, h->broker_id, h->epoch, h->last_seq,
                                            ctx->live_from, &missing);
    w->broker_id = (char *)id->broker_id;
    w->epoch = identity_current(id)->number;
    w->replay_from = ctx->replay_from;
    w->missing = missing;
    if (missing)
        log_msg(LOG_ERROR,
                _("OFFICER %s HAD SEEN %llu EVENTS THIS BROKER NO LONGER HAS (up to event %llu "
                  "of epoch %llu; this history is epoch %llu at event %llu): they were lost "
                  "with a restore; replaying from event %llu"),
                ctx->officer.nip, (unsigned long long)missing, (unsigned long long)h->last_seq,
                (unsigned long long)h->epoch, (unsigned long long)w->epoch,
                (unsigned long long)ctx->live_from, (unsigned long long)ctx->replay_from);
    else if (ctx->replay_from < h->last_seq)
        log_msg(LOG_WARN, _("officer %s comes from another broker (%s); replaying from event %llu"),
                ctx->officer.nip, h->broker_id, (unsigned long long)ctx->replay_from);
}

CMD(cmd_hello)
{
    Sertel__Welcome *w = cmd_alloc(ctx, sizeof *w);
    if (!w)
        return SERTEL_E_NOMEM;
    sertel__welcome__init(w);
    /* Events after the replay's start up to live_from (committed before
     * this batch) are replayed by the dispatcher before the Welcome
     * leaves; later ones are pushed live. */
    w->last_seq = ctx->live_from;
    history_welcome(ctx, req->hello, w);
    w->officer = officer_pb(ctx, &ctx->officer);
    ctx->go_live = true;
    reply->body_case = SERTEL__ENVELOPE__BODY_WELCOME;
    reply->welcome = w;
    return w->officer ? SERTEL_OK : SERTEL_E_NOMEM;
}

CMD(cmd_ping)
{
    (void)req;
    Sertel__Pong *p = cmd_alloc(ctx, sizeof *p);
    if (!p)
        return SERTEL_E_NOMEM;
    sertel__pong__init(p);
    reply->body_case = SERTEL__ENVELOPE__BODY_PONG;
    reply->pong = p;
    return SERTEL_OK;
}

/* ---- case lists */

typedef struct {
    cmd_ctx_t *ctx;
    cmd_list_t cases;
    size_t limit;
    sertel_err_t e;
    const Sertel__SearchQuery *q; /* NULL: no filter */
    push_scope_t scope;           /* search: whose cases may be listed */
    int scan_left;                /* search: cases it may still examine (-1: any) */
    bool truncated;
    char last_seen[CASE_ID_MAX + 1]; /* search: the last case examined */
} list_t;

static bool listed(const list_t *l, const char *id)
{
    for (size_t i = 0; i < l->cases.n; i++)
        if (strcmp(((Sertel__Case *)l->cases.items[i])->id, id) == 0)
            return true;
    return false;
}

static int add_case(const case_t *c, void *arg)
{
    list_t *l = arg;
    if (listed(l, c->id))
        return 0;
    Sertel__Case *pb = cmd_case_pb(l->ctx, c);
    if (!pb || !cmd_append(l->ctx, &l->cases, pb)) {
        l->e = SERTEL_E_NOMEM;
        return 1;
    }
    return l->limit && l->cases.n >= l->limit;
}

static sertel_err_t reply_list(cmd_ctx_t *ctx, list_t *l, Sertel__Envelope *reply)
{
    Sertel__CaseList *cl = cmd_alloc(ctx, sizeof *cl);
    if (!cl || l->e != SERTEL_OK)
        return l->e != SERTEL_OK ? l->e : SERTEL_E_NOMEM;
    sertel__case_list__init(cl);
    cl->cases = (Sertel__Case **)l->cases.items;
    cl->n_cases = l->cases.n;
    cl->truncated = l->truncated;
    cl->resume_after = l->truncated ? cmd_strdup(ctx, l->last_seen) : (char *)"";
    if (!cl->resume_after)
        return SERTEL_E_NOMEM;
    reply->body_case = SERTEL__ENVELOPE__BODY_CASE_LIST;
    reply->case_list = cl;
    return SERTEL_OK;
}

CMD(cmd_inbox)
{
    (void)req;
    list_t l = {.ctx = ctx};
    /* A Plt/Plh also sees the inbox of the official they stand in for. */
    push_scope_t scope;
    session_scope(ctx, &ctx->officer, &scope);
    sertel_err_t e = SERTEL_OK;
    for (int i = 0; e == SERTEL_OK && i < scope.n; i++)
        e = store_inbox(ctx->txn, scope.nips[i], scope.roles[i], scope.quals[i], add_case, &l);
    return e == SERTEL_OK ? reply_list(ctx, &l, reply) : e;
}

/* ---- who may read a case */

/* The Kadis, the Kabid and administrators oversee every case; any other
 * officer reads the cases they (or the official they stand in for) took
 * part in, hold, or may take from their pool. */
bool cmd_case_visible(const case_t *c, const push_scope_t *scope)
{
    for (int i = 0; i < scope->n; i++) {
        const char *nip = scope->nips[i];
        role_t r = scope->roles[i];
        if (r == ROLE_KADIS || r == ROLE_KABID || r == ROLE_ADMIN)
            return true;
        if (strcmp(c->assignee, nip) == 0 || strcmp(c->received_by, nip) == 0)
            return true;
        for (int a = 0; a < c->n_actors; a++)
            if (strcmp(c->actors[a], nip) == 0)
                return true;
        bool open = c->state == CASE_OPEN || c->state == CASE_WAITING;
        if (open && !c->assignee[0] && push_pool_has(push_pool(c->pool_role, c->pool_quals), r,
                                                     scope->quals[i]))
            return true;
    }
    return false;
}

/* ---- one case and its history */

typedef struct {
    cmd_ctx_t *ctx;
    cmd_list_t evs;
    sertel_err_t e;
} history_t;

static int add_event(const Sertel__Event *ev, void *arg)
{
    history_t *h = arg;
    Sertel__Event *copy = cmd_event_copy(h->ctx, ev);
    if (!copy || !cmd_append(h->ctx, &h->evs, copy)) {
        h->e = SERTEL_E_NOMEM;
        return 1;
    }
    return 0;
}

CMD(cmd_case_query)
{
    case_t c;
    const char *id = req->case_query->case_id;
    sertel_err_t e = cmd_case_load(ctx, id, &c);
    if (e != SERTEL_OK)
        return e;
    push_scope_t scope;
    session_scope(ctx, &ctx->officer, &scope);
    if (!cmd_case_visible(&c, &scope))
        return cmd_fail(ctx, SERTEL_E_DENIED, _("case %s is not among your cases"), id);
    history_t h = {.ctx = ctx};
    e = store_journal_of_case(ctx->txn, c.id, add_event, &h);
    Sertel__CaseDetail *d = cmd_alloc(ctx, sizeof *d);
    if ((e = cmd_walk_failed(e, h.e, d)) != SERTEL_OK)
        return e;
    sertel__case_detail__init(d);
    d->case_ = cmd_case_pb(ctx, &c);
    d->history = (Sertel__Event **)h.evs.items;
    d->n_history = h.evs.n;
    reply->body_case = SERTEL__ENVELOPE__BODY_CASE_DETAIL;
    reply->case_detail = d;
    return d->case_ ? SERTEL_OK : SERTEL_E_NOMEM;
}

/* ---- search */

/* "sutisna", "SÚTISNA" and "Ñoño" all find "Dra. Hj. Ñoño Sútisna". */
static bool contains_ci(const char *hay, const char *needle)
{
    char h[4 * NAME_MAX_LEN + 1], n[4 * NAME_MAX_LEN + 1];
    return strstr(text_fold(hay, h, sizeof h), text_fold(needle, n, sizeof n)) != NULL;
}

static int add_if_match(const case_t *c, void *arg)
{
    list_t *l = arg;
    const Sertel__SearchQuery *q = l->q;
    /* A name matches nowhere in an index: the scan is bounded, and the
     * reply says so, rather than hold the broker for every case. */
    if (l->scan_left == 0) {
        l->truncated = true;
        return 1;
    }
    if (l->scan_left > 0)
        l->scan_left--;
    snprintf(l->last_seen, sizeof l->last_seen, "%s", c->id);
    if ((q->name && *q->name && !contains_ci(c->app.name, q->name)) ||
        (q->nip && *q->nip && strcmp(c->app.nip, q->nip) != 0) ||
        (q->state && (int)c->state != (int)q->state) ||
        (q->from && c->created_at < q->from) || (q->to && c->created_at >= q->to) ||
        (q->after && *q->after && strcmp(c->id, q->after) <= 0) ||
        (q->closed_from && (!c->closed_at || c->closed_at < q->closed_from)) ||
        (q->closed_to && (!c->closed_at || c->closed_at >= q->closed_to)) ||
        !cmd_case_visible(c, &l->scope))
        return 0;
    return add_case(c, arg);
}

CMD(cmd_search)
{
    const Sertel__SearchQuery *q = req->search;
    if (q->state < 0 || q->state > SERTEL__CASE_STATE__STATE_WITHDRAWN)
        return cmd_fail(ctx, SERTEL_E_INVALID, _("unknown case state"));
    int scan = ctx->b->cfg.limits.search_scan;
    list_t l = {.ctx = ctx, .q = q, .scan_left = scan > 0 ? scan : -1,
                .limit = q->limit ? (q->limit > SEARCH_MAX ? SEARCH_MAX : q->limit) : SEARCH_DEFAULT};
    session_scope(ctx, &ctx->officer, &l.scope);
    sertel_err_t e;
    /* The narrowest index that answers the query, from past `after` (a
     * page's or a bounded search's continuation), then the filter. */
    if (q->nip && *q->nip)
        e = store_cases_by_applicant(ctx->txn, q->nip, q->after, add_if_match, &l);
    else if (q->state)
        e = store_cases_by_state(ctx->txn, (case_state_t)q->state, q->after, add_if_match, &l);
    else
        e = store_cases_all(ctx->txn, q->after, add_if_match, &l);
    return e == SERTEL_OK ? reply_list(ctx, &l, reply) : e;
}

/* ---- the audit journal */

typedef struct {
    history_t h;
    size_t limit;
} journal_walk_t;

static int add_limited(const Sertel__Event *ev, void *arg)
{
    journal_walk_t *w = arg;
    return add_event(ev, &w->h) || w->h.evs.n >= w->limit;
}

CMD(cmd_journal)
{
    const Sertel__JournalQuery *q = req->journal;
    journal_walk_t w = {.h = {.ctx = ctx},
                        .limit = q->limit ? (q->limit > JOURNAL_MAX ? JOURNAL_MAX : q->limit)
                                          : JOURNAL_DEFAULT};
    case_t *c = cmd_alloc(ctx, sizeof *c);
    if (!c)
        return SERTEL_E_NOMEM;
    /* A case asked for must exist: an empty answer would read as "nothing
     * happened to it"; its number is matched without regard to case. */
    bool one = q->case_id && *q->case_id;
    sertel_err_t e = one ? cmd_case_load(ctx, q->case_id, c) : SERTEL_OK;
    if (e == SERTEL_OK)
        e = one ? store_journal_of_case(ctx->txn, c->id, add_limited, &w)
                : store_journal_since(ctx->txn, q->since, add_limited, &w);
    Sertel__EventList *el = cmd_alloc(ctx, sizeof *el);
    if ((e = cmd_walk_failed(e, w.h.e, el)) != SERTEL_OK)
        return e;
    sertel__event_list__init(el);
    el->events = (Sertel__Event **)w.h.evs.items;
    el->n_events = w.h.evs.n;
    reply->body_case = SERTEL__ENVELOPE__BODY_EVENTS;
    reply->events = el;
    return SERTEL_OK;
}

/* ---- one attachment, with its content */

CMD(cmd_attachment)
{
    const Sertel__AttachmentQuery *q = req->attachment_query;
    case_t c;
    sertel_err_t e = cmd_case_load(ctx, q->case_id, &c);
    if (e != SERTEL_OK)
        return e;
    push_scope_t scope;
    session_scope(ctx, &ctx->officer, &scope);
    if (!cmd_case_visible(&c, &scope))
        return cmd_fail(ctx, SERTEL_E_DENIED, _("case %s is not among your cases"), c.id);
    const attachment_t *a = NULL;
    for (int i = 0; !a && i < c.n_attachments; i++)
        if (q->hash && strcmp(c.attachments[i].hash, q->hash) == 0)
            a = &c.attachments[i];
    if (!a)
        return cmd_fail(ctx, SERTEL_E_NOT_FOUND, _("case %s has no such attachment"), c.id);
    Sertel__Attachment *pb = cmd_alloc(ctx, sizeof *pb);
    uint8_t *data = NULL;
    size_t len = 0;
    e = pb ? store_blob_get(ctx->txn, a->hash, &data, &len) : SERTEL_E_NOMEM;
    if (e != SERTEL_OK || !cmd_defer(ctx, free, data)) {
        free(data);
        return e != SERTEL_OK ? e : SERTEL_E_NOMEM;
    }
    sertel__attachment__init(pb);
    pb->hash = cmd_strdup(ctx, a->hash);
    pb->name = cmd_strdup(ctx, a->name);
    pb->size = a->size;
    pb->step = a->step;
    pb->content.data = data;
    pb->content.len = len;
    reply->body_case = SERTEL__ENVELOPE__BODY_ATTACHMENT;
    reply->attachment = pb;
    return pb->hash && pb->name ? SERTEL_OK : SERTEL_E_NOMEM;
}
