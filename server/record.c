/* Journalling: an event is written in the batch's transaction with whom
 * it concerns, and an unpacked copy is kept until the commit so that the
 * fan-out stage can push it. Decisions that reach beyond the store (an
 * SOP loaded, an officer disabled) are likewise applied only once their
 * batch is committed. */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "text.h"

void broker_events_truncate(broker_t *b, int mark)
{
    for (int i = mark; i < b->n_events; i++)
        free(b->events[i]);
    if (mark < b->n_events)
        b->n_events = mark;
}

void broker_events_clear(broker_t *b)
{
    broker_events_truncate(b, 0);
}

/* Keeps the event's push, packed once for all the sessions it goes to,
 * with whom it concerns: nothing is unpacked again for the fan-out. */
static sertel_err_t keep_for_push(broker_t *b, const Sertel__Event *ev, const push_targets_t *to)
{
    if (b->n_events == EVENTS_PER_BATCH)
        return SERTEL_E_FULL;
    Sertel__Envelope env = SERTEL__ENVELOPE__INIT;
    env.version = PROTOCOL_VERSION;
    env.body_case = SERTEL__ENVELOPE__BODY_PUSH;
    env.push = (Sertel__Event *)ev;
    size_t len = protobuf_c_message_get_packed_size(&env.base);
    pending_event_t *p = malloc(sizeof *p + len);
    if (!p)
        return SERTEL_E_NOMEM;
    p->seq = ev->seq;
    p->kind = ev->kind;
    p->to = *to;
    p->frame_len = protobuf_c_message_pack(&env.base, p->frame);
    b->events[b->n_events++] = p;
    return SERTEL_OK;
}

sertel_err_t broker_record_pb(cmd_ctx_t *ctx, Sertel__Event *pb, const push_targets_t *tg,
                              uint64_t *seq)
{
    char *nips[PUSH_MAX_NOTIFY];
    uint32_t pools[PUSH_MAX_POOLS];
    for (int i = 0; i < tg->n_nips; i++)
        nips[i] = (char *)tg->nips[i];
    memcpy(pools, tg->pools, sizeof pools);
    pb->n_notify = (size_t)tg->n_nips;
    pb->notify = nips;
    pb->n_notify_pools = (size_t)tg->n_pools;
    pb->notify_pools = pools;
    /* The request that made the event: the store remembers it from the
     * journal to answer a repeat without applying it again. */
    pb->request_id = ctx->request_id;
    sertel_err_t e = store_journal_append_pb(ctx->txn, pb, seq);
    if (e == SERTEL_OK)
        e = keep_for_push(ctx->b, pb, tg);
    pb->notify = NULL;
    pb->notify_pools = NULL;
    pb->n_notify = pb->n_notify_pools = 0;
    return e;
}

sertel_err_t broker_record(cmd_ctx_t *ctx, const event_t *ev, const case_t *c, uint64_t *seq)
{
    push_targets_t tg;
    push_targets(ev, c, &tg);
    codec_event_pb_t m;
    codec_event_to_pb(ev, 0, &m);
    return broker_record_pb(ctx, &m.pb, &tg, seq);
}

static sertel_err_t record_for(cmd_ctx_t *ctx, Sertel__EventKind kind, const char *text,
                               const push_targets_t *tg)
{
    Sertel__Event pb = SERTEL__EVENT__INIT;
    pb.kind = kind;
    pb.at = ctx->now;
    pb.actor = ctx->officer.nip;
    pb.actor_role = (Sertel__Role)ctx->officer.role;
    pb.text = (char *)text;
    return broker_record_pb(ctx, &pb, tg, NULL);
}

sertel_err_t broker_record_admin(cmd_ctx_t *ctx, Sertel__EventKind kind, const char *text)
{
    push_targets_t tg = {.n_pools = 1, .pools = {push_pool(ROLE_ADMIN, 0)}};
    return record_for(ctx, kind, text, &tg);
}

sertel_err_t broker_record_office(cmd_ctx_t *ctx, Sertel__EventKind kind, const char *text)
{
    push_targets_t tg = {.n_pools = 1, .pools = {PUSH_POOL_OFFICE}};
    return record_for(ctx, kind, text, &tg);
}

sertel_err_t broker_record_acting(cmd_ctx_t *ctx, const char *text, const Sertel__Acting *a)
{
    push_targets_t tg = {.n_pools = 1, .pools = {push_pool(ROLE_ADMIN, 0)}, .n_nips = 2};
    text_copy(tg.nips[0], sizeof tg.nips[0], a->by_nip, NIP_LEN);
    text_copy(tg.nips[1], sizeof tg.nips[1], a->holder_nip, NIP_LEN);
    return record_for(ctx, SERTEL__EVENT_KIND__EV_ACTING_CHANGED, text, &tg);
}

void broker_after_commit(broker_t *b)
{
    for (int i = 0; i < b->n_cut; i++)
        session_cut_off(b, b->cut_nips[i]);
    if (b->reload_sops)
        sops_reload(b);
    broker_after_commit_clear(b);
}

void broker_after_commit_clear(broker_t *b)
{
    b->reload_sops = false;
    b->n_cut = 0;
}
