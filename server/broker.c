/* The broker's loop object: sockets, the poll loop, group commit and the
 * SLA sweep. Commands themselves live in cmd_*.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "broker_internal.h"
#include "i18n.h"
#include "log.h"

#define SWEEP_MS 1000
#define READER_CHECK_S 60

int64_t broker_now(broker_t *b)
{
    return b->cfg.clock ? b->cfg.clock(b->cfg.clock_arg) : (int64_t)time(NULL);
}

const char *broker_endpoint(const broker_t *b)
{
    return b->endpoint;
}

/* ---- SOPs and the calendar, cached parsed */

const sop_t *broker_sop(broker_t *b, const char *code)
{
    if (!code || !*code)
        code = b->default_sop;
    for (int i = 0; i < b->n_sops; i++)
        if (strcmp(b->sops[i]->code, code) == 0)
            return b->sops[i];
    return NULL;
}

sertel_err_t broker_sop_install(broker_t *b, const char *text, const char *name,
                                char *err, size_t errlen)
{
    sop_t *sop = sop_parse(text, name, err, errlen);
    if (!sop)
        return SERTEL_E_INVALID;
    for (int i = 0; i < b->n_sops; i++)
        if (strcmp(b->sops[i]->code, sop->code) == 0) {
            sop_destroy(&b->sops[i]);
            b->sops[i] = sop;
            return SERTEL_OK;
        }
    if (b->n_sops == MAX_SOPS) {
        sop_destroy(&sop);
        return SERTEL_E_FULL;
    }
    b->sops[b->n_sops++] = sop;
    if (!b->default_sop[0])
        snprintf(b->default_sop, sizeof b->default_sop, "%s", sop->code);
    return SERTEL_OK;
}

/* An SOP that no longer installs (a format grown stricter, a full cache)
 * is logged and skipped: one bad text must not keep the broker down. */
static int install_stored_sop(const char *name, const char *text, void *arg)
{
    char err[512] = "";
    if (broker_sop_install(arg, text, name, err, sizeof err) != SERTEL_OK)
        log_msg(LOG_ERROR, _("SOP %s not loaded: %s"), name, err);
    return 0;
}

void broker_after_commit(broker_t *b)
{
    for (int i = 0; i < b->n_cut; i++)
        session_cut_off(b, b->cut_nips[i]);
    store_txn_t *t;
    if (b->reload_sops && store_begin(b->store, NULL, false, &t) == SERTEL_OK) {
        store_texts(t, "sop", install_stored_sop, b);
        store_abort(&t);
    }
    broker_after_commit_clear(b);
}

void broker_after_commit_clear(broker_t *b)
{
    b->reload_sops = false;
    b->n_cut = 0;
}

static sertel_err_t load_config(broker_t *b, store_txn_t *t, char *err, size_t errlen)
{
    char *text = NULL;
    if (store_text_get(t, "config", "default_sop", &text) == SERTEL_OK)
        snprintf(b->default_sop, sizeof b->default_sop, "%s", text);
    free(text);
    text = NULL;
    if (store_text_get(t, "calendar", "default", &text) == SERTEL_OK)
        b->cal = calendar_parse(text, "kalender-kerja.conf", err, errlen);
    else
        b->cal = calendar_default();
    free(text);
    if (!b->cal)
        return SERTEL_E_INVALID;
    return store_texts(t, "sop", install_stored_sop, b);
}

/* ---- sockets */

static bool setup_sockets(broker_t *b, const char *endpoint, char *err, size_t errlen)
{
    b->ctx = zmq_ctx_new();
    b->zap = zmq_socket(b->ctx, ZMQ_REP);
    if (!b->zap || zmq_bind(b->zap, "inproc://zeromq.zap.01") != 0) {
        diag_at(err, errlen, endpoint, 0, _("cannot start the key check (ZAP): %s"),
                zmq_strerror(errno));
        return false;
    }
    b->router = zmq_socket(b->ctx, ZMQ_ROUTER);
    int zero = 0, one = 1, ivl = 5000, timeout = 15000, linger = 1000;
    int64_t maxmsg = FRAME_MAX + 1024;
    zmq_setsockopt(b->router, ZMQ_CURVE_SERVER, &one, sizeof one);
    zmq_setsockopt(b->router, ZMQ_CURVE_SECRETKEY, b->key.secret_key, Z85_KEY_LEN);
    zmq_setsockopt(b->router, ZMQ_ZAP_DOMAIN, ZAP_DOMAIN, strlen(ZAP_DOMAIN));
    /* ZMQ_ZAP_ENFORCE_DOMAIN (93) is a draft option: where libzmq has it,
     * a socket without a domain is never let in unauthenticated. The ZAP
     * handler, bound before this socket, refuses any other domain. */
    zmq_setsockopt(b->router, 93, &one, sizeof one);
    zmq_setsockopt(b->router, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
    /* No send limit per peer: a catch-up replays an officer's history
     * before the Welcome in one go, and at the default limit (1000
     * messages) the rest of the replay, the Welcome and later pushes would
     * be dropped without a trace. Heartbeats drop dead peers. */
    zmq_setsockopt(b->router, ZMQ_SNDHWM, &zero, sizeof zero);
    /* A peer that sends more than a frame may hold is disconnected by
     * libzmq before the bytes are buffered. */
    zmq_setsockopt(b->router, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
    zmq_setsockopt(b->router, ZMQ_HEARTBEAT_IVL, &ivl, sizeof ivl);
    zmq_setsockopt(b->router, ZMQ_HEARTBEAT_TIMEOUT, &timeout, sizeof timeout);
    zmq_setsockopt(b->router, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_bind(b->router, endpoint) != 0) {
        diag_at(err, errlen, endpoint, 0, _("cannot listen: %s"), zmq_strerror(errno));
        return false;
    }
    size_t len = sizeof b->endpoint;
    zmq_getsockopt(b->router, ZMQ_LAST_ENDPOINT, b->endpoint, &len);
    return true;
}

broker_t *broker_new(const broker_config_t *cfg, char *err, size_t errlen)
{
    broker_t *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->cfg = *cfg;
    b->sessions = calloc(MAX_SESSIONS, sizeof *b->sessions);
    char path[4096];
    snprintf(path, sizeof path, "%s/broker.key", cfg->data_dir);
    /* The directory is ours (locked, identified, its database whole)
     * before LMDB maps anything in it. */
    bool ok = b->sessions && (b->datadir = datadir_open(cfg->data_dir, err, errlen)) != NULL &&
              keyfile_read(path, &b->key, err, errlen) == SERTEL_OK;
    snprintf(path, sizeof path, "%s/db", cfg->data_dir);
    if (ok)
        ok = (b->store = store_open(path, err, errlen)) != NULL;
    store_txn_t *t = NULL;
    if (ok)
        ok = store_begin(b->store, NULL, false, &t) == SERTEL_OK &&
             load_config(b, t, err, errlen) == SERTEL_OK;
    store_abort(&t);
    if (ok)
        ok = setup_sockets(b, cfg->endpoint ? cfg->endpoint : b->key.endpoint, err, errlen);
    if (ok)
        datadir_note_endpoint(b->datadir, b->endpoint);
    if (!ok)
        broker_destroy(&b);
    return b;
}

void broker_destroy(broker_t **bp)
{
    broker_t *b = bp ? *bp : NULL;
    if (!b)
        return;
    broker_events_clear(b);
    if (b->router)
        zmq_close(b->router);
    if (b->zap)
        zmq_close(b->zap);
    if (b->ctx)
        /* A second SIGTERM (timeout(1) passes one on) interrupts the
         * termination; it must be finished, or libzmq's threads outlive
         * main. */
        while (zmq_ctx_term(b->ctx) != 0 && errno == EINTR)
            ;
    for (int i = 0; i < b->n_sops; i++)
        sop_destroy(&b->sops[i]);
    calendar_destroy(&b->cal);
    store_close(&b->store);
    datadir_destroy(&b->datadir); /* the lock goes last */
    free(b->sessions);
    free(b);
    *bp = NULL;
}

/* ---- events: journal now, push after the commit */

void broker_events_clear(broker_t *b)
{
    for (int i = 0; i < b->n_events; i++)
        sertel__event__free_unpacked(b->events[i].ev, NULL);
    b->n_events = 0;
}

/* Keeps an unpacked copy of a journalled event for the push. */
static sertel_err_t keep_for_push(broker_t *b, const Sertel__Event *ev)
{
    if (b->n_events == EVENTS_PER_BATCH)
        return SERTEL_E_FULL;
    size_t len;
    uint8_t *buf = codec_pack(&ev->base, &len);
    if (!buf)
        return SERTEL_E_NOMEM;
    Sertel__Event *copy = sertel__event__unpack(NULL, len, buf);
    free(buf);
    if (!copy)
        return SERTEL_E_NOMEM;
    b->events[b->n_events++].ev = copy;
    return SERTEL_OK;
}

static sertel_err_t journal_with_targets(cmd_ctx_t *ctx, Sertel__Event *pb,
                                         const push_targets_t *tg, uint64_t *seq)
{
    char *nips[PUSH_MAX_NOTIFY];
    uint32_t pools[PUSH_MAX_POOLS];
    for (int i = 0; i < tg->n_nips; i++)
        nips[i] = (char *)tg->nips[i];
    memcpy(pools, tg->pools, sizeof pools);
    pb->n_notify = (size_t)tg->n_nips;
    pb->notify = nips;
    pb->n_notify_pools = (size_t)tg->n_pools;
    pb->notify_pools = pools;
    sertel_err_t e = store_journal_append_pb(ctx->txn, pb, seq);
    if (e == SERTEL_OK)
        e = keep_for_push(ctx->b, pb);
    pb->notify = NULL;
    pb->notify_pools = NULL;
    pb->n_notify = pb->n_notify_pools = 0;
    return e;
}

sertel_err_t broker_record(cmd_ctx_t *ctx, const event_t *ev, const case_t *c, uint64_t *seq)
{
    push_targets_t tg;
    push_targets(ev, c, &tg);
    Sertel__Event pb;
    codec_event_to_pb(ev, 0, &pb);
    sertel_err_t e = journal_with_targets(ctx, &pb, &tg, seq);
    return e == SERTEL_OK ? store_stats_record(ctx->txn, ev, ctx->b->cal) : e;
}

sertel_err_t broker_record_admin(cmd_ctx_t *ctx, Sertel__EventKind kind, const char *text)
{
    Sertel__Event pb = SERTEL__EVENT__INIT;
    pb.kind = kind;
    pb.at = ctx->now;
    pb.actor = ctx->officer.nip;
    pb.actor_role = (Sertel__Role)ctx->officer.role;
    pb.text = (char *)text;
    push_targets_t tg = {.n_pools = 1, .pools = {push_pool(ROLE_ADMIN, 0)}};
    return journal_with_targets(ctx, &pb, &tg, NULL);
}

static uint8_t *pack_push(const Sertel__Event *ev, size_t *len)
{
    Sertel__Envelope env = SERTEL__ENVELOPE__INIT;
    env.version = PROTOCOL_VERSION;
    env.body_case = SERTEL__ENVELOPE__BODY_PUSH;
    env.push = (Sertel__Event *)ev;
    return codec_pack(&env.base, len);
}

/* Roles of each live session's officer, looked up once per push round. */
void broker_push_committed(broker_t *b)
{
    if (!b->n_events)
        return;
    store_txn_t *t;
    if (store_begin(b->store, NULL, false, &t) != SERTEL_OK)
        return;
    cmd_ctx_t ctx = {.b = b, .txn = t, .now = broker_now(b)};
    for (int i = 0; i < b->n_sessions; i++) {
        session_t *s = &b->sessions[i];
        int n_sessions = b->n_sessions;
        officer_t o;
        push_scope_t scope;
        if (!s->live || s->cut_off || store_officer_get(t, s->nip, &o, NULL) != SERTEL_OK ||
            !o.active)
            continue;
        session_scope(&ctx, &o, &scope);
        for (int j = 0; j < b->n_events; j++) {
            const Sertel__Event *ev = b->events[j].ev;
            if (ev->seq <= s->live_from || !push_concerns(ev, &scope))
                continue;
            size_t len;
            uint8_t *buf = pack_push(ev, &len);
            bool sent = buf && session_send(b, s, buf, len);
            free(buf);
            if (!sent) {
                /* A vanished peer's session is dropped and the last
                 * session moved into its slot: that one is still due
                 * its pushes, so the slot is visited again. */
                if (b->n_sessions < n_sessions)
                    i--;
                break;
            }
        }
    }
    store_abort(&t);
}

/* ---- catch-up */

typedef struct {
    broker_t *b;
    session_t *s;
    cmd_ctx_t *ctx;
    uint64_t upto, last;
    int count;
    push_scope_t scope;
} replay_t;

static int replay_one(const Sertel__Event *ev, void *arg)
{
    replay_t *r = arg;
    if (ev->seq > r->upto)
        return 1;
    if (!push_concerns(ev, &r->scope))
        return 0;
    size_t len;
    uint8_t *buf = pack_push(ev, &len);
    bool sent = buf && session_send(r->b, r->s, buf, len);
    free(buf);
    if (sent) {
        r->count++;
        r->last = ev->seq;
    }
    return !sent || r->count == REPLAY_MAX;
}

int broker_replay(broker_t *b, session_t *s, uint64_t since, uint64_t upto, uint64_t *last)
{
    store_txn_t *t;
    int count = 0;
    *last = since;
    if (store_begin(b->store, NULL, false, &t) != SERTEL_OK)
        return 0;
    cmd_ctx_t ctx = {.b = b, .txn = t, .now = broker_now(b)};
    officer_t o;
    if (store_officer_get(t, s->nip, &o, NULL) == SERTEL_OK && o.active) {
        replay_t r = {.b = b, .s = s, .ctx = &ctx, .upto = upto};
        session_scope(&ctx, &o, &r.scope);
        r.last = since;
        store_journal_since(t, since, replay_one, &r);
        count = r.count;
        *last = r.last;
    }
    store_abort(&t);
    return count;
}

/* ---- the loop */

int broker_run(broker_t *b)
{
    int64_t next_reader_check = broker_now(b) + READER_CHECK_S;
    while (!b->cfg.stop || !*b->cfg.stop) {
        zmq_pollitem_t items[] = {
            {b->zap, 0, ZMQ_POLLIN, 0},
            {b->router, 0, ZMQ_POLLIN, 0},
        };
        int rc = zmq_poll(items, 2, SWEEP_MS);
        if (rc < 0 && errno != EINTR) {
            log_msg(LOG_ERROR, _("poll failed: %s"), zmq_strerror(errno));
            return 1;
        }
        if (rc > 0 && (items[0].revents & ZMQ_POLLIN))
            zap_handle(b);
        if (rc > 0 && (items[1].revents & ZMQ_POLLIN))
            dispatch_batch(b);
        int64_t now = broker_now(b);
        if (now >= b->next_sweep) {
            sweep_due(b);
            b->next_sweep = now + SWEEP_MS / 1000;
        }
        if (now >= next_reader_check) {
            int dead = store_reader_check(b->store);
            if (dead)
                log_msg(LOG_WARN, _("cleared %d stale database readers"), dead);
            next_reader_check = now + READER_CHECK_S;
        }
    }
    return 0;
}
