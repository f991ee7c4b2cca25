/* libFuzzer target: what the broker reads of a data directory before
 * LMDB maps anything: the first bytes of data.mdb (the meta pages)
 * against a file size taken from the input's first 8 bytes, and the
 * identity file's text. */
#include <string.h>

#include "fuzz_text.h"
#include "identity.h"
#include "mdbfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[512];
    uint64_t file_size = 0;
    if (size >= 8)
        memcpy(&file_size, data, 8);
    mdbfile_check_bytes(data, size, file_size, NULL, why, sizeof why);
    char *text = fuzz_text(data, size);
    if (!text)
        return 0;
    identity_t id;
    if (identity_parse(text, "identity", &id, why, sizeof why) == SERTEL_OK)
        identity_shared_upto(&id, 1, id.head);
    free(text);
    return 0;
}
