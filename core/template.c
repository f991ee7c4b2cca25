#include "template.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "i18n.h"
#include "text.h"

#define SUBJECT_MAX_BYTES 256

struct template {
    char subject[SUBJECT_MAX_BYTES + 1];
    unsigned channels;
    int days[TEMPLATE_MAX_DAYS];
    int n_days;
    char *body;
};

static const char *const field_names[FIELD__COUNT] = {
    [FIELD_NAME] = "nama",
    [FIELD_CASE] = "nomor perkara",
    [FIELD_STEP] = "langkah",
    [FIELD_DEADLINE] = "batas waktu",
    [FIELD_REASON] = "alasan",
    [FIELD_VALID] = "berlaku sampai",
};

static const struct {
    const char *code;
    unsigned bit;
} channels[] = {
    {"email", TEMPLATE_EMAIL},
    {"whatsapp", TEMPLATE_WHATSAPP},
    {"sms", TEMPLATE_SMS},
};

/* The field named by s[0..n), or -1. */
static int field_of(const char *s, size_t n)
{
    for (int i = 0; i < FIELD__COUNT; i++)
        if (strlen(field_names[i]) == n && strncmp(field_names[i], s, n) == 0)
            return i;
    return -1;
}

/* Expands {fields} into a malloc'd string; v NULL only checks. Returns
 * NULL (and the bad field in *bad) on an unknown or unclosed field. */
static char *expand(const char *text, const template_values_t *v, const char **bad)
{
    size_t cap = strlen(text) + 1, used = 0;
    for (int i = 0; v && i < FIELD__COUNT; i++)
        cap += v->v[i] ? strlen(v->v[i]) * 4 : 4; /* a field may appear more than once */
    char *out = malloc(cap + 1024);
    if (!out)
        return NULL;
    cap += 1024;
    for (const char *p = text; *p;) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        int f = close ? field_of(p + 1, (size_t)(close - p - 1)) : -1;
        if (*p == '{' && f < 0) {
            *bad = p;
            free(out);
            return NULL;
        }
        const char *piece = *p == '{' ? (v && v->v[f] && *v->v[f] ? v->v[f] : "-") : p;
        size_t n = *p == '{' ? strlen(piece) : 1;
        if (used + n + 1 > cap) {
            char *grown = realloc(out, (cap = (cap + n) * 2));
            if (!grown) {
                free(out);
                return NULL;
            }
            out = grown;
        }
        memcpy(out + used, piece, n);
        used += n;
        p = *p == '{' ? close + 1 : p + 1;
    }
    out[used] = '\0';
    return out;
}

/* "60, 30, 7": distinct whole days from 1 to 3650, kept largest first. */
static bool parse_days(template_t *t, char *value)
{
    t->n_days = 0;
    for (char *save = NULL, *tok = strtok_r(value, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *end;
        long d = strtol(text_trim(tok), &end, 10);
        if (*end || d < 1 || d > 3650 || t->n_days == TEMPLATE_MAX_DAYS)
            return false;
        int at = t->n_days++;
        while (at > 0 && t->days[at - 1] < d) {
            t->days[at] = t->days[at - 1];
            at--;
        }
        if (at > 0 && t->days[at - 1] == d)
            return false;
        t->days[at] = (int)d;
    }
    return t->n_days > 0;
}

static bool parse_channels(template_t *t, char *value)
{
    t->channels = 0;
    if (strcmp(value, "tidak") == 0)
        return true;
    for (char *save = NULL, *tok = strtok_r(value, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        tok = text_trim(tok);
        size_t i = 0;
        while (i < sizeof channels / sizeof channels[0] && strcmp(tok, channels[i].code) != 0)
            i++;
        if (i == sizeof channels / sizeof channels[0])
            return false;
        t->channels |= channels[i].bit;
    }
    return true;
}

/* One header line "kunci = nilai". */
static bool header_line(template_t *t, char *line, const char *name, int no, char *err, size_t errlen)
{
    char *eq = strchr(line, '=');
    if (!eq) {
        diag_at(err, errlen, name, no, _("expected \"key = value\" or the line ---"));
        return false;
    }
    *eq = '\0';
    char *key = text_trim(line), *value = text_trim(eq + 1);
    const char *bad = NULL;
    if (strcmp(key, "subjek") == 0) {
        char *check = expand(value, NULL, &bad);
        free(check);
        if (bad) {
            diag_at(err, errlen, name, no, _("unknown field in the subject: %s"), bad);
            return false;
        }
        if (strlen(value) > SUBJECT_MAX_BYTES) {
            diag_at(err, errlen, name, no, _("the subject is longer than %d bytes"), SUBJECT_MAX_BYTES);
            return false;
        }
        snprintf(t->subject, sizeof t->subject, "%s", value);
        return true;
    }
    if (strcmp(key, "otomatis") == 0) {
        if (parse_channels(t, value))
            return true;
        diag_at(err, errlen, name, no, _("otomatis: give email, whatsapp, sms (comma-separated) or tidak"));
        return false;
    }
    if (strcmp(key, "hari") == 0) {
        if (parse_days(t, value))
            return true;
        diag_at(err, errlen, name, no, _("hari: give distinct days from 1 to 3650, comma-separated (at most 8)"));
        return false;
    }
    diag_at(err, errlen, name, no, _("unknown key '%s' (expected subjek, otomatis or hari)"), key);
    return false;
}

template_t *template_parse(const char *text, const char *name, char *err, size_t errlen)
{
    template_t *t = calloc(1, sizeof *t);
    char *copy = strdup(text);
    if (!t || !copy) {
        free(t);
        free(copy);
        diag_at(err, errlen, name, 0, "%s", sertel_strerror(SERTEL_E_NOMEM));
        return NULL;
    }
    int no = 0;
    char *p = copy, *body = NULL;
    bool ok = true;
    while (ok && p && *p) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        no++;
        char *line = text_trim(p);
        p = nl ? nl + 1 : NULL;
        if (strcmp(line, "---") == 0) {
            body = p ? p : "";
            break;
        }
        if (*line && *line != '#')
            ok = header_line(t, line, name, no, err, errlen);
    }
    const char *bad = NULL;
    char *check = ok && body ? expand(body, NULL, &bad) : NULL;
    if (ok && !body)
        diag_at(err, errlen, name, no, _("the body is missing (it follows a line ---)"));
    else if (ok && !t->subject[0])
        diag_at(err, errlen, name, 0, _("the subject (subjek = ...) is missing"));
    else if (ok && !check)
        diag_at(err, errlen, name, no, _("unknown field in the body: %.40s"), bad ? bad : "");
    if (!ok || !body || !t->subject[0] || !check) {
        free(check);
        free(copy);
        free(t);
        return NULL;
    }
    free(check);
    /* Trailing blank lines are the file's, not the message's. */
    size_t n = strlen(body);
    while (n > 0 && (body[n - 1] == '\n' || text_is_blank(body[n - 1])))
        body[--n] = '\0';
    t->body = strdup(body);
    free(copy);
    if (!t->body)
        template_destroy(&t);
    return t;
}

void template_destroy(template_t **t)
{
    if (!t || !*t)
        return;
    free((*t)->body);
    free(*t);
    *t = NULL;
}

unsigned template_auto(const template_t *t)
{
    return t->channels;
}

int template_days(const template_t *t, int days[TEMPLATE_MAX_DAYS])
{
    static const int standard[] = {60, 30, 7};
    const int *from = t->n_days ? t->days : standard;
    int n = t->n_days ? t->n_days : 3;
    memcpy(days, from, (size_t)n * sizeof *days);
    return n;
}

char *template_subject(const template_t *t, const template_values_t *v)
{
    const char *bad;
    return expand(t->subject, v, &bad);
}

char *template_body(const template_t *t, const template_values_t *v)
{
    const char *bad;
    return expand(t->body, v, &bad);
}

char *template_fill(const char *text, const template_values_t *v)
{
    const char *bad = NULL;
    return expand(text, v, &bad);
}
