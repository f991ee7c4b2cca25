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
 *                                                      oldest first)
 *   cases = <year> <last agenda number given>          (one line per year) */
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

#define IDENTITY_MAX_YEARS 16

typedef struct {
    int year;
    uint64_t last; /* the last agenda number given that year */
} identity_cases_t;

typedef struct {
    unsigned format;
    char broker_id[IDENTITY_ID_LEN + 1];
    int64_t made;
    uint64_t head;
    int n_epochs;
    identity_epoch_t epochs[IDENTITY_MAX_EPOCHS]; /* oldest first */
    int n_years;
    identity_cases_t years[IDENTITY_MAX_YEARS]; /* recorded with the head */
} identity_t;

/* A new broker: a random id, epoch 1 from sequence 0. */
sertel_err_t identity_new(identity_t *id, int64_t now, char *err, size_t errlen);
sertel_err_t identity_read(const char *path, identity_t *id, char *err, size_t errlen);
/* The same on the file's text (changed in place); path names it in errors. */
sertel_err_t identity_parse(char *text, const char *path, identity_t *id, char *err, size_t errlen);
/* Written beside, synced and renamed over; mode 0600. */
sertel_err_t identity_write(const char *path, const identity_t *id, char *err, size_t errlen);

const identity_epoch_t *identity_current(const identity_t *id);
/* The last agenda number recorded for year (0: none); recording one. */
uint64_t identity_cases(const identity_t *id, int year);
void identity_set_cases(identity_t *id, int year, uint64_t last);
/* A new epoch whose history shares events up to start; the oldest epoch
 * is forgotten when the list is full. */
void identity_begin_epoch(identity_t *id, uint64_t start, int64_t now);
/* How far a client's position (its epoch, its last sequence) is shared
 * history with the current epoch: the client's sequence when it is of the
 * current epoch, else the start of the first epoch after its own (0 for
 * an epoch this identity does not know). */
uint64_t identity_shared_upto(const identity_t *id, uint64_t epoch, uint64_t seq);

/* Where the replay of a Hello starts, from the client's position: its
 * broker id and epoch (empty/0: none known) and last sequence, against
 * this identity and the journal head. Another broker's position starts
 * from 0; one of an older epoch from what the histories share; one
 * beyond the head (a restore not noticed) from the current epoch's start.
 * *missing: events the client saw that this history does not have. */
uint64_t identity_replay_from(const identity_t *id, const char *broker_id, uint64_t epoch,
                              uint64_t last_seq, uint64_t head, uint64_t *missing);

#endif
