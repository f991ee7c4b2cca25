#include "notifier_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "err.h"
#include "i18n.h"
#include "log.h"
#include "text.h"

#define CONFIG_MAX_BYTES (64 * 1024)

/* Request shapes of the gateways the office uses (shared/ANCHORS.md):
 * method, token header, number, text, user and key fields, success rule. */
static const struct {
    const char *name, *method, *token_header, *number, *text, *user, *key, *success;
    bool whatsapp, sms;
} profiles[] = {
    {"fonnte", "POST", "Authorization", "target", "message", "", "", "json:status=true", true, false},
    {"wablas", "POST", "Authorization", "phone", "message", "", "", "json:status=true", true, false},
    {"zenziva", "POST", "", "to", "message", "userkey", "passkey", "json:status=1", false, true},
};

typedef enum { V_TEXT, V_INT, V_TLS, V_PROFILE, V_LEVEL } vkind_t;

/* Every key: where its value goes. Channel keys are spelled out per
 * channel so that the table stays flat. */
#define GW(ch, field) offsetof(ncfg_t, ch) + offsetof(ncfg_gateway_t, field)
#define GWKEYS(ch)                                                                       \
    {#ch "-profile", GW(ch, profile), sizeof(((ncfg_gateway_t *)0)->profile), V_PROFILE}, \
    {#ch "-url", GW(ch, url), NCFG_VALUE_MAX, V_TEXT},                                   \
    {#ch "-method", GW(ch, method), 8, V_TEXT},                                          \
    {#ch "-token-header", GW(ch, token_header), 64, V_TEXT},                             \
    {#ch "-number-field", GW(ch, number_field), 64, V_TEXT},                             \
    {#ch "-text-field", GW(ch, text_field), 64, V_TEXT},                                 \
    {#ch "-user-field", GW(ch, user_field), 64, V_TEXT},                                 \
    {#ch "-key-field", GW(ch, key_field), 64, V_TEXT},                                   \
    {#ch "-success", GW(ch, success), 128, V_TEXT},                                      \
    {#ch "-idempotency-header", GW(ch, idempotency_header), 64, V_TEXT}

static const struct {
    const char *key;
    size_t offset, size;
    vkind_t kind;
} keys[] = {
    {"smtp-url", offsetof(ncfg_t, smtp_url), NCFG_VALUE_MAX, V_TEXT},
    {"smtp-user", offsetof(ncfg_t, smtp_user), NCFG_VALUE_MAX, V_TEXT},
    {"smtp-password", offsetof(ncfg_t, smtp_password), NCFG_VALUE_MAX, V_TEXT},
    {"smtp-from", offsetof(ncfg_t, smtp_from), NCFG_VALUE_MAX, V_TEXT},
    {"smtp-tls", offsetof(ncfg_t, smtp_starttls), 0, V_TLS},
    GWKEYS(whatsapp),
    {"whatsapp-token", GW(whatsapp, token), NCFG_VALUE_MAX, V_TEXT},
    GWKEYS(sms),
    {"sms-user", GW(sms, user), NCFG_VALUE_MAX, V_TEXT},
    {"sms-key", GW(sms, key), NCFG_VALUE_MAX, V_TEXT},
    {"sms-token", GW(sms, token), NCFG_VALUE_MAX, V_TEXT},
    {"max-tries", offsetof(ncfg_t, max_tries), 0, V_INT},
    {"retry-first", offsetof(ncfg_t, retry_first), 0, V_INT},
    {"retry-max", offsetof(ncfg_t, retry_max), 0, V_INT},
    {"rate-email", offsetof(ncfg_t, rate) + 1 * sizeof(int), 0, V_INT},
    {"rate-whatsapp", offsetof(ncfg_t, rate) + 2 * sizeof(int), 0, V_INT},
    {"rate-sms", offsetof(ncfg_t, rate) + 3 * sizeof(int), 0, V_INT},
    {"timeout", offsetof(ncfg_t, timeout), 0, V_INT},
    {"log-level", offsetof(ncfg_t, log_level), 0, V_LEVEL},
};

static bool set_value(ncfg_t *cfg, size_t k, const char *value, const char *name, int line,
                      char *err, size_t errlen)
{
    void *field = (char *)cfg + keys[k].offset;
    switch (keys[k].kind) {
    case V_INT: {
        char *end;
        long v = strtol(value, &end, 10);
        if (*value && !*end && v >= 1 && v <= 1000000) {
            *(int *)field = (int)v;
            return true;
        }
        diag_at(err, errlen, name, line, _("%s: give a whole number from 1"), keys[k].key);
        return false;
    }
    case V_TLS:
        if (strcmp(value, "starttls") == 0 || strcmp(value, "tidak") == 0) {
            *(bool *)field = strcmp(value, "starttls") == 0;
            return true;
        }
        diag_at(err, errlen, name, line, _("smtp-tls: give starttls or tidak"));
        return false;
    case V_LEVEL: {
        log_level_t level;
        if (log_level_parse(value, &level)) {
            *(int *)field = (int)level + 1;
            return true;
        }
        diag_at(err, errlen, name, line, _("unknown log level '%s' (debug, info, warn, error)"),
                value);
        return false;
    }
    case V_PROFILE:
    case V_TEXT:
        if (strlen(value) < keys[k].size) {
            snprintf(field, keys[k].size, "%s", value);
            return true;
        }
        /* The value itself may be a secret: only its key is named. */
        diag_at(err, errlen, name, line, _("%s: the value is too long"), keys[k].key);
        return false;
    }
    return false;
}

static bool parse_line(ncfg_t *cfg, char *line, const char *name, int no, char *err, size_t errlen)
{
    char *s = text_trim(line);
    if (!*s || *s == '#')
        return true;
    char *eq = strchr(s, '=');
    if (!eq) {
        diag_at(err, errlen, name, no, _("expected \"key = value\""));
        return false;
    }
    *eq = '\0';
    char *key = text_trim(s), *value = text_trim(eq + 1);
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        if (strcmp(keys[k].key, key) == 0)
            return set_value(cfg, k, value, name, no, err, errlen);
    diag_at(err, errlen, name, no, _("unknown key '%s'"), key);
    return false;
}

/* Fills a gateway's shape from its profile; keys given in the file win. */
static bool apply_profile(ncfg_gateway_t *g, const char *channel, bool whatsapp, const char *name,
                          char *err, size_t errlen)
{
    if (!g->profile[0])
        return true;
#define KEEP(field, v) if (!g->field[0]) snprintf(g->field, sizeof g->field, "%s", v)
    bool custom = strcmp(g->profile, "custom") == 0;
    size_t i = 0;
    while (!custom && i < sizeof profiles / sizeof profiles[0] && strcmp(profiles[i].name, g->profile))
        i++;
    if (!custom && (i == sizeof profiles / sizeof profiles[0] ||
                    !(whatsapp ? profiles[i].whatsapp : profiles[i].sms))) {
        diag_at(err, errlen, name, 0, _("%s-profile: '%s' is not a %s profile (give %s or custom)"),
                channel, g->profile, channel, whatsapp ? "fonnte, wablas" : "zenziva");
        return false;
    }
    if (!custom) {
        KEEP(method, profiles[i].method);
        KEEP(token_header, profiles[i].token_header);
        KEEP(number_field, profiles[i].number);
        KEEP(text_field, profiles[i].text);
        KEEP(user_field, profiles[i].user);
        KEEP(key_field, profiles[i].key);
        KEEP(success, profiles[i].success);
    }
    KEEP(method, "POST");
    KEEP(success, "http");
#undef KEEP
    bool ok = g->url[0] && g->number_field[0] && g->text_field[0] &&
              (strcmp(g->method, "POST") == 0 || strcmp(g->method, "GET") == 0) &&
              (strcmp(g->success, "http") == 0 || (strncmp(g->success, "json:", 5) == 0 &&
                                                   strchr(g->success, '=')));
    if (!ok)
        diag_at(err, errlen, name, 0,
                _("%s: needs %s-url, a number field and a text field, method POST or GET, "
                  "and success \"http\" or \"json:KEY=VALUE\""), channel, channel);
    return ok;
}

bool ncfg_parse(char *text, const char *name, ncfg_t *cfg, char *err, size_t errlen)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->smtp_starttls = true;
    cfg->max_tries = 6;
    cfg->retry_first = 30;
    cfg->retry_max = 3600;
    cfg->rate[1] = 60;
    cfg->rate[2] = cfg->rate[3] = 20;
    cfg->timeout = 30;
    int no = 0;
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        no++;
        if (!parse_line(cfg, line, name, no, err, errlen))
            return false;
    }
    if (cfg->smtp_url[0] && (strncmp(cfg->smtp_url, "smtp://", 7) && strncmp(cfg->smtp_url, "smtps://", 8))) {
        diag_at(err, errlen, name, 0, _("smtp-url: give smtp://HOST:PORT (STARTTLS) or smtps://HOST:PORT"));
        return false;
    }
    if (cfg->smtp_url[0] && !cfg->smtp_from[0]) {
        diag_at(err, errlen, name, 0, _("smtp-from: the sender's address is missing"));
        return false;
    }
    /* A password never crosses the network in the clear. */
    if (cfg->smtp_user[0] && !cfg->smtp_starttls && strncmp(cfg->smtp_url, "smtps://", 8) != 0) {
        diag_at(err, errlen, name, 0, _("smtp-user: a login needs TLS (smtps://, or smtp-tls = starttls)"));
        return false;
    }
    if (cfg->retry_max < cfg->retry_first)
        cfg->retry_max = cfg->retry_first;
    return apply_profile(&cfg->whatsapp, "whatsapp", true, name, err, errlen) &&
           apply_profile(&cfg->sms, "sms", false, name, err, errlen);
}

bool ncfg_read(const char *path, ncfg_t *cfg, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        diag_at(err, errlen, path, 0, _("cannot read the file: %s"), strerror(errno));
        return false;
    }
    if (st.st_mode & 077) {
        diag_at(err, errlen, path, 0, _("holds secrets: its mode must be 0600 (chmod 600 %s)"), path);
        return false;
    }
    size_t len = 0;
    char *text = text_read_file(path, CONFIG_MAX_BYTES, &len, err, errlen);
    if (!text)
        return false;
    bool ok = ncfg_parse(text, path, cfg, err, errlen);
    explicit_bzero(text, len);
    free(text);
    if (!ok)
        ncfg_clear(cfg);
    return ok;
}

void ncfg_clear(ncfg_t *cfg)
{
    explicit_bzero(cfg, sizeof *cfg);
}
