/* Conversion between engine value types and protocol messages.
 *
 * Decoding is the only door into the broker (DESIGN.md section 4), so every
 * *_from_pb checks what the fixed-size C structs cannot hold: string
 * lengths, UTF-8, enum ranges and repeated-field counts. A string that does
 * not fit is refused, never truncated: a cut NIP or agenda number would name
 * a different person or case. Semantic checks (NIP shape, e-mail, required
 * fields) belong to the command that uses the data and live in validate.c.
 *
 * Strings and enums are described once, in tables, and the plain numbers
 * in lists, so both directions and the checks stay in step with the
 * structs. */
#include "codec.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "validate.h"

/* The enum tables below move enums through int; protoc-c forces its enums
 * to int size and ours hold small non-negative values. */
_Static_assert(sizeof(Sertel__Role) == sizeof(int), "protobuf enum is not int-sized");
_Static_assert(sizeof(role_t) == sizeof(int), "role_t is not int-sized");
_Static_assert(sizeof(case_state_t) == sizeof(int), "case_state_t is not int-sized");
_Static_assert(sizeof(channel_t) == sizeof(int), "channel_t is not int-sized");
_Static_assert(sizeof(urgency_t) == sizeof(int), "urgency_t is not int-sized");
_Static_assert(sizeof(acting_kind_t) == sizeof(int), "acting_kind_t is not int-sized");
_Static_assert(sizeof(event_kind_t) == sizeof(int), "event_kind_t is not int-sized");

/* A string field with the same name in the message and in the C struct;
 * cap is the C array's size, terminator included. */
typedef struct {
    const char *name;
    size_t pb_off, c_off, cap;
} str_field_t;

#define STR_FIELD(pbtype, ctype, member) \
    { #member, offsetof(pbtype, member), offsetof(ctype, member), \
      sizeof(((ctype *)0)->member) }

/* An enum field and the values the C side knows. */
typedef struct {
    const char *name;
    size_t pb_off, c_off;
    int min, max;
} enum_field_t;

#define ENUM_FIELD(pbtype, ctype, member, lo, hi) \
    { #member, offsetof(pbtype, member), offsetof(ctype, member), (lo), (hi) }

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define ROLE_MAX ((int)ROLE__COUNT - 1)

/* A message's tables, so that one routine checks any of them. */
typedef struct {
    const str_field_t *strs;
    size_t n_strs;
    const enum_field_t *enums;
    size_t n_enums;
} layout_t;

/* The tables name each message's types once: S and E below read PB and C,
 * defined around each message's tables. */
#define S(member) STR_FIELD(PB, C, member)
#define E(member, lo, hi) ENUM_FIELD(PB, C, member, lo, hi)

#define PB Sertel__Application
#define C application_t
static const str_field_t app_strs[] = {
    S(name), S(nip), S(nik), S(unit), S(position), S(email), S(phone), S(letter_no),
    S(letter_date), S(subject), S(agenda_no), S(srikandi_no), S(received_date),
};
/* 0 means "not given" on the wire; whether a field is required is the
 * intake command's decision, not the codec's. */
static const enum_field_t app_enums[] = {
    E(channel, 0, CHANNEL_EMAIL),
    E(urgency, 0, URGENCY_SANGAT_SEGERA),
    E(classification, 0, CLASS_SANGAT_RAHASIA),
};
#undef PB
#undef C
static const layout_t app_layout = { app_strs, COUNT(app_strs), app_enums, COUNT(app_enums) };

#define PB Sertel__Case
#define C case_t
static const str_field_t case_strs[] = {
    S(id), S(sop_code), S(received_by), S(assignee), S(instruction), S(cert_serial),
    S(closed_reason), S(note),
};
/* A case always has a state: 0 would be a case that never existed. */
static const enum_field_t case_enums[] = {
    E(state, CASE_OPEN, CASE_WITHDRAWN),
    E(pool_role, ROLE_NONE, ROLE_MAX),
    E(urgency, 0, URGENCY_SANGAT_SEGERA),
};
#undef PB
#undef C
static const layout_t case_layout = { case_strs, COUNT(case_strs), case_enums, COUNT(case_enums) };

static const str_field_t attach_strs[] = {
    STR_FIELD(Sertel__Attachment, attachment_t, hash),
    STR_FIELD(Sertel__Attachment, attachment_t, name),
};
static const layout_t attach_layout = { attach_strs, COUNT(attach_strs), NULL, 0 };

/* The anonymous recent[] element of case_t has no type name of its own. */
typedef __typeof__(((case_t *)0)->recent[0]) recent_t;
static const str_field_t recent_strs[] = {
    STR_FIELD(Sertel__Case__Recent, recent_t, nip),
};
static const layout_t recent_layout = { recent_strs, COUNT(recent_strs), NULL, 0 };

#define PB Sertel__Event
#define C event_t
static const str_field_t event_strs[] = {
    S(case_id), S(actor), S(acting_for), S(assignee), S(text), S(note),
};
/* Only the engine's kinds: event_t cannot carry the administrative kinds
 * (EV_OFFICER_CHANGED...) until event_kind_t names them. */
static const enum_field_t event_enums[] = {
    E(kind, EV_RECEIVED, EV_REASSIGNED),
    E(actor_role, ROLE_NONE, ROLE_MAX),
    E(acting, ACTING_NONE, ACTING_PLH),
    E(assignee_role, ROLE_NONE, ROLE_MAX),
    E(escalate_to, ROLE_NONE, ROLE_MAX),
    E(urgency, 0, URGENCY_SANGAT_SEGERA),
};
#undef PB
#undef C
static const layout_t event_layout = { event_strs, COUNT(event_strs), event_enums, COUNT(event_enums) };

#define PB Sertel__Officer
#define C officer_t
static const str_field_t officer_strs[] = { S(nip), S(name), S(unit), S(position) };
static const enum_field_t officer_enums[] = { E(role, ROLE_NONE, ROLE_MAX) };
#undef PB
#undef C
static const layout_t officer_layout = { officer_strs, COUNT(officer_strs), officer_enums, COUNT(officer_enums) };

#undef S
#undef E

/* The numbers and flags a message and its struct share by name, copied as
 * they are in both directions (X-macro lists, so the two stay in step). */
#define CASE_SCALARS(X) X(created_at) X(step) X(pool_quals) X(step_started_at) \
    X(segment_started_at) X(work_banked) X(wait_wall) X(wait_work) X(waiting_since) X(warn_at) \
    X(due_at) X(warned) X(overdue) X(contacts) X(cert_not_after) X(closed_at) X(deadline) \
    X(last_event_at) X(case_work) X(case_standard)
#define EVENT_SCALARS(X) X(at) X(step) X(next_step) X(assignee_quals) X(work) X(wall) \
    X(wait_wall) X(wait_work) X(standard) X(deadline) X(case_work) X(case_standard)
#define OFFICER_SCALARS(X) X(quals) X(active)
/* Used with `to` and `from` pointing at the two sides. */
#define COPY_SCALAR(member) to->member = from->member;

/* ------------------------------------------------------------ helpers */

/* Field names in reasons are the protocol's, prefixed with where the
 * message sits ("app.", "attachments[3].") so the sender can find it.
 * The name is written out only for a refusal: decoding a good record
 * (every case and officer the broker reads) formats nothing. */
typedef struct {
    const char *prefix; /* "app." or "" */
    const char *list;   /* a repeated field, or NULL */
    size_t index;       /* the item of list */
    const char *name;   /* the field, or NULL for list's item itself */
} field_ref_t;

static const char *field_path(char *buf, size_t len, const field_ref_t *f)
{
    if (!f->list)
        snprintf(buf, len, "%s%s", f->prefix, f->name);
    else
        snprintf(buf, len, "%s%s[%zu]%s%s", f->prefix, f->list, f->index, f->name ? "." : "",
                 f->name ? f->name : "");
    return buf;
}

/* Copies s (NULL: empty) into dst of cap bytes, or refuses. */
static sertel_err_t copy_string(const field_ref_t *field, const char *s, char *dst, size_t cap,
                                char *why, size_t whylen)
{
    if (!s)
        s = "";
    size_t len = strlen(s);
    char path[96];
    if (len >= cap)
        return err_set(SERTEL_E_INVALID, why, whylen, _("field %s is too long: %zu bytes, at most %zu"),
                      field_path(path, sizeof path, field), len, cap - 1);
    if (!utf8_valid(s, len))
        return err_set(SERTEL_E_INVALID, why, whylen, _("field %s is not valid UTF-8"),
                       field_path(path, sizeof path, field));
    memcpy(dst, s, len + 1);
    return SERTEL_OK;
}

static sertel_err_t check_enum(const field_ref_t *field, int v, int min, int max,
                               char *why, size_t whylen)
{
    char path[96];
    if (v < min || v > max)
        return err_set(SERTEL_E_INVALID, why, whylen, _("field %s has an unknown value %d"),
                       field_path(path, sizeof path, field), v);
    return SERTEL_OK;
}

/* Copies and checks the strings and enums of one message into dst. */
static sertel_err_t decode_layout(const layout_t *l, field_ref_t where, const void *pb,
                                  void *dst, char *why, size_t whylen)
{
    const char *p = pb;
    char *d = dst;
    for (size_t i = 0; i < l->n_strs; i++) {
        const str_field_t *f = &l->strs[i];
        const char *s = *(const char *const *)(const void *)(p + f->pb_off);
        where.name = f->name;
        sertel_err_t e = copy_string(&where, s, d + f->c_off, f->cap, why, whylen);
        if (e != SERTEL_OK)
            return e;
    }
    for (size_t i = 0; i < l->n_enums; i++) {
        const enum_field_t *f = &l->enums[i];
        int v;
        memcpy(&v, p + f->pb_off, sizeof v);
        where.name = f->name;
        sertel_err_t e = check_enum(&where, v, f->min, f->max, why, whylen);
        if (e != SERTEL_OK)
            return e;
        memcpy(d + f->c_off, &v, sizeof v);
    }
    return SERTEL_OK;
}

/* Points the message's string fields at the struct's arrays and copies
 * its enums. The const is cast away because protobuf-c declares char *;
 * the message built here is only packed, which never writes through these
 * pointers. */
static void layout_to_pb(const layout_t *l, const void *src, void *pb)
{
    const char *s = src;
    char *p = pb;
    for (size_t i = 0; i < l->n_strs; i++) {
        char *field = (char *)(s + l->strs[i].c_off);
        memcpy(p + l->strs[i].pb_off, &field, sizeof field);
    }
    for (size_t i = 0; i < l->n_enums; i++)
        memcpy(p + l->enums[i].pb_off, s + l->enums[i].c_off, sizeof(int));
}

static sertel_err_t check_count(const char *field, size_t n, size_t max,
                                char *why, size_t whylen)
{
    if (n > max)
        return err_set(SERTEL_E_INVALID, why, whylen, _("field %s has too many items: %zu, at most %zu"),
                      field, n, max);
    return SERTEL_OK;
}

/* A source count outside its array would make to_pb read past it; the
 * struct is ours, so clamp rather than fail. */
static size_t clamp_count(int n, int max)
{
    return n < 0 ? 0 : (size_t)(n > max ? max : n);
}

/* ---------------------------------------------------------- application */

void codec_app_to_pb(const application_t *a, Sertel__Application *pb)
{
    sertel__application__init(pb);
    layout_to_pb(&app_layout, a, pb);
}

/* A missing sub-message is the default message in proto3: all empty. */
static sertel_err_t app_decode(const Sertel__Application *pb, const char *prefix,
                               application_t *a, char *why, size_t whylen)
{
    static const Sertel__Application empty = SERTEL__APPLICATION__INIT;
    return decode_layout(&app_layout, (field_ref_t){.prefix = prefix}, pb ? pb : &empty, a, why,
                         whylen);
}

sertel_err_t codec_app_from_pb(const Sertel__Application *pb, application_t *a,
                               char *why, size_t whylen)
{
    application_t tmp;
    memset(&tmp, 0, sizeof tmp);
    sertel_err_t e = app_decode(pb, "", &tmp, why, whylen);
    if (e == SERTEL_OK)
        memcpy(a, &tmp, sizeof tmp);
    return e;
}

/* ------------------------------------------------------------------ case */

/* Everything codec_case_to_pb points the message at, in one allocation so
 * that there is one failure to handle and one free. app comes first:
 * pb->app is then the block's address, which is how the clear finds it. */
typedef struct {
    Sertel__Application app;
    Sertel__Attachment attach[CASE_MAX_ATTACH];
    Sertel__Attachment *attach_ptr[CASE_MAX_ATTACH];
    char *actors[CASE_MAX_ACTORS];
    Sertel__Role actor_roles[CASE_MAX_ACTORS];
    Sertel__Case__Recent recent[CASE_RECENT_REQUESTS];
    Sertel__Case__Recent *recent_ptr[CASE_RECENT_REQUESTS];
    char *boxes[CASE_MAX_BOXES];
} case_block_t;

_Static_assert(offsetof(case_block_t, app) == 0, "pb->app must be the block's address");

/* Points ptrs at the boxes' texts (packed only, see layout_to_pb). */
static size_t boxes_to_pb(const boxes_t *b, char **ptrs)
{
    size_t n = clamp_count(b->n, CASE_MAX_BOXES);
    for (size_t i = 0; i < n; i++)
        ptrs[i] = (char *)b->v[i];
    return n;
}

static sertel_err_t boxes_from_pb(char *const *in, size_t n, boxes_t *b, char *why, size_t whylen)
{
    sertel_err_t e = check_count("boxes", n, CASE_MAX_BOXES, why, whylen);
    for (size_t i = 0; e == SERTEL_OK && i < n; i++) {
        field_ref_t where = {.prefix = "", .list = "boxes", .index = i};
        e = copy_string(&where, in[i], b->v[i], sizeof b->v[i], why, whylen);
    }
    b->n = e == SERTEL_OK ? (int)n : 0;
    return e;
}

static void case_repeated_to_pb(const case_t *c, case_block_t *b, Sertel__Case *pb)
{
    pb->n_attachments = clamp_count(c->n_attachments, CASE_MAX_ATTACH);
    for (size_t i = 0; i < pb->n_attachments; i++) {
        const attachment_t *a = &c->attachments[i];
        sertel__attachment__init(&b->attach[i]);
        layout_to_pb(&attach_layout, a, &b->attach[i]);
        b->attach[i].size = a->size;
        b->attach[i].step = a->step;
        b->attach_ptr[i] = &b->attach[i];
    }
    pb->attachments = b->attach_ptr;

    pb->n_actors = pb->n_actor_roles = clamp_count(c->n_actors, CASE_MAX_ACTORS);
    for (size_t i = 0; i < pb->n_actors; i++) {
        b->actors[i] = (char *)c->actors[i]; /* packed only, see layout_to_pb */
        b->actor_roles[i] = (Sertel__Role)c->actor_roles[i];
    }
    pb->actors = b->actors;
    pb->actor_roles = b->actor_roles;

    pb->n_recent = clamp_count(c->n_recent, CASE_RECENT_REQUESTS);
    for (size_t i = 0; i < pb->n_recent; i++) {
        sertel__case__recent__init(&b->recent[i]);
        layout_to_pb(&recent_layout, &c->recent[i], &b->recent[i]);
        b->recent[i].id = c->recent[i].id;
        b->recent_ptr[i] = &b->recent[i];
    }
    pb->recent = b->recent_ptr;
    pb->n_boxes = boxes_to_pb(&c->boxes, b->boxes);
    pb->boxes = b->boxes;
}

sertel_err_t codec_case_to_pb(const case_t *c, Sertel__Case *pb)
{
    sertel__case__init(pb);
    case_block_t *b = calloc(1, sizeof *b);
    if (!b)
        return SERTEL_E_NOMEM;
    layout_to_pb(&case_layout, c, pb);
    const case_t *from = c;
    Sertel__Case *to = pb;
    CASE_SCALARS(COPY_SCALAR)
    codec_app_to_pb(&c->app, &b->app);
    pb->app = &b->app;
    case_repeated_to_pb(c, b, pb);
    return SERTEL_OK;
}

void codec_case_pb_clear(Sertel__Case *pb)
{
    free(pb->app); /* the whole case_block_t, see there */
    sertel__case__init(pb);
}

static sertel_err_t attachments_from_pb(const Sertel__Case *pb, case_t *c,
                                        char *why, size_t whylen)
{
    static const Sertel__Attachment empty = SERTEL__ATTACHMENT__INIT;
    sertel_err_t e = check_count("attachments", pb->n_attachments, CASE_MAX_ATTACH, why, whylen);
    for (size_t i = 0; e == SERTEL_OK && i < pb->n_attachments; i++) {
        const Sertel__Attachment *a = pb->attachments[i] ? pb->attachments[i] : &empty;
        field_ref_t where = {.prefix = "", .list = "attachments", .index = i};
        e = decode_layout(&attach_layout, where, a, &c->attachments[i], why, whylen);
        c->attachments[i].size = a->size;
        c->attachments[i].step = a->step;
    }
    c->n_attachments = (int)pb->n_attachments;
    return e;
}

/* actors and actor_roles are parallel arrays: a role without its officer
 * (or the reverse) cannot be placed, so their counts must agree. */
static sertel_err_t actors_from_pb(const Sertel__Case *pb, case_t *c, char *why, size_t whylen)
{
    sertel_err_t e = check_count("actors", pb->n_actors, CASE_MAX_ACTORS, why, whylen);
    if (e == SERTEL_OK && pb->n_actor_roles != pb->n_actors)
        e = err_set(SERTEL_E_INVALID, why, whylen, _("field %s has %zu items but field %s has %zu"),
                   "actor_roles", pb->n_actor_roles, "actors", pb->n_actors);
    for (size_t i = 0; e == SERTEL_OK && i < pb->n_actors; i++) {
        field_ref_t actor = {.prefix = "", .list = "actors", .index = i};
        field_ref_t role = {.prefix = "", .list = "actor_roles", .index = i};
        e = copy_string(&actor, pb->actors[i], c->actors[i], sizeof c->actors[i], why, whylen);
        if (e == SERTEL_OK)
            e = check_enum(&role, (int)pb->actor_roles[i], ROLE_NONE, ROLE_MAX, why, whylen);
        c->actor_roles[i] = (role_t)pb->actor_roles[i];
    }
    c->n_actors = (int)pb->n_actors;
    return e;
}

static sertel_err_t recent_from_pb(const Sertel__Case *pb, case_t *c, char *why, size_t whylen)
{
    static const Sertel__Case__Recent empty = SERTEL__CASE__RECENT__INIT;
    sertel_err_t e = check_count("recent", pb->n_recent, CASE_RECENT_REQUESTS, why, whylen);
    for (size_t i = 0; e == SERTEL_OK && i < pb->n_recent; i++) {
        const Sertel__Case__Recent *r = pb->recent[i] ? pb->recent[i] : &empty;
        field_ref_t where = {.prefix = "", .list = "recent", .index = i};
        e = decode_layout(&recent_layout, where, r, &c->recent[i], why, whylen);
        c->recent[i].id = r->id;
    }
    c->n_recent = (int)pb->n_recent;
    return e;
}

sertel_err_t codec_case_from_pb(const Sertel__Case *pb, case_t *c, char *why, size_t whylen)
{
    /* Decoded aside so that a refusal leaves *c as it was; zeroed so that
     * padding and unused slots compare equal across round trips. */
    case_t tmp;
    memset(&tmp, 0, sizeof tmp);
    sertel_err_t e = decode_layout(&case_layout, (field_ref_t){.prefix = ""}, pb, &tmp, why, whylen);
    if (e == SERTEL_OK)
        e = app_decode(pb->app, "app.", &tmp.app, why, whylen);
    if (e == SERTEL_OK)
        e = attachments_from_pb(pb, &tmp, why, whylen);
    if (e == SERTEL_OK)
        e = actors_from_pb(pb, &tmp, why, whylen);
    if (e == SERTEL_OK)
        e = recent_from_pb(pb, &tmp, why, whylen);
    if (e == SERTEL_OK)
        e = boxes_from_pb(pb->boxes, pb->n_boxes, &tmp.boxes, why, whylen);
    if (e != SERTEL_OK)
        return e;
    const Sertel__Case *from = pb;
    case_t *to = &tmp;
    CASE_SCALARS(COPY_SCALAR)
    memcpy(c, &tmp, sizeof tmp);
    return SERTEL_OK;
}

/* ----------------------------------------------------------------- event */

void codec_event_to_pb(const event_t *ev, uint64_t seq, codec_event_pb_t *m)
{
    Sertel__Event *pb = &m->pb;
    sertel__event__init(pb);
    pb->n_boxes = boxes_to_pb(&ev->boxes, m->boxes);
    pb->boxes = m->boxes;
    layout_to_pb(&event_layout, ev, pb);
    pb->seq = seq;
    const event_t *from = ev;
    Sertel__Event *to = pb;
    EVENT_SCALARS(COPY_SCALAR)
}

/* No why in this API: events come from the broker's own journal, so a
 * refusal means a broken peer rather than a user's mistake. */
sertel_err_t codec_event_from_pb(const Sertel__Event *pb, event_t *ev, uint64_t *seq)
{
    event_t tmp;
    memset(&tmp, 0, sizeof tmp);
    sertel_err_t e = decode_layout(&event_layout, (field_ref_t){.prefix = ""}, pb, &tmp, NULL, 0);
    if (e == SERTEL_OK && !event_kind_code(tmp.kind))
        e = SERTEL_E_INVALID; /* inside the range, between the engine's numbers */
    if (e == SERTEL_OK)
        e = boxes_from_pb(pb->boxes, pb->n_boxes, &tmp.boxes, NULL, 0);
    if (e != SERTEL_OK)
        return e;
    const Sertel__Event *from = pb;
    event_t *to = &tmp;
    EVENT_SCALARS(COPY_SCALAR)
    memcpy(ev, &tmp, sizeof tmp);
    if (seq)
        *seq = pb->seq;
    return SERTEL_OK;
}

/* --------------------------------------------------------------- officer */

/* officer_t has no public key: it stays empty here and is filled by the
 * caller that has it (the officer registry). */
void codec_officer_to_pb(const officer_t *o, Sertel__Officer *pb)
{
    sertel__officer__init(pb);
    layout_to_pb(&officer_layout, o, pb);
    const officer_t *from = o;
    Sertel__Officer *to = pb;
    OFFICER_SCALARS(COPY_SCALAR)
}

sertel_err_t codec_officer_from_pb(const Sertel__Officer *pb, officer_t *o,
                                   char *why, size_t whylen)
{
    officer_t tmp;
    memset(&tmp, 0, sizeof tmp);
    sertel_err_t e = decode_layout(&officer_layout, (field_ref_t){.prefix = ""}, pb, &tmp, why, whylen);
    if (e != SERTEL_OK)
        return e;
    const Sertel__Officer *from = pb;
    officer_t *to = &tmp;
    OFFICER_SCALARS(COPY_SCALAR)
    memcpy(o, &tmp, sizeof tmp);
    return SERTEL_OK;
}

/* --------------------------------------------------------------- framing */

uint8_t *codec_pack(const ProtobufCMessage *m, size_t *len)
{
    size_t n = protobuf_c_message_get_packed_size(m);
    /* An empty message packs to 0 bytes; malloc(0) may return NULL, which
     * would read as "no memory". */
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf)
        return NULL;
    *len = protobuf_c_message_pack(m, buf);
    return buf;
}

Sertel__Envelope *codec_envelope_unpack(const uint8_t *data, size_t len, char *why, size_t whylen)
{
    /* Checked before unpack, which would otherwise allocate for whatever
     * lengths the sender claims. */
    if (len > FRAME_MAX) {
        (void)err_set(SERTEL_E_INVALID, why, whylen, _("frame too large: %zu bytes, at most %zu"), len,
                     (size_t)FRAME_MAX);
        return NULL;
    }
    static const uint8_t nothing[1];
    Sertel__Envelope *env = NULL;
    if (data || len == 0)
        env = sertel__envelope__unpack(NULL, len, data ? data : nothing);
    if (!env) {
        (void)err_set(SERTEL_E_INVALID, why, whylen, _("malformed message: not a protocol envelope"));
        return NULL;
    }
    if (env->version != PROTOCOL_VERSION) {
        (void)err_set(SERTEL_E_INVALID, why, whylen, _("unsupported protocol version %u"), (unsigned)env->version);
        sertel__envelope__free_unpacked(env, NULL);
        return NULL;
    }
    if (env->body_case == SERTEL__ENVELOPE__BODY__NOT_SET) {
        (void)err_set(SERTEL_E_INVALID, why, whylen, _("message has no body"));
        sertel__envelope__free_unpacked(env, NULL);
        return NULL;
    }
    return env;
}
