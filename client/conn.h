/* A client's connection to the broker: CURVE over a DEALER socket, one
 * request at a time, pushed events queued while a reply is awaited. */
#ifndef SERTEL_CONN_H
#define SERTEL_CONN_H

#include <stddef.h>

#include "err.h"
#include "keyfile.h"
#include "sertel.pb-c.h"

typedef struct conn conn_t;

/* endpoint NULL: the key file's. Connecting is asynchronous: an
 * unreachable broker shows as a timeout on the first call. */
conn_t *conn_open(const keyfile_t *kf, const char *endpoint, char *err, size_t errlen);
void conn_close(conn_t **c);
const char *conn_endpoint(const conn_t *c);

/* Sends req (version and a fresh request id are set here) and waits for
 * its reply, resending it with the same id once if the first wait times
 * out (the broker never applies a request id twice). Returns SERTEL_OK and
 * the reply (free with sertel__envelope__free_unpacked), SERTEL_E_IO when
 * the broker did not answer in time, SERTEL_E_DENIED when it refused our
 * key during the handshake. An Error reply is returned as SERTEL_OK: the
 * caller reads it. */
sertel_err_t conn_call(conn_t *c, Sertel__Envelope *req, Sertel__Envelope **reply,
                       int timeout_ms, char *err, size_t errlen);

/* The next pushed event, from the queue or the socket, waiting up to
 * timeout_ms (-1: forever). NULL on timeout or interruption. Free with
 * sertel__envelope__free_unpacked. Besides events (body push) it returns
 * the broker's Behind notice (body behind): pushes stopped because this
 * client did not read, and it must say Hello again to catch up. */
Sertel__Envelope *conn_next_push(conn_t *c, int timeout_ms);
/* Replayed events come in batches of this many when a Hello asks for
 * them (Hello.batch): fewer messages, each sealed once, and conn_t queues
 * them as single pushes, so every caller can ask. */
#define CONN_HELLO_BATCH 256

/* How many times the CURVE handshake with the broker has succeeded. libzmq
 * reconnects by itself after a broker restart or a network break, but the
 * broker's new session is not live until it hears Hello again: a client
 * that waits for pushes compares this count and says Hello (with the last
 * sequence it saw) when it grows. */
unsigned conn_handshakes(conn_t *c);

/* The socket, to poll alongside other input (e.g. a terminal). */
void *conn_socket(conn_t *c);

#endif
