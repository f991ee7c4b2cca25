/* ZAP (ZeroMQ RFC 27): which CURVE keys may connect. */
#ifndef SERTEL_ZAP_H
#define SERTEL_ZAP_H

#include <stdbool.h>

#include "state.h"

/* A connection's User-Id is "NIP TAG": TAG, the first bytes of the key
 * that opened it in hex, lets a request from a connection opened with a
 * key since replaced (officer rekey) be told apart and refused. */
#define ZAP_TAG_LEN 16
#define ZAP_USER_MAX (NIP_LEN + 1 + ZAP_TAG_LEN + 1)
const char *zap_key_tag(const uint8_t key[32], char tag[ZAP_TAG_LEN + 1]);

/* Binds the handler's socket (b->zap). It is renewed only when
 * b->zap_renewable says the ROUTER enforces its ZAP domain (no handler
 * bound: no client let in). */
bool zap_start(broker_t *b);
/* Answers one pending request on sock (b->zap or b->zap_prev). */
void zap_handle(broker_t *b, void *sock);
/* Asked after every ZAP_RENEW_ANSWERS answers and once a sweep: when
 * the bound socket has answered since it was bound, binds a new one and
 * keeps the old one answering until the next renewal (at least
 * ZAP_DRAIN_MS), which closes it with the pipes libzmq kept from every
 * connection it admitted (zap.c says why). True when the sockets
 * changed. */
#define ZAP_RENEW_ANSWERS 64
bool zap_renew(broker_t *b, int64_t now_ms);
void zap_stop(broker_t *b);

#endif
