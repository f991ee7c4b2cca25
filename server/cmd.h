/* The command layer: the context a handler gets, the command table, the
 * reply arena, and journalling (an event is written in the batch's
 * transaction and kept for the fan-out after the commit).
 *
 * Handlers are grouped by file: cmd_case.c (the workflow), cmd_query.c
 * (reads and the session), cmd_admin.c (administration). Each fills
 * reply's body or returns an error with ctx->why set; the apply stage
 * commits, the fan-out stage replies and pushes. A handler never sends
 * anything itself. */
#ifndef SERTEL_CMD_H
#define SERTEL_CMD_H

#include "clock.h"
#include "session.h"
#include "sops.h"

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
    uint64_t replay_from; /* the replay starts after this sequence */
    /* what handlers allocate for the reply, freed once it is packed */
    struct cmd_deferred *allocs;
    int n_allocs, cap_allocs;
} cmd_ctx_t;

/* Memory for the reply being built; NULL on no memory. */
void *cmd_alloc(cmd_ctx_t *ctx, size_t size);
/* The same, not zeroed: for what the callee fills whole (a case read, the
 * engine's new case and events), where zeroing 40 KiB a transition was
 * wasted. */
void *cmd_alloc_raw(cmd_ctx_t *ctx, size_t size);
/* After a store walk that collected a list for a reply: the first
 * failure, the store's, the walk's own (walk_e: no memory for an item) or
 * the reply part's allocation (part NULL); SERTEL_OK when all went well. */
sertel_err_t cmd_walk_failed(sertel_err_t store_e, sertel_err_t walk_e, const void *part);
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
/* May the request take long (a scan, a replay, a copy)? */
bool command_heavy(Sertel__Envelope__BodyCase body);

/* Whom this officer answers for now (session_scope_of in ctx's txn). */
void session_scope(cmd_ctx_t *ctx, const officer_t *o, push_scope_t *scope);

/* ---- journalling (record.c) */

/* Journals ev (with its push targets) and the statistics it feeds; the
 * event is pushed after the commit. */
sertel_err_t broker_record(cmd_ctx_t *ctx, const event_t *ev, const case_t *c, uint64_t *seq);
/* Journals a protobuf event for the given targets (pushed after the
 * commit). */
sertel_err_t broker_record_pb(cmd_ctx_t *ctx, Sertel__Event *pb, const push_targets_t *tg,
                              uint64_t *seq);
/* Journals an administrative event for admins; _office: for every
 * officer (PUSH_POOL_OFFICE). */
sertel_err_t broker_record_admin(cmd_ctx_t *ctx, Sertel__EventKind kind, const char *text);
sertel_err_t broker_record_office(cmd_ctx_t *ctx, Sertel__EventKind kind, const char *text);
/* Journals EV_ACTING_CHANGED for admins, the acting officer and the
 * official whose place is taken: their inboxes change with it. */
sertel_err_t broker_record_acting(cmd_ctx_t *ctx, const char *text, const Sertel__Acting *a);
/* Forgets the events kept for pushing (after they went, or were undone
 * from mark on). */
void broker_events_clear(broker_t *b);
void broker_events_truncate(broker_t *b, int mark);
/* What the committed batch decided beyond the store: SOPs loaded are
 * parsed into the cache, disabled officers' sessions are cut off. */
void broker_after_commit(broker_t *b);
/* Forgets those decisions when the batch did not commit. */
void broker_after_commit_clear(broker_t *b);

/* ---- handlers */

#define CMD(name) sertel_err_t name(cmd_ctx_t *ctx, const Sertel__Envelope *req, Sertel__Envelope *reply)

CMD(cmd_hello);
CMD(cmd_ping);
CMD(cmd_intake);
CMD(cmd_complete);
CMD(cmd_return);
CMD(cmd_resume);
CMD(cmd_reject);
CMD(cmd_withdraw);
CMD(cmd_attach);
CMD(cmd_contact);
CMD(cmd_certificate);
CMD(cmd_take);
CMD(cmd_reassign);
CMD(cmd_calendar_query);
CMD(cmd_calendar_load);
CMD(cmd_inbox);
CMD(cmd_case_query);
CMD(cmd_search);
CMD(cmd_officer_add);
CMD(cmd_officer_list);
CMD(cmd_officer_disable);
CMD(cmd_officer_role);
CMD(cmd_officer_rekey);
CMD(cmd_officer_enable);
CMD(cmd_officer_edit);
CMD(cmd_acting_add);
CMD(cmd_acting_list);
CMD(cmd_acting_end);
CMD(cmd_sop_load);
CMD(cmd_stats);
CMD(cmd_backup);
CMD(cmd_journal);
CMD(cmd_attachment);
CMD(cmd_office_query);
CMD(cmd_office_load);
CMD(cmd_chain_query);
CMD(cmd_notify);
CMD(cmd_message_report);
CMD(cmd_outbox_query);
CMD(cmd_cert_import);
CMD(cmd_cert_query);
CMD(cmd_cert_renew);
CMD(cmd_journal_verify);

/* A Case message for the reply (with the working time used so far),
 * living until the reply is packed. */
Sertel__Case *cmd_case_pb(cmd_ctx_t *ctx, const case_t *c);
/* A copy of a journalled event for the reply. */
Sertel__Event *cmd_event_copy(cmd_ctx_t *ctx, const Sertel__Event *ev);
/* The answer to a request applied before, rebuilt from seq, the journal
 * event it made last (cmd_repeat.c). */
sertel_err_t cmd_repeat(cmd_ctx_t *ctx, uint64_t seq, Sertel__Envelope *reply);
/* May an officer of this scope read case c? */
bool cmd_case_visible(const case_t *c, const push_scope_t *scope);
/* Registers an application (Intake's work, also a renewal's from the
 * certificate register). */
sertel_err_t cmd_intake_of(cmd_ctx_t *ctx, const Sertel__Intake *in, Sertel__Envelope *reply);
/* The reply of one outbox message as stored now (cmd_outbox.c). */
sertel_err_t cmd_outbox_item(cmd_ctx_t *ctx, uint64_t id, Sertel__Envelope *reply);
/* The case numbered id, its letters in either case; SERTEL_E_NOT_FOUND
 * with the reason set otherwise. */
sertel_err_t cmd_case_load(cmd_ctx_t *ctx, const char *id, case_t *out);
/* Sets ctx->why from a format and returns e. */
sertel_err_t cmd_fail(cmd_ctx_t *ctx, sertel_err_t e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The time of a new event on c (NULL: a new case): now, or the case's
 * last event time when the wall clock reads earlier (stepped back), so
 * that a case's history never runs backwards. The step is logged. */
int64_t cmd_event_time(cmd_ctx_t *ctx, const case_t *c);
/* The acting assignment (Plt/Plh) valid now that lets the officer act on
 * c's current step, copied into *out; NULL when none. */
const acting_t *cmd_acting_for(cmd_ctx_t *ctx, const case_t *c, const sop_t *sop, acting_t *out);

#endif
