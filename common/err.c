#include "err.h"

#include <stdarg.h>
#include <stdio.h>

#include "i18n.h"

static const char *const texts[SERTEL_E__COUNT] = {
    [SERTEL_OK] = N_("success"),
    [SERTEL_E_INVALID] = N_("invalid input"),
    [SERTEL_E_NOMEM] = N_("out of memory"),
    [SERTEL_E_IO] = N_("input/output error"),
    [SERTEL_E_NOT_FOUND] = N_("not found"),
    [SERTEL_E_WRONG_ACTOR] = N_("the case is assigned to another officer"),
    [SERTEL_E_WRONG_ROLE] = N_("your role may not do this"),
    [SERTEL_E_WRONG_STEP] = N_("not possible at the case's current step"),
    [SERTEL_E_CLOSED] = N_("the case is already closed"),
    [SERTEL_E_DUPLICATE] = N_("this request was already applied"),
    [SERTEL_E_INCOMPLETE] = N_("a required item (Kelengkapan) is missing"),
    [SERTEL_E_STATE] = N_("not possible in the case's current state"),
    [SERTEL_E_DENIED] = N_("access denied"),
    [SERTEL_E_EXISTS] = N_("already exists"),
    [SERTEL_E_FULL] = N_("capacity reached"),
    [SERTEL_E_PROTOCOL] = N_("malformed or unsupported message"),
    [SERTEL_E_STORAGE] = N_("storage failure; nothing was changed"),
    [SERTEL_E_MAP_FULL] = N_("the database is full; nothing was changed"),
    [SERTEL_E_LIMIT] = N_("a limit of your key is reached; nothing was changed"),
    [SERTEL_E_LIKELY_DUPLICATE] = N_("this looks like a letter already registered"),
    [SERTEL_E_NO_ADDRESS] = N_("no address for that channel"),
    [SERTEL_E_MESSAGE_FINAL] = N_("the message is already sent or given up"),
};

const char *sertel_strerror(sertel_err_t e)
{
    if ((int)e < 0 || e >= SERTEL_E__COUNT || !texts[e])
        return _("unknown error");
    return _(texts[e]);
}

void diag_at(char *buf, size_t len, const char *file, int line,
             const char *fmt, ...)
{
    if (!buf || len == 0)
        return;
    int n = line > 0 ? snprintf(buf, len, "%s:%d: ", file, line)
                     : snprintf(buf, len, "%s: ", file);
    if (n < 0 || (size_t)n >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + n, len - (size_t)n, fmt, ap);
    va_end(ap);
}

sertel_err_t err_set(sertel_err_t e, char *why, size_t whylen, const char *fmt, ...)
{
    if (why && whylen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, whylen, fmt, ap);
        va_end(ap);
    }
    return e;
}
