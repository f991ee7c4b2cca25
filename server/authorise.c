#include "authorise.h"

#include <stdio.h>

#include "i18n.h"
#include "log.h"

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

/* Role check from the command table. The workflow's own rules (step,
 * assignee, Plt/Plh) are the engine's. */
static bool role_allowed(const command_def_t *def, const officer_t *o)
{
    return def->roles == 0 || (def->roles & (1u << o->role));
}

/* SERTEL_OK when admitted, else the refusal (its reason in why). */
static sertel_err_t check(broker_t *b, store_txn_t *t, item_t *it, int64_t now, char *why,
                          size_t len)
{
    if (!it->req)
        return SERTEL_E_PROTOCOL;
    if (!it->def) {
        snprintf(why, len, "%s", _("unknown request"));
        return SERTEL_E_PROTOCOL;
    }
    if (store_officer_get(t, it->nip, &it->officer, NULL) != SERTEL_OK || !it->officer.active) {
        session_cut_off(b, it->nip);
        snprintf(why, len, "%s", _("your key is not (or no longer) enrolled"));
        return SERTEL_E_DENIED;
    }
    if (!role_allowed(it->def, &it->officer)) {
        snprintf(why, len, _("'%s' is not for the role %s"), it->def->name,
                 role_title(it->officer.role));
        return SERTEL_E_DENIED;
    }
    const uint8_t *rid = zmq_msg_data(&it->rid);
    size_t rid_len = zmq_msg_size(&it->rid);
    session_touch(b, rid, rid_len, now);
    if (it->def->body == SERTEL__ENVELOPE__BODY_HELLO &&
        !session_open(b, rid, rid_len, it->nip, now)) {
        snprintf(why, len, "%s",
                 _("the broker serves as many live clients as it can; try again later"));
        return SERTEL_E_FULL;
    }
    return SERTEL_OK;
}

static void authorise_item(broker_t *b, store_txn_t *t, item_t *it, int64_t now)
{
    char why[512] = "";
    it->req = it->bad_frames ? NULL
        : codec_envelope_unpack(zmq_msg_data(&it->body), zmq_msg_size(&it->body), why, sizeof why);
    it->request_id = it->req ? it->req->request_id : readable_request_id(&it->body);
    /* The reasons in this reply are for this client's reader. */
    i18n_use(it->req ? it->req->lang : NULL);
    if (!it->req && !why[0])
        snprintf(why, sizeof why, "%s", _("one frame per message"));
    it->def = it->req ? command_find(it->req->body_case) : NULL;
    sertel_err_t e = check(b, t, it, now, why, sizeof why);
    it->admitted = e == SERTEL_OK;
    if (!it->admitted) {
        log_msg(LOG_DEBUG, "%s %s: %s", it->def ? it->def->name : "?", it->nip, why);
        item_refuse(it, e, why);
    }
    i18n_use(NULL);
}

void authorise_batch(broker_t *b, batch_t *batch, int64_t now)
{
    store_txn_t *t;
    sertel_err_t e = store_begin(b->store, NULL, false, &t);
    for (int i = 0; i < batch->n; i++) {
        if (e == SERTEL_OK)
            authorise_item(b, t, &batch->items[i], now);
        else
            item_refuse(&batch->items[i], e, NULL);
    }
    store_abort(&t);
}
