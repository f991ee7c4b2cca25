/* Key files: one file per officer workstation (and one for the broker)
 * holding a CURVE key pair, the broker's endpoint and the broker's public
 * key. Permissions must be 0600; a key file readable by others, or one
 * that is a symbolic link, is refused.
 *
 * Format (text, '#' comments):
 *   endpoint = tcp://127.0.0.1:7750
 *   broker-public = <40 Z85 chars>
 *   public = <40 Z85 chars>
 *   secret = <40 Z85 chars>
 *   nip = 197503042001121002        (empty for the broker's own file)
 *   name = Tino Armyanto            (display only)
 */
#ifndef SERTEL_KEYFILE_H
#define SERTEL_KEYFILE_H

#include <stddef.h>

#include "err.h"

#define Z85_KEY_LEN 40

typedef struct {
    char endpoint[256];
    char broker_public[Z85_KEY_LEN + 1];
    char public_key[Z85_KEY_LEN + 1];
    char secret_key[Z85_KEY_LEN + 1];
    char nip[19];
    char name[129];
} keyfile_t;

/* Fills public_key/secret_key with a fresh CURVE key pair. */
sertel_err_t keyfile_generate(keyfile_t *kf, char *err, size_t errlen);
/* Creates path with mode 0600; refuses to overwrite an existing file. */
sertel_err_t keyfile_write(const char *path, const keyfile_t *kf, char *err, size_t errlen);
/* Reads and checks a key file; refuses group/other permissions, unknown
 * keys, malformed keys (must decode as Z85 to 32 bytes). */
sertel_err_t keyfile_read(const char *path, keyfile_t *kf, char *err, size_t errlen);
/* The same checks on text already in memory (path names it in errors);
 * for the fuzz target and anything that gets a key file's text another
 * way. */
sertel_err_t keyfile_parse(const char *text, size_t len, const char *path, keyfile_t *kf,
                           char *err, size_t errlen);
/* The key file to use: explicit (from --key) if non-NULL, else $SERTEL_KEY,
 * else $XDG_CONFIG_HOME/sertel/key, else ~/.config/sertel/key. */
const char *keyfile_resolve(const char *explicit_path, char *buf, size_t len);

#endif
