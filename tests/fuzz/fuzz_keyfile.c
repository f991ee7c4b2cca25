/* libFuzzer target: a key file's text, as keyfile_read parses it after
 * its checks of the file itself. */
#include <stdint.h>
#include <stdlib.h>

#include "keyfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    keyfile_t kf;
    char err[1024];
    keyfile_parse((const char *)data, size, "fuzz.key", &kf, err, sizeof err);
    return 0;
}
