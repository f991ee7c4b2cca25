/* Stage 1 of the request path: receive. Reads up to BATCH_MAX requests
 * from the ROUTER socket into a batch; every later stage works on the
 * batch's items and none reads the socket again. */
#ifndef SERTEL_RECEIVE_H
#define SERTEL_RECEIVE_H

#include <zmq.h>

#include "cmd.h"

/* One request on its way through the stages. */
typedef struct {
    /* receive */
    zmq_msg_t rid, body;
    char nip[NIP_LEN + 1];  /* the ZAP User-Id of the connection */
    bool bad_frames;        /* not exactly one body frame */
    /* authorise */
    Sertel__Envelope *req;  /* decoded; owned */
    const command_def_t *def;
    officer_t officer;
    bool admitted;          /* passed authorisation: the apply stage runs it */
    uint64_t request_id;
    /* apply */
    uint8_t *reply;         /* packed reply Envelope */
    size_t reply_len;
    bool go_live;           /* a Welcome: replay, then live pushes */
    uint64_t live_from, since;
} item_t;

typedef struct {
    item_t items[BATCH_MAX];
    int n;
} batch_t;

/* Reads what is waiting (blocking for the first request only). Returns
 * the number of requests read. */
int receive_batch(broker_t *b, batch_t *batch);
void batch_free(batch_t *batch);

/* Packs reply as the item's answer (the request id is echoed). */
void item_answer(item_t *it, Sertel__Envelope *reply);
/* Answers the item with an error (why NULL or "": the code's text). */
void item_refuse(item_t *it, sertel_err_t code, const char *why);

#endif
