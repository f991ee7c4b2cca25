/* Any protobuf message as JSON (every field the descriptor names, by its
 * proto name; enums by their name; bytes as hex), for the archive's
 * complete record of a case. */
#ifndef SERTEL_DOC_JSON_H
#define SERTEL_DOC_JSON_H

#include <protobuf-c/protobuf-c.h>

#include "json.h"

void doc_json_message(json_t *j, const char *key, const ProtobufCMessage *m);

#endif
