/* evwire: a stored Event read in place says what unpacking it says (the
 * same records accepted and refused, the same seq, kind and recipients),
 * and its push framed in place is byte for byte the packed Envelope. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "evwire.h"

#define KADIS_NIP "197503042001121002"
#define JF_NIP "198801012012011002"

static uint8_t *pack_event(uint64_t seq, char **notify, size_t n_notify, uint32_t *pools,
                           size_t n_pools, size_t *len)
{
    Sertel__Event ev = SERTEL__EVENT__INIT;
    ev.seq = seq;
    ev.kind = SERTEL__EVENT_KIND__EV_DISPOSED;
    ev.case_id = "SE-2026-00042";
    ev.at = 1764650000;
    ev.actor = KADIS_NIP;
    ev.text = "Mohon diproses \xe2\x80\x94 segera";
    ev.notify = notify;
    ev.n_notify = n_notify;
    ev.notify_pools = pools;
    ev.n_notify_pools = n_pools;
    ev.deadline = -5; /* a negative varint: ten bytes */
    return codec_pack(&ev.base, len);
}

static push_scope_t scope_of(const char *nip, role_t role, unsigned quals)
{
    push_scope_t s = {0};
    officer_t o = {0};
    strcpy(o.nip, nip);
    o.role = role;
    o.quals = quals;
    push_scope_add(&s, &o);
    return s;
}

static void test_reads_what_unpack_reads(void **state)
{
    (void)state;
    char *notify[] = {JF_NIP};
    uint32_t pools[] = {push_pool(ROLE_KADIS, 0), push_pool(ROLE_STAF, 1)};
    size_t len;
    uint8_t *buf = pack_event(77, notify, 1, pools, 2, &len);
    evwire_t w;
    assert_true(evwire_read(buf, len, &w));
    assert_int_equal(w.seq, 77);
    assert_int_equal(w.kind, SERTEL__EVENT_KIND__EV_DISPOSED);
    assert_false(w.nested);

    Sertel__Event *ev = sertel__event__unpack(NULL, len, buf);
    assert_non_null(ev);
    const push_scope_t scopes[] = {
        scope_of(JF_NIP, ROLE_JF, 0),                  /* named */
        scope_of(KADIS_NIP, ROLE_KADIS, 0),            /* by the Kadis pool */
        scope_of("199002022015031001", ROLE_STAF, 1),  /* a qualified staf */
        scope_of("198503142010011003", ROLE_STAF, 0),  /* not qualified: no */
        scope_of("19880101201201100", ROLE_JF, 0),     /* a prefix of a NIP: no */
        scope_of("198806062012011002", ROLE_KABID, 0), /* nobody */
    };
    const bool want[] = {true, true, true, false, false, false};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_int_equal(evwire_concerns(buf, len, &scopes[i]), want[i]);
        assert_int_equal(evwire_concerns(buf + w.rcpt_at, w.rcpt_len, &scopes[i]), want[i]);
        assert_int_equal(push_concerns(ev, &scopes[i]), want[i]);
    }
    sertel__event__free_unpacked(ev, NULL);
    free(buf);
}

/* The pools written one by one (not packed) are read too. */
static void test_unpacked_pools(void **state)
{
    (void)state;
    uint32_t pool = push_pool(ROLE_KADIS, 0);
    uint8_t rec[] = {0x08, 0x05, 0xb8, 0x01, (uint8_t)(pool | 0x80), (uint8_t)(pool >> 7)};
    evwire_t w;
    assert_true(evwire_read(rec, sizeof rec, &w));
    assert_int_equal(w.seq, 5);
    push_scope_t kadis = scope_of(KADIS_NIP, ROLE_KADIS, 0);
    assert_true(evwire_concerns(rec, sizeof rec, &kadis));
    Sertel__Event *ev = sertel__event__unpack(NULL, sizeof rec, rec);
    assert_non_null(ev);
    assert_true(push_concerns(ev, &kadis));
    sertel__event__free_unpacked(ev, NULL);
}

static void test_push_frame_is_the_packed_envelope(void **state)
{
    (void)state;
    char *notify[] = {JF_NIP, KADIS_NIP};
    /* sizes around the one- and two-byte length prefixes */
    for (size_t pad = 0; pad < 300; pad += 7) {
        size_t len;
        uint8_t *buf = pack_event(1000 + pad, notify, 2, NULL, 0, &len);
        Sertel__Event *ev = sertel__event__unpack(NULL, len, buf);
        char text[400];
        memset(text, 'a', pad);
        text[pad] = '\0';
        ev->note = text;
        free(buf);
        buf = codec_pack(&ev->base, &len);
        Sertel__Envelope env = SERTEL__ENVELOPE__INIT;
        env.version = PROTOCOL_VERSION;
        env.body_case = SERTEL__ENVELOPE__BODY_PUSH;
        env.push = ev;
        size_t want_len;
        uint8_t *want = codec_pack(&env.base, &want_len);
        uint8_t head[EVWIRE_HEAD_MAX];
        size_t n = evwire_push_head(len, head);
        assert_int_equal(n + len, want_len);
        assert_memory_equal(head, want, n);
        assert_memory_equal(buf, want + n, len);
        ev->note = NULL; /* not the unpacked copy's: freed as a string otherwise */
        sertel__event__free_unpacked(ev, NULL);
        free(want);
        free(buf);
    }
}

/* A batch framed in place is the packed Envelope{pushes = EventBatch}. */
static void test_batch_frame_is_the_packed_envelope(void **state)
{
    (void)state;
    char *notify[] = {KADIS_NIP};
    enum { N = 40 };
    Sertel__Event *evs[N];
    uint8_t frame[N * 200], head[EVWIRE_HEAD_MAX];
    size_t body = 0;
    for (int i = 0; i < N; i++) {
        size_t len;
        uint8_t *buf = pack_event(500 + (uint64_t)i * 997, notify, 1, NULL, 0, &len);
        evs[i] = sertel__event__unpack(NULL, len, buf);
        body += evwire_item_head(len, frame + body);
        memcpy(frame + body, buf, len);
        body += len;
        free(buf);
    }
    Sertel__EventBatch batch = SERTEL__EVENT_BATCH__INIT;
    batch.events = evs;
    batch.n_events = N;
    Sertel__Envelope env = SERTEL__ENVELOPE__INIT;
    env.version = PROTOCOL_VERSION;
    env.body_case = SERTEL__ENVELOPE__BODY_PUSHES;
    env.pushes = &batch;
    size_t want_len;
    uint8_t *want = codec_pack(&env.base, &want_len);
    size_t n = evwire_batch_head(body, head);
    assert_int_equal(n + body, want_len);
    assert_memory_equal(head, want, n);
    assert_memory_equal(frame, want + n, body);
    for (int i = 0; i < N; i++)
        sertel__event__free_unpacked(evs[i], NULL);
    free(want);
}

/* Damaged records: whatever protobuf-c refuses, evwire refuses, and the
 * other way round (a nested message is left to unpacking). */
static void test_refuses_what_unpack_refuses(void **state)
{
    (void)state;
    char *notify[] = {JF_NIP};
    uint32_t pools[] = {push_pool(ROLE_KADIS, 0)};
    size_t len;
    uint8_t *good = pack_event(123456, notify, 1, pools, 1, &len);
    uint8_t *rec = malloc(len);
    uint32_t rng = 12345;
    int refused = 0;
    for (int round = 0; round < 40000; round++) {
        memcpy(rec, good, len);
        size_t n = len;
        int edits = 1 + round % 3;
        for (int e = 0; e < edits; e++) {
            rng = rng * 1103515245u + 12345u;
            size_t at = (rng >> 8) % len;
            rng = rng * 1103515245u + 12345u;
            rec[at] = (uint8_t)(rng >> 16);
        }
        if (round % 5 == 0)
            n = (rng >> 4) % len; /* cut short too */
        evwire_t w;
        bool read = evwire_read(rec, n, &w);
        Sertel__Event *ev = sertel__event__unpack(NULL, n, rec);
        if (!(read && w.nested))
            assert_int_equal(read, ev != NULL);
        if (ev && read) {
            assert_int_equal(w.seq, ev->seq);
            assert_int_equal(w.kind, (int)ev->kind);
            push_scope_t s = scope_of(JF_NIP, ROLE_KADIS, 0);
            assert_int_equal(evwire_concerns(rec, n, &s), push_concerns(ev, &s));
            assert_int_equal(evwire_concerns(rec + w.rcpt_at, w.rcpt_len, &s),
                             push_concerns(ev, &s));
        }
        if (ev)
            sertel__event__free_unpacked(ev, NULL);
        refused += !read;
    }
    assert_true(refused > 1000); /* the edits did damage */
    free(rec);
    free(good);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_what_unpack_reads),
        cmocka_unit_test(test_unpacked_pools),
        cmocka_unit_test(test_push_frame_is_the_packed_envelope),
        cmocka_unit_test(test_batch_frame_is_the_packed_envelope),
        cmocka_unit_test(test_refuses_what_unpack_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
