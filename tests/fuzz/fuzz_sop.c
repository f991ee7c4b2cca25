/* libFuzzer target: an SOP file as `sertel-admin sop check` and the
 * broker's SopLoad read it. */
#include "fuzz_text.h"
#include "sop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    if (!text)
        return 0;
    char err[1024];
    sop_t *sop = sop_parse(text, "fuzz.sop", err, sizeof err);
    sop_destroy(&sop);
    free(text);
    return 0;
}
