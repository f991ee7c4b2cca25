#include "clockfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int64_t clock_file_now(const char *path)
{
    FILE *f = path && *path ? fopen(path, "r") : NULL;
    long long t = 0;
    if (f) {
        if (fscanf(f, "%lld", &t) != 1)
            t = 0;
        fclose(f);
    }
    return t > 0 ? (int64_t)t : (int64_t)time(NULL);
}

int64_t clock_now(void)
{
    return clock_file_now(getenv("SERTEL_CLOCK_FILE"));
}
