#include "version.h"

#include <stdio.h>

#include "codec.h"
#include "i18n.h"

int version_print(const char *prog)
{
    printf(_("%s %s (protocol %d)\n"), prog, SERTEL_VERSION, PROTOCOL_VERSION);
    return 0;
}
