/* Integration-test harness: a real sertel-broker process on an ephemeral
 * 127.0.0.1 port over CURVE, with a real LMDB data directory made by the
 * real `sertel-broker init` in a temporary directory. */
#ifndef SERTEL_HARNESS_H
#define SERTEL_HARNESS_H

#include <stdbool.h>
#include <sys/types.h>

#include "conn.h"
#include "role.h"

typedef struct {
    char dir[256];
    char endpoint[256];
    pid_t pid;
    int exit_status; /* the broker's wait status, set by harness_stop */
    keyfile_t admin;
    conn_t *admin_conn;
    const char *const *args; /* the broker's further options, for restarts too */
} harness_t;

#define HARNESS_ARGS_MAX 16

/* Makes the data directory and starts the broker. */
bool harness_start(harness_t *h);
/* The same with further options for the broker (NULL-terminated, at most
 * HARNESS_ARGS_MAX; the array must outlive the harness). */
bool harness_start_args(harness_t *h, const char *const *args);
/* Starts the broker again on the same directory and port. */
bool harness_restart(harness_t *h);
/* Stops the broker with sig (SIGTERM: clean; SIGKILL: crash). */
void harness_stop(harness_t *h, int sig);
/* Stops the broker and removes the directory. */
void harness_destroy(harness_t *h);

/* Enrols an officer through the admin's connection and writes their key
 * file to DIR/<nip>.key. */
bool harness_enrol(harness_t *h, const char *nip, const char *name, role_t role,
                   unsigned quals, keyfile_t *kf);
conn_t *harness_connect(harness_t *h, const keyfile_t *kf);

/* One request; returns the reply (never NULL: a failure to get one fails
 * the test). Free with sertel__envelope__free_unpacked. */
Sertel__Envelope *harness_call(conn_t *c, Sertel__Envelope *req);
/* Error code of a reply (ERR_OK for any non-error body). */
int harness_error(const Sertel__Envelope *reply);

/* Says Hello with last_seq and returns the Welcome's last_seq. */
uint64_t harness_hello(conn_t *c, uint64_t last_seq);

/* ---- shared by the integration tests (test_broker_*.c) */

/* A request with a reply timeout of its own and no cmocka assertion, for
 * threads and for calls expected to fail: conn_call's result. */
sertel_err_t harness_try_call(conn_t *c, Sertel__Envelope *req, Sertel__Envelope **reply,
                              int timeout_ms);
/* Registers an application (with its letter attached, as step 1 asks)
 * as the front-office officer of c; returns the reply (Done or Error). */
/* A small whole PDF (header, two objects, xref, trailer) carrying text
 * in a comment; in a static buffer, good until the next call. */
const uint8_t *harness_pdf(const char *text, size_t *len);
/* size bytes (at least 128) of a whole PDF padded with fill. */
void harness_pdf_fill(uint8_t *buf, size_t size, char fill);
Sertel__Envelope *harness_intake(conn_t *c, const char *applicant, const char *applicant_nip);
/* The same with the letter's content given. */
Sertel__Envelope *harness_intake_letter(conn_t *c, const char *applicant, const char *applicant_nip,
                                        const uint8_t *letter_bytes, size_t len);
/* The application every test files (NIP NULL: a default one). */
void harness_application(Sertel__Application *app, const char *applicant, const char *applicant_nip);
/* Completes the current step of case_id; to_nip NULL for the default
 * officer; returns the reply (Done or Error). */
Sertel__Envelope *harness_complete(conn_t *c, const char *case_id, const char *to_nip,
                                   const char *instruction);
/* CaseQuery; returns the reply (CaseDetail or Error). */
Sertel__Envelope *harness_case(conn_t *c, const char *case_id);
/* The journal from since as the admin reads it (an EventList; fails the
 * test otherwise). */
Sertel__Envelope *harness_journal(harness_t *h, uint64_t since);
/* Runs `sertel-broker SUB --data DIR` (verify, check) on dir (NULL: the
 * harness's); its stdout goes into out. Returns its exit status, -1 when
 * it did not exit. */
int harness_broker_tool(harness_t *h, const char *sub, const char *dir, char *out, size_t len);
/* Number of events in the journal (the admin's Hello-free count). */
size_t harness_journal_len(harness_t *h);

/* A bare DEALER socket with an officer's CURVE keys, for frames the
 * client library never sends (garbage, several frames, replays of one
 * packed request). */
typedef struct {
    void *ctx, *sock, *monitor;
} harness_raw_t;
bool harness_raw_open(harness_t *h, const keyfile_t *kf, harness_raw_t *r);
/* The same with a receive queue of rcvhwm messages (and a small kernel
 * buffer), for a client that reads slowly or not at all. */
bool harness_raw_open_queue(harness_t *h, const keyfile_t *kf, harness_raw_t *r, int rcvhwm);
void harness_raw_close(harness_raw_t *r);
/* Sends one frame (more: another frame follows). */
bool harness_raw_send(harness_raw_t *r, const void *data, size_t len, bool more);
/* Sends env packed (its version set) as one frame. */
bool harness_raw_send_env(harness_raw_t *r, Sertel__Envelope *env);
/* The next envelope that is not a push, within timeout_ms; NULL on
 * timeout. *raw (optional) gets the frame's bytes (malloc'd). */
Sertel__Envelope *harness_raw_reply(harness_raw_t *r, int timeout_ms, uint8_t **raw, size_t *rawlen);
/* Waits until the broker has closed the socket's connection. */
bool harness_raw_disconnected(harness_raw_t *r, int timeout_ms);

/* The broker's injected clock (SERTEL_CLOCK_FILE): start before the
 * broker, set to move it, stop to remove the file. */
typedef struct {
    char path[64];
} harness_clock_t;
void harness_clock_start(harness_clock_t *c, int64_t t);
void harness_clock_set(const harness_clock_t *c, int64_t t);
void harness_clock_stop(const harness_clock_t *c);

/* total intakes as the key kf's officer, sent burst at a time without
 * waiting on a bare socket (each burst then costs few commits); every
 * one must succeed. */
void harness_bulk_intakes(harness_t *h, const keyfile_t *kf, int total, int burst);

#endif
