#include "receive.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "log.h"
#include "text.h"

struct backlog {
    item_t **items; /* arrival order */
    int n, cap;
    uint64_t turn;
};

bool receive_init(broker_t *b)
{
    b->backlog = calloc(1, sizeof *b->backlog);
    return b->backlog != NULL;
}

static void item_free(item_t *it)
{
    zmq_msg_close(&it->rid);
    zmq_msg_close(&it->body);
    if (it->req)
        sertel__envelope__free_unpacked(it->req, NULL);
    free(it->reply);
    if (it->key)
        it->key->waiting--;
    free(it);
}

void receive_free(broker_t *b)
{
    if (!b->backlog)
        return;
    for (int i = 0; i < b->backlog->n; i++)
        item_free(b->backlog->items[i]);
    free(b->backlog->items);
    free(b->backlog);
    b->backlog = NULL;
}

bool receive_pending(const broker_t *b)
{
    return b->backlog && b->backlog->n > 0;
}

/* Reads one ROUTER message: routing id, then exactly one body frame.
 * NULL when nothing is waiting. */
static item_t *read_item(broker_t *b, bool *bad_frames)
{
    item_t *it = calloc(1, sizeof *it);
    if (!it)
        return NULL;
    zmq_msg_init(&it->rid);
    zmq_msg_init(&it->body);
    if (zmq_msg_recv(&it->rid, b->router, ZMQ_DONTWAIT) < 0) {
        item_free(it);
        return NULL;
    }
    zmq_msg_recv(&it->body, b->router, 0);
    const char *user = zmq_msg_gets(&it->body, "User-Id");
    const char *space = user ? strchr(user, ' ') : NULL;
    text_copy(it->nip, sizeof it->nip, user ? user : "", space ? (size_t)(space - user) : 0);
    text_copy(it->key_tag, sizeof it->key_tag, space ? space + 1 : "", SIZE_MAX);
    /* Frames past the first are read and dropped up to the message's
     * last one: the flag to follow is the last frame's, not the body's
     * (which would never clear and block on the next peer's message). */
    bool more = zmq_msg_more(&it->body);
    *bad_frames = more;
    while (more) {
        zmq_msg_t extra;
        zmq_msg_init(&extra);
        more = zmq_msg_recv(&extra, b->router, 0) >= 0 && zmq_msg_more(&extra);
        zmq_msg_close(&extra);
    }
    return it;
}

/* The request id of a frame refused before decoding (several frames, a
 * wrong version, no body), when it can be read at all: the error reply
 * then reaches the caller waiting on that id instead of looking like
 * silence. */
static uint64_t readable_request_id(zmq_msg_t *body)
{
    size_t len = zmq_msg_size(body);
    if (len == 0 || len > FRAME_MAX)
        return 0;
    Sertel__Envelope *env = sertel__envelope__unpack(NULL, len, zmq_msg_data(body));
    uint64_t id = env ? env->request_id : 0;
    if (env)
        sertel__envelope__free_unpacked(env, NULL);
    return id;
}

/* Decodes the item; false (and the item answered) when it is refused on
 * receipt. */
static bool accept_item(broker_t *b, item_t *it, bool bad_frames)
{
    char why[512] = "";
    it->req = bad_frames ? NULL
        : codec_envelope_unpack(zmq_msg_data(&it->body), zmq_msg_size(&it->body), why, sizeof why);
    it->request_id = it->req ? it->req->request_id : readable_request_id(&it->body);
    /* The reasons in this reply are for this client's reader. */
    i18n_use(it->req ? it->req->lang : NULL);
    it->def = it->req ? command_find(it->req->body_case) : NULL;
    key_use_t *k = limits_key(b->limits, it->nip);
    int max = b->cfg.limits.in_flight;
    sertel_err_t e = SERTEL_OK;
    if (!it->req) {
        if (!why[0])
            snprintf(why, sizeof why, "%s", _("one frame per message"));
        e = SERTEL_E_PROTOCOL;
    } else if (!k) {
        e = SERTEL_E_NOMEM;
    } else if (max > 0 && k->waiting >= max) {
        snprintf(why, sizeof why,
                 _("your key already has %d requests waiting for an answer, the most allowed; "
                   "read the answers before sending more"), max);
        e = SERTEL_E_LIMIT;
    }
    if (e != SERTEL_OK) {
        log_msg(LOG_DEBUG, "%s %s: %s", it->def ? it->def->name : "?", it->nip, why);
        item_refuse(it, e, why);
    } else {
        it->key = k;
        k->waiting++;
    }
    i18n_use(NULL);
    return e == SERTEL_OK;
}

static bool backlog_push(struct backlog *q, item_t *it)
{
    if (q->n == q->cap) {
        int cap = q->cap ? q->cap * 2 : 2 * BATCH_MAX;
        item_t **grown = realloc(q->items, (size_t)cap * sizeof *grown);
        if (!grown)
            return false;
        q->items = grown;
        q->cap = cap;
    }
    q->items[q->n++] = it;
    return true;
}

/* Reads up to BATCH_MAX messages; refusals go straight into the batch. */
static void read_waiting(broker_t *b, batch_t *batch)
{
    for (int n = 0; n < BATCH_MAX; n++) {
        bool bad_frames;
        item_t *it = read_item(b, &bad_frames);
        if (!it)
            return;
        if (!accept_item(b, it, bad_frames)) {
            batch->items[batch->n++] = it;
        } else if (!backlog_push(b->backlog, it)) {
            item_refuse(it, SERTEL_E_NOMEM, NULL);
            batch->items[batch->n++] = it;
        }
    }
}

/* May the key have this item in the current turn? */
static bool share_out(key_use_t *k, uint64_t turn, bool heavy)
{
    if (k->turn != turn) {
        k->turn = turn;
        k->turn_taken = 0;
        k->turn_heavy = k->turn_closed = false;
    }
    if (!k->turn_closed && (k->turn_taken == TURN_PER_KEY || (heavy && k->turn_heavy)))
        k->turn_closed = true; /* and the key's later requests wait too: order holds */
    if (k->turn_closed)
        return false;
    k->turn_taken++;
    k->turn_heavy |= heavy;
    return true;
}

/* Moves the requests due this turn from the backlog into the batch. */
static void take_turn(struct backlog *q, batch_t *batch)
{
    q->turn++;
    int kept = 0, taken = 0;
    for (int i = 0; i < q->n; i++) {
        item_t *it = q->items[i];
        bool heavy = it->def && command_heavy(it->def->body);
        if (taken < BATCH_MAX && share_out(it->key, q->turn, heavy)) {
            batch->items[batch->n++] = it;
            taken++;
        } else {
            q->items[kept++] = it;
        }
    }
    q->n = kept;
}

int receive_batch(broker_t *b, batch_t *batch)
{
    batch->n = 0;
    read_waiting(b, batch);
    take_turn(b->backlog, batch);
    return batch->n;
}

void batch_free(batch_t *batch)
{
    for (int i = 0; i < batch->n; i++)
        item_free(batch->items[i]);
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
