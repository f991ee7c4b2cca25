/* codec: round trips that lose nothing, and refusals for everything the
 * fixed-size structs cannot hold or the protocol does not allow. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

#define FILL(member, ch) fill((member), sizeof(member), (ch))

/* Fills a char array to its full capacity: the longest string it holds. */
static void fill(char *dst, size_t cap, char ch)
{
    memset(dst, ch, cap - 1);
    dst[cap - 1] = '\0';
}

/* A string exactly one byte longer than a field of capacity cap holds. */
static const char *too_long(size_t cap)
{
    static char buf[1024];
    assert_true(cap < sizeof buf);
    memset(buf, 'x', cap);
    buf[cap] = '\0';
    return buf;
}

static void make_app(application_t *a)
{
    memset(a, 0, sizeof *a);
    /* multi-byte UTF-8 must pass untouched */
    strcpy(a->name, "Siti Nurhaliza \xe2\x80\x94 Dinas Kominfo");
    FILL(a->nip, '1');
    FILL(a->nik, '3');
    FILL(a->unit, 'u');
    FILL(a->position, 'p');
    FILL(a->email, 'e');
    FILL(a->phone, '8');
    a->channel = CHANNEL_EMAIL;
    FILL(a->letter_no, 'L');
    strcpy(a->letter_date, "2024-02-29");
    FILL(a->subject, 's');
    a->urgency = URGENCY_SANGAT_SEGERA;
    a->classification = CLASS_SANGAT_RAHASIA;
    FILL(a->agenda_no, 'g');
    FILL(a->srikandi_no, 'k');
    strcpy(a->received_date, "2024-03-01");
}

static void make_boxes(boxes_t *b)
{
    for (int i = 0; i < CASE_MAX_BOXES; i++)
        FILL(b->v[i], (char)('a' + i));
    b->n = CASE_MAX_BOXES;
}

/* Every field set, every string and array at its capacity. */
static void make_case(case_t *c)
{
    memset(c, 0, sizeof *c);
    FILL(c->id, 'I');
    FILL(c->sop_code, 'S');
    c->state = CASE_WAITING;
    make_app(&c->app);
    c->created_at = 1700000000;
    FILL(c->received_by, '2');
    c->step = 5;
    FILL(c->assignee, '3');
    c->pool_role = ROLE_STAF;
    c->pool_quals = QUAL_VERIFIKATOR;
    FILL(c->instruction, 'i');
    c->step_started_at = 1700000100;
    c->segment_started_at = 1700000200;
    c->work_banked = 3600;
    c->wait_wall = 86400;
    c->wait_work = 27000;
    c->waiting_since = 1700000300;
    c->warn_at = 1700000400;
    c->due_at = 1700000500;
    c->warned = true;
    c->overdue = true;
    c->contacts = 3;
    FILL(c->cert_serial, 'c');
    c->cert_not_after = -1; /* negative int64 survives */
    for (int i = 0; i < CASE_MAX_ATTACH; i++) {
        FILL(c->attachments[i].hash, (char)('a' + i % 6));
        FILL(c->attachments[i].name, (char)('A' + i));
        c->attachments[i].size = UINT64_MAX - (uint64_t)i;
        c->attachments[i].step = i + 1;
    }
    c->n_attachments = CASE_MAX_ATTACH;
    for (int i = 0; i < CASE_MAX_ACTORS; i++) {
        FILL(c->actors[i], (char)('0' + i % 10));
        c->actor_roles[i] = (role_t)(1 + i % ROLE_ADMIN);
    }
    c->n_actors = CASE_MAX_ACTORS;
    FILL(c->closed_reason, 'r');
    c->closed_at = 1700000600;
    for (int i = 0; i < CASE_RECENT_REQUESTS; i++) {
        FILL(c->recent[i].nip, (char)('4' + i % 5));
        c->recent[i].id = UINT64_MAX - (uint64_t)i;
    }
    c->n_recent = CASE_RECENT_REQUESTS;
    c->urgency = URGENCY_SEGERA;
    c->deadline = 1700000700;
    make_boxes(&c->boxes);
    FILL(c->note, 'n');
}

static void make_event(event_t *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = EV_OVERDUE;
    FILL(ev->case_id, 'I');
    ev->at = 1700000000;
    ev->step = 4;
    FILL(ev->actor, '1');
    ev->actor_role = ROLE_KABID;
    ev->acting = ACTING_PLH;
    FILL(ev->acting_for, '2');
    ev->next_step = 5;
    FILL(ev->assignee, '3');
    ev->assignee_role = ROLE_STAF;
    ev->assignee_quals = QUAL_VERIFIKATOR;
    ev->escalate_to = ROLE_KADIS;
    FILL(ev->text, 't');
    FILL(ev->note, 'n');
    ev->work = 1;
    ev->wall = 2;
    ev->wait_wall = 3;
    ev->wait_work = 4;
    ev->standard = 5;
    make_boxes(&ev->boxes);
    ev->deadline = 6;
    ev->urgency = URGENCY_SANGAT_SEGERA;
}

static void make_officer(officer_t *o)
{
    memset(o, 0, sizeof *o);
    FILL(o->nip, '1');
    FILL(o->name, 'o');
    o->role = ROLE_ADMIN;
    o->quals = QUAL_VERIFIKATOR;
    o->active = true;
}

/* ------------------------------------------------------------ round trips */

/* m packed and unpacked again, as a peer receives it; freed with
 * protobuf_c_message_free_unpacked. */
static void *over_the_wire(const ProtobufCMessage *m)
{
    size_t len = 0;
    uint8_t *buf = codec_pack(m, &len);
    assert_non_null(buf);
    ProtobufCMessage *back = protobuf_c_message_unpack(m->descriptor, NULL, len, buf);
    free(buf);
    assert_non_null(back);
    return back;
}

static void test_case_round_trip(void **state)
{
    (void)state;
    case_t in, out;
    make_case(&in);
    memset(&out, 0, sizeof out);

    Sertel__Case pb;
    assert_int_equal(codec_case_to_pb(&in, &pb), SERTEL_OK);
    Sertel__Case *back = over_the_wire(&pb.base);
    codec_case_pb_clear(&pb);
    char why[256] = "";
    assert_int_equal(codec_case_from_pb(back, &out, why, sizeof why), SERTEL_OK);
    sertel__case__free_unpacked(back, NULL);
    assert_memory_equal(&in, &out, sizeof in);
}

/* The way a case really travels: inside a Done reply in an envelope. */
static void test_case_in_envelope(void **state)
{
    (void)state;
    case_t in, out;
    make_case(&in);
    memset(&out, 0, sizeof out);

    Sertel__Case pbcase;
    assert_int_equal(codec_case_to_pb(&in, &pbcase), SERTEL_OK);
    Sertel__Done done = SERTEL__DONE__INIT;
    done.case_id = in.id;
    done.seq = 42;
    done.case_ = &pbcase;
    Sertel__Envelope env = SERTEL__ENVELOPE__INIT;
    env.version = PROTOCOL_VERSION;
    env.request_id = 7;
    env.body_case = SERTEL__ENVELOPE__BODY_DONE;
    env.done = &done;
    size_t len = 0;
    uint8_t *buf = codec_pack(&env.base, &len);
    assert_non_null(buf);
    codec_case_pb_clear(&pbcase);

    char why[256] = "";
    Sertel__Envelope *got = codec_envelope_unpack(buf, len, why, sizeof why);
    free(buf);
    assert_non_null(got);
    assert_int_equal(got->request_id, 7);
    assert_int_equal(got->body_case, SERTEL__ENVELOPE__BODY_DONE);
    assert_int_equal(got->done->seq, 42);
    assert_int_equal(codec_case_from_pb(got->done->case_, &out, why, sizeof why), SERTEL_OK);
    sertel__envelope__free_unpacked(got, NULL);
    assert_memory_equal(&in, &out, sizeof in);
}

static void test_empty_case_lists_round_trip(void **state)
{
    (void)state;
    case_t in, out;
    memset(&in, 0, sizeof in);
    in.state = CASE_OPEN;
    memset(&out, 0xab, sizeof out);

    Sertel__Case pb;
    assert_int_equal(codec_case_to_pb(&in, &pb), SERTEL_OK);
    assert_int_equal(pb.n_attachments, 0);
    assert_int_equal(pb.n_actors, 0);
    assert_int_equal(pb.n_recent, 0);
    Sertel__Case *back = over_the_wire(&pb.base);
    codec_case_pb_clear(&pb);
    assert_int_equal(codec_case_from_pb(back, &out, NULL, 0), SERTEL_OK);
    sertel__case__free_unpacked(back, NULL);
    assert_memory_equal(&in, &out, sizeof in);
}

/* A corrupt count in our own struct must not make to_pb read past it. */
static void test_case_to_pb_clamps_counts(void **state)
{
    (void)state;
    case_t c;
    make_case(&c);
    c.n_attachments = CASE_MAX_ATTACH + 5;
    c.n_actors = -3;
    c.n_recent = 1000;
    Sertel__Case pb;
    assert_int_equal(codec_case_to_pb(&c, &pb), SERTEL_OK);
    assert_int_equal(pb.n_attachments, CASE_MAX_ATTACH);
    assert_int_equal(pb.n_actors, 0);
    assert_int_equal(pb.n_actor_roles, 0);
    assert_int_equal(pb.n_recent, CASE_RECENT_REQUESTS);
    codec_case_pb_clear(&pb);
    assert_null(pb.app);
    codec_case_pb_clear(&pb); /* twice is harmless */
}

static void test_event_round_trip(void **state)
{
    (void)state;
    event_t in, out;
    make_event(&in);
    memset(&out, 0, sizeof out);

    codec_event_pb_t m;
    codec_event_to_pb(&in, UINT64_C(123456789012), &m);
    Sertel__Envelope env = SERTEL__ENVELOPE__INIT;
    env.version = PROTOCOL_VERSION;
    env.body_case = SERTEL__ENVELOPE__BODY_PUSH;
    env.push = &m.pb;
    size_t len = 0;
    uint8_t *buf = codec_pack(&env.base, &len);
    assert_non_null(buf);

    char why[256] = "";
    Sertel__Envelope *got = codec_envelope_unpack(buf, len, why, sizeof why);
    free(buf);
    assert_non_null(got);
    uint64_t seq = 0;
    assert_int_equal(codec_event_from_pb(got->push, &out, &seq), SERTEL_OK);
    assert_int_equal(seq, UINT64_C(123456789012));
    memset(&out, 0, sizeof out);
    assert_int_equal(codec_event_from_pb(got->push, &out, NULL), SERTEL_OK);
    sertel__envelope__free_unpacked(got, NULL);
    assert_memory_equal(&in, &out, sizeof in);
}

static void test_app_round_trip(void **state)
{
    (void)state;
    application_t in, out;
    make_app(&in);
    memset(&out, 0, sizeof out);
    Sertel__Application pb;
    codec_app_to_pb(&in, &pb);
    Sertel__Application *back = over_the_wire(&pb.base);
    char why[256] = "";
    assert_int_equal(codec_app_from_pb(back, &out, why, sizeof why), SERTEL_OK);
    sertel__application__free_unpacked(back, NULL);
    assert_memory_equal(&in, &out, sizeof in);
}

static void test_officer_round_trip(void **state)
{
    (void)state;
    officer_t in, out;
    make_officer(&in);
    memset(&out, 0, sizeof out);
    Sertel__Officer pb;
    codec_officer_to_pb(&in, &pb);
    Sertel__Officer *back = over_the_wire(&pb.base);
    char why[256] = "";
    assert_int_equal(codec_officer_from_pb(back, &out, why, sizeof why), SERTEL_OK);
    sertel__officer__free_unpacked(back, NULL);
    assert_memory_equal(&in, &out, sizeof in);
}

/* Hand-built messages may leave pointers NULL; proto3 reads them as empty. */
static void test_null_strings_are_empty(void **state)
{
    (void)state;
    Sertel__Application app = SERTEL__APPLICATION__INIT;
    app.name = NULL;
    app.email = NULL;
    application_t a;
    memset(&a, 0x55, sizeof a);
    assert_int_equal(codec_app_from_pb(&app, &a, NULL, 0), SERTEL_OK);
    assert_string_equal(a.name, "");
    assert_string_equal(a.email, "");

    case_t in;
    make_case(&in);
    Sertel__Case pb;
    assert_int_equal(codec_case_to_pb(&in, &pb), SERTEL_OK);
    Sertel__Application *keep = pb.app;
    pb.app = NULL; /* no application: all empty */
    pb.id = NULL;
    pb.actors[0] = NULL;
    pb.attachments[0] = NULL;
    pb.recent[0] = NULL;
    case_t out;
    assert_int_equal(codec_case_from_pb(&pb, &out, NULL, 0), SERTEL_OK);
    pb.app = keep;
    codec_case_pb_clear(&pb);
    assert_string_equal(out.id, "");
    assert_string_equal(out.app.name, "");
    assert_int_equal(out.app.channel, 0);
    assert_string_equal(out.actors[0], "");
    assert_string_equal(out.attachments[0].hash, "");
    assert_int_equal(out.attachments[0].size, 0);
    assert_string_equal(out.recent[0].nip, "");
}

/* ------------------------------------------------------------- refusals */

typedef struct {
    const char *what;
    void (*spoil)(Sertel__Case *pb);
    const char *field; /* must be named in why */
} case_spoiler_t;

static void long_id(Sertel__Case *pb) { pb->id = (char *)too_long(CASE_ID_MAX + 1); }
static void long_sop(Sertel__Case *pb) { pb->sop_code = (char *)too_long(32); }
static void long_instruction(Sertel__Case *pb) { pb->instruction = (char *)too_long(TEXT_MAX + 1); }
static void long_app_email(Sertel__Case *pb) { pb->app->email = (char *)too_long(EMAIL_MAX_LEN + 1); }
static void long_app_nip(Sertel__Case *pb) { pb->app->nip = (char *)too_long(NIP_LEN + 1); }
static void long_app_date(Sertel__Case *pb) { pb->app->letter_date = (char *)too_long(11); }
static void long_attach_hash(Sertel__Case *pb) { pb->attachments[3]->hash = (char *)too_long(HASH_HEX_LEN + 1); }
static void long_attach_name(Sertel__Case *pb) { pb->attachments[0]->name = (char *)too_long(FILE_NAME_MAX + 1); }
static void long_actor(Sertel__Case *pb) { pb->actors[2] = (char *)too_long(NIP_LEN + 1); }
static void long_recent(Sertel__Case *pb) { pb->recent[1]->nip = (char *)too_long(NIP_LEN + 1); }
static void bad_utf8(Sertel__Case *pb) { pb->app->name = (char *)"Budi \xc3\x28"; }
static void state_zero(Sertel__Case *pb) { pb->state = SERTEL__CASE_STATE__STATE_NONE; }
static void state_high(Sertel__Case *pb) { pb->state = (Sertel__CaseState)6; }
static void state_negative(Sertel__Case *pb) { pb->state = (Sertel__CaseState)-1; }
static void pool_role_high(Sertel__Case *pb) { pb->pool_role = (Sertel__Role)ROLE__COUNT; }
static void channel_high(Sertel__Case *pb) { pb->app->channel = (Sertel__Channel)5; }
static void urgency_high(Sertel__Case *pb) { pb->app->urgency = (Sertel__Urgency)4; }
static void actor_role_high(Sertel__Case *pb) { pb->actor_roles[4] = (Sertel__Role)99; }
static void roles_mismatch(Sertel__Case *pb) { pb->n_actor_roles--; }

static const case_spoiler_t case_spoilers[] = {
    { "case string", long_id, "id" },
    { "case string", long_sop, "sop_code" },
    { "case text", long_instruction, "instruction" },
    { "application string", long_app_email, "app.email" },
    { "application NIP", long_app_nip, "app.nip" },
    { "application date", long_app_date, "app.letter_date" },
    { "attachment string", long_attach_hash, "attachments[3].hash" },
    { "attachment string", long_attach_name, "attachments[0].name" },
    { "repeated string", long_actor, "actors[2]" },
    { "nested repeated string", long_recent, "recent[1].nip" },
    { "invalid UTF-8", bad_utf8, "app.name" },
    { "state 0", state_zero, "state" },
    { "state too high", state_high, "state" },
    { "state negative", state_negative, "state" },
    { "pool role", pool_role_high, "pool_role" },
    { "application channel", channel_high, "app.channel" },
    { "application urgency", urgency_high, "app.urgency" },
    { "repeated enum", actor_role_high, "actor_roles[4]" },
    { "parallel counts", roles_mismatch, "actor_roles" },
};

/* Each spoiled field is refused, named, and leaves the output untouched. */
static void test_case_refusals(void **state)
{
    (void)state;
    case_t in;
    make_case(&in);
    for (size_t i = 0; i < sizeof case_spoilers / sizeof case_spoilers[0]; i++) {
        const case_spoiler_t *s = &case_spoilers[i];
        Sertel__Case pb;
        assert_int_equal(codec_case_to_pb(&in, &pb), SERTEL_OK);
        s->spoil(&pb);
        case_t out, before;
        memset(&out, 0x5a, sizeof out);
        memcpy(&before, &out, sizeof out);
        char why[256] = "";
        sertel_err_t e = codec_case_from_pb(&pb, &out, why, sizeof why);
        if (s->spoil == roles_mismatch)
            pb.n_actor_roles++;
        codec_case_pb_clear(&pb);
        print_message("%s: %s\n", s->what, why);
        assert_int_equal(e, SERTEL_E_INVALID);
        assert_non_null(strstr(why, s->field));
        assert_memory_equal(&out, &before, sizeof out);
    }
}

/* The exact capacity fits (the round trips fill every field); one more
 * byte is refused with both numbers in the reason. */
static void test_boundary_length(void **state)
{
    (void)state;
    Sertel__Application pb = SERTEL__APPLICATION__INIT;
    char nip[NIP_LEN + 2];
    fill(nip, sizeof nip, '1'); /* NIP_LEN + 1 digits */
    pb.nip = nip;
    application_t a;
    char why[256] = "";
    assert_int_equal(codec_app_from_pb(&pb, &a, why, sizeof why), SERTEL_E_INVALID);
    assert_non_null(strstr(why, "nip"));
    assert_non_null(strstr(why, "19"));
    assert_non_null(strstr(why, "18"));
    nip[NIP_LEN] = '\0';
    assert_int_equal(codec_app_from_pb(&pb, &a, why, sizeof why), SERTEL_OK);
    assert_string_equal(a.nip, nip);
}

/* An unknown enum number survives protobuf-c's unpack (proto3 enums are
 * open), so only the codec stands in its way. */
static void test_enum_out_of_range_on_the_wire(void **state)
{
    (void)state;
    case_t in;
    make_case(&in);
    Sertel__Case pb;
    assert_int_equal(codec_case_to_pb(&in, &pb), SERTEL_OK);
    pb.state = (Sertel__CaseState)99;
    Sertel__Case *back = over_the_wire(&pb.base);
    codec_case_pb_clear(&pb);
    assert_int_equal(back->state, 99);
    case_t out;
    char why[256] = "";
    assert_int_equal(codec_case_from_pb(back, &out, why, sizeof why), SERTEL_E_INVALID);
    sertel__case__free_unpacked(back, NULL);
    assert_non_null(strstr(why, "state"));
    assert_non_null(strstr(why, "99"));
}

/* Repeated fields longer than the struct's arrays. */
static void test_too_many_items(void **state)
{
    (void)state;
    enum { MANY = 64 };
    Sertel__Attachment att = SERTEL__ATTACHMENT__INIT;
    Sertel__Attachment *atts[MANY];
    char *actors[MANY];
    Sertel__Role roles[MANY];
    Sertel__Case__Recent rec = SERTEL__CASE__RECENT__INIT;
    Sertel__Case__Recent *recs[MANY];
    for (int i = 0; i < MANY; i++) {
        atts[i] = &att;
        actors[i] = (char *)"";
        roles[i] = SERTEL__ROLE__ROLE_STAF;
        recs[i] = &rec;
    }
    static const struct { const char *field; int which; size_t n; } cases[] = {
        { "attachments", 0, CASE_MAX_ATTACH + 1 },
        { "actors", 1, CASE_MAX_ACTORS + 1 },
        { "recent", 2, CASE_RECENT_REQUESTS + 1 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Sertel__Case pb = SERTEL__CASE__INIT;
        pb.state = SERTEL__CASE_STATE__STATE_OPEN;
        pb.attachments = atts;
        pb.actors = actors;
        pb.actor_roles = roles;
        pb.recent = recs;
        /* at capacity first: accepted */
        size_t *count = cases[i].which == 0 ? &pb.n_attachments
                      : cases[i].which == 1 ? &pb.n_actors : &pb.n_recent;
        *count = cases[i].n - 1;
        pb.n_actor_roles = pb.n_actors;
        case_t out;
        char why[256] = "";
        assert_int_equal(codec_case_from_pb(&pb, &out, why, sizeof why), SERTEL_OK);
        *count = cases[i].n;
        pb.n_actor_roles = pb.n_actors;
        assert_int_equal(codec_case_from_pb(&pb, &out, why, sizeof why), SERTEL_E_INVALID);
        assert_non_null(strstr(why, cases[i].field));
    }
}

static void test_event_refusals(void **state)
{
    (void)state;
    event_t in;
    make_event(&in);
    static const int bad_kinds[] = { 0, EV_OVERDUE + 1, 20, -5 };
    for (size_t i = 0; i < sizeof bad_kinds / sizeof bad_kinds[0]; i++) {
        codec_event_pb_t m;
        codec_event_to_pb(&in, 1, &m);
        m.pb.kind = (Sertel__EventKind)bad_kinds[i];
        event_t out;
        uint64_t seq = 77;
        assert_int_equal(codec_event_from_pb(&m.pb, &out, &seq), SERTEL_E_INVALID);
        assert_int_equal(seq, 77); /* untouched */
    }
    codec_event_pb_t m;
    event_t out;
    codec_event_to_pb(&in, 1, &m);
    m.pb.acting = (Sertel__ActingKind)3;
    assert_int_equal(codec_event_from_pb(&m.pb, &out, NULL), SERTEL_E_INVALID);
    codec_event_to_pb(&in, 1, &m);
    m.pb.escalate_to = (Sertel__Role)ROLE__COUNT;
    assert_int_equal(codec_event_from_pb(&m.pb, &out, NULL), SERTEL_E_INVALID);
    codec_event_to_pb(&in, 1, &m);
    m.pb.text = (char *)too_long(TEXT_MAX + 1);
    assert_int_equal(codec_event_from_pb(&m.pb, &out, NULL), SERTEL_E_INVALID);
    codec_event_to_pb(&in, 1, &m);
    m.pb.case_id = (char *)too_long(CASE_ID_MAX + 1);
    assert_int_equal(codec_event_from_pb(&m.pb, &out, NULL), SERTEL_E_INVALID);
}

static void test_officer_refusals(void **state)
{
    (void)state;
    officer_t in, out;
    make_officer(&in);
    Sertel__Officer pb;
    char why[256] = "";
    codec_officer_to_pb(&in, &pb);
    pb.nip = (char *)too_long(NIP_LEN + 1);
    assert_int_equal(codec_officer_from_pb(&pb, &out, why, sizeof why), SERTEL_E_INVALID);
    assert_non_null(strstr(why, "nip"));
    codec_officer_to_pb(&in, &pb);
    pb.name = (char *)too_long(NAME_MAX_LEN + 1);
    assert_int_equal(codec_officer_from_pb(&pb, &out, why, sizeof why), SERTEL_E_INVALID);
    assert_non_null(strstr(why, "name"));
    codec_officer_to_pb(&in, &pb);
    pb.role = (Sertel__Role)ROLE__COUNT;
    assert_int_equal(codec_officer_from_pb(&pb, &out, why, sizeof why), SERTEL_E_INVALID);
    assert_non_null(strstr(why, "role"));
}

/* ------------------------------------------------------------- envelope */

static void test_garbage_bytes(void **state)
{
    (void)state;
    static const struct { const char *bytes; size_t len; } garbage[] = {
        { "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 11 }, /* endless varint */
        { "\x07", 1 },                    /* wire type 7 does not exist */
        { "\x62\x05\x01", 3 },            /* intake claims 5 bytes, has 1 */
        { "\x08\x01\x62\x7f", 4 },        /* version 1, then a truncated body */
        { "\x08", 1 },                    /* a tag without its value */
    };
    for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
        char why[256] = "";
        Sertel__Envelope *env = codec_envelope_unpack((const uint8_t *)garbage[i].bytes,
                                                      garbage[i].len, why, sizeof why);
        assert_null(env);
        assert_non_null(strstr(why, "malformed"));
    }
    char why[256] = "";
    assert_null(codec_envelope_unpack(NULL, 5, why, sizeof why));
    assert_non_null(strstr(why, "malformed"));
}

/* Builds a valid SopLoad envelope whose packed size is exactly want. */
static uint8_t *envelope_of_size(size_t want, size_t *len, char **text)
{
    Sertel__SopLoad sl = SERTEL__SOP_LOAD__INIT;
    Sertel__Envelope env = SERTEL__ENVELOPE__INIT;
    env.version = PROTOCOL_VERSION;
    env.body_case = SERTEL__ENVELOPE__BODY_SOP_LOAD;
    env.sop_load = &sl;
    *text = malloc(want + 1);
    assert_non_null(*text);
    size_t n = want;
    /* The length prefixes shrink as the text does; a few rounds settle. */
    for (int round = 0; round < 8; round++) {
        memset(*text, 'a', n);
        (*text)[n] = '\0';
        sl.text = *text;
        size_t got = protobuf_c_message_get_packed_size(&env.base);
        if (got == want)
            break;
        n = n + want - got;
    }
    uint8_t *buf = codec_pack(&env.base, len);
    assert_non_null(buf);
    assert_int_equal(*len, want);
    return buf;
}

static void test_frame_size_limit(void **state)
{
    (void)state;
    char why[256] = "";
    size_t len = 0;
    char *text = NULL;

    uint8_t *buf = envelope_of_size(FRAME_MAX, &len, &text);
    Sertel__Envelope *env = codec_envelope_unpack(buf, len, why, sizeof why);
    assert_non_null(env);
    assert_int_equal(strlen(env->sop_load->text), strlen(text));
    sertel__envelope__free_unpacked(env, NULL);
    free(buf);
    free(text);

    /* A well-formed message one byte over is refused for its size alone. */
    buf = envelope_of_size((size_t)FRAME_MAX + 1, &len, &text);
    assert_null(codec_envelope_unpack(buf, len, why, sizeof why));
    assert_non_null(strstr(why, "too large"));
    free(buf);
    free(text);

    /* Refused before any byte is read: NULL would crash an unpack. */
    why[0] = '\0';
    assert_null(codec_envelope_unpack(NULL, (size_t)FRAME_MAX + 1, why, sizeof why));
    assert_non_null(strstr(why, "too large"));
    assert_null(codec_envelope_unpack(NULL, SIZE_MAX, why, sizeof why));
}

static uint8_t *ping_envelope(uint32_t version, bool with_body, size_t *len)
{
    Sertel__Ping ping = SERTEL__PING__INIT;
    Sertel__Envelope env = SERTEL__ENVELOPE__INIT;
    env.version = version;
    env.request_id = 9;
    if (with_body) {
        env.body_case = SERTEL__ENVELOPE__BODY_PING;
        env.ping = &ping;
    }
    uint8_t *buf = codec_pack(&env.base, len);
    assert_non_null(buf);
    return buf;
}

static void test_wrong_version(void **state)
{
    (void)state;
    static const uint32_t versions[] = { 0, 2, 1000 };
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
        size_t len = 0;
        uint8_t *buf = ping_envelope(versions[i], true, &len);
        char why[256] = "", num[16];
        assert_null(codec_envelope_unpack(buf, len, why, sizeof why));
        free(buf);
        snprintf(num, sizeof num, "version %u", (unsigned)versions[i]);
        assert_non_null(strstr(why, num));
    }
    size_t len = 0;
    uint8_t *buf = ping_envelope(PROTOCOL_VERSION, true, &len);
    Sertel__Envelope *env = codec_envelope_unpack(buf, len, NULL, 0);
    free(buf);
    assert_non_null(env);
    assert_int_equal(env->body_case, SERTEL__ENVELOPE__BODY_PING);
    sertel__envelope__free_unpacked(env, NULL);
}

static void test_empty_body(void **state)
{
    (void)state;
    size_t len = 0;
    uint8_t *buf = ping_envelope(PROTOCOL_VERSION, false, &len);
    char why[256] = "";
    assert_null(codec_envelope_unpack(buf, len, why, sizeof why));
    free(buf);
    assert_non_null(strstr(why, "no body"));

    /* zero bytes: a default envelope, version 0 */
    static const uint8_t none[1];
    assert_null(codec_envelope_unpack(none, 0, why, sizeof why));
    assert_non_null(strstr(why, "version 0"));
}

/* An empty message packs to zero bytes and still gets a buffer. */
static void test_pack_empty(void **state)
{
    (void)state;
    Sertel__Ping ping = SERTEL__PING__INIT;
    size_t len = 99;
    uint8_t *buf = codec_pack(&ping.base, &len);
    assert_non_null(buf);
    assert_int_equal(len, 0);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_case_round_trip),
        cmocka_unit_test(test_case_in_envelope),
        cmocka_unit_test(test_empty_case_lists_round_trip),
        cmocka_unit_test(test_case_to_pb_clamps_counts),
        cmocka_unit_test(test_event_round_trip),
        cmocka_unit_test(test_app_round_trip),
        cmocka_unit_test(test_officer_round_trip),
        cmocka_unit_test(test_null_strings_are_empty),
        cmocka_unit_test(test_case_refusals),
        cmocka_unit_test(test_boundary_length),
        cmocka_unit_test(test_enum_out_of_range_on_the_wire),
        cmocka_unit_test(test_too_many_items),
        cmocka_unit_test(test_event_refusals),
        cmocka_unit_test(test_officer_refusals),
        cmocka_unit_test(test_garbage_bytes),
        cmocka_unit_test(test_frame_size_limit),
        cmocka_unit_test(test_wrong_version),
        cmocka_unit_test(test_empty_body),
        cmocka_unit_test(test_pack_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
