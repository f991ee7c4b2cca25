#include "evwire.h"

#include <limits.h>
#include <string.h>

#include "codec.h"

/* The Event fields the replay reads (tests/test_evwire.c checks them
 * against the descriptor generated from proto/sertel.proto). */
enum { F_SEQ = 1, F_KIND = 2, F_NOTIFY = 22, F_NOTIFY_POOLS = 23 };
/* Envelope: version, push, pushes; EventBatch: events */
enum { F_VERSION = 1, F_PUSH = 60, F_PUSHES = 700, F_BATCH_EVENTS = 1 };
enum { WT_VARINT = 0, WT_64 = 1, WT_LEN = 2, WT_32 = 5 };

typedef struct {
    const uint8_t *p, *end;
} rd_t;

typedef struct {
    uint32_t num;
    int wt;
    uint64_t v;          /* WT_VARINT */
    const uint8_t *data; /* WT_LEN */
    size_t len;
} field_t;

/* A varint of at most max bytes (protobuf-c: 10 for a value, 5 for a tag
 * or a length). */
static bool varint_max(rd_t *r, unsigned max, uint64_t *v)
{
    uint64_t x = 0;
    for (unsigned i = 0; i < max && r->p < r->end; i++) {
        uint8_t b = *r->p++;
        x |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            *v = x;
            return true;
        }
    }
    return false;
}

static bool varint(rd_t *r, uint64_t *v)
{
    return varint_max(r, 10, v);
}

static bool skip(rd_t *r, uint64_t n)
{
    if (n > (uint64_t)(r->end - r->p))
        return false;
    r->p += n;
    return true;
}

/* Read as protobuf-c reads a field: a tag of at most 5 bytes whose first
 * byte names a field (its number is kept to 32 bits), a length of at most
 * 5 bytes and INT_MAX, no groups. */
static bool next_field(rd_t *r, field_t *f)
{
    uint64_t tag, n;
    if ((*r->p & 0xf8) == 0 || !varint_max(r, 5, &tag))
        return false;
    *f = (field_t){.num = (uint32_t)(tag >> 3), .wt = (int)(tag & 7)};
    switch (f->wt) {
    case WT_VARINT:
        return varint(r, &f->v);
    case WT_64:
        return skip(r, 8);
    case WT_32:
        return skip(r, 4);
    case WT_LEN:
        if (!varint_max(r, 5, &n) || n > INT_MAX || n > (uint64_t)(r->end - r->p))
            return false;
        f->data = r->p;
        f->len = (size_t)n;
        r->p += f->len;
        return true;
    default:
        return false;
    }
}

static int wire_of(ProtobufCType type)
{
    switch (type) {
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_FLOAT:
        return WT_32;
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
        return WT_64;
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_BYTES:
    case PROTOBUF_C_TYPE_MESSAGE:
        return WT_LEN;
    default:
        return WT_VARINT;
    }
}

/* A packed repeated field: whole elements of its wire type. */
static bool packed_ok(int wt, const field_t *f)
{
    if (wt == WT_32 || wt == WT_64)
        return f->len % (wt == WT_32 ? 4 : 8) == 0;
    rd_t r = {f->data, f->data + f->len};
    uint64_t v;
    while (r.p < r.end)
        if (!varint(&r, &v))
            return false;
    return true;
}

/* The descriptor of field num. protobuf-c packs fields in the order of
 * their numbers, the order of the descriptor's table, so a cursor (*at)
 * moving forward finds each one at once; anything else is looked up. */
static const ProtobufCFieldDescriptor *field_of(uint32_t num, unsigned *at)
{
    const ProtobufCMessageDescriptor *d = &sertel__event__descriptor;
    unsigned i = *at;
    while (i < d->n_fields && d->fields[i].id < num)
        i++;
    *at = i;
    if (i < d->n_fields && d->fields[i].id == num)
        return &d->fields[i];
    return protobuf_c_message_descriptor_get_field(d, num);
}

/* Would protobuf-c accept the field where Event's descriptor puts it? */
static bool field_fits(const field_t *f, unsigned *at, bool *nested)
{
    const ProtobufCFieldDescriptor *fd = field_of(f->num, at);
    if (!fd)
        return true; /* unknown: kept and packed again as it is */
    int want = wire_of(fd->type);
    if (fd->type == PROTOBUF_C_TYPE_MESSAGE)
        *nested = true;
    if (f->wt == want)
        return true;
    return f->wt == WT_LEN && fd->label == PROTOBUF_C_LABEL_REPEATED && want != WT_LEN &&
           packed_ok(want, f);
}

bool evwire_read(const uint8_t *p, size_t len, evwire_t *out)
{
    memset(out, 0, sizeof *out);
    rd_t r = {p, p + len};
    field_t f;
    unsigned at = 0;
    const uint8_t *rcpt_from = NULL, *rcpt_to = NULL;
    while (r.p < r.end) {
        const uint8_t *start = r.p;
        if (!next_field(&r, &f) || !field_fits(&f, &at, &out->nested))
            return false;
        if (f.num == F_SEQ)
            out->seq = f.v;
        else if (f.num == F_KIND)
            out->kind = (int)(int32_t)f.v;
        else if (f.num == F_NOTIFY || f.num == F_NOTIFY_POOLS) {
            if (!rcpt_from)
                rcpt_from = start;
            rcpt_to = r.p;
        }
    }
    out->rcpt_at = rcpt_from ? (size_t)(rcpt_from - p) : 0;
    out->rcpt_len = rcpt_from ? (size_t)(rcpt_to - rcpt_from) : 0;
    return true;
}

bool evwire_concerns(const uint8_t *p, size_t len, const push_scope_t *scope)
{
    rd_t r = {p, p + len};
    field_t f;
    while (r.p < r.end && next_field(&r, &f)) {
        if (f.num == F_NOTIFY && f.wt == WT_LEN &&
            /* as the unpacked C string would compare: up to a NUL */
            push_scope_names(scope, (const char *)f.data, strnlen((const char *)f.data, f.len)))
            return true;
        if (f.num == F_NOTIFY_POOLS && f.wt == WT_VARINT &&
            push_scope_in_pool(scope, (uint32_t)f.v))
            return true;
        if (f.num == F_NOTIFY_POOLS && f.wt == WT_LEN) {
            rd_t q = {f.data, f.data + f.len};
            uint64_t v;
            while (q.p < q.end && varint(&q, &v))
                if (push_scope_in_pool(scope, (uint32_t)v))
                    return true;
        }
    }
    return false;
}

static size_t put_varint(uint8_t *out, uint64_t v)
{
    size_t n = 0;
    for (; v >= 0x80; v >>= 7)
        out[n++] = (uint8_t)(v | 0x80);
    out[n++] = (uint8_t)v;
    return n;
}

/* A length-delimited field's tag and length. */
static size_t len_head(uint32_t field, size_t len, uint8_t *head)
{
    size_t n = put_varint(head, (uint64_t)field << 3 | WT_LEN);
    return n + put_varint(head + n, len);
}

static size_t envelope_head(uint32_t field, size_t len, uint8_t *head)
{
    size_t n = put_varint(head, F_VERSION << 3 | WT_VARINT);
    n += put_varint(head + n, PROTOCOL_VERSION);
    return n + len_head(field, len, head + n);
}

size_t evwire_push_head(size_t len, uint8_t head[EVWIRE_HEAD_MAX])
{
    return envelope_head(F_PUSH, len, head);
}

size_t evwire_batch_head(size_t len, uint8_t head[EVWIRE_HEAD_MAX])
{
    return envelope_head(F_PUSHES, len, head);
}

size_t evwire_item_head(size_t len, uint8_t head[EVWIRE_HEAD_MAX])
{
    return len_head(F_BATCH_EVENTS, len, head);
}
