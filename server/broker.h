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

/* What one key (one officer) may use, so that no officer can starve the
 * others; 0 in a field: no limit. Over a limit a request is refused with
 * ERR_LIMIT, never left waiting. */
typedef struct {
    int connections;       /* connections of the key that said Hello, at once */
    int in_flight;         /* requests received and not yet answered */
    int writes_per_minute; /* changes; a bucket of this size refilled over a minute */
    int search_scan;       /* cases one search examines at most (any key) */
    int send_queue;        /* messages queued to one connection before it is behind */
} broker_limits_t;

#define BROKER_LIMITS_DEFAULT \
    {.connections = 8, .in_flight = 256, .writes_per_minute = 600, .search_scan = 20000, \
     .send_queue = 5000}

typedef struct {
    const char *data_dir;  /* made by `sertel-broker init` */
    const char *endpoint;  /* NULL: the one in DIR/broker.key */
    /* Wall clock (Unix seconds); NULL for time(). Injected by tests. */
    int64_t (*clock)(void *arg);
    void *clock_arg;
    volatile sig_atomic_t *stop; /* set nonzero to stop after the batch in flight */
    broker_limits_t limits;
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
/* `sertel-broker restore ARGS`: puts a backup back, with the broker
 * stopped (argv[0] is "restore"). Returns the process exit code. */
int broker_restore_main(int argc, char **argv);
/* sertel-broker verify|check --data DIR (argv[0] is "verify" or "check"). */
int broker_verify_main(int argc, char **argv);
/* sertel-broker rotate-key --data DIR (argv[0] is "rotate-key"). */
int broker_rotate_main(int argc, char **argv);

#endif
