/* The SLA sweep: walks the timer rows that are due (stored in LMDB, so
 * they survive restarts), lets the engine decide warnings and overdue
 * escalations, and commits them like any command. */
#include <stdlib.h>
#include <string.h>

#include "sweep.h"

#include "certs.h"
#include "cmd.h"
#include "fanout.h"
#include "i18n.h"
#include "log.h"

#define SWEEP_MAX 512

typedef struct {
    char ids[SWEEP_MAX][CASE_ID_MAX + 1];
    int n;
} due_t;

static int collect(const char *id, void *arg)
{
    due_t *d = arg;
    if (d->n > 0 && strcmp(d->ids[d->n - 1], id) == 0)
        return 0;
    memcpy(d->ids[d->n++], id, CASE_ID_MAX + 1);
    return d->n == SWEEP_MAX;
}

static sertel_err_t check_case(cmd_ctx_t *ctx, const char *id)
{
    case_t old, c;
    sertel_err_t e = store_case_get(ctx->txn, id, &old);
    if (e != SERTEL_OK)
        return e;
    const sop_t *sop = broker_sop(ctx->b, old.sop_code);
    c = old;
    events_t evs = {.n = 0};
    if (sop && sop_step(sop, c.step)) {
        int64_t at = cmd_event_time(ctx, &old);
        if (engine_sla_check(sop, ctx->b->cal, &c, at, &evs) > 0)
            c.last_event_at = at;
    } else {
        /* Its SOP (or step) is gone: nothing can judge this step's time,
         * and its timers must not hold back everyone else's. */
        log_msg(LOG_WARN, _("case %s: step %d of SOP '%s' is not loaded; its deadlines are dropped"),
                c.id, c.step, c.sop_code);
        c.warned = c.overdue = true;
    }
    /* The case is rewritten even without events, so that a stale timer
     * row (its instant passed but the flags say done) is dropped. */
    e = store_case_put(ctx->txn, &old, &c);
    for (int i = 0; e == SERTEL_OK && i < evs.n; i++)
        e = broker_record(ctx, &evs.ev[i], &c, NULL);
    return e;
}

void sweep_due(broker_t *b)
{
    static due_t due;
    due.n = 0;
    /* A damaged store gets no more writes, the sweep's included. */
    if (store_is_damaged(b->store))
        return;
    store_txn_t *txn;
    if (store_begin(b->store, NULL, true, &txn) != SERTEL_OK)
        return;
    cmd_ctx_t ctx = {.b = b, .txn = txn, .now = b->batch_now = broker_now(b)};
    store_timers_due(txn, ctx.now, collect, &due);
    sertel_err_t e = SERTEL_OK;
    for (int i = 0; e == SERTEL_OK && i < due.n; i++) {
        e = check_case(&ctx, due.ids[i]);
        /* One unreadable case is logged and passed over, not a reason to
         * stop every other case's warnings. */
        if (e != SERTEL_OK && e != SERTEL_E_MAP_FULL && e != SERTEL_E_NOMEM) {
            log_msg(LOG_ERROR, _("case %s: cannot check its deadlines: %s"), due.ids[i],
                    sertel_strerror(e));
            e = SERTEL_OK;
        }
    }
    /* The statistics folded while the journal's new pages are warm, so a
     * query finds little left to fold. */
    bool saved = false;
    if (e == SERTEL_OK)
        store_stats_refresh(txn, b->cal);
    /* Now and then the statistics saved, so a restart folds only the
     * journal after them. */
    if (e == SERTEL_OK)
        saved = store_stats_checkpoint(txn, false);
    store_dedup_prune(b->store, ctx.now - STORE_DEDUP_KEEP_S);
    store_log_chain_head(b->store, ctx.now, false);
    /* Certificates near their expiry: reminders queued, once each. */
    int reminded = 0;
    if (e == SERTEL_OK)
        reminded = certs_remind(&ctx, &e);
    if (e == SERTEL_OK && (due.n || reminded || saved))
        e = store_commit(&txn);
    else
        store_abort(&txn);
    if (e == SERTEL_OK)
        fanout_push(b);
    else
        log_msg(LOG_ERROR, _("SLA sweep failed: %s"), sertel_strerror(e));
    /* The next sweep finds the same timers due, in a bigger map. */
    if (e == SERTEL_E_MAP_FULL)
        store_grow(b->store);
    broker_events_clear(b);
}
