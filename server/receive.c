#include "receive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads one ROUTER message: routing id, then exactly one body frame. */
static bool read_item(broker_t *b, item_t *it, int flags)
{
    memset(it, 0, sizeof *it);
    zmq_msg_init(&it->rid);
    zmq_msg_init(&it->body);
    if (zmq_msg_recv(&it->rid, b->router, flags) < 0)
        return false;
    zmq_msg_recv(&it->body, b->router, 0);
    const char *user = zmq_msg_gets(&it->body, "User-Id");
    snprintf(it->nip, sizeof it->nip, "%s", user ? user : "");
    /* Frames past the first are read and dropped up to the message's
     * last one: the flag to follow is the last frame's, not the body's
     * (which would never clear and block on the next peer's message). */
    bool more = zmq_msg_more(&it->body);
    while (more) {
        it->bad_frames = true;
        zmq_msg_t extra;
        zmq_msg_init(&extra);
        more = zmq_msg_recv(&extra, b->router, 0) >= 0 && zmq_msg_more(&extra);
        zmq_msg_close(&extra);
    }
    return true;
}

int receive_batch(broker_t *b, batch_t *batch)
{
    batch->n = 0;
    while (batch->n < BATCH_MAX &&
           read_item(b, &batch->items[batch->n], batch->n ? ZMQ_DONTWAIT : 0))
        batch->n++;
    /* The item that found nothing to read holds no message. */
    if (batch->n < BATCH_MAX) {
        zmq_msg_close(&batch->items[batch->n].rid);
        zmq_msg_close(&batch->items[batch->n].body);
    }
    return batch->n;
}

void batch_free(batch_t *batch)
{
    for (int i = 0; i < batch->n; i++) {
        item_t *it = &batch->items[i];
        zmq_msg_close(&it->rid);
        zmq_msg_close(&it->body);
        if (it->req)
            sertel__envelope__free_unpacked(it->req, NULL);
        free(it->reply);
    }
    batch->n = 0;
}

void item_answer(item_t *it, Sertel__Envelope *reply)
{
    free(it->reply);
    reply->version = PROTOCOL_VERSION;
    reply->request_id = it->request_id;
    it->reply = codec_pack(&reply->base, &it->reply_len);
}

void item_refuse(item_t *it, sertel_err_t code, const char *why)
{
    Sertel__Envelope reply = SERTEL__ENVELOPE__INIT;
    Sertel__Error err = SERTEL__ERROR__INIT;
    err.code = (Sertel__ErrorCode)code;
    err.message = (char *)(why && *why ? why : sertel_strerror(code));
    reply.body_case = SERTEL__ENVELOPE__BODY_ERROR;
    reply.error = &err;
    item_answer(it, &reply);
}
