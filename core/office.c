/* The office profile's parser: one table of keys, each with where its
 * value goes; every line is checked and the first mistake named with its
 * line, as the SOP and calendar files are. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "office.h"
#include "text.h"
#include "validate.h"

#define DEFAULT_THRESHOLD 80

typedef enum { KEY_TEXT, KEY_LOGO, KEY_THRESHOLD, KEY_BOXES } key_kind_t;

static const struct {
    const char *key;
    key_kind_t kind;
    size_t offset;
    bool required;
} keys[] = {
    {"pemerintah", KEY_TEXT, offsetof(office_t, government), true},
    {"instansi", KEY_TEXT, offsetof(office_t, agency), true},
    {"alamat", KEY_TEXT, offsetof(office_t, address), true},
    {"kontak", KEY_TEXT, offsetof(office_t, contact), false},
    {"kota", KEY_TEXT, offsetof(office_t, city), true},
    {"jabatan-kepala", KEY_TEXT, offsetof(office_t, head_title), true},
    {"logo", KEY_LOGO, offsetof(office_t, logo), false},
    {"ambang-penilaian", KEY_THRESHOLD, 0, false},
    {"instruksi", KEY_BOXES, 0, false},
};
#define N_KEYS (sizeof keys / sizeof keys[0])

bool office_logo_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n < 5 || n > OFFICE_LOGO_NAME_MAX || name[0] == '.' || strcmp(name + n - 4, ".png") != 0)
        return false;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '-' || *p == '_'))
            return false;
    return true;
}

bool office_logo_is_png(const void *data, size_t len)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    return len > sizeof sig && memcmp(data, sig, sizeof sig) == 0;
}

/* "Tanggapi; Proses lebih lanjut; Arsipkan": the boxes, in order. */
static bool parse_boxes(char *value, office_t *o, char *why, size_t whylen)
{
    o->n_boxes = 0;
    for (char *save = NULL, *tok = strtok_r(value, ";", &save); tok;
         tok = strtok_r(NULL, ";", &save)) {
        tok = text_trim(tok);
        if (!*tok)
            continue;
        if (o->n_boxes == OFFICE_MAX_BOXES) {
            snprintf(why, whylen, _("at most %d instruction boxes"), OFFICE_MAX_BOXES);
            return false;
        }
        if (strlen(tok) > OFFICE_BOX_MAX) {
            snprintf(why, whylen, _("an instruction box's text is longer than %d bytes"),
                     OFFICE_BOX_MAX);
            return false;
        }
        snprintf(o->boxes[o->n_boxes++], OFFICE_BOX_MAX + 1, "%s", tok);
    }
    return true;
}

static bool set_value(size_t k, char *value, office_t *o, char *why, size_t whylen)
{
    char *field = (char *)o + keys[k].offset;
    switch (keys[k].kind) {
    case KEY_TEXT:
        if (strlen(value) > OFFICE_TEXT_MAX) {
            snprintf(why, whylen, _("%s: longer than %d bytes"), keys[k].key, OFFICE_TEXT_MAX);
            return false;
        }
        snprintf(field, OFFICE_TEXT_MAX + 1, "%s", value);
        return true;
    case KEY_LOGO:
        if (*value && !office_logo_name_ok(value)) {
            snprintf(why, whylen,
                     _("logo: '%s' must be a PNG file's plain name (letters, digits, '.', '-', "
                       "'_', ending in .png)"), value);
            return false;
        }
        snprintf(field, OFFICE_LOGO_NAME_MAX + 1, "%s", value);
        return true;
    case KEY_THRESHOLD: {
        char *end;
        long v = strtol(value, &end, 10);
        if (end == value || *end || v < 1 || v > 100) {
            snprintf(why, whylen, _("ambang-penilaian: '%s' must be a whole percent, 1 to 100"),
                     value);
            return false;
        }
        o->threshold = (int)v;
        return true;
    }
    case KEY_BOXES:
        return parse_boxes(value, o, why, whylen);
    }
    return false;
}

static size_t key_index(const char *key)
{
    size_t k = 0;
    while (k < N_KEYS && strcmp(keys[k].key, key) != 0)
        k++;
    return k;
}

/* One "key = value" line; false with why set. */
static bool parse_line(char *line, office_t *o, bool seen[N_KEYS], char *why, size_t whylen)
{
    char *eq = strchr(line, '=');
    if (!eq) {
        snprintf(why, whylen, _("expected \"key = value\""));
        return false;
    }
    *eq = '\0';
    char *key = text_trim(line), *value = text_trim(eq + 1);
    size_t k = key_index(key);
    if (k == N_KEYS) {
        snprintf(why, whylen, _("unknown key '%s'"), key);
        return false;
    }
    if (seen[k]) {
        snprintf(why, whylen, _("'%s' is given twice"), key);
        return false;
    }
    seen[k] = true;
    return set_value(k, value, o, why, whylen);
}

sertel_err_t office_parse(const char *text, const char *filename, office_t *out, char *err,
                          size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->threshold = DEFAULT_THRESHOLD;
    size_t len = strlen(text);
    if (len > OFFICE_FILE_MAX || !utf8_valid(text, len)) {
        diag_at(err, errlen, filename, 0, "%s",
                len > OFFICE_FILE_MAX ? _("the file is too large") : _("the file is not UTF-8"));
        return SERTEL_E_INVALID;
    }
    char *copy = strdup(text), why[256] = "";
    if (!copy)
        return SERTEL_E_NOMEM;
    bool seen[N_KEYS] = {false}, ok = true;
    int line_no = 0;
    /* Line by line, blank ones counted, so that errors name the right one. */
    for (char *line = copy, *next; ok && line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        line_no++;
        char *l = text_trim(line);
        if (*l && *l != '#' && !parse_line(l, out, seen, why, sizeof why)) {
            diag_at(err, errlen, filename, line_no, "%s", why);
            ok = false;
        }
    }
    free(copy);
    for (size_t k = 0; ok && k < N_KEYS; k++)
        if (keys[k].required && !(seen[k] && *((char *)out + keys[k].offset))) {
            diag_at(err, errlen, filename, 0, _("'%s' is missing"), keys[k].key);
            ok = false;
        }
    return ok ? SERTEL_OK : SERTEL_E_INVALID;
}
