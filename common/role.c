#include "role.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"

static const struct {
    const char *code;
    const char *title;
    role_t superior;
} roles[ROLE__COUNT] = {
    [ROLE_NONE] = {"", "", ROLE_NONE},
    [ROLE_STAF] = {"staf", N_("Staff"), ROLE_JF},
    [ROLE_JF] = {"jf", N_("JF Information Security"), ROLE_KABID},
    [ROLE_KABID] = {"kabid", N_("Head of Cryptography and Information Security"), ROLE_KADIS},
    [ROLE_KADIS] = {"kadis", N_("Head of Agency"), ROLE_NONE},
    [ROLE_ADMIN] = {"admin", N_("Administrator"), ROLE_NONE},
    [ROLE_NOTIFIER] = {"notifier", N_("Notifier"), ROLE_NONE},
};

static const struct {
    const char *code;
    unsigned bit;
} quals[] = {
    {"verifikator", QUAL_VERIFIKATOR},
};

const char *role_code(role_t r)
{
    return (int)r > 0 && r < ROLE__COUNT ? roles[r].code : NULL;
}

const char *role_title(role_t r)
{
    return (int)r > 0 && r < ROLE__COUNT ? _(roles[r].title) : "";
}

role_t role_from_code(const char *code)
{
    for (int r = 1; code && r < ROLE__COUNT; r++)
        if (strcmp(code, roles[r].code) == 0)
            return (role_t)r;
    return ROLE_NONE;
}

role_t role_superior(role_t r)
{
    return (int)r > 0 && r < ROLE__COUNT ? roles[r].superior : ROLE_NONE;
}

unsigned qual_from_code(const char *code)
{
    for (size_t i = 0; code && i < sizeof quals / sizeof quals[0]; i++)
        if (strcmp(code, quals[i].code) == 0)
            return quals[i].bit;
    return 0;
}

const char *qual_codes(unsigned q, char *buf, unsigned len)
{
    size_t used = 0;
    if (len)
        buf[0] = '\0';
    for (size_t i = 0; i < sizeof quals / sizeof quals[0]; i++) {
        if (!(q & quals[i].bit) || used >= len)
            continue;
        int n = snprintf(buf + used, len - used, "%s%s", used ? "," : "", quals[i].code);
        if (n > 0)
            used += (size_t)n;
    }
    return buf;
}
