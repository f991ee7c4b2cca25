#include "clock.h"

#include <time.h>

int64_t broker_now(broker_t *b)
{
    return b->cfg.clock ? b->cfg.clock(b->cfg.clock_arg) : (int64_t)time(NULL);
}

int64_t broker_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
