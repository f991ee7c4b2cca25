/* Live client sessions, keyed by the ROUTER routing id. A session belongs
 * to the officer whose key opened the connection (ZAP User-Id). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "session.h"

session_t *session_find(broker_t *b, const uint8_t *rid, size_t len)
{
    for (int i = 0; i < b->n_sessions; i++)
        if (b->sessions[i].rid_len == len && memcmp(b->sessions[i].rid, rid, len) == 0)
            return &b->sessions[i];
    return NULL;
}

/* Makes room by forgetting the session heard from longest ago, but only
 * one that is cut off or silent past SESSION_QUIET_S (live clients ping
 * every few seconds): a listening officer is never silently dropped. */
static session_t *evict_quiet(broker_t *b, int64_t now)
{
    int oldest = -1;
    for (int i = 0; i < b->n_sessions; i++) {
        const session_t *s = &b->sessions[i];
        bool quiet = s->cut_off || !s->live || s->last_seen < now - SESSION_QUIET_S;
        if (quiet && (oldest < 0 || s->last_seen < b->sessions[oldest].last_seen))
            oldest = i;
    }
    return oldest < 0 ? NULL : &b->sessions[oldest];
}

void session_touch(broker_t *b, const uint8_t *rid, size_t len, int64_t now)
{
    session_t *s = session_find(b, rid, len);
    if (s)
        s->last_seen = now;
}

session_t *session_open(broker_t *b, const uint8_t *rid, size_t len, const char *nip, int64_t now)
{
    session_t *s = session_find(b, rid, len);
    if (!s)
        s = b->n_sessions < MAX_SESSIONS ? &b->sessions[b->n_sessions++] : evict_quiet(b, now);
    if (!s)
        return NULL;
    if (s->rid_len != len || memcmp(s->rid, rid, len) != 0 || strcmp(s->nip, nip) != 0) {
        memset(s, 0, sizeof *s);
        memcpy(s->rid, rid, len);
        s->rid_len = len;
        snprintf(s->nip, sizeof s->nip, "%s", nip);
    }
    s->last_seen = now;
    return s;
}

void session_close(broker_t *b, session_t *s)
{
    int i = (int)(s - b->sessions);
    b->sessions[i] = b->sessions[--b->n_sessions];
}

/* Is the peer still connected? ROUTER_MANDATORY refuses the routing id
 * of one that is gone; one that is there gets an empty frame, which
 * clients ignore (docs/protocol.md). */
static bool session_probe(broker_t *b, session_t *s)
{
    if (zmq_send(b->router, s->rid, s->rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
        return errno != EHOSTUNREACH;
    zmq_send(b->router, "", 0, ZMQ_DONTWAIT);
    return true;
}

int session_count(broker_t *b, const char *nip, bool probe)
{
    int n = 0;
    for (int i = 0; i < b->n_sessions; i++) {
        session_t *s = &b->sessions[i];
        if (s->cut_off || strcmp(s->nip, nip) != 0)
            continue;
        if (probe && !session_probe(b, s)) {
            session_close(b, s); /* the last session moved here: look again */
            i--;
            continue;
        }
        n++;
    }
    return n;
}

void session_cut_off(broker_t *b, const char *nip)
{
    for (int i = 0; i < b->n_sessions; i++)
        if (strcmp(b->sessions[i].nip, nip) == 0) {
            b->sessions[i].cut_off = true;
            b->sessions[i].live = false;
        }
}

void router_send(broker_t *b, const uint8_t *rid, size_t rid_len, const uint8_t *data, size_t len)
{
    if (zmq_send(b->router, rid, rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0)
        zmq_send(b->router, data, len, ZMQ_DONTWAIT);
}

/* After a frame to s was sent (ok) or not. */
static bool sent(broker_t *b, session_t *s, bool ok)
{
    if (!ok) {
        /* ROUTER_MANDATORY makes a vanished peer an error instead of a
         * silent drop; its events are replayed when it says Hello again. */
        if (errno == EHOSTUNREACH) {
            session_close(b, s);
        } else if (errno == EAGAIN) {
            /* Its queue is full (--send-queue): a client that does not
             * read gets nothing more buffered; it catches up from the
             * journal once told (fanout_behind). */
            s->behind = true;
            s->live = false;
        }
        return false;
    }
    /* Delivered to a connected peer: a listener that only receives is
     * as alive as one that asks. */
    s->last_seen = b->batch_now;
    return true;
}

bool session_send(broker_t *b, session_t *s, const uint8_t *data, size_t len)
{
    return sent(b, s,
                zmq_send(b->router, s->rid, s->rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0 &&
                    zmq_send(b->router, data, len, ZMQ_DONTWAIT) >= 0);
}

bool session_send_msg(broker_t *b, session_t *s, zmq_msg_t *m)
{
    bool ok = zmq_send(b->router, s->rid, s->rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0 &&
              zmq_msg_send(m, b->router, ZMQ_DONTWAIT) >= 0;
    int err = errno;
    if (!ok)
        zmq_msg_close(m); /* not taken by a send that failed */
    errno = err;
    return sent(b, s, ok);
}

static bool acting_now(const Sertel__Acting *a, int64_t now)
{
    return !a->ended && a->from <= now && now < a->to;
}

typedef struct {
    store_txn_t *txn;
    int64_t now;
    const officer_t *o;
    push_scope_t *scope;
    int64_t until;
} scope_walk_t;

static int add_acting_holder(const Sertel__Acting *a, void *arg)
{
    scope_walk_t *w = arg;
    officer_t holder;
    if (a->ended || strcmp(a->by_nip, w->o->nip) != 0)
        return 0;
    /* The scope holds until one of the officer's acting periods begins
     * or ends. */
    int64_t edge = w->now < a->from ? a->from : w->now < a->to ? a->to : INT64_MAX;
    if (edge < w->until)
        w->until = edge;
    if (acting_now(a, w->now) && store_officer_get(w->txn, a->holder_nip, &holder, NULL) == SERTEL_OK)
        push_scope_add(w->scope, &holder);
    return 0;
}

int64_t session_scope_of(store_txn_t *txn, int64_t now, const officer_t *o, push_scope_t *scope)
{
    scope->n = 0;
    push_scope_add(scope, o);
    scope_walk_t w = {txn, now, o, scope, INT64_MAX};
    store_actings(txn, add_acting_holder, &w);
    return w.until;
}

bool session_listens(broker_t *b, store_txn_t *t, int64_t now, session_t *s)
{
    if (s->cut_off)
        return false;
    if (s->scope_gen == b->officers_gen && s->scope_from <= now && now < s->scope_until)
        return s->listens;
    officer_t o;
    sertel_err_t e = store_officer_get(t, s->nip, &o, NULL);
    s->listens = e == SERTEL_OK && o.active;
    s->scope.n = 0;
    s->scope_from = now;
    s->scope_until = s->listens ? session_scope_of(t, now, &o, &s->scope) : INT64_MAX;
    s->role = s->listens ? o.role : ROLE_NONE;
    /* A store that could not be read is asked again next time. */
    s->scope_gen = e == SERTEL_OK || e == SERTEL_E_NOT_FOUND ? b->officers_gen : 0;
    return s->listens;
}
