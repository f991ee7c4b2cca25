/* The broker's durable state in one LMDB environment: cases, the journal
 * of events (the audit log and the source of pushes), officers and their
 * keys, acting assignments, SOP texts, attachments, request replies for
 * de-duplication, statistics, and the secondary indexes, all written in
 * the same transaction as the record they index.
 *
 * One writer (the broker's loop); every DBI is opened once at start. Data
 * returned to callers is copied out of LMDB before the transaction ends. */
#ifndef SERTEL_STORE_H
#define SERTEL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "sertel.pb-c.h"

typedef struct store store_t;
typedef struct store_txn store_txn_t;

/* Opens (creating if needed) the environment in dir; clears stale readers. */
store_t *store_open(const char *dir, char *err, size_t errlen);
void store_close(store_t **s);

/* A write transaction, or a nested one inside parent (so that one command
 * of a group commit can be undone alone). */
sertel_err_t store_begin(store_t *s, store_txn_t *parent, bool write, store_txn_t **txn);
/* Commits; on failure everything in the transaction is gone. A full map is
 * reported as SERTEL_E_FULL so the caller can grow it and retry. */
sertel_err_t store_commit(store_txn_t **txn);
void store_abort(store_txn_t **txn);
/* Doubles the map size; only with no transaction open. */
sertel_err_t store_grow(store_t *s);
/* Clears readers left by dead processes; returns how many. */
int store_reader_check(store_t *s);
/* A consistent copy of the live environment into an empty directory. */
sertel_err_t store_backup(store_t *s, const char *dir, char *err, size_t errlen);

/* ---- meta */
uint64_t store_last_seq(store_txn_t *t);
/* The next agenda number of the year: "SE-2026-00001". */
sertel_err_t store_next_case_id(store_txn_t *t, int year, char *id, size_t len);

/* ---- cases and their indexes (inbox by officer and by role pool, by
 * state, applicant NIP, SLA timers) */
sertel_err_t store_case_get(store_txn_t *t, const char *id, case_t *out);
/* old is the case as it was (NULL for a new case): its index rows are
 * replaced by those of c. */
sertel_err_t store_case_put(store_txn_t *t, const case_t *old, const case_t *c);
typedef int (*store_case_fn)(const case_t *c, void *arg); /* nonzero stops */
/* Cases assigned to nip, then those in the pool of (role, quals). */
sertel_err_t store_inbox(store_txn_t *t, const char *nip, role_t role, unsigned quals,
                         store_case_fn fn, void *arg);
sertel_err_t store_cases_by_state(store_txn_t *t, case_state_t st, store_case_fn fn, void *arg);
sertel_err_t store_cases_by_applicant(store_txn_t *t, const char *nip, store_case_fn fn, void *arg);
sertel_err_t store_cases_all(store_txn_t *t, store_case_fn fn, void *arg);
/* Ids of cases with a timer (warn or due) at or before now, oldest first. */
typedef int (*store_id_fn)(const char *case_id, void *arg);
sertel_err_t store_timers_due(store_txn_t *t, int64_t now, store_id_fn fn, void *arg);

/* ---- journal */
/* Appends ev with the next sequence number, indexed by case. */
sertel_err_t store_journal_append(store_txn_t *t, const event_t *ev, uint64_t *seq);
/* Appends an administrative event (already a protobuf Event). */
sertel_err_t store_journal_append_pb(store_txn_t *t, Sertel__Event *ev, uint64_t *seq);
/* Events with seq > since, in order; fn gets each unpacked event. */
typedef int (*store_event_fn)(const Sertel__Event *ev, void *arg);
sertel_err_t store_journal_since(store_txn_t *t, uint64_t since, store_event_fn fn, void *arg);
sertel_err_t store_journal_of_case(store_txn_t *t, const char *case_id, store_event_fn fn, void *arg);

/* ---- officers and keys */
sertel_err_t store_officer_get(store_txn_t *t, const char *nip, officer_t *o, uint8_t key[32]);
/* Inserts or replaces; key (32 bytes) may be NULL to keep the current one. */
sertel_err_t store_officer_put(store_txn_t *t, const officer_t *o, const uint8_t key[32]);
sertel_err_t store_officer_by_key(store_txn_t *t, const uint8_t key[32], officer_t *o);
typedef int (*store_officer_fn)(const officer_t *o, void *arg);
sertel_err_t store_officers(store_txn_t *t, store_officer_fn fn, void *arg);

/* ---- acting assignments (Plt/Plh) */
sertel_err_t store_acting_put(store_txn_t *t, Sertel__Acting *a); /* id 0: assign next */
sertel_err_t store_acting_get(store_txn_t *t, uint64_t id, Sertel__Acting **a);
typedef int (*store_acting_fn)(const Sertel__Acting *a, void *arg);
sertel_err_t store_actings(store_txn_t *t, store_acting_fn fn, void *arg);

/* ---- SOP texts, calendar text, attachments */
sertel_err_t store_text_put(store_txn_t *t, const char *kind, const char *name, const char *text);
/* *text is malloc'd. */
sertel_err_t store_text_get(store_txn_t *t, const char *kind, const char *name, char **text);
typedef int (*store_text_fn)(const char *name, const char *text, void *arg);
sertel_err_t store_texts(store_txn_t *t, const char *kind, store_text_fn fn, void *arg);
sertel_err_t store_blob_put(store_txn_t *t, const char *hash, const void *data, size_t len);
bool store_blob_has(store_txn_t *t, const char *hash);
/* The content stored under hash, copied into *data (malloc'd). */
sertel_err_t store_blob_get(store_txn_t *t, const char *hash, uint8_t **data, size_t *len);

/* ---- request de-duplication: the packed first reply to (nip, request id) */
sertel_err_t store_reply_get(store_txn_t *t, const char *nip, uint64_t request_id,
                             uint8_t **reply, size_t *len);
sertel_err_t store_reply_put(store_txn_t *t, const char *nip, uint64_t request_id, int64_t now,
                             const uint8_t *reply, size_t len);
/* Forgets up to max replies remembered before the instant before; returns
 * how many. A client retries within seconds, so minutes of memory do. */
int store_replies_prune(store_txn_t *t, int64_t before, int max);

/* ---- statistics aggregates, kept at write time */
sertel_err_t store_stats_record(store_txn_t *t, const event_t *ev, const calendar_t *cal);
sertel_err_t store_stats_query(store_txn_t *t, int64_t from, int64_t to, const calendar_t *cal,
                               Sertel__Stats *out);
void store_stats_clear(Sertel__Stats *out);

#endif
