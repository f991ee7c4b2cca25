#include "apply.h"

#include <stdlib.h>

#include "i18n.h"
#include "log.h"

static sertel_err_t run_command(cmd_ctx_t *ctx, const command_def_t *def,
                                const Sertel__Envelope *req, Sertel__Envelope *reply)
{
    /* Reads change nothing and LMDB nests write transactions only. */
    if (!def->write)
        return def->fn(ctx, req, reply);
    store_txn_t *parent = ctx->txn, *child;
    sertel_err_t e = store_begin(ctx->b->store, parent, true, &child);
    if (e != SERTEL_OK)
        return e;
    ctx->txn = child;
    int mark = ctx->b->n_events;
    e = def->fn(ctx, req, reply);
    ctx->txn = parent;
    if (e == SERTEL_OK)
        e = store_commit(&child);
    else
        store_abort(&child);
    /* Events of a refused command were never journalled for good. */
    if (e != SERTEL_OK)
        broker_events_truncate(ctx->b, mark);
    return e;
}

static void apply_item(broker_t *b, store_txn_t *txn, item_t *it, int64_t now, uint64_t committed)
{
    const command_def_t *def = it->def;
    uint64_t rid = it->request_id;
    i18n_use(it->req->lang);
    cmd_ctx_t ctx = {.b = b, .txn = txn, .now = now, .live_from = committed,
                     .officer = it->officer, .request_id = rid};
    const uint8_t *rid_bytes = zmq_msg_data(&it->rid);
    size_t rid_len = zmq_msg_size(&it->rid);
    ctx.session = session_find(b, rid_bytes, rid_len);
    Sertel__Envelope reply = SERTEL__ENVELOPE__INIT;
    uint64_t seen;
    /* Applied before: the answer again, rebuilt from the journal, nothing
     * applied twice. */
    bool repeat = def->write && rid && store_dedup_find(txn, it->nip, rid, &seen) == SERTEL_OK;
    sertel_err_t e = repeat ? cmd_repeat(&ctx, seen, &reply) : run_command(&ctx, def, it->req, &reply);
    /* A full map is no answer: the whole batch runs again, bigger. */
    b->map_full |= e == SERTEL_E_MAP_FULL;
    if (e != SERTEL_OK) {
        log_msg(LOG_DEBUG, "%s %s: %s", def->name, it->nip, ctx.why[0] ? ctx.why : sertel_strerror(e));
        item_refuse(it, e, ctx.why);
    } else {
        item_answer(it, &reply);
    }
    it->ev_end = b->n_events;
    it->go_live = e == SERTEL_OK && ctx.go_live;
    it->live_from = ctx.live_from;
    if (it->go_live)
        it->since = ctx.replay_from;
    /* What handlers allocated for the reply is released once packed. */
    cmd_ctx_free(&ctx);
    i18n_use(NULL);
}

/* Forgets what an attempt decided, for the next one. */
static void undo_attempt(broker_t *b, batch_t *batch)
{
    broker_events_clear(b);
    broker_after_commit_clear(b);
    for (int i = 0; i < batch->n; i++) {
        item_t *it = batch->items[i];
        if (!it->admitted)
            continue;
        free(it->reply);
        it->reply = NULL;
        it->go_live = false;
    }
}

/* Applies the batch; on a full map grows it and applies it again. */
static sertel_err_t try_apply(broker_t *b, batch_t *batch, int64_t now)
{
    for (int attempt = 0; attempt < 8; attempt++) {
        store_txn_t *txn;
        sertel_err_t e = store_begin(b->store, NULL, true, &txn);
        if (e != SERTEL_OK)
            return e;
        uint64_t committed = store_last_seq(txn);
        b->map_full = false;
        for (int i = 0; i < batch->n && !b->map_full; i++)
            if (batch->items[i]->admitted)
                apply_item(b, txn, batch->items[i], now, committed);
        if (b->map_full) {
            store_abort(&txn);
            e = SERTEL_E_MAP_FULL;
        } else {
            e = store_commit(&txn);
        }
        if (e != SERTEL_E_MAP_FULL)
            return e;
        log_msg(LOG_WARN, _("database map full: growing it and retrying %d requests"), batch->n);
        undo_attempt(b, batch);
        e = store_grow(b->store);
        if (e != SERTEL_OK)
            return e;
    }
    return SERTEL_E_MAP_FULL;
}

sertel_err_t apply_batch(broker_t *b, batch_t *batch, int64_t now)
{
    broker_after_commit_clear(b);
    sertel_err_t e = try_apply(b, batch, now);
    if (e == SERTEL_OK)
        return e;
    /* A failed commit: every request in the batch is told, none succeeded. */
    log_msg(LOG_ERROR, _("commit failed (%s): %d requests refused"), sertel_strerror(e), batch->n);
    undo_attempt(b, batch);
    for (int i = 0; i < batch->n; i++)
        if (batch->items[i]->admitted)
            item_refuse(batch->items[i], SERTEL_E_STORAGE, NULL);
    return e;
}
