/* ZAP (ZeroMQ RFC 27): which CURVE keys may connect. */
#ifndef SERTEL_ZAP_H
#define SERTEL_ZAP_H

#include "state.h"

/* A connection's User-Id is "NIP TAG": TAG, the first bytes of the key
 * that opened it in hex, lets a request from a connection opened with a
 * key since replaced (officer rekey) be told apart and refused. */
#define ZAP_TAG_LEN 16
#define ZAP_USER_MAX (NIP_LEN + 1 + ZAP_TAG_LEN + 1)
const char *zap_key_tag(const uint8_t key[32], char tag[ZAP_TAG_LEN + 1]);

/* Answers one pending request on b->zap. */
void zap_handle(broker_t *b);

#endif
