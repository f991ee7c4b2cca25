/* (a) The floor: what no broker on this machine can beat. A bare CURVE
 * round trip on loopback (DEALER -> ROUTER echo, tiny frame) and a bare
 * durable LMDB commit (one small put, default sync) on the same file
 * system as the broker's data. */
#include "bench.h"

#include <errno.h>
#include <lmdb.h>
#include <stdlib.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#define RTT_WARMUP 500
#define MSG_BYTES 32
#define COMMIT_WARMUP 20

/* A DEALER -> ROUTER echo over CURVE on loopback, with two contexts, as
 * two processes would have: each its own I/O thread. */
struct bench_echo {
    void *ctx, *router, *cctx, *dealer;
    char endpoint[256];
    pthread_t th;
    bool running;
};

static void *echo_main(void *arg)
{
    bench_echo_t *e = arg;
    bench_router_echo(e->router);
    return NULL;
}

void bench_echo_close(bench_echo_t **ep)
{
    bench_echo_t *e = ep ? *ep : NULL;
    if (!e)
        return;
    if (e->running) {
        char buf[8];
        bool stopped = zmq_send(e->dealer, "stop", 4, 0) == 4 &&
                       zmq_recv(e->dealer, buf, sizeof buf, 0) == 4;
        if (!stopped)
            zmq_ctx_shutdown(e->ctx); /* the echo's blocking receive returns */
        pthread_join(e->th, NULL);
    }
    if (e->dealer)
        zmq_close(e->dealer);
    if (e->cctx)
        zmq_ctx_term(e->cctx);
    if (e->router)
        zmq_close(e->router);
    if (e->ctx)
        zmq_ctx_term(e->ctx);
    free(e);
    *ep = NULL;
}

bench_echo_t *bench_echo_open(void)
{
    char spub[41], ssec[41], cpub[41], csec[41];
    if (zmq_curve_keypair(spub, ssec) != 0 || zmq_curve_keypair(cpub, csec) != 0) {
        bench_error("zmq_curve_keypair: %s (libzmq without CURVE?)", zmq_strerror(errno));
        return NULL;
    }
    bench_echo_t *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->ctx = zmq_ctx_new();
    e->router = zmq_socket(e->ctx, ZMQ_ROUTER);
    int one = 1;
    zmq_setsockopt(e->router, ZMQ_CURVE_SERVER, &one, sizeof one);
    zmq_setsockopt(e->router, ZMQ_CURVE_SECRETKEY, ssec, 40);
    if (zmq_bind(e->router, "tcp://127.0.0.1:0") != 0) {
        bench_error("bind: %s", zmq_strerror(errno));
        bench_echo_close(&e);
        return NULL;
    }
    size_t len = sizeof e->endpoint;
    zmq_getsockopt(e->router, ZMQ_LAST_ENDPOINT, e->endpoint, &len);
    e->running = pthread_create(&e->th, NULL, echo_main, e) == 0;

    e->cctx = zmq_ctx_new();
    e->dealer = zmq_socket(e->cctx, ZMQ_DEALER);
    int zero = 0, rcvtimeo = 5000;
    zmq_setsockopt(e->dealer, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(e->dealer, ZMQ_CURVE_SERVERKEY, spub, 40);
    zmq_setsockopt(e->dealer, ZMQ_CURVE_PUBLICKEY, cpub, 40);
    zmq_setsockopt(e->dealer, ZMQ_CURVE_SECRETKEY, csec, 40);
    zmq_setsockopt(e->dealer, ZMQ_RCVTIMEO, &rcvtimeo, sizeof rcvtimeo);
    if (!e->running || zmq_connect(e->dealer, e->endpoint) != 0) {
        bench_error("CURVE echo: %s", zmq_strerror(errno));
        bench_echo_close(&e);
    }
    return e;
}

bool bench_echo_trip(bench_echo_t *e, uint64_t *ns)
{
    char msg[MSG_BYTES], buf[64];
    memset(msg, 'x', sizeof msg);
    uint64_t t0 = bench_now_ns();
    bool ok = zmq_send(e->dealer, msg, sizeof msg, 0) == (int)sizeof msg &&
              zmq_recv(e->dealer, buf, sizeof buf, 0) == (int)sizeof msg;
    *ns = bench_now_ns() - t0;
    if (!ok)
        bench_error("CURVE round trip failed: %s", zmq_strerror(errno));
    return ok;
}

static bool curve_rtt(const bench_cfg_t *cfg, floor_result_t *out)
{
    bench_echo_t *e = bench_echo_open();
    samples_t s = {0};
    bool ok = e != NULL;
    for (int i = 0; ok && i < RTT_WARMUP + cfg->floor_rtt_n; i++) {
        uint64_t ns;
        ok = bench_echo_trip(e, &ns);
        if (ok && i >= RTT_WARMUP)
            samples_add(&s, ns);
    }
    bench_echo_close(&e);
    if (ok) {
        out->have_rtt = true;
        out->rtt_p50_us = ns_to_us(samples_pct(&s, 50));
        out->rtt_p99_us = ns_to_us(samples_pct(&s, 99));
        printf("  CURVE round trip (DEALER->ROUTER echo, %d B, loopback), %zu trips:\n"
               "      p50 %8.1f us   p99 %8.1f us   max %8.1f us\n",
               MSG_BYTES, s.n, out->rtt_p50_us, out->rtt_p99_us, ns_to_us(samples_max(&s)));
    }
    samples_free(&s);
    return ok;
}

/* What one commit writes: one put per entry, into the entry's database. */
typedef enum { KEY_SEQ, KEY_RANDOM } key_mode_t;
typedef struct {
    const char *db;   /* NULL: the unnamed main database */
    size_t vlen;
    key_mode_t key;
    uint8_t space;    /* not 0: the key's first byte (a key space) */
} put_shape_t;

static const put_shape_t bare_shape[] = {{NULL, 64, KEY_SEQ, 0}};

/* Roughly the put of one broker transition (a Complete) in the store's
 * format 5: its journal record appended ('\xFF' seq), the event with the
 * case after it, about 950 bytes; the case record follows at a flush,
 * every 1,000 events. An intake or an archive writes more (the sealed
 * case, its state and applicant rows). Informative only: it is not the
 * floor, and the store may change under it. */
static const put_shape_t broker_shape[] = {{NULL, 950, KEY_SEQ, 0xFF}};

typedef struct {
    double p50_us, p99_us, max_us, per_s, cpu_us, kb;
    size_t n;
} commit_stats_t;

static size_t make_key(uint8_t key[9], const put_shape_t *shape, uint64_t i, int d)
{
    key_mode_t mode = shape->key;
    /* random: a different odd multiplier per put, so that the rows of one
     * commit land in different places */
    uint64_t v = mode == KEY_SEQ ? i : (i + 1) * (0x9E3779B97F4A7C15u + 2u * (uint64_t)d);
    size_t at = shape->space ? 1 : 0;
    key[0] = shape->space;
    for (int b = 0; b < 8; b++)
        key[at + b] = (uint8_t)(v >> (56 - 8 * b));
    return at + 8;
}

static int put_all(MDB_txn *txn, const MDB_dbi *dbi, const put_shape_t *shape, int n, uint64_t i)
{
    static uint8_t value[1024];
    int rc = 0;
    for (int d = 0; rc == 0 && d < n; d++) {
        uint8_t key[9];
        MDB_val k = {make_key(key, &shape[d], i, d), key}, v = {shape[d].vlen, value};
        rc = mdb_put(txn, dbi[d], &k, &v, 0);
    }
    return rc;
}

/* An LMDB environment of its own, committed to with one put per entry
 * of shape, each commit durable (default sync, as the broker's). */
struct bench_commits {
    char dir[512];
    MDB_env *env;
    MDB_dbi dbi[16];
    const put_shape_t *shape;
    int n;
    uint64_t next;
};

static void commits_close(bench_commits_t *c)
{
    if (c->env)
        mdb_env_close(c->env);
    c->env = NULL;
    bench_rmtree(c->dir);
}

/* preload entries per put first (so that trees have a realistic depth). */
static int commits_open(const bench_cfg_t *cfg, const put_shape_t *shape, int n, int preload,
                        bench_commits_t *c)
{
    memset(c, 0, sizeof *c);
    c->shape = shape;
    c->n = n;
    c->next = (uint64_t)preload;
    if (!bench_mkdtemp(cfg, "floor", c->dir, sizeof c->dir))
        return ENOENT;
    MDB_txn *txn;
    int rc = mdb_env_create(&c->env);
    if (rc == 0)
        rc = mdb_env_set_maxdbs(c->env, 16);
    if (rc == 0)
        rc = mdb_env_set_mapsize(c->env, 256u << 20);
    if (rc == 0)
        rc = mdb_env_open(c->env, c->dir, MDB_NOTLS, 0600); /* default: fully synchronous */
    if (rc == 0 && (rc = mdb_txn_begin(c->env, NULL, 0, &txn)) == 0) {
        for (int d = 0; rc == 0 && d < n; d++)
            rc = mdb_dbi_open(txn, shape[d].db, shape[d].db ? MDB_CREATE : 0, &c->dbi[d]);
        for (int i = 0; rc == 0 && i < preload; i++)
            rc = put_all(txn, c->dbi, shape, n, (uint64_t)i);
        rc = rc ? (mdb_txn_abort(txn), rc) : mdb_txn_commit(txn);
    }
    return rc;
}

static int commit_one(bench_commits_t *c)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(c->env, NULL, 0, &txn);
    if (rc == 0 && (rc = put_all(txn, c->dbi, c->shape, c->n, c->next++)) == 0)
        rc = mdb_txn_commit(txn);
    else if (rc == 0)
        mdb_txn_abort(txn);
    return rc;
}

bench_commits_t *bench_commits_open(const bench_cfg_t *cfg)
{
    bench_commits_t *c = malloc(sizeof *c);
    int rc = c ? commits_open(cfg, bare_shape, 1, 0, c) : ENOMEM;
    if (rc != 0) {
        bench_error("LMDB floor environment: %s", mdb_strerror(rc));
        if (c)
            commits_close(c);
        free(c);
        return NULL;
    }
    return c;
}

bool bench_commit(bench_commits_t *c)
{
    int rc = commit_one(c);
    if (rc != 0)
        bench_error("LMDB floor commit: %s", mdb_strerror(rc));
    return rc == 0;
}

void bench_commits_close(bench_commits_t **c)
{
    if (!*c)
        return;
    commits_close(*c);
    free(*c);
    *c = NULL;
}

/* Commits of shape for count commits or secs seconds, after preload. */
static bool commit_run(const bench_cfg_t *cfg, const put_shape_t *shape, int n, int preload,
                       int count, double secs, commit_stats_t *out)
{
    bench_commits_t c;
    int rc = commits_open(cfg, shape, n, preload, &c);
    samples_t s = {0};
    uint64_t start = 0, end = 0, budget = (uint64_t)(secs * 1e9), wb0 = 0;
    double cpu0 = 0;
    for (int i = 0; rc == 0 && i < COMMIT_WARMUP + count; i++) {
        if (i == COMMIT_WARMUP) {
            start = bench_now_ns();
            cpu0 = bench_cpu_s(0);
            wb0 = bench_write_bytes(0);
        }
        uint64_t t0 = bench_now_ns();
        rc = commit_one(&c);
        end = bench_now_ns();
        if (i >= COMMIT_WARMUP)
            samples_add(&s, end - t0);
        if (i >= COMMIT_WARMUP && end - start > budget)
            break;
    }
    double cpu = bench_cpu_s(0) - cpu0;
    uint64_t wb = bench_write_bytes(0) - wb0;
    commits_close(&c);
    if (rc != 0 || !s.n) {
        bench_error("LMDB commit: %s", mdb_strerror(rc));
        samples_free(&s);
        return false;
    }
    out->n = s.n;
    out->p50_us = ns_to_us(samples_pct(&s, 50));
    out->p99_us = ns_to_us(samples_pct(&s, 99));
    out->max_us = ns_to_us(samples_max(&s));
    out->per_s = (double)s.n / ((double)(end - start) / 1e9);
    out->cpu_us = cpu * 1e6 / (double)s.n;
    out->kb = (double)wb / 1024.0 / (double)s.n;
    samples_free(&s);
    return true;
}

static bool lmdb_commit(const bench_cfg_t *cfg, floor_result_t *out)
{
    commit_stats_t c;
    if (!commit_run(cfg, bare_shape, 1, 0, cfg->floor_commit_n, cfg->floor_commit_s, &c))
        return false;
    out->have_commit = true;
    out->commit_p50_us = c.p50_us;
    out->commit_p99_us = c.p99_us;
    out->commits_per_s = c.per_s;
    out->commit_cpu_us = c.cpu_us;
    out->commit_kb = c.kb;
    printf("  LMDB durable commit (1 put of 64 B, default sync, in %s), %zu commits:\n"
           "      p50 %8.1f us   p99 %8.1f us   max %8.1f us   %.0f commits/s\n"
           "      CPU %.0f us, written %.1f KiB = %.1f pages per commit (write()/pwrite() bytes,"
           " /proc/self/io wchar)\n",
           cfg->tmp, c.n, c.p50_us, c.p99_us, c.max_us, c.per_s, c.cpu_us, c.kb, bench_pages(c.kb));
    int n = (int)(sizeof broker_shape / sizeof broker_shape[0]);
    if (!commit_run(cfg, broker_shape, n, 10000, cfg->floor_commit_n / 2, cfg->floor_commit_s / 2,
                    &c))
        return false;
    out->have_shaped = true;
    out->shaped_p50_us = c.p50_us;
    out->shaped_p99_us = c.p99_us;
    out->shaped_cpu_us = c.cpu_us;
    out->shaped_kb = c.kb;
    printf("  (info, not the floor) the same with %d put shaped like one transition of the store's\n"
           "   format 5 (a journal record of 950 B appended: the event and the case after it),\n"
           "   10,000 entries preloaded, %zu commits:\n"
           "      p50 %8.1f us   p99 %8.1f us   max %8.1f us   %.0f commits/s\n"
           "      CPU %.0f us, written %.1f KiB = %.1f pages per commit\n",
           n, c.n, c.p50_us, c.p99_us, c.max_us, c.per_s, c.cpu_us, c.kb, bench_pages(c.kb));
    return true;
}

bool bench_floor(const bench_cfg_t *cfg, floor_result_t *out)
{
    memset(out, 0, sizeof *out);
    bool ok = curve_rtt(cfg, out);
    return lmdb_commit(cfg, out) && ok;
}
