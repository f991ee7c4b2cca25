/* One broker per data directory, and only on a directory `sertel-broker
 * init` made, whole. Before LMDB maps anything the broker takes an
 * exclusive lock on DIR/broker.lock for its whole life (a file of our
 * own: LMDB's lock.mdb can be removed under a running broker, ours is
 * never looked at by anything but this check), makes the directory
 * private again if it was opened to others, reads DIR/identity, and
 * checks DIR/db/data.mdb against its own meta pages. */
#ifndef SERTEL_DATADIR_H
#define SERTEL_DATADIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "identity.h"

#define DATADIR_LOCK_FILE "broker.lock"

typedef struct datadir datadir_t;

/* Refuses (NULL, reason in err) a directory held by another process, one
 * without an identity, or whose database file is missing, empty or
 * truncated. Nothing in the directory is changed but its modes. */
datadir_t *datadir_open(const char *dir, char *err, size_t errlen);
void datadir_destroy(datadir_t **d);

/* The lock alone (for init --adopt and restore): a descriptor to close
 * when done, or -1 with the other process named in err. */
int datadir_lock(const char *dir, char *err, size_t errlen);

/* Written into the lock file, so that a second broker can name us. */
void datadir_note_endpoint(datadir_t *d, const char *endpoint);

const identity_t *datadir_identity(const datadir_t *d);
const char *datadir_path(const datadir_t *d);

/* With the store's journal head once it is open: a head below the one
 * this directory recorded means the database was put back from a copy
 * behind the broker's back, which begins a new epoch (written at once).
 * Returns true then, with *lost the events recorded but no longer there. */
bool datadir_check_head(datadir_t *d, uint64_t head, int64_t now, uint64_t *lost,
                        char *err, size_t errlen);
/* Records the journal head and the last agenda numbers given (written
 * only when something moved). */
void datadir_record(datadir_t *d, uint64_t head, const identity_cases_t *years, int n_years);

/* After a backup into dir: the identity goes with the copy, and the copy
 * is made private (0700 directory, 0600 files). */
sertel_err_t datadir_backup_seal(const datadir_t *d, const char *dir, char *err, size_t errlen);

/* Group and others lose every access to DIR, DIR/db and the files in
 * them; each change is logged. Returns how many were made. */
int datadir_make_private(const char *dir);

#endif
