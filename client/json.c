#include "json.h"

#include <inttypes.h>

void json_init(json_t *j, FILE *out)
{
    j->out = out;
    j->depth = 0;
    j->need_comma[0] = false;
}

static void escaped(FILE *out, const char *s);

/* Comma and key before a value at the current depth. */
static void lead(json_t *j, const char *key)
{
    if (j->need_comma[j->depth])
        fputc(',', j->out);
    j->need_comma[j->depth] = true;
    if (key) {
        escaped(j->out, key);
        fputc(':', j->out);
    }
}

static void open_(json_t *j, const char *key, char c)
{
    lead(j, key);
    fputc(c, j->out);
    if (j->depth < 31)
        j->depth++;
    j->need_comma[j->depth] = false;
}

static void close_(json_t *j, char c)
{
    if (j->depth > 0)
        j->depth--;
    fputc(c, j->out);
}

void json_obj_begin(json_t *j, const char *key) { open_(j, key, '{'); }
void json_obj_end(json_t *j) { close_(j, '}'); }
void json_arr_begin(json_t *j, const char *key) { open_(j, key, '['); }
void json_arr_end(json_t *j) { close_(j, ']'); }

static void escaped(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", out);
        else if (*p == '\t')
            fputs("\\t", out);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

void json_str(json_t *j, const char *key, const char *value)
{
    lead(j, key);
    escaped(j->out, value);
}

void json_int(json_t *j, const char *key, int64_t value)
{
    lead(j, key);
    fprintf(j->out, "%" PRId64, value);
}

void json_uint(json_t *j, const char *key, uint64_t value)
{
    lead(j, key);
    fprintf(j->out, "%" PRIu64, value);
}

void json_bool(json_t *j, const char *key, bool value)
{
    lead(j, key);
    fputs(value ? "true" : "false", j->out);
}

void json_finish(json_t *j)
{
    fputc('\n', j->out);
    fflush(j->out);
}

void json_strs(json_t *j, const char *key, char *const *values, size_t n)
{
    json_arr_begin(j, key);
    for (size_t i = 0; i < n; i++)
        json_str(j, NULL, values[i]);
    json_arr_end(j);
}
