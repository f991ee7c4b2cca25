/* The identity of a broker's data directory, in DIR/identity: which
 * broker this is (a random id made by `sertel-broker init`), the format
 * of the directory, and its history epochs. A restore from a backup (or a
 * store found older than the journal head the broker last recorded)
 * starts a new epoch, as a PostgreSQL timeline does: events after the
 * epoch's start sequence are a new history, and a client that saw events
 * of an older history past that point is told to replay from there.
 *
 * Format (text, '#' comments, one "key = value" a line):
 *   format = 1
 *   broker-id = <32 hex digits>
 *   made = <Unix seconds>
 *   head = <last journal sequence the broker recorded>
 *   epoch = <number> <start sequence> <Unix seconds>   (one line per epoch,
 *                                                      oldest first) */
#ifndef SERTEL_IDENTITY_H
#define SERTEL_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define IDENTITY_FORMAT 1
#define IDENTITY_ID_LEN 32
#define IDENTITY_MAX_EPOCHS 64
#define IDENTITY_FILE "identity"

typedef struct {
    uint64_t number;
    uint64_t start;  /* events up to here are shared with the epoch before */
    int64_t at;
} identity_epoch_t;

typedef struct {
    unsigned format;
    char broker_id[IDENTITY_ID_LEN + 1];
    int64_t made;
    uint64_t head;
    int n_epochs;
    identity_epoch_t epochs[IDENTITY_MAX_EPOCHS]; /* oldest first */
} identity_t;

/* A new broker: a random id, epoch 1 from sequence 0. */
sertel_err_t identity_new(identity_t *id, int64_t now, char *err, size_t errlen);
sertel_err_t identity_read(const char *path, identity_t *id, char *err, size_t errlen);
/* The same on the file's text (changed in place); path names it in errors. */
sertel_err_t identity_parse(char *text, const char *path, identity_t *id, char *err, size_t errlen);
/* Written beside, synced and renamed over; mode 0600. */
sertel_err_t identity_write(const char *path, const identity_t *id, char *err, size_t errlen);

const identity_epoch_t *identity_current(const identity_t *id);
/* A new epoch whose history shares events up to start; the oldest epoch
 * is forgotten when the list is full. */
void identity_begin_epoch(identity_t *id, uint64_t start, int64_t now);
/* How far a client's position (its epoch, its last sequence) is shared
 * history with the current epoch: the client's sequence when it is of the
 * current epoch, else the start of the first epoch after its own (0 for
 * an epoch this identity does not know). */
uint64_t identity_shared_upto(const identity_t *id, uint64_t epoch, uint64_t seq);

#endif
