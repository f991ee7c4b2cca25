/* See doc_json.h. Walks the message's descriptor, so a field added to
 * the protocol is archived without a change here. */
#include <stdio.h>
#include <string.h>

#include "doc_json.h"

static void scalar(json_t *j, const char *key, const ProtobufCFieldDescriptor *f, const void *p)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        json_int(j, key, *(const int32_t *)p);
        break;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        json_int(j, key, *(const int64_t *)p);
        break;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        json_uint(j, key, *(const uint32_t *)p);
        break;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        json_uint(j, key, *(const uint64_t *)p);
        break;
    case PROTOBUF_C_TYPE_BOOL:
        json_bool(j, key, *(const protobuf_c_boolean *)p);
        break;
    case PROTOBUF_C_TYPE_ENUM: {
        const ProtobufCEnumValue *v =
            protobuf_c_enum_descriptor_get_value(f->descriptor, *(const int *)p);
        if (v)
            json_str(j, key, v->name);
        else
            json_int(j, key, *(const int *)p);
        break;
    }
    case PROTOBUF_C_TYPE_STRING:
        json_str(j, key, *(char *const *)p);
        break;
    case PROTOBUF_C_TYPE_BYTES: {
        const ProtobufCBinaryData *b = p;
        char hex[2 * 64 + 4];
        size_t n = b->len < 64 ? b->len : 64;
        for (size_t i = 0; i < n; i++)
            snprintf(hex + 2 * i, 3, "%02x", b->data[i]);
        hex[2 * n] = '\0';
        if (b->len > 64)
            strcat(hex, "...");
        json_str(j, key, hex);
        break;
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *sub = *(ProtobufCMessage *const *)p;
        if (sub)
            doc_json_message(j, key, sub);
        break;
    }
    default:
        break;
    }
}

static size_t elem_size(const ProtobufCFieldDescriptor *f)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
        return 8;
    case PROTOBUF_C_TYPE_BOOL:
        return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(void *);
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof(ProtobufCBinaryData);
    default:
        return 4;
    }
}

void doc_json_message(json_t *j, const char *key, const ProtobufCMessage *m)
{
    json_obj_begin(j, key);
    const ProtobufCMessageDescriptor *d = m->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        const char *base = (const char *)m + f->offset;
        if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
            *(const uint32_t *)((const char *)m + f->quantifier_offset) != f->id)
            continue; /* another member of the oneof is set */
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)((const char *)m + f->quantifier_offset);
            const char *arr = *(char *const *)base;
            json_arr_begin(j, f->name);
            for (size_t k = 0; k < n; k++)
                scalar(j, NULL, f, arr + k * elem_size(f));
            json_arr_end(j);
        } else if (f->type != PROTOBUF_C_TYPE_MESSAGE || *(void *const *)base) {
            scalar(j, f->name, f, base);
        }
    }
    json_obj_end(j);
}
