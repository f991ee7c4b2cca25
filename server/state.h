/* The broker's state, shared by the stages of the request path (types
 * only: each stage declares its own functions in its own header).
 *
 *   state.h   <- clock.h, sops.h, session.h      (services)
 *             <- cmd.h (commands, journalling)    (the command layer)
 *             <- receive.h, authorise.h, apply.h, fanout.h   (stages)
 *             <- dispatch.h, sweep.h              (pipelines)
 *             <- broker.c                          (the loop)
 *
 * A header includes only headers to its left. */
#ifndef SERTEL_STATE_H
#define SERTEL_STATE_H

#include <stdbool.h>

#include "broker.h"
#include "codec.h"
#include "datadir.h"
#include "keyfile.h"
#include "keyuse.h"
#include "push.h"
#include "store.h"

#define ZAP_DOMAIN "sertel"
#define ROUTING_ID_MAX 256
#define MAX_SESSIONS 4096
#define SESSION_QUIET_S 60
#define BATCH_MAX 256
/* Events one Hello replays at most: a long backlog comes in rounds, so a
 * catch-up never holds the loop (or the broker's memory) for long, and a
 * round fits a client's push queue. */
#define REPLAY_MAX 4000
#define MAX_SOPS 16
#define EVENTS_PER_BATCH (BATCH_MAX * ENGINE_MAX_EVENTS)

typedef struct {
    uint8_t rid[ROUTING_ID_MAX];
    size_t rid_len;
    char nip[NIP_LEN + 1];
    bool live;          /* Hello done: receives pushes */
    uint64_t live_from; /* pushes carry events after this sequence */
    int64_t last_seen;
    bool cut_off;       /* officer disabled: every request refused */
    /* Its queue at the broker was full: pushes stopped, and it is owed a
     * Behind notice (sent once its queue has room). */
    bool behind;
    uint64_t sent_seq;  /* the last event queued to it (replay or push) */
    /* Its Hello is in the batch being fanned out: the batch's pushes wait
     * for its Welcome, so that they never come before the replay's
     * older events (fanout.c). */
    bool welcome_due;
    /* Whom its officer answers for, as read from the store (fanout.c),
     * kept while no officer or acting official changed (officers_gen)
     * and the clock stays in [scope_from, scope_until). */
    uint64_t scope_gen;
    int64_t scope_from, scope_until;
    bool listens; /* enrolled and active */
    role_t role;
    push_scope_t scope;
    /* Its last replay round (replay.c), maybe not read yet: its last
     * event and its Welcome's last_seq. */
    bool replayed;
    uint64_t round_last, round_end;
} session_t;

/* An event written in this batch, waiting for the commit to be pushed:
 * whom it concerns (as journalled) and its push, packed once for every
 * session (one allocation). */
typedef struct {
    uint64_t seq;
    Sertel__EventKind kind;
    push_targets_t to;
    size_t frame_len;
    uint8_t frame[]; /* Envelope{version, push = the Event} */
} pending_event_t;

struct backlog; /* requests received, not yet taken into a batch (receive.c) */
struct outbox_templates; /* the message templates read (outbox.c) */

struct broker {
    broker_config_t cfg;
    void *ctx, *router;
    /* The key check (zap.c): zap is bound; zap_prev, the socket it
     * replaced, answers what reached it before and goes at the next
     * renewal. */
    void *zap, *zap_prev;
    int64_t zap_prev_since; /* monotonic ms: when zap_prev was replaced */
    unsigned zap_answered;  /* by zap since it was bound */
    bool zap_renewable;    /* ZAP_ENFORCE_DOMAIN honoured (zap.c) */
    datadir_t *datadir; /* locked for the broker's life */
    store_t *store;
    keyfile_t key;
    char endpoint[256];
    session_t *sessions;
    int n_sessions;
    sop_t *sops[MAX_SOPS];
    int n_sops;
    char default_sop[32];
    calendar_t *cal;
    int64_t next_sweep_ms; /* monotonic */
    int64_t batch_now;  /* the clock when the current batch or sweep began */
    bool map_full;      /* a command of the batch hit the map's end */
    /* done only once the batch is committed */
    bool reload_sops;
    char cut_nips[BATCH_MAX][NIP_LEN + 1]; /* one disable per request at most */
    int n_cut;
    pending_event_t *events[EVENTS_PER_BATCH]; /* owned */
    int n_events;
    /* Moves on (from 1) with every committed change to an officer or an
     * acting official: the sessions' scopes read before are stale. */
    uint64_t officers_gen;
    limits_t *limits;
    struct backlog *backlog;
    struct outbox_templates *templates;
};

#endif
