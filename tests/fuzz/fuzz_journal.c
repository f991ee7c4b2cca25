/* libFuzzer target: a journal record as the store reads it back (format
 * 5: hash, case link, and with the link's flag the event's length, the
 * Event and the case after it), then its Event as the catch-up reads it
 * where it lies (evwire.c) beside what protobuf-c makes of the same bytes:
 * the two must agree on whether it decodes and on what the replay uses
 * (seq, kind, whether a session hears of it). A disagreement aborts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evwire.h"
#include "push.h"
#include "sertel.pb-c.h"
#include "store_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The sessions asked about: a named officer, a pool, a verifier. */
static void scope_set(push_scope_t *s, const char *nip, role_t role, unsigned quals)
{
    memset(s, 0, sizeof *s);
    officer_t o = {.role = role, .quals = quals};
    snprintf(o.nip, sizeof o.nip, "%s", nip);
    push_scope_add(s, &o);
}

static void same_as_unpack(const uint8_t *p, size_t len)
{
    evwire_t w;
    bool read = evwire_read(p, len, &w);
    Sertel__Event *ev = sertel__event__unpack(NULL, len, p);
    if (!(read && w.nested) && read != (ev != NULL))
        abort();
    if (read && (w.rcpt_at > len || w.rcpt_len > len - w.rcpt_at))
        abort();
    if (read && ev) {
        if (w.seq != ev->seq || w.kind != (int)ev->kind)
            abort();
        push_scope_t scopes[3];
        scope_set(&scopes[0], "198503142010011003", ROLE_STAF, 0);
        scope_set(&scopes[1], "197503042001121002", ROLE_KADIS, 0);
        scope_set(&scopes[2], "199002022015031001", ROLE_STAF, 1);
        for (int i = 0; i < 3; i++)
            if (evwire_concerns(p, len, &scopes[i]) != push_concerns(ev, &scopes[i]) ||
                evwire_concerns(p + w.rcpt_at, w.rcpt_len, &scopes[i]) != push_concerns(ev, &scopes[i]))
                abort();
    }
    if (ev)
        sertel__event__free_unpacked(ev, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    MDB_val v = {size, (void *)data};
    store_jrec_t r;
    if (!store_jrec_parse(1, &v, &r))
        return 0;
    /* Everything it points at lies within the record. */
    const uint8_t *end = data + size;
    if (r.event < data || r.event_len > (size_t)(end - r.event) ||
        (r.snap && (r.snap < data || r.snap_len > (size_t)(end - r.snap))))
        abort();
    same_as_unpack(r.event, r.event_len);
    return 0;
}
