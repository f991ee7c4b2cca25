/* A journal record's Event read where it lies, without unpacking it: the
 * catch-up walks up to a hundred thousand records a Hello, and decoding
 * each one into a tree of allocations only to encode it again as a push
 * cost most of the broker's time. The stored bytes are already the push's
 * Event; this module checks them as protobuf-c would (every field's wire
 * type against Event's descriptor), finds the few fields the replay
 * needs, and frames them as an Envelope. Pure. */
#ifndef SERTEL_EVWIRE_H
#define SERTEL_EVWIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "push.h"

typedef struct {
    uint64_t seq;
    int kind;
    /* A nested message (never journalled) was met: only a full unpack can
     * tell whether it decodes. */
    bool nested;
    /* Where the recipients are (notify, notify_pools): the bytes from the
     * first of these fields to the end of the last, and only other
     * fields between them when the record was packed out of order. */
    size_t rcpt_at, rcpt_len;
} evwire_t;

/* Does p..len decode as an Event? Fills *out with what it found. */
bool evwire_read(const uint8_t *p, size_t len, evwire_t *out);

/* Is the Event (already read) of concern to the scope? The same rule as
 * push_concerns on the unpacked Event. p..len may be the whole record or
 * its recipients' span (evwire_t.rcpt_at, rcpt_len). */
bool evwire_concerns(const uint8_t *p, size_t len, const push_scope_t *scope);

/* Framing in place, byte for byte what packing would give; each returns
 * how many bytes it wrote (at most EVWIRE_HEAD_MAX):
 *   push:  before an Event of len bytes, Envelope{version, push = Event};
 *   batch: before an EventBatch of len bytes, Envelope{version, pushes};
 *   item:  before each Event of len bytes in an EventBatch. */
#define EVWIRE_HEAD_MAX 16
size_t evwire_push_head(size_t len, uint8_t head[EVWIRE_HEAD_MAX]);
size_t evwire_batch_head(size_t len, uint8_t head[EVWIRE_HEAD_MAX]);
size_t evwire_item_head(size_t len, uint8_t head[EVWIRE_HEAD_MAX]);

#endif
