#include "fanout.h"

#include <stdio.h>
#include <stdlib.h>

#include "i18n.h"
#include "outbox.h"
#include "replay.h"
#include "session.h"

/* A committed change to an officer or an acting official (the events say
 * so) makes every session's scope stale. */
static void note_officer_changes(broker_t *b)
{
    for (int i = 0; i < b->n_events; i++) {
        Sertel__EventKind k = b->events[i]->kind;
        if (k == SERTEL__EVENT_KIND__EV_OFFICER_CHANGED || k == SERTEL__EVENT_KIND__EV_ACTING_CHANGED) {
            b->officers_gen++;
            return;
        }
    }
}

/* ---- pushes of a committed transaction */

/* One fan-out: the events the transaction kept go out in seq order, each
 * request's right after its reply. */
typedef struct {
    broker_t *b;
    store_txn_t *t; /* NULL: nothing to push */
    int64_t now;
    int pushed;     /* b->events[] before this went to every live session */
} fan_t;

/* The notifier's push of a queued message: the message goes with it,
 * and none (*skip) once it is final. */
static uint8_t *notifier_push(store_txn_t *t, const pending_event_t *p, size_t *len, bool *skip)
{
    Sertel__Envelope *env = sertel__envelope__unpack(NULL, p->frame_len, p->frame);
    uint8_t *buf = env ? outbox_pack_push(t, env->push, len, skip) : NULL;
    if (env)
        sertel__envelope__free_unpacked(env, NULL);
    return buf;
}

/* Sends s the events [from, to) that concern it; false when it stopped
 * taking them (its queue is full, or its peer is gone and the slot holds
 * another session). */
static bool push_range(fan_t *f, session_t *s, int from, int to)
{
    broker_t *b = f->b;
    if (from >= to || !session_listens(b, f->t, f->now, s))
        return true;
    for (int j = from; j < to; j++) {
        const pending_event_t *p = b->events[j];
        if (p->seq <= s->live_from || !push_targets_concern(&p->to, &s->scope))
            continue;
        /* The notifier's push of a queued message carries the message. */
        const uint8_t *frame = p->frame;
        size_t len = p->frame_len;
        uint8_t *own = NULL;
        bool skip = false;
        if (s->role == ROLE_NOTIFIER && p->kind == SERTEL__EVENT_KIND__EV_MESSAGE_QUEUED)
            frame = own = notifier_push(f->t, p, &len, &skip);
        if (skip)
            continue;
        if (!frame) {
            /* Not built (memory, the outbox unreadable): later events
             * must not pass it silently; the session catches up from
             * the journal once told (fanout_behind). */
            s->behind = true;
            s->live = false;
            return false;
        }
        bool sent = session_send(b, s, frame, len);
        free(own);
        if (!sent)
            return false;
        s->sent_seq = p->seq;
    }
    return true;
}

/* Pushes the events from f->pushed up to to to every live session. */
static void push_upto(fan_t *f, int to)
{
    broker_t *b = f->b;
    if (!f->t || to <= f->pushed)
        return;
    for (int i = 0; i < b->n_sessions; i++) {
        int n_sessions = b->n_sessions;
        /* A vanished peer's session is dropped and the last session moved
         * into its slot: that one is still due its pushes, so the slot is
         * visited again. */
        session_t *s = &b->sessions[i];
        if (s->live && !s->welcome_due && !push_range(f, s, f->pushed, to) &&
            b->n_sessions < n_sessions)
            i--;
    }
    f->pushed = to;
}

static void fan_begin(fan_t *f, broker_t *b, bool committed)
{
    *f = (fan_t){.b = b, .now = broker_now(b)};
    if (!committed || !b->n_events)
        return;
    note_officer_changes(b);
    if (store_begin(b->store, NULL, false, &f->t) != SERTEL_OK)
        f->t = NULL;
}

static void fan_end(fan_t *f)
{
    bool pushed = f->t != NULL;
    store_abort(&f->t);
    broker_events_clear(f->b);
    if (pushed)
        fanout_behind(f->b);
}

void fanout_push(broker_t *b)
{
    fan_t f;
    fan_begin(&f, b, true);
    push_upto(&f, b->n_events);
    fan_end(&f);
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

static void send_reply(fan_t *f, item_t *it)
{
    broker_t *b = f->b;
    const uint8_t *rid = zmq_msg_data(&it->rid);
    size_t rid_len = zmq_msg_size(&it->rid);
    session_t *s = session_find(b, rid, rid_len);
    bool held = it->go_live && s && s->welcome_due;
    if (held)
        s->welcome_due = false;
    /* A session cut off in this batch (its officer disabled) never goes
     * live, even when its Hello came first. */
    if (it->go_live && s && !s->cut_off) {
        const Sertel__Hello *h =
            it->req && it->req->body_case == SERTEL__ENVELOPE__BODY_HELLO ? it->req->hello : NULL;
        unsigned batch = h ? replay_batch(s, it->since, h->batch) : 1;
        replay_result_t r;
        replay_round(b, s, it->since, it->live_from, batch, &r);
        /* A peer gone during the replay had its session dropped and
         * another moved into the slot: never touch or answer that one. */
        s = session_find(b, rid, rid_len);
        if (!s)
            return;
        /* A journal record that cannot be read is never a silent end of
         * the replay: the client is told instead of welcomed as caught up
         * (the store has logged the damage and stopped taking writes). */
        if (r.failed != SERTEL_OK) {
            char why[256];
            i18n_use(it->req ? it->req->lang : NULL);
            snprintf(why, sizeof why, _("catch-up stopped after event %llu: %s"),
                     (unsigned long long)r.last, sertel_strerror(r.failed));
            item_refuse(it, r.failed, why);
            i18n_use(NULL);
            s->live = false;
            session_send(b, s, it->reply, it->reply_len);
            return;
        }
        replay_done(s, &r, it->live_from);
        /* Live only once caught up: a gap between the rounds and the
         * live stream would lose events. */
        s->live = !r.more;
        s->live_from = it->live_from;
        s->sent_seq = r.last;
        /* The round's end is in the Welcome: no notice owed for it. */
        s->behind = false;
        set_replayed(it, r.count, r.last, r.more);
    }
    if (it->reply && s) {
        /* The events of the requests answered before in this batch (all
         * after the replay's end) were held back for the Welcome. */
        if (session_send(b, s, it->reply, it->reply_len) && s->live && held)
            push_range(f, s, 0, f->pushed);
    } else if (it->reply) {
        router_send(b, rid, rid_len, it->reply, it->reply_len);
    }
}

void fanout_batch(broker_t *b, batch_t *batch, bool committed)
{
    fan_t f;
    fan_begin(&f, b, committed);
    for (int i = 0; i < batch->n; i++) {
        item_t *it = batch->items[i];
        session_t *s = it->go_live ? session_find(b, zmq_msg_data(&it->rid), zmq_msg_size(&it->rid)) : NULL;
        if (s)
            s->welcome_due = true;
    }
    for (int i = 0; i < batch->n; i++) {
        send_reply(&f, batch->items[i]);
        push_upto(&f, batch->items[i]->ev_end);
    }
    push_upto(&f, b->n_events);
    fan_end(&f);
}
