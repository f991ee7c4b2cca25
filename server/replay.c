#include "replay.h"

#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "evwire.h"
#include "outbox.h"
#include "session.h"

typedef struct {
    broker_t *b;
    session_t *s;
    store_txn_t *t;
    uint64_t upto, last;
    int count, max;
    bool full; /* the client's queue filled up (or a push could not be made) */
    push_scope_t scope;
    role_t role;
} round_t;

/* The stored Event as it lies, framed as its push: nothing decoded or
 * packed again (the bytes are those packing the unpacked Event gives). */
static bool send_stored(round_t *r, const store_jevent_t *je)
{
    uint8_t head[EVWIRE_HEAD_MAX];
    size_t n = evwire_push_head(je->len, head);
    zmq_msg_t m;
    if (zmq_msg_init_size(&m, n + je->len) != 0)
        return false;
    uint8_t *p = zmq_msg_data(&m);
    memcpy(p, head, n);
    memcpy(p + n, je->event, je->len);
    return session_send_msg(r->b, r->s, &m);
}

/* The notifier's push of a queued message carries the message itself,
 * and none is sent (*skip) once the message is final. */
static bool send_queued_message(round_t *r, const store_jevent_t *je, bool *skip)
{
    Sertel__Event *ev = sertel__event__unpack(NULL, je->len, je->event);
    size_t len = 0;
    uint8_t *buf = ev ? outbox_pack_push(r->t, ev, &len, skip) : NULL;
    bool sent = !*skip && buf && session_send(r->b, r->s, buf, len);
    free(buf);
    if (ev)
        sertel__event__free_unpacked(ev, NULL);
    return sent;
}

static int replay_one(const store_jevent_t *je, void *arg)
{
    round_t *r = arg;
    if (je->seq > r->upto)
        return 1;
    if (!evwire_concerns(je->event, je->len, &r->scope))
        return 0;
    bool skip = false, sent;
    if (r->role == ROLE_NOTIFIER && je->kind == SERTEL__EVENT_KIND__EV_MESSAGE_QUEUED)
        sent = send_queued_message(r, je, &skip);
    else
        sent = send_stored(r, je);
    if (skip)
        return 0;
    if (sent) {
        r->count++;
        r->last = je->seq;
    }
    r->full = !sent;
    return !sent || r->count == r->max;
}

int replay_round(broker_t *b, session_t *s, uint64_t since, uint64_t upto, uint64_t *last,
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
    round_t r = {.b = b, .s = s, .t = t, .upto = upto, .last = since,
                 .max = queue > 0 && queue / 2 < REPLAY_MAX ? (queue + 1) / 2 : REPLAY_MAX};
    if (session_listens(b, t, broker_now(b), s)) {
        r.scope = s->scope;
        r.role = s->role;
        /* The notifier keeps nothing across a restart: its catch-up is
         * every message not yet final, from the oldest. */
        if (r.role == ROLE_NOTIFIER)
            r.last = since = outbox_replay_from(t, since, upto);
        *failed = store_journal_packed_since(t, since, replay_one, &r);
    }
    store_abort(&t);
    *last = r.last;
    *more = r.full || r.count == r.max;
    return r.count;
}
