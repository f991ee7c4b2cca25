#include "case.h"

#include <stddef.h>
#include <string.h>

#include "i18n.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Codes are stored and sent on the wire, so they stay Indonesian and
 * never change; titles are what people read and are translated. Each
 * table is indexed by the enum value; index 0 is "no value" except for
 * acting, where 0 (not acting) is a real value with code "". */
static const struct {
    const char *code;
    const char *title;
    bool closed; /* no further step can be taken */
} states[] = {
    [CASE_OPEN] = {"terbuka", N_("open"), false},
    [CASE_WAITING] = {"menunggu", N_("waiting on applicant"), false},
    [CASE_DONE] = {"selesai", N_("archived"), true},
    [CASE_REJECTED] = {"ditolak", N_("rejected"), true},
    [CASE_WITHDRAWN] = {"dicabut", N_("withdrawn"), true},
};

static const char *const channels[] = {
    [CHANNEL_SURAT] = "surat",
    [CHANNEL_TELP] = "telp",
    [CHANNEL_FAX] = "fax",
    [CHANNEL_EMAIL] = "email",
};

static const char *const urgencies[] = {
    [URGENCY_BIASA] = "biasa",
    [URGENCY_SEGERA] = "segera",
    [URGENCY_SANGAT_SEGERA] = "sangat-segera",
};

static const char *const classifications[] = {
    [CLASS_BIASA] = "biasa",
    [CLASS_TERBATAS] = "terbatas",
    [CLASS_RAHASIA] = "rahasia",
    [CLASS_SANGAT_RAHASIA] = "sangat-rahasia",
};

static const char *const contact_channels[] = {
    [CONTACT_EMAIL] = "email",
    [CONTACT_SMS] = "sms",
    [CONTACT_TELP] = "telp",
    [CONTACT_WHATSAPP] = "whatsapp",
};

static const char *const actings[] = {
    [ACTING_NONE] = "",
    [ACTING_PLT] = "plt",
    [ACTING_PLH] = "plh",
};

/* Code at index v of a table starting at first, or "" when v is out of
 * range: "" is never a valid code there, so printing it is harmless and
 * reading it back yields 0. */
static const char *code_at(const char *const *codes, size_t n, size_t first, int v)
{
    return v >= (int)first && (size_t)v < n && codes[v] ? codes[v] : "";
}

/* Index of code in a table starting at first, or 0 when unknown. */
static int index_of(const char *const *codes, size_t n, size_t first, const char *code)
{
    for (size_t i = first; code && i < n; i++)
        if (codes[i] && strcmp(code, codes[i]) == 0)
            return (int)i;
    return 0;
}

static bool state_valid(case_state_t s)
{
    return (int)s >= CASE_OPEN && (size_t)s < COUNT(states);
}

const char *case_state_code(case_state_t s)
{
    return state_valid(s) ? states[s].code : "";
}

const char *case_state_title(case_state_t s)
{
    return state_valid(s) ? _(states[s].title) : "";
}

case_state_t case_state_from_code(const char *code)
{
    for (size_t i = CASE_OPEN; code && i < COUNT(states); i++)
        if (strcmp(code, states[i].code) == 0)
            return (case_state_t)i;
    return 0;
}

const char *channel_code(channel_t c)
{
    return code_at(channels, COUNT(channels), 1, (int)c);
}

channel_t channel_from_code(const char *code)
{
    return (channel_t)index_of(channels, COUNT(channels), 1, code);
}

const char *urgency_code(urgency_t u)
{
    return code_at(urgencies, COUNT(urgencies), 1, (int)u);
}

urgency_t urgency_from_code(const char *code)
{
    return (urgency_t)index_of(urgencies, COUNT(urgencies), 1, code);
}

const char *classification_code(classification_t c)
{
    return code_at(classifications, COUNT(classifications), 1, (int)c);
}

classification_t classification_from_code(const char *code)
{
    return (classification_t)index_of(classifications, COUNT(classifications), 1, code);
}

const char *contact_channel_code(contact_channel_t c)
{
    return code_at(contact_channels, COUNT(contact_channels), 1, (int)c);
}

contact_channel_t contact_channel_from_code(const char *code)
{
    return (contact_channel_t)index_of(contact_channels, COUNT(contact_channels), 1, code);
}

const char *acting_code(acting_kind_t k)
{
    return code_at(actings, COUNT(actings), 0, (int)k);
}

acting_kind_t acting_from_code(const char *code)
{
    return (acting_kind_t)index_of(actings, COUNT(actings), 0, code);
}

bool case_is_closed(const case_t *c)
{
    return c && state_valid(c->state) && states[c->state].closed;
}

int64_t case_last_event(const case_t *c)
{
    const int64_t times[] = {c->last_event_at, c->created_at, c->step_started_at,
                             c->segment_started_at, c->waiting_since, c->closed_at};
    int64_t last = 0;
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++)
        if (times[i] > last)
            last = times[i];
    return last;
}
