#include "fanout.h"

#include <stdio.h>
#include <stdlib.h>

#include "i18n.h"
#include "outbox.h"
#include "replay.h"

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
        int replayed = replay_round(b, s, it->since, it->live_from, &last, &more, &failed);
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
