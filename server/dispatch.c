/* One batch of requests: decode, authorise, apply in one write
 * transaction (each command in a nested one, so a refusal undoes only
 * itself), commit once, then reply and push. Nothing is acknowledged or
 * pushed before the commit returned success (group commit). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "broker_internal.h"
#include "cmd.h"
#include "i18n.h"
#include "log.h"

typedef struct {
    zmq_msg_t rid, body;
    char nip[NIP_LEN + 1];
    bool bad_frames;     /* not exactly one body frame */
    uint8_t *reply;      /* packed reply Envelope */
    size_t reply_len;
    uint64_t request_id;
    bool go_live;
    uint64_t live_from, since;
} item_t;

typedef struct {
    item_t items[BATCH_MAX];
    int n;
} batch_t;

/* Reads one ROUTER message: routing id, then exactly one body frame. */
static bool read_item(broker_t *b, item_t *it, int flags)
{
    memset(it, 0, sizeof *it);
    zmq_msg_init(&it->rid);
    zmq_msg_init(&it->body);
    if (zmq_msg_recv(&it->rid, b->router, flags) < 0)
        return false;
    zmq_msg_recv(&it->body, b->router, 0);
    const char *user = zmq_msg_gets(&it->body, "User-Id");
    snprintf(it->nip, sizeof it->nip, "%s", user ? user : "");
    /* Frames past the first are read and dropped up to the message's
     * last one: the flag to follow is the last frame's, not the body's
     * (which would never clear and block on the next peer's message). */
    bool more = zmq_msg_more(&it->body);
    while (more) {
        it->bad_frames = true;
        zmq_msg_t extra;
        zmq_msg_init(&extra);
        more = zmq_msg_recv(&extra, b->router, 0) >= 0 && zmq_msg_more(&extra);
        zmq_msg_close(&extra);
    }
    return true;
}

static void item_free(item_t *it)
{
    zmq_msg_close(&it->rid);
    zmq_msg_close(&it->body);
    free(it->reply);
}

static void set_error(Sertel__Envelope *reply, Sertel__Error *err, sertel_err_t code,
                      const char *why)
{
    err->code = (Sertel__ErrorCode)code;
    err->message = (char *)(why && *why ? why : sertel_strerror(code));
    reply->body_case = SERTEL__ENVELOPE__BODY_ERROR;
    reply->error = err;
}

/* Role check from the command table. The workflow's own rules (step,
 * assignee, Plt/Plh) are the engine's. */
static bool role_allowed(const command_def_t *def, const officer_t *o)
{
    return def->roles == 0 || (def->roles & (1u << o->role));
}

static sertel_err_t run_command(cmd_ctx_t *ctx, const command_def_t *def,
                                const Sertel__Envelope *req, Sertel__Envelope *reply)
{
    /* Reads change nothing and LMDB nests write transactions only. */
    if (!def->write)
        return def->fn(ctx, req, reply);
    store_txn_t *parent = ctx->txn, *child;
    sertel_err_t e = store_begin(ctx->b->store, parent, true, &child);
    if (e != SERTEL_OK)
        return e;
    ctx->txn = child;
    int mark = ctx->b->n_events;
    e = def->fn(ctx, req, reply);
    ctx->txn = parent;
    if (e == SERTEL_OK)
        e = store_commit(&child);
    else
        store_abort(&child);
    if (e == SERTEL_OK)
        return e;
    /* Events of a refused command were never journalled for good. */
    for (int i = mark; i < ctx->b->n_events; i++)
        sertel__event__free_unpacked(ctx->b->events[i].ev, NULL);
    ctx->b->n_events = mark;
    return e;
}

/* Packs reply into the item; the request id is echoed. */
static void finish_reply(item_t *it, Sertel__Envelope *reply, uint64_t request_id)
{
    reply->version = PROTOCOL_VERSION;
    reply->request_id = request_id;
    it->reply = codec_pack(&reply->base, &it->reply_len);
}

/* The request id of a frame refused before decoding (several frames, a
 * wrong version, no body), when it can be read at all: the error reply
 * then reaches the caller waiting on that id instead of looking like
 * silence. */
static uint64_t readable_request_id(zmq_msg_t *body)
{
    size_t len = zmq_msg_size(body);
    if (len == 0 || len > FRAME_MAX)
        return 0;
    Sertel__Envelope *env = sertel__envelope__unpack(NULL, len, zmq_msg_data(body));
    uint64_t id = env ? env->request_id : 0;
    if (env)
        sertel__envelope__free_unpacked(env, NULL);
    return id;
}

static void process_item(broker_t *b, store_txn_t *txn, item_t *it, int64_t now, uint64_t committed)
{
    Sertel__Envelope reply = SERTEL__ENVELOPE__INIT;
    Sertel__Error err = SERTEL__ERROR__INIT;
    cmd_ctx_t ctx = {.b = b, .txn = txn, .now = now, .live_from = committed};
    char why[512] = "";
    Sertel__Envelope *req = it->bad_frames ? NULL
        : codec_envelope_unpack(zmq_msg_data(&it->body), zmq_msg_size(&it->body), why, sizeof why);
    uint64_t rid = req ? req->request_id : readable_request_id(&it->body);
    /* The reasons in this reply are for this client's reader. */
    if (req)
        i18n_use(req->lang);
    it->request_id = rid;
    const command_def_t *def = req ? command_find(req->body_case) : NULL;
    if (!req) {
        set_error(&reply, &err, SERTEL_E_PROTOCOL, why[0] ? why : _("one frame per message"));
    } else if (!def) {
        set_error(&reply, &err, SERTEL_E_PROTOCOL, _("unknown request"));
    } else if (store_officer_get(txn, it->nip, &ctx.officer, NULL) != SERTEL_OK ||
               !ctx.officer.active) {
        session_cut_off(b, it->nip);
        set_error(&reply, &err, SERTEL_E_DENIED, _("your key is not (or no longer) enrolled"));
    } else if (!role_allowed(def, &ctx.officer)) {
        snprintf(why, sizeof why, _("'%s' is not for the role %s"), def->name,
                 role_title(ctx.officer.role));
        set_error(&reply, &err, SERTEL_E_DENIED, why);
    } else if (def->write && rid &&
               store_reply_get(txn, it->nip, rid, &it->reply, &it->reply_len) == SERTEL_OK) {
        /* Answered before: the same answer, nothing applied again. */
        sertel__envelope__free_unpacked(req, NULL);
        i18n_use(NULL);
        return;
    } else {
        const uint8_t *rid_bytes = zmq_msg_data(&it->rid);
        size_t rid_len = zmq_msg_size(&it->rid);
        session_touch(b, rid_bytes, rid_len, now);
        if (def->body == SERTEL__ENVELOPE__BODY_HELLO)
            ctx.session = session_open(b, rid_bytes, rid_len, it->nip, now);
        ctx.request_id = rid;
        sertel_err_t e = def->body == SERTEL__ENVELOPE__BODY_HELLO && !ctx.session
            ? cmd_fail(&ctx, SERTEL_E_FULL, "%s",
                       _("the broker serves as many live clients as it can; try again later"))
            : run_command(&ctx, def, req, &reply);
        /* A full map is no answer: the whole batch runs again, bigger. */
        b->map_full |= e == SERTEL_E_MAP_FULL;
        if (e != SERTEL_OK)
            set_error(&reply, &err, e, ctx.why);
        it->go_live = e == SERTEL_OK && ctx.go_live;
        it->live_from = ctx.live_from;
        if (it->go_live)
            it->since = req->hello->last_seq;
    }
    if (reply.body_case == SERTEL__ENVELOPE__BODY_ERROR)
        log_msg(LOG_DEBUG, "%s %s: %s", def ? def->name : "?", it->nip, reply.error->message);
    finish_reply(it, &reply, rid);
    if (def && def->write && rid && it->reply)
        b->map_full |= store_reply_put(txn, it->nip, rid, now, it->reply, it->reply_len) ==
                       SERTEL_E_MAP_FULL;
    /* What handlers allocated for the reply is released once packed. */
    cmd_ctx_free(&ctx);
    if (req)
        sertel__envelope__free_unpacked(req, NULL);
    i18n_use(NULL);
}

/* Applies the batch; on a full map grows it and applies it again. */
static sertel_err_t apply_batch(broker_t *b, batch_t *batch, int64_t now)
{
    for (int attempt = 0; attempt < 8; attempt++) {
        store_txn_t *txn;
        sertel_err_t e = store_begin(b->store, NULL, true, &txn);
        if (e != SERTEL_OK)
            return e;
        uint64_t committed = store_last_seq(txn);
        b->map_full = false;
        broker_after_commit_clear(b);
        for (int i = 0; i < batch->n && !b->map_full; i++)
            process_item(b, txn, &batch->items[i], now, committed);
        if (b->map_full) {
            store_abort(&txn);
            e = SERTEL_E_MAP_FULL;
        } else {
            e = store_commit(&txn);
        }
        if (e != SERTEL_E_MAP_FULL)
            return e;
        log_msg(LOG_WARN, _("database map full: growing it and retrying %d requests"), batch->n);
        broker_events_clear(b);
        for (int i = 0; i < batch->n; i++) {
            free(batch->items[i].reply);
            batch->items[i].reply = NULL;
        }
        e = store_grow(b->store);
        if (e != SERTEL_OK)
            return e;
    }
    return SERTEL_E_MAP_FULL;
}

/* The Welcome says how many events the replay before it carried. */
/* Fills in what only the replay knows: how many events it sent and, when
 * it stopped at REPLAY_MAX, where to go on from. */
static void set_replayed(item_t *it, int replayed, uint64_t last, bool more)
{
    Sertel__Envelope *env = it->reply ? sertel__envelope__unpack(NULL, it->reply_len, it->reply) : NULL;
    if (env && env->body_case == SERTEL__ENVELOPE__BODY_WELCOME) {
        env->welcome->replayed = (uint32_t)replayed;
        env->welcome->more = more;
        if (more)
            env->welcome->last_seq = last;
        size_t len;
        uint8_t *buf = codec_pack(&env->base, &len);
        if (buf) {
            free(it->reply);
            it->reply = buf;
            it->reply_len = len;
        }
    }
    if (env)
        sertel__envelope__free_unpacked(env, NULL);
}

static void send_reply(broker_t *b, item_t *it)
{
    const uint8_t *rid = zmq_msg_data(&it->rid);
    size_t rid_len = zmq_msg_size(&it->rid);
    session_t *s = session_find(b, rid, rid_len);
    /* A session cut off in this batch (its officer disabled) never goes
     * live, even when its Hello came first. */
    if (it->go_live && s && !s->cut_off) {
        uint64_t last;
        int replayed = broker_replay(b, s, it->since, it->live_from, &last);
        bool more = replayed == REPLAY_MAX;
        /* A peer gone during the replay had its session dropped and
         * another moved into the slot: never touch or answer that one. */
        s = session_find(b, rid, rid_len);
        if (!s)
            return;
        /* Live only once caught up: a gap between the rounds and the
         * live stream would lose events. */
        s->live = !more;
        s->live_from = it->live_from;
        set_replayed(it, replayed, last, more);
    }
    if (it->reply && s)
        session_send(b, s, it->reply, it->reply_len);
    else if (it->reply)
        router_send(b, rid, rid_len, it->reply, it->reply_len);
}

/* A failed commit: every request in the batch is told, none succeeded. */
static void fail_batch(broker_t *b, batch_t *batch, sertel_err_t e)
{
    log_msg(LOG_ERROR, _("commit failed (%s): %d requests refused"), sertel_strerror(e), batch->n);
    broker_events_clear(b);
    for (int i = 0; i < batch->n; i++) {
        item_t *it = &batch->items[i];
        free(it->reply);
        Sertel__Envelope reply = SERTEL__ENVELOPE__INIT;
        Sertel__Error err = SERTEL__ERROR__INIT;
        set_error(&reply, &err, SERTEL_E_STORAGE, NULL);
        finish_reply(it, &reply, it->request_id);
        it->go_live = false;
        send_reply(b, it);
    }
}

void dispatch_batch(broker_t *b)
{
    static batch_t batch;
    batch.n = 0;
    while (batch.n < BATCH_MAX && read_item(b, &batch.items[batch.n], batch.n ? ZMQ_DONTWAIT : 0))
        batch.n++;
    if (!batch.n)
        return;
    int64_t now = b->batch_now = broker_now(b);
    sertel_err_t e = apply_batch(b, &batch, now);
    if (e == SERTEL_OK) {
        broker_after_commit(b);
        for (int i = 0; i < batch.n; i++)
            send_reply(b, &batch.items[i]);
        broker_push_committed(b);
    } else {
        broker_after_commit_clear(b);
        fail_batch(b, &batch, e);
    }
    broker_events_clear(b);
    for (int i = 0; i < batch.n; i++)
        item_free(&batch.items[i]);
}
