/* Conversion between the engine's value types and the protocol's
 * protobuf-c messages, and the envelope's size-checked framing. Pure. */
#ifndef SERTEL_CODEC_H
#define SERTEL_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "sertel.pb-c.h"

#define PROTOCOL_VERSION 1
/* Largest frame accepted: attachments are capped well below this. */
#define FRAME_MAX (8u * 1024 * 1024)

/* The converters to protobuf initialise and fill a caller-provided message
 * whose string fields point INTO the source struct (no copies): keep the
 * source alive while the message is used, and only pack it. Repeated fields
 * are allocated; release them with the matching *_pb_clear (never on a
 * message from unpack). The *_from_pb converters leave their output
 * untouched when they refuse. */
/* SERTEL_E_NOMEM when the repeated fields cannot be allocated; *pb is then
 * empty and clearing it is harmless. */
sertel_err_t codec_case_to_pb(const case_t *c, Sertel__Case *pb);
void codec_case_pb_clear(Sertel__Case *pb);
/* Validates string lengths and UTF-8, enum ranges and repeated-field
 * counts (NULL strings read as empty); SERTEL_E_INVALID with why on error. */
sertel_err_t codec_case_from_pb(const Sertel__Case *pb, case_t *c, char *why, size_t whylen);

/* An event's message with room for its repeated strings, so that the
 * conversion needs no allocation. Use m.pb. */
typedef struct {
    Sertel__Event pb;
    char *boxes[CASE_MAX_BOXES];
} codec_event_pb_t;
void codec_event_to_pb(const event_t *ev, uint64_t seq, codec_event_pb_t *m);
/* seq may be NULL. Same checks as above, without a reason. */
sertel_err_t codec_event_from_pb(const Sertel__Event *pb, event_t *ev, uint64_t *seq);

void codec_app_to_pb(const application_t *a, Sertel__Application *pb);
sertel_err_t codec_app_from_pb(const Sertel__Application *pb, application_t *a, char *why, size_t whylen);

void codec_officer_to_pb(const officer_t *o, Sertel__Officer *pb);
sertel_err_t codec_officer_from_pb(const Sertel__Officer *pb, officer_t *o, char *why, size_t whylen);

/* Packs a whole message into a fresh malloc'd buffer; NULL on no memory. */
uint8_t *codec_pack(const ProtobufCMessage *m, size_t *len);

/* Unpacks one frame as an Envelope: refuses frames over FRAME_MAX, bad
 * protobuf, a wrong protocol version or an empty body, with why set.
 * Free the result with sertel__envelope__free_unpacked(env, NULL). */
Sertel__Envelope *codec_envelope_unpack(const uint8_t *data, size_t len, char *why, size_t whylen);

#endif
