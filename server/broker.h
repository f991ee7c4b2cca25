/* The broker: one process owning all case state. A ROUTER socket with
 * CURVE serves officers' clients; a ZAP handler admits only enrolled,
 * active officers; every write is applied by the engine, made durable in
 * LMDB and only then acknowledged and pushed. */
#ifndef SERTEL_BROKER_H
#define SERTEL_BROKER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

typedef struct broker broker_t;

typedef struct {
    const char *data_dir;  /* made by `sertel-broker init` */
    const char *endpoint;  /* NULL: the one in DIR/broker.key */
    /* Wall clock (Unix seconds); NULL for time(). Injected by tests. */
    int64_t (*clock)(void *arg);
    void *clock_arg;
    volatile sig_atomic_t *stop; /* set nonzero to stop after the batch in flight */
} broker_config_t;

broker_t *broker_new(const broker_config_t *cfg, char *err, size_t errlen);
/* The endpoint actually bound (an ephemeral port resolved). */
const char *broker_endpoint(const broker_t *b);
/* Serves until *cfg->stop is set. Returns 0 on a clean stop. */
int broker_run(broker_t *b);
void broker_destroy(broker_t **b);

/* `sertel-broker init ARGS`: makes a data directory offline (argv[0] is
 * "init"). Returns the process exit code. */
int broker_init_main(int argc, char **argv);

#endif
