/* Live client sessions, keyed by the ROUTER routing id, and the one way
 * frames leave the broker. */
#ifndef SERTEL_SESSION_H
#define SERTEL_SESSION_H

#include <zmq.h>

#include "state.h"

session_t *session_find(broker_t *b, const uint8_t *rid, size_t len);
/* The session of a Hello; NULL when every slot holds a live officer. */
session_t *session_open(broker_t *b, const uint8_t *rid, size_t len, const char *nip, int64_t now);
/* Notes that the peer was heard from (a request of any kind). */
void session_touch(broker_t *b, const uint8_t *rid, size_t len, int64_t now);
/* Sends one frame to a peer that may have no session (a one-off request). */
void router_send(broker_t *b, const uint8_t *rid, size_t rid_len, const uint8_t *data, size_t len);
void session_close(broker_t *b, session_t *s);
/* The sessions of nip not cut off; with probe, each peer is checked
 * first (an empty frame) and the sessions of those gone are dropped. */
int session_count(broker_t *b, const char *nip, bool probe);
void session_cut_off(broker_t *b, const char *nip);
/* Sends one frame to a session; false (and the session is dropped) when
 * the peer is gone. */
bool session_send(broker_t *b, session_t *s, const uint8_t *data, size_t len);
/* The same for a message built in place; m is sent or closed either way. */
bool session_send_msg(broker_t *b, session_t *s, zmq_msg_t *m);
/* Whom officer o answers for at now: themselves and, as Plt/Plh, the
 * officials they stand in for. */
void session_scope_of(store_txn_t *txn, int64_t now, const officer_t *o, push_scope_t *scope);
/* The scope and role of a session's officer, or false when they may hear
 * nothing (no longer enrolled, disabled, cut off). */
bool session_listens(store_txn_t *t, int64_t now, const session_t *s, push_scope_t *scope,
                     role_t *role);

#endif
