/* A small streaming JSON writer for the clients' --json output: one
 * stable document per command (see docs/cli.md). */
#ifndef SERTEL_JSON_H
#define SERTEL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
    FILE *out;
    int depth;
    bool need_comma[32];
} json_t;

void json_init(json_t *j, FILE *out);
void json_obj_begin(json_t *j, const char *key); /* key NULL inside arrays / at top */
void json_obj_end(json_t *j);
void json_arr_begin(json_t *j, const char *key);
void json_arr_end(json_t *j);
void json_str(json_t *j, const char *key, const char *value); /* NULL -> "" */
void json_int(json_t *j, const char *key, int64_t value);
void json_uint(json_t *j, const char *key, uint64_t value);
void json_bool(json_t *j, const char *key, bool value);
/* An array of n strings. */
void json_strs(json_t *j, const char *key, char *const *values, size_t n);
/* Ends the document with a newline. */
void json_finish(json_t *j);

#endif
