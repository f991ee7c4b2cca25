/* The broker's durable state in one LMDB environment: the journal of
 * events (the audit log, hash-chained, the source of pushes, statistics
 * and request de-duplication), cases and their secondary indexes written
 * in the same transaction, officers and their keys, acting assignments,
 * SOP texts and attachments. The layout is in store_internal.h.
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

/* Opens (creating if needed) the environment in dir; clears stale readers.
 * A store of the previous format is migrated in place (and the log says
 * so); a newer format than this build's is refused with a message. */
store_t *store_open(const char *dir, char *err, size_t errlen);
/* Opens a stopped broker's store, or a backup copy, to read only (no
 * migration, nothing written); refuses another format than this build's. */
store_t *store_open_readonly(const char *dir, char *err, size_t errlen);
/* True once a record was found that does not decode or a broken chain:
 * from then on nested write transactions (every command's) are refused
 * with SERTEL_E_STORAGE; reads go on. */
bool store_is_damaged(const store_t *s);
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
/* The journal's last sequence number (0: empty). */
uint64_t store_last_seq(store_txn_t *t);
/* The next agenda number of the year: "SE-2026-00001". */
sertel_err_t store_next_case_id(store_txn_t *t, int year, char *id, size_t len);
/* The last agenda number given in a year (0: none), and setting it (after
 * a restore, past those the lost history may have given out). */
uint64_t store_case_number(store_txn_t *t, int year);
sertel_err_t store_case_number_set(store_txn_t *t, int year, uint64_t last);
/* The years that have given agenda numbers, at most max of them. */
sertel_err_t store_case_years(store_txn_t *t, int *years, int max, int *n);

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
/* after (NULL or empty: from the first) starts past that case number. */
sertel_err_t store_cases_by_state(store_txn_t *t, case_state_t st, const char *after,
                                  store_case_fn fn, void *arg);
sertel_err_t store_cases_by_applicant(store_txn_t *t, const char *nip, const char *after,
                                      store_case_fn fn, void *arg);
sertel_err_t store_cases_all(store_txn_t *t, const char *after, store_case_fn fn, void *arg);
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
/* The same walk without unpacking: fn gets each record's packed Event as
 * it lies in the map (valid until the transaction ends), checked to
 * decode as store_journal_since would, with its seq and kind. For a reader
 * that sends the stored bytes on as they are (the catch-up). */
typedef struct {
    uint64_t seq;
    int kind;
    const uint8_t *event;
    size_t len;
    /* within event, the fields that say whom it concerns (notify,
     * notify_pools): all a recipient filter has to read */
    const uint8_t *rcpt;
    size_t rcpt_len;
} store_jevent_t;
typedef int (*store_jevent_fn)(const store_jevent_t *je, void *arg);
sertel_err_t store_journal_packed_since(store_txn_t *t, uint64_t since, store_jevent_fn fn, void *arg);
sertel_err_t store_journal_of_case(store_txn_t *t, const char *case_id, store_event_fn fn, void *arg);
/* The event under seq (*ev to free with sertel__event__free_unpacked). */
sertel_err_t store_journal_get(store_txn_t *t, uint64_t seq, Sertel__Event **ev);
/* The chain head: the last seq and its hash in hex (all zeros: empty). */
sertel_err_t store_chain_head(store_txn_t *t, uint64_t *seq, char hex[65]);
/* The chain's hash (hex) at record seq; SERTEL_E_NOT_FOUND when none. */
sertel_err_t store_chain_at(store_txn_t *t, uint64_t seq, char hex[65]);

/* ---- verification (store_check.c) */
typedef struct {
    uint64_t events;    /* records verified in order from 1 */
    uint64_t head_seq;  /* intact: the last seq and its hash */
    char head[65];
    uint64_t bad_seq;   /* broken: the first record that fails */
    char problem[256];  /* and why */
} store_chain_report_t;
/* Walks the journal from seq 1: every record present, decoding, and its
 * hash SHA-256(previous hash || seq || case link || event). SERTEL_OK when
 * intact; SERTEL_E_STORAGE with bad_seq and problem set when not. */
sertel_err_t store_verify_chain(store_txn_t *t, store_chain_report_t *r);
/* The full check: the chain, every case and registry record decoding,
 * every case's event links, the index rows exactly those the cases
 * imply. fn gets each problem found; returns how many. */
typedef void (*store_problem_fn)(const char *problem, void *arg);
long store_check(store_txn_t *t, store_problem_fn fn, void *arg, store_chain_report_t *chain);
/* Logs the chain head (seq and hash) when forced or a day after the last
 * time, so that the logs keep a trail a rewritten journal cannot match. */
void store_log_chain_head(store_t *s, int64_t now, bool force);

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

/* ---- request de-duplication: (officer, request id) -> the journal seq of
 * the last event the request made, so a repeat is answered, not applied
 * again. Filled by store_journal_append_pb from Event.request_id and
 * actor; this transaction's own requests count too. */
#define STORE_DEDUP_KEEP_S 600 /* far beyond a client's retry */
sertel_err_t store_dedup_find(store_txn_t *t, const char *nip, uint64_t request_id, uint64_t *seq);
/* Forgets requests older than before (kept at most about twice
 * STORE_DEDUP_KEEP_S); returns how many. */
int store_dedup_prune(store_t *s, int64_t before);

/* ---- the applicant's outbox (store_outbox.c): items by id, and the
 * items not yet final by the journal sequence that queued them (where a
 * notifier's catch-up starts) */
/* The id the next queued item gets (reserved in this transaction). */
sertel_err_t store_outbox_next_id(store_txn_t *t, uint64_t *id);
/* Writes the item; its pending row follows its state. */
sertel_err_t store_outbox_put(store_txn_t *t, const Sertel__OutboxItem *item);
/* *item is unpacked: free with sertel__outbox_item__free_unpacked. */
sertel_err_t store_outbox_get(store_txn_t *t, uint64_t id, Sertel__OutboxItem **item);
/* The journal sequence of the oldest item not yet final; 0 when none. */
uint64_t store_outbox_first_pending(store_txn_t *t);
typedef int (*store_outbox_fn)(const Sertel__OutboxItem *item, void *arg); /* nonzero stops */
/* Every item, newest first. */
sertel_err_t store_outbox_all(store_txn_t *t, store_outbox_fn fn, void *arg);

/* ---- the certificate register (store_certs.c): by serial, and the
 * reminders already queued (serial, days before expiry) */
sertel_err_t store_cert_put(store_txn_t *t, const Sertel__CertRecord *r);
/* *r is unpacked: free with sertel__cert_record__free_unpacked. */
sertel_err_t store_cert_get(store_txn_t *t, const char *serial, Sertel__CertRecord **r);
typedef int (*store_cert_fn)(const Sertel__CertRecord *r, void *arg); /* nonzero stops */
sertel_err_t store_certs(store_txn_t *t, store_cert_fn fn, void *arg);
bool store_reminder_done(store_txn_t *t, const char *serial, int days);
sertel_err_t store_reminder_mark(store_txn_t *t, const char *serial, int days);

/* ---- statistics, folded from the journal (nothing written for them) */
sertel_err_t store_stats_query(store_txn_t *t, int64_t from, int64_t to, const calendar_t *cal,
                               Sertel__Stats *out);
/* Brings the in-memory statistics up to the committed journal, so that
 * queries find little to fold (the sweep calls it). */
sertel_err_t store_stats_refresh(store_txn_t *t, const calendar_t *cal);
void store_stats_clear(Sertel__Stats *out);
/* Saves the statistics as a checkpoint in t (a write transaction) when
 * they are STORE_STATS_SAVE_EVERY events past the last one, or when force
 * and past it at all; true when it wrote. A store opened later folds only
 * the journal after the checkpoint (store_close saves one too). */
#define STORE_STATS_SAVE_EVERY 10000
bool store_stats_checkpoint(store_txn_t *t, bool force);
/* Journal events folded into the statistics since the store was opened. */
uint64_t store_stats_folded(const store_t *s);

/* ---- applicant lookups: an applicant's NIP is indexed under its keyed
 * hash (BLAKE2b with a key derived from the data key), never in clear */
#define STORE_APPLICANT_KEY_MAX 16
size_t store_applicant_key(const store_t *s, const char *nip, uint8_t out[STORE_APPLICANT_KEY_MAX]);
/* Offline (broker stopped, store opened by the caller): a new data key;
 * every sealed value and applicant index row is rewritten under it in one
 * transaction, then DIR/data.key is replaced (the old one kept as
 * DIR/data.key.<old id> for the backups made under it). */
sertel_err_t store_rotate_key(store_t *s, char *old_id, char *new_id, char *err, size_t errlen);

#endif
