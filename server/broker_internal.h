/* Shared by the broker's files: the loop object, sessions and the command
 * context handed to each command handler. */
#ifndef SERTEL_BROKER_INTERNAL_H
#define SERTEL_BROKER_INTERNAL_H

#include <stdbool.h>

#include "broker.h"
#include "codec.h"
#include "datadir.h"
#include "keyfile.h"
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
} session_t;

/* An event written in this batch, waiting for the commit to be pushed. */
typedef struct {
    Sertel__Event *ev;  /* owned (unpacked copy) */
} pending_event_t;

struct broker {
    broker_config_t cfg;
    void *ctx, *router, *zap;
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
    int64_t next_sweep;
    int64_t batch_now;  /* the clock when the current batch or sweep began */
    bool map_full;      /* a command of the batch hit the map's end */
    /* done only once the batch is committed */
    bool reload_sops;
    char cut_nips[BATCH_MAX][NIP_LEN + 1]; /* one disable per request at most */
    int n_cut;
    pending_event_t events[EVENTS_PER_BATCH];
    int n_events;
};

struct cmd_deferred;

/* Everything a command handler may use. */
typedef struct {
    broker_t *b;
    store_txn_t *txn;
    session_t *session;
    officer_t officer;
    int64_t now;
    uint64_t request_id;
    char why[512];
    /* set by Hello, applied after the commit */
    bool go_live;
    uint64_t live_from;
    /* what handlers allocate for the reply, freed once it is packed */
    struct cmd_deferred *allocs;
    int n_allocs, cap_allocs;
} cmd_ctx_t;

/* Memory for the reply being built; NULL on no memory. */
void *cmd_alloc(cmd_ctx_t *ctx, size_t size);
char *cmd_strdup(cmd_ctx_t *ctx, const char *s);
/* A growing array of reply parts (message pointers), in the arena. */
typedef struct {
    void **items;
    size_t n, cap;
} cmd_list_t;
bool cmd_append(cmd_ctx_t *ctx, cmd_list_t *l, void *item);
/* Calls fn(ptr) once the reply is packed. */
bool cmd_defer(cmd_ctx_t *ctx, void (*fn)(void *), void *ptr);
void cmd_ctx_free(cmd_ctx_t *ctx);

typedef sertel_err_t (*cmd_fn)(cmd_ctx_t *ctx, const Sertel__Envelope *req, Sertel__Envelope *reply);

typedef struct {
    Sertel__Envelope__BodyCase body;
    const char *name;
    unsigned roles;   /* bit per role_t allowed; 0: any enrolled officer */
    bool write;
    cmd_fn fn;
} command_def_t;

const command_def_t *command_find(Sertel__Envelope__BodyCase body);

int64_t broker_now(broker_t *b);
const sop_t *broker_sop(broker_t *b, const char *code);
/* Applies what the committed batch decided beyond the store: SOPs loaded
 * are parsed into the cache, disabled officers' sessions are cut off. */
void broker_after_commit(broker_t *b);
/* Forgets those decisions when the batch did not commit. */
void broker_after_commit_clear(broker_t *b);
/* Parses and caches an SOP text (replacing one with the same code). */
sertel_err_t broker_sop_install(broker_t *b, const char *text, const char *name,
                                char *err, size_t errlen);

/* Journals ev (with its push targets) and the statistics it feeds; the
 * event is pushed after the commit. */
sertel_err_t broker_record(cmd_ctx_t *ctx, const event_t *ev, const case_t *c, uint64_t *seq);
/* Journals an administrative event for admins. */
sertel_err_t broker_record_admin(cmd_ctx_t *ctx, Sertel__EventKind kind, const char *text);
void broker_events_clear(broker_t *b);

/* Sessions */
session_t *session_find(broker_t *b, const uint8_t *rid, size_t len);
/* The session of a Hello; NULL when every slot holds a live officer. */
session_t *session_open(broker_t *b, const uint8_t *rid, size_t len, const char *nip, int64_t now);
/* Notes that the peer was heard from (a request of any kind). */
void session_touch(broker_t *b, const uint8_t *rid, size_t len, int64_t now);
/* Sends one frame to a peer that may have no session (a one-off request). */
void router_send(broker_t *b, const uint8_t *rid, size_t rid_len, const uint8_t *data, size_t len);
void session_close(broker_t *b, session_t *s);
void session_cut_off(broker_t *b, const char *nip);
/* Sends one frame to a session; false (and the session is dropped) when
 * the peer is gone. */
bool session_send(broker_t *b, session_t *s, const uint8_t *data, size_t len);
/* Whom this officer answers for now: themselves and, as Plt/Plh, the
 * officials they stand in for. */
void session_scope(cmd_ctx_t *ctx, const officer_t *o, push_scope_t *scope);

/* Reads and applies one batch of requests (dispatch.c). */
void dispatch_batch(broker_t *b);
/* Pushes the batch's committed events to the live sessions concerned. */
void broker_push_committed(broker_t *b);
/* Warns and escalates the steps whose timers are due (sweep.c). */
void sweep_due(broker_t *b);

/* The ZAP handler: answers one pending request on b->zap. */
void zap_handle(broker_t *b);

/* Commands that replay the journal send pushes directly (they happen
 * before the Welcome reply, from committed data only). */
/* Replays up to REPLAY_MAX events; returns how many, and in *last the
 * sequence of the last one sent. */
int broker_replay(broker_t *b, session_t *s, uint64_t since, uint64_t upto, uint64_t *last);

#endif
