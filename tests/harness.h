/* Integration-test harness: a real sertel-broker process on an ephemeral
 * 127.0.0.1 port over CURVE, with a real LMDB data directory made by the
 * real `sertel-admin init` in a temporary directory. */
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
    keyfile_t admin;
    conn_t *admin_conn;
} harness_t;

/* Makes the data directory and starts the broker. */
bool harness_start(harness_t *h);
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

#endif
