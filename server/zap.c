/* ZAP (ZeroMQ RFC 27): the broker admits a CURVE client only when its
 * public key belongs to an enrolled, active officer. The handler is bound
 * before the ROUTER so that there is never a moment without it (libzmq
 * lets every client in when no handler answers, unless the socket
 * enforces its domain: then it lets none in).
 *
 * libzmq opens a pipe from each connection to the handler at its
 * handshake and keeps it for the connection's life, although it carries
 * nothing after the answer: about 10 KiB resident per connection (two
 * queues of 256 messages, their objects, the handler's routing entry).
 * It is dropped only when one of its ends closes, so the handler's
 * socket is renewed (zap_renew): a new one is bound, the old one answers
 * what reached it before and is closed at the next renewal, taking the
 * pipes of every connection it admitted with it. The memory freed is
 * taken by the connections that come after (glibc keeps it resident).
 *
 * Renewing is safe only because the ROUTER enforces its ZAP domain
 * (ZMQ_ZAP_ENFORCE_DOMAIN, honoured by libzmq 4.3): a handshake that
 * finds no handler between the unbind and the bind is refused, where
 * libzmq would otherwise let it in unauthenticated. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "i18n.h"
#include "log.h"
#include "zap.h"

#define ZAP_FRAMES 7
#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
/* How long a replaced socket goes on answering, at least: a connection
 * that looked the endpoint up just before the unbind hands its request to
 * the old socket through libzmq's I/O thread, and a request that arrives
 * after the close is lost (the handshake then waits for the ROUTER's
 * ZMQ_HANDSHAKE_IVL, 5 s, and connects again). A quarter of a second
 * covers a loaded machine's thread; longer keeps the pipes of a morning's
 * burst of connections alive (1 s: 42.5 MiB for 1,000 officers in bench
 * e, against 38.7 at 100 ms). */
#define ZAP_DRAIN_MS 250

static void reply(void *zap, const zmq_msg_t *request_id, const char *code,
                  const char *text, const char *user)
{
    zmq_send(zap, "1.0", 3, ZMQ_SNDMORE);
    zmq_send(zap, zmq_msg_data((zmq_msg_t *)request_id), zmq_msg_size((zmq_msg_t *)request_id),
             ZMQ_SNDMORE);
    zmq_send(zap, code, strlen(code), ZMQ_SNDMORE);
    zmq_send(zap, text, strlen(text), ZMQ_SNDMORE);
    zmq_send(zap, user, strlen(user), ZMQ_SNDMORE);
    zmq_send(zap, "", 0, 0);
}

/* Looks the key up in a short read transaction of its own; user is the
 * connection's User-Id, "NIP TAG" (zap.h: the key's tag), so that every
 * request names the key that opened its connection. */
static bool admit(broker_t *b, const uint8_t key[32], char user[ZAP_USER_MAX])
{
    store_txn_t *t;
    if (store_begin(b->store, NULL, false, &t) != SERTEL_OK)
        return false;
    officer_t o;
    bool ok = store_officer_by_key(t, key, &o) == SERTEL_OK && o.active;
    if (ok) {
        char tag[ZAP_TAG_LEN + 1];
        snprintf(user, ZAP_USER_MAX, "%s %s", o.nip, zap_key_tag(key, tag));
    }
    store_abort(&t);
    return ok;
}

const char *zap_key_tag(const uint8_t key[32], char tag[ZAP_TAG_LEN + 1])
{
    /* Asked for every request (authorise.c): no formatting. */
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < ZAP_TAG_LEN / 2; i++) {
        tag[2 * i] = hex[key[i] >> 4];
        tag[2 * i + 1] = hex[key[i] & 15];
    }
    tag[ZAP_TAG_LEN] = '\0';
    return tag;
}

void zap_handle(broker_t *b, void *sock)
{
    zmq_msg_t f[ZAP_FRAMES];
    int n = 0;
    int more = 1;
    while (more) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, sock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&m);
            break;
        }
        more = zmq_msg_more(&m);
        if (n < ZAP_FRAMES)
            f[n++] = m;
        else
            zmq_msg_close(&m);
    }
    if (n < 2)
        goto done;
    char user[ZAP_USER_MAX] = "";
    /* Only our own socket's domain, and only CURVE with a 32-byte key. */
    bool curve = n == ZAP_FRAMES && zmq_msg_size(&f[2]) == strlen(ZAP_DOMAIN) &&
                 memcmp(zmq_msg_data(&f[2]), ZAP_DOMAIN, strlen(ZAP_DOMAIN)) == 0 &&
                 zmq_msg_size(&f[5]) == 5 &&
                 memcmp(zmq_msg_data(&f[5]), "CURVE", 5) == 0 && zmq_msg_size(&f[6]) == 32;
    if (curve && admit(b, zmq_msg_data(&f[6]), user))
        reply(sock, &f[1], "200", "OK", user);
    else
        reply(sock, &f[1], "400", "unknown or disabled key", "");
    if (sock == b->zap)
        b->zap_answered++;
done:
    for (int i = 0; i < n; i++)
        zmq_msg_close(&f[i]);
}

bool zap_start(broker_t *b)
{
    b->zap = zmq_socket(b->ctx, ZMQ_REP);
    return b->zap && zmq_bind(b->zap, ZAP_ENDPOINT) == 0;
}

/* Answers whatever is waiting on sock, then closes it; the replies
 * already sent still reach their connections (the socket lingers). */
static void close_drained(broker_t *b, void *sock)
{
    uint32_t ev = 0;
    size_t len = sizeof ev;
    while (zmq_getsockopt(sock, ZMQ_EVENTS, &ev, &len) == 0 && (ev & ZMQ_POLLIN))
        zap_handle(b, sock);
    zmq_close(sock);
}

bool zap_renew(broker_t *b, int64_t now_ms)
{
    if (!b->zap_renewable)
        return false;
    /* A connection that found the old socket just before its unbind may
     * still be writing its request to it: it answers for a while yet. */
    if (b->zap_prev && now_ms - b->zap_prev_since < ZAP_DRAIN_MS)
        return false;
    if (b->zap_answered == 0) {
        if (!b->zap_prev)
            return false;
        close_drained(b, b->zap_prev);
        b->zap_prev = NULL;
        return true;
    }
    /* Between the unbind and the bind no handler is bound: a handshake
     * that asks then is refused (the domain is enforced) and its client
     * connects again. Each is a call into the context, microseconds. */
    void *fresh = zmq_socket(b->ctx, ZMQ_REP);
    bool unbound = fresh && zmq_unbind(b->zap, ZAP_ENDPOINT) == 0;
    if (!unbound || zmq_bind(fresh, ZAP_ENDPOINT) != 0) {
        int err = errno;
        if (fresh)
            zmq_close(fresh);
        /* Never left without a handler: the old one is bound again, and
         * kept (renewing is an economy, not a duty). */
        if (unbound && zmq_bind(b->zap, ZAP_ENDPOINT) != 0) {
            log_msg(LOG_ERROR, _("the key check cannot listen again: no officer can connect: %s"),
                    zmq_strerror(errno));
            zmq_close(b->zap);
            b->zap = NULL; /* the loop stops (broker.c) */
        }
        log_msg(LOG_WARN, _("the key check's socket cannot be renewed: %s"), zmq_strerror(err));
        b->zap_renewable = false;
        return false;
    }
    if (b->zap_prev)
        close_drained(b, b->zap_prev);
    b->zap_prev = b->zap;
    b->zap_prev_since = now_ms;
    b->zap = fresh;
    b->zap_answered = 0;
    return true;
}

void zap_stop(broker_t *b)
{
    if (b->zap_prev)
        zmq_close(b->zap_prev);
    if (b->zap)
        zmq_close(b->zap);
    b->zap_prev = b->zap = NULL;
}
