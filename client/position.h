/* Where an officer's client is in a broker's history: the last event
 * seen, kept per broker identity and epoch (a restored broker begins a new
 * epoch; another office's broker has another id), so that a number
 * counted in one history is never taken for a place in another. Shared by
 * `sertel watch` and the terminal UI.
 *
 * Kept in $XDG_STATE_HOME/sertel/NAME.pos (else ~/.local/state/sertel/),
 * NAME being the key's NIP or its public key made safe for a path; one
 * line per broker met, the latest first:
 *     BROKER-ID EPOCH SEQ ENDPOINT
 * A NAME.seq of an older client (a bare number) is read as a position of
 * an unknown broker. */
#ifndef SERTEL_POSITION_H
#define SERTEL_POSITION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keyfile.h"
#include "sertel.pb-c.h"

#define POSITION_ID_MAX 32

typedef struct {
    char broker_id[POSITION_ID_MAX + 1]; /* empty: not known yet */
    uint64_t epoch;
    uint64_t seq;
} position_t;

/* The file for this key; false (buf empty) when there is nowhere to keep
 * it. Its directory is made (0700). */
bool position_path(const keyfile_t *kf, char *buf, size_t len);
/* The position last used at endpoint (or the older client's number);
 * *found false and a zero position when there is none. */
void position_load(const char *path, const char *endpoint, position_t *p, bool *found);
/* Written beside and renamed over (a reader never sees half a file),
 * synced; false with errno set on failure. */
bool position_save(const char *path, const char *endpoint, const position_t *p);
/* Follows a Welcome: takes the broker's identity and epoch, and moves
 * back to where the broker replays from. Returns true with a sentence for
 * the officer in note when the history is not the one the position was
 * counted in (another broker, a restore, events lost). */
bool position_follow(position_t *p, const Sertel__Welcome *w, char *note, size_t len);

#endif
