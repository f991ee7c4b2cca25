#include "replay.h"

#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "evwire.h"
#include "outbox.h"
#include "session.h"

typedef struct {
    const uint8_t *event;
    size_t len;
    uint64_t seq;
} pending_t;

typedef struct {
    broker_t *b;
    session_t *s;
    store_txn_t *t;
    uint64_t upto;
    int max;
    unsigned batch;
    bool full; /* the client's queue filled up (or a push could not be made) */
    push_scope_t scope;
    role_t role;
    replay_result_t *out;
    /* events chosen for the next message (pointing into the map) */
    pending_t pend[REPLAY_BATCH_MAX];
    unsigned n_pend;
    size_t pend_bytes;
} round_t;

/* The stored Events as they lie, framed as their push or batch: nothing
 * decoded or packed again (the bytes are those packing the unpacked
 * Events gives). */
static bool send_pending(round_t *r)
{
    uint8_t head[EVWIRE_HEAD_MAX];
    size_t body = 0, n;
    for (unsigned i = 0; r->batch > 1 && i < r->n_pend; i++)
        body += evwire_item_head(r->pend[i].len, head) + r->pend[i].len;
    n = r->batch > 1 ? evwire_batch_head(body, head) : evwire_push_head(r->pend[0].len, head);
    if (r->batch <= 1)
        body = r->pend[0].len;
    zmq_msg_t m;
    if (zmq_msg_init_size(&m, n + body) != 0)
        return false;
    uint8_t *p = zmq_msg_data(&m);
    memcpy(p, head, n);
    p += n;
    for (unsigned i = 0; i < r->n_pend; i++) {
        if (r->batch > 1)
            p += evwire_item_head(r->pend[i].len, p);
        memcpy(p, r->pend[i].event, r->pend[i].len);
        p += r->pend[i].len;
    }
    return session_send_msg(r->b, r->s, &m);
}

/* Sends what is pending; false when it could not (the round ends). */
static bool flush(round_t *r)
{
    if (!r->n_pend)
        return true;
    bool sent = send_pending(r);
    if (sent) {
        r->out->count += (int)r->n_pend;
        r->out->last = r->pend[r->n_pend - 1].seq;
    }
    r->full = !sent;
    r->n_pend = 0;
    r->pend_bytes = 0;
    return sent;
}

/* The notifier's push of a queued message carries the message itself
 * (always a single push), and none is sent (*skip) once it is final. */
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
    if (!evwire_concerns(je->rcpt, je->rcpt_len, &r->scope))
        return 0;
    if (r->role == ROLE_NOTIFIER && je->kind == SERTEL__EVENT_KIND__EV_MESSAGE_QUEUED) {
        bool skip = false, sent = flush(r) && send_queued_message(r, je, &skip);
        if (sent) {
            r->out->count++;
            r->out->last = je->seq;
        }
        r->full = !sent && !skip;
    } else {
        /* A batch stays far below what a client takes in one frame. */
        if (r->n_pend && r->pend_bytes + je->len > REPLAY_BATCH_BYTES && !flush(r))
            return 1;
        r->pend[r->n_pend++] = (pending_t){je->event, je->len, je->seq};
        r->pend_bytes += je->len;
        if (r->n_pend >= r->batch || r->out->count + (int)r->n_pend == r->max)
            flush(r);
    }
    return r->full || r->out->count == r->max;
}

unsigned replay_batch(const session_t *s, uint64_t since, unsigned batch)
{
    if (batch > REPLAY_BATCH_MAX)
        batch = REPLAY_BATCH_MAX;
    /* The Welcome came after everything queued before it: a Hello that
     * goes on from the last round's end has read the queue. */
    bool read = !s->replayed || since == s->round_end || since == s->round_last;
    return batch > 1 && read ? batch : 1;
}

void replay_round(broker_t *b, session_t *s, uint64_t since, uint64_t upto, unsigned batch,
                  replay_result_t *out)
{
    *out = (replay_result_t){.last = since};
    store_txn_t *t;
    out->failed = store_begin(b->store, NULL, false, &t);
    if (out->failed != SERTEL_OK)
        return;
    /* A round leaves half the client's queue free, for the Welcome and
     * the pushes that follow it. */
    int queue = b->cfg.limits.send_queue;
    round_t *r = malloc(sizeof *r);
    if (!r) {
        store_abort(&t);
        out->failed = SERTEL_E_NOMEM;
        return;
    }
    *r = (round_t){.b = b,
                   .s = s,
                   .t = t,
                   .upto = upto,
                   .batch = batch ? batch : 1,
                   .out = out,
                   .max = queue > 0 && queue / 2 < REPLAY_MAX ? (queue + 1) / 2 : REPLAY_MAX};
    if (session_listens(b, t, broker_now(b), s)) {
        r->scope = s->scope;
        r->role = s->role;
        /* The notifier keeps nothing across a restart: its catch-up is
         * every message not yet final, from the oldest. */
        if (r->role == ROLE_NOTIFIER)
            out->last = since = outbox_replay_from(t, since, upto);
        out->failed = store_journal_packed_since(t, since, replay_one, r);
        /* What the walk left pending went before the damage it met. */
        if (!r->full)
            flush(r);
    }
    store_abort(&t);
    out->more = r->full || out->count == r->max;
    free(r);
}

void replay_done(session_t *s, const replay_result_t *r, uint64_t upto)
{
    /* A round that queued no event proves nothing when asked from its
     * end: that is where it began (say, its queue was full). */
    if (!r->count)
        return;
    s->replayed = true;
    s->round_last = r->last;
    s->round_end = r->more ? r->last : upto; /* the Welcome's last_seq */
}
