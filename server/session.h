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
 * officials they stand in for. Returns when that may next change (an
 * acting period of theirs begins or ends; INT64_MAX: none). */
int64_t session_scope_of(store_txn_t *txn, int64_t now, const officer_t *o, push_scope_t *scope);
/* Whether a session's officer may hear anything (not cut off, still
 * enrolled and active), with their scope and role in s->scope, s->role.
 * Read from the store only when an officer or acting official changed
 * since (b->officers_gen), or an acting period of theirs began or ended:
 * not for every batch. */
bool session_listens(broker_t *b, store_txn_t *t, int64_t now, session_t *s);

#endif
