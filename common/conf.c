#include "conf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "i18n.h"
#include "text.h"
#include "validate.h"

enum {
    CONF_MAX_BYTES = 64 * 1024,
    CONF_MAX_KEYS = 64,
    KEY_MAX = 48,
};

/* Keys are lowercase words joined by '-', like the options they name. */
static bool key_ok(const char *k)
{
    size_t n = strlen(k);
    if (n == 0 || n > KEY_MAX || k[0] == '-' || k[n - 1] == '-')
        return false;
    for (; *k; k++)
        if (!((*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') || *k == '-'))
            return false;
    return true;
}

static bool has_control(const char *s)
{
    for (; *s; s++)
        if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7F)
            return true;
    return false;
}

typedef struct {
    char seen[CONF_MAX_KEYS][KEY_MAX + 1];
    int n_seen;
} seen_t;

/* Splits one line; *key NULL for a blank or comment line. */
static bool split_line(char *line, seen_t *seen, char **key, char **value, char *why, size_t wl)
{
    *key = NULL;
    size_t n = strlen(line);
    if (!utf8_valid(line, n))
        return err_set(SERTEL_E_INVALID, why, wl, "%s", _("invalid UTF-8")), false;
    if (n > 0 && line[n - 1] == '\r') /* files edited on Windows */
        line[--n] = '\0';
    if (has_control(line))
        return err_set(SERTEL_E_INVALID, why, wl, "%s", _("control character in line")), false;
    char *s = text_trim(line);
    if (*s == '\0' || *s == '#')
        return true;
    char *eq = strchr(s, '=');
    if (!eq)
        return err_set(SERTEL_E_INVALID, why, wl, "%s",
                       _("missing '=' (expected \"key = value\")")),
               false;
    *eq = '\0';
    char *k = text_trim(s), *v = text_trim(eq + 1);
    if (!key_ok(k))
        return err_set(SERTEL_E_INVALID, why, wl, _("invalid key \"%.48s\""), k), false;
    for (int i = 0; i < seen->n_seen; i++)
        if (strcmp(seen->seen[i], k) == 0)
            return err_set(SERTEL_E_INVALID, why, wl, _("duplicate key \"%s\""), k), false;
    if (*v == '\0')
        return err_set(SERTEL_E_INVALID, why, wl, _("missing value for \"%s\""), k), false;
    if (seen->n_seen == CONF_MAX_KEYS)
        return err_set(SERTEL_E_FULL, why, wl, _("more than %d settings"), CONF_MAX_KEYS), false;
    snprintf(seen->seen[seen->n_seen++], KEY_MAX + 1, "%s", k);
    *key = k;
    *value = v;
    return true;
}

bool conf_read(const char *path, conf_setting_fn fn, void *arg, char *err, size_t errlen)
{
    char *text = text_read_file(path, CONF_MAX_BYTES, NULL, err, errlen);
    if (!text)
        return false;
    seen_t seen = {.n_seen = 0};
    char why[512] = "";
    int line_no = 0;
    bool ok = true;
    for (char *line = text; line && ok;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        line_no++;
        char *key, *value;
        ok = split_line(line, &seen, &key, &value, why, sizeof why) &&
             (!key || fn(arg, key, value, line_no, why, sizeof why));
        line = nl ? nl + 1 : NULL;
    }
    if (!ok)
        diag_at(err, errlen, path, line_no, "%s", why);
    free(text);
    return ok;
}

/* ---- settings as options */

struct conf_args {
    int argc, n_file;
    char **argv;
    int *line;  /* of each file argument, by index */
    char *path; /* argv[1..n_file] are copies from it */
};

static bool add_string(conf_args_t *a, const char *s, int line)
{
    char *copy = strdup(s);
    if (!copy)
        return false;
    a->line[a->argc] = line;
    a->argv[a->argc++] = copy;
    a->n_file++;
    return true;
}

static bool collect(void *arg, const char *key, const char *value, int line, char *why,
                    size_t whylen)
{
    conf_args_t *a = arg;
    char opt[KEY_MAX + 3];
    snprintf(opt, sizeof opt, "--%s", key);
    if (!add_string(a, opt, line) || !add_string(a, value, line))
        return err_set(SERTEL_E_NOMEM, why, whylen, "%s", sertel_strerror(SERTEL_E_NOMEM)), false;
    return true;
}

conf_args_t *conf_args_new(const char *path, int argc, char **argv, char *err, size_t errlen)
{
    conf_args_t *a = calloc(1, sizeof *a);
    size_t cap = (size_t)argc + 2 * CONF_MAX_KEYS + 1;
    if (a) {
        a->argv = calloc(cap, sizeof *a->argv);
        a->line = calloc(cap, sizeof *a->line);
        a->path = path ? strdup(path) : NULL;
    }
    if (!a || !a->argv || !a->line || (path && !a->path)) {
        diag_at(err, errlen, path ? path : "argv", 0, "%s", sertel_strerror(SERTEL_E_NOMEM));
        conf_args_destroy(&a);
        return NULL;
    }
    a->argv[a->argc++] = argv[0];
    if (path && !conf_read(path, collect, a, err, errlen)) {
        conf_args_destroy(&a);
        return NULL;
    }
    for (int i = 1; i < argc; i++)
        a->argv[a->argc++] = argv[i];
    return a;
}

void conf_args_destroy(conf_args_t **ap)
{
    conf_args_t *a = ap ? *ap : NULL;
    if (!a)
        return;
    for (int i = 1; i <= a->n_file; i++)
        free(a->argv[i]);
    free(a->argv);
    free(a->line);
    free(a->path);
    free(a);
    *ap = NULL;
}

int conf_args_argc(const conf_args_t *a)
{
    return a->argc;
}

char **conf_args_argv(const conf_args_t *a)
{
    return a->argv;
}

const char *conf_args_origin(const conf_args_t *a, int i, char *buf, size_t len)
{
    if (i < 1 || i > a->n_file)
        return NULL;
    snprintf(buf, len, "%s:%d", a->path, a->line[i]);
    return buf;
}
