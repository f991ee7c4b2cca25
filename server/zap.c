/* ZAP (ZeroMQ RFC 27): the broker admits a CURVE client only when its
 * public key belongs to an enrolled, active officer. The handler is bound
 * before the ROUTER so that there is never a moment without it (libzmq
 * lets every client in when no handler answers). */
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "zap.h"

#define ZAP_FRAMES 7

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

void zap_handle(broker_t *b)
{
    zmq_msg_t f[ZAP_FRAMES];
    int n = 0;
    int more = 1;
    while (more) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, b->zap, ZMQ_DONTWAIT) < 0) {
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
        reply(b->zap, &f[1], "200", "OK", user);
    else
        reply(b->zap, &f[1], "400", "unknown or disabled key", "");
done:
    for (int i = 0; i < n; i++)
        zmq_msg_close(&f[i]);
}
