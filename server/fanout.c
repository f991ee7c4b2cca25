#include "fanout.h"

#include <stdio.h>
#include <stdlib.h>

#include "i18n.h"
#include "outbox.h"

static uint8_t *pack_push(const Sertel__Event *ev, size_t *len)
{
    Sertel__Envelope env = SERTEL__ENVELOPE__INIT;
    env.version = PROTOCOL_VERSION;
    env.body_case = SERTEL__ENVELOPE__BODY_PUSH;
    env.push = (Sertel__Event *)ev;
    return codec_pack(&env.base, len);
}

/* The push of ev to a session of role: the notifier gets the queued
 * message with it, and nothing (*skip) for a message already final. */
static uint8_t *pack_for(store_txn_t *t, role_t role, const Sertel__Event *ev, size_t *len, bool *skip)
{
    *skip = false;
    if (role == ROLE_NOTIFIER && ev->kind == SERTEL__EVENT_KIND__EV_MESSAGE_QUEUED)
        return outbox_pack_push(t, ev, len, skip);
    return pack_push(ev, len);
}

/* The scope and role of a session's officer, or false when they may hear
 * nothing (no longer enrolled, disabled, cut off). */
static bool session_listens(store_txn_t *t, int64_t now, const session_t *s, push_scope_t *scope,
                            role_t *role)
{
    officer_t o;
    if (s->cut_off || store_officer_get(t, s->nip, &o, NULL) != SERTEL_OK || !o.active)
        return false;
    session_scope_of(t, now, &o, scope);
    *role = o.role;
    return true;
}

/* ---- pushes of a committed transaction */

void fanout_push(broker_t *b)
{
    store_txn_t *t;
    if (!b->n_events || store_begin(b->store, NULL, false, &t) != SERTEL_OK) {
        broker_events_clear(b);
        return;
    }
    int64_t now = broker_now(b);
    for (int i = 0; i < b->n_sessions; i++) {
        session_t *s = &b->sessions[i];
        int n_sessions = b->n_sessions;
        push_scope_t scope;
        role_t role;
        if (!s->live || !session_listens(t, now, s, &scope, &role))
            continue;
        for (int j = 0; j < b->n_events; j++) {
            const Sertel__Event *ev = b->events[j].ev;
            if (ev->seq <= s->live_from || !push_concerns(ev, &scope))
                continue;
            size_t len;
            bool skip;
            uint8_t *buf = pack_for(t, role, ev, &len, &skip);
            if (skip)
                continue;
            bool sent = buf && session_send(b, s, buf, len);
            free(buf);
            if (sent)
                s->sent_seq = ev->seq;
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
    broker_events_clear(b);
    fanout_behind(b);
}

/* ---- clients that did not read */

void fanout_behind(broker_t *b)
{
    for (int i = 0; i < b->n_sessions; i++) {
        session_t *s = &b->sessions[i];
        if (!s->behind)
            continue;
        Sertel__Behind behind = SERTEL__BEHIND__INIT;
        behind.last_seq = s->sent_seq;
        Sertel__Envelope env = SERTEL__ENVELOPE__INIT;
        env.version = PROTOCOL_VERSION;
        env.body_case = SERTEL__ENVELOPE__BODY_BEHIND;
        env.behind = &behind;
        size_t len;
        uint8_t *buf = codec_pack(&env.base, &len);
        int n_sessions = b->n_sessions;
        /* Still full: told on a later round. Sent: the client says Hello
         * once it has read what was queued before. */
        if (buf && session_send(b, s, buf, len))
            s->behind = false;
        else if (b->n_sessions < n_sessions)
            i--; /* gone: the last session moved into this slot */
        free(buf);
    }
}

/* ---- catch-up before a Welcome */

typedef struct {
    broker_t *b;
    session_t *s;
    store_txn_t *t;
    uint64_t upto, last;
    int count, max;
    bool full; /* the client's queue filled up */
    push_scope_t scope;
    role_t role;
} replay_t;

static int replay_one(const Sertel__Event *ev, void *arg)
{
    replay_t *r = arg;
    if (ev->seq > r->upto)
        return 1;
    if (!push_concerns(ev, &r->scope))
        return 0;
    size_t len;
    bool skip;
    uint8_t *buf = pack_for(r->t, r->role, ev, &len, &skip);
    if (skip)
        return 0;
    bool sent = buf && session_send(r->b, r->s, buf, len);
    free(buf);
    if (sent) {
        r->count++;
        r->last = ev->seq;
    }
    r->full = !sent;
    return !sent || r->count == r->max;
}

/* Replays up to REPLAY_MAX events after since (up to upto), fewer when
 * the client's queue fills up first; returns how many, in *last the
 * sequence of the last one sent, and in *more whether events are left. */
static int replay(broker_t *b, session_t *s, uint64_t since, uint64_t upto, uint64_t *last,
                  bool *more, sertel_err_t *failed)
{
    store_txn_t *t;
    *last = since;
    *more = false;
    *failed = store_begin(b->store, NULL, false, &t);
    if (*failed != SERTEL_OK)
        return 0;
    /* A round leaves half the client's queue free, for the Welcome and
     * the pushes that follow it. */
    int queue = b->cfg.limits.send_queue;
    replay_t r = {.b = b, .s = s, .t = t, .upto = upto, .last = since,
                  .max = queue > 0 && queue / 2 < REPLAY_MAX ? (queue + 1) / 2 : REPLAY_MAX};
    if (session_listens(t, broker_now(b), s, &r.scope, &r.role)) {
        /* The notifier keeps nothing across a restart: its catch-up is
         * every message not yet final, from the oldest. */
        if (r.role == ROLE_NOTIFIER)
            r.last = since = outbox_replay_from(t, since, upto);
        *failed = store_journal_since(t, since, replay_one, &r);
    }
    store_abort(&t);
    *last = r.last;
    *more = r.full || r.count == r.max;
    return r.count;
}

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
        bool more;
        sertel_err_t failed;
        int replayed = replay(b, s, it->since, it->live_from, &last, &more, &failed);
        /* A peer gone during the replay had its session dropped and
         * another moved into the slot: never touch or answer that one. */
        s = session_find(b, rid, rid_len);
        if (!s)
            return;
        /* A journal record that cannot be read is never a silent end of
         * the replay: the client is told instead of welcomed as caught up
         * (the store has logged the damage and stopped taking writes). */
        if (failed != SERTEL_OK) {
            char why[256];
            i18n_use(it->req ? it->req->lang : NULL);
            snprintf(why, sizeof why, _("catch-up stopped after event %llu: %s"),
                     (unsigned long long)last, sertel_strerror(failed));
            item_refuse(it, failed, why);
            i18n_use(NULL);
            s->live = false;
            session_send(b, s, it->reply, it->reply_len);
            return;
        }
        /* Live only once caught up: a gap between the rounds and the
         * live stream would lose events. */
        s->live = !more;
        s->live_from = it->live_from;
        s->sent_seq = last;
        /* The round's end is in the Welcome: no notice owed for it. */
        s->behind = false;
        set_replayed(it, replayed, last, more);
    }
    if (it->reply && s)
        session_send(b, s, it->reply, it->reply_len);
    else if (it->reply)
        router_send(b, rid, rid_len, it->reply, it->reply_len);
}

void fanout_replies(broker_t *b, batch_t *batch)
{
    for (int i = 0; i < batch->n; i++)
        send_reply(b, batch->items[i]);
}
