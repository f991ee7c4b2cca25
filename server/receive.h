/* Stage 1 of the request path: receive. Reads what is waiting on the
 * ROUTER socket, decodes it and queues it per key; then shares the next
 * batch out among the keys with requests waiting, in arrival order per
 * key: at most TURN_PER_KEY requests of a key per batch, and at most one
 * heavy one (a search, a replay, the journal...). A key that pipelines
 * thousands of searches thus delays another officer's request by one
 * batch at most. A request beyond the key's in-flight limit, or one that
 * does not decode, is answered with a refusal and queued no further.
 * Every later stage works on the batch's items; none reads the socket. */
#ifndef SERTEL_RECEIVE_H
#define SERTEL_RECEIVE_H

#include <zmq.h>

#include "cmd.h"

#define TURN_PER_KEY 64

/* One request on its way through the stages. */
typedef struct {
    /* receive */
    zmq_msg_t rid, body;
    char nip[NIP_LEN + 1];  /* the officer of the connection (ZAP User-Id) */
    char key_tag[17];       /* and the tag of its key (zap.h) */
    Sertel__Envelope *req;  /* decoded; owned */
    const command_def_t *def;
    uint64_t request_id;
    key_use_t *key;         /* counted in key->waiting until answered */
    /* authorise */
    officer_t officer;
    bool admitted;          /* passed authorisation: the apply stage runs it */
    /* apply */
    uint8_t *reply;         /* packed reply Envelope (set: answered) */
    size_t reply_len;
    bool go_live;           /* a Welcome: replay, then live pushes */
    int ev_end;             /* broker events[] up to here are of this item or earlier ones */
    uint64_t live_from, since;
} item_t;

typedef struct {
    /* taken from the backlog, and refused on receipt */
    item_t *items[2 * BATCH_MAX];
    int n;
} batch_t;

bool receive_init(broker_t *b);
void receive_free(broker_t *b);
/* Requests received and not yet taken into a batch? */
bool receive_pending(const broker_t *b);
/* Reads what is waiting (without blocking) and fills the next batch.
 * Returns the number of items in it. */
int receive_batch(broker_t *b, batch_t *batch);
/* Releases the batch's items once they are answered. */
void batch_free(batch_t *batch);

/* Packs reply as the item's answer (the request id is echoed). */
void item_answer(item_t *it, Sertel__Envelope *reply);
/* Answers the item with an error (why NULL or "": the code's text). */
void item_refuse(item_t *it, sertel_err_t code, const char *why);

#endif
