/* (b) Whole seven-step renewals through a real sertel-broker process,
 * driven by 1 client and by N concurrent clients.
 *
 * A client is a thread that owns one office: five officers (staf, kadis,
 * kabid, jf, verifier), each with their own conn_t (their own CURVE
 * connection, as five workstations would have), and drives its own cases
 * one request at a time. Every step waits for the push that tells the
 * next officer, on that officer's connection, before that officer acts:
 *
 *   intake(staf)            -> EV_RECEIVED at the kadis (role pool)
 *   complete(staf -> kadis) -> EV_DISPOSED step 2 at the kadis
 *   complete(kadis -> kabid)-> step 3 at the kabid
 *   complete(kabid -> jf)   -> step 4 at the jf
 *   complete(jf -> verif)   -> step 5 at the verifier
 *   contact(verif), complete(verif) -> step 6 at the verifier
 *   certificate(verif), complete(verif, report) -> step 7 at the kadis
 *   complete(kadis)         -> EV_ARCHIVED at the staf
 *
 * That is 10 durable transitions (write requests) and 8 measured pushes
 * per case. Steps 1-4 name the next officer (to_nip): without it steps 2
 * and 5 go to the role pool and every kadis / verifier of every office
 * would be told. EV_RECEIVED still goes to the kadis pool by design, so
 * with N offices each intake is pushed to N kadis connections.
 *
 * The 1-client run also times the floor once before each transition's
 * request: a bare CURVE round trip (an echo of its own), then the durable
 * commit (one put, in an LMDB environment of its own on the same file
 * system), so that the single-client verdict compares figures of the same
 * minutes, each commit following the other kind: on a shared machine the
 * cost of a wake-up and of an fsync drifts, and a commit is slower right
 * after another. That time is not counted in the run's. */
#include "bench.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PUSH_WAIT_MS 20000
#define CALL_TIMEOUT_MS 20000
#define WARMUP_CASES 2

enum { STAF, KADIS, KABID, JF, VERIF, N_SEATS };
enum { K_INTAKE, K_COMPLETE, K_CONTACT, K_CERT, N_KINDS };

/* A lifecycle's transitions in the order lifecycle() makes them, by what
 * they write, for --pages (each counted after its reply: bench_pages.c). */
enum { S_INTAKE, S_DISPOSITION, S_CONTACT, S_CERT, S_REPORT, S_ARCHIVE, N_STEPS };
static const int step_of[] = {S_INTAKE,      S_DISPOSITION, S_DISPOSITION, S_DISPOSITION,
                              S_DISPOSITION, S_CONTACT,     S_DISPOSITION, S_CERT,
                              S_REPORT,      S_ARCHIVE};
static const char *const step_names[N_STEPS] = {"intake", "disposition", "contact",
                                                "certificate", "report", "archive"};
#define LIFECYCLE_CALLS (int)(sizeof step_of / sizeof step_of[0])

static const struct {
    const char *name;
    role_t role;
    unsigned quals;
} seats[N_SEATS] = {
    [STAF] = {"Staf Front Office", ROLE_STAF, 0},
    [KADIS] = {"Kepala Dinas", ROLE_KADIS, 0},
    [KABID] = {"Kepala Bidang", ROLE_KABID, 0},
    [JF] = {"JF Keamanan Informasi", ROLE_JF, 0},
    [VERIF] = {"Verifikator", ROLE_STAF, QUAL_VERIFIKATOR},
};

typedef struct {
    keyfile_t keys[N_SEATS];
    conn_t *conns[N_SEATS];
} office_t;

typedef struct {
    office_t *o;
    int index;
    uint64_t deadline;      /* no new case starts after this */
    bool measuring;
    samples_t lat, push, reqpush, kind[N_KINDS];
    long lifecycles, transitions, pushes, delivered;
    uint64_t reply_bytes, push_bytes; /* packed sizes: replies, awaited pushes */
    uint64_t max_seq;
    pthread_barrier_t *start;
    /* The floor's round trip and commit timed before each request (1
     * client): same minutes. */
    bench_commits_t *floor;
    bench_echo_t *echo;
    samples_t floor_lat, floor_rtt;
    uint64_t floor_ns;
    double floor_cpu_s;
    /* --pages (1 client): the broker's db directory, the call's place in
     * its lifecycle, pages counted by step. */
    const char *pages_db;
    int call_no;
    long step_n[N_STEPS];
    bench_pages_t step_sum[N_STEPS];
} worker_t;

static atomic_int stop_all;

/* An error in one client stops them all. */
static void stop_workers(void)
{
    atomic_store(&stop_all, 1);
}

static double thread_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The floor, timed, before a transition's request: one bare CURVE round
 * trip, then one bare durable commit (the request follows a commit, as
 * the floor's commit follows the broker's). The echo's threads are this
 * process's: its CPU is the process's while the trip lasts (the other
 * threads wait for this one). */
static bool floor_time(worker_t *w)
{
    double pcpu0 = bench_cpu_s(0);
    uint64_t trip, t0 = bench_now_ns();
    bool ok = bench_echo_trip(w->echo, &trip);
    uint64_t t1 = bench_now_ns();
    double cpu1 = thread_cpu_s(), pcpu1 = bench_cpu_s(0);
    ok = ok && bench_commit(w->floor);
    if (!ok) {
        stop_workers();
        return false;
    }
    uint64_t dt = bench_now_ns() - t1;
    samples_add(&w->floor_rtt, trip);
    samples_add(&w->floor_lat, dt);
    w->floor_ns += dt + (t1 - t0);
    w->floor_cpu_s += (pcpu1 - pcpu0) + (thread_cpu_s() - cpu1);
    return true;
}

/* One write request on seat's connection; records its latency. Any
 * refusal is an error: the requests of this run are all valid. */
static Sertel__Envelope *call(worker_t *w, int seat, int kind, Sertel__Envelope *req,
                              const char *what, uint64_t *t_req, uint64_t *t_rep)
{
    Sertel__Envelope *reply = NULL;
    char err[512] = "";
    if (w->floor && w->measuring && !floor_time(w))
        return NULL;
    uint64_t t0 = bench_now_ns();
    sertel_err_t e = conn_call(w->o->conns[seat], req, &reply, CALL_TIMEOUT_MS, err, sizeof err);
    uint64_t t1 = bench_now_ns();
    if (e != SERTEL_OK) {
        bench_error("office %d: %s: %s", w->index + 1, what, err);
        stop_workers();
        return NULL;
    }
    if (reply->body_case != SERTEL__ENVELOPE__BODY_DONE) {
        if (reply->body_case == SERTEL__ENVELOPE__BODY_ERROR)
            bench_error("office %d: %s refused (%d): %s", w->index + 1, what,
                        (int)reply->error->code, reply->error->message);
        else
            bench_error("office %d: %s: unexpected reply body %d", w->index + 1, what,
                        (int)reply->body_case);
        sertel__envelope__free_unpacked(reply, NULL);
        stop_workers();
        return NULL;
    }
    if (reply->done->seq > w->max_seq)
        w->max_seq = reply->done->seq;
    bench_pages_t pg;
    if (w->pages_db && w->measuring && w->call_no < LIFECYCLE_CALLS &&
        bench_pages_last_commit(w->pages_db, &pg)) {
        bench_pages_t *sum = &w->step_sum[step_of[w->call_no]];
        w->step_n[step_of[w->call_no]]++;
        sum->total += pg.total;
        sum->branches += pg.branches;
        sum->named += pg.named;
        sum->free += pg.free;
    }
    w->call_no++;
    if (w->measuring) {
        w->reply_bytes += protobuf_c_message_get_packed_size(&reply->base);
        samples_add(&w->lat, t1 - t0);
        samples_add(&w->kind[kind], t1 - t0);
        w->transitions++;
    }
    if (t_req)
        *t_req = t0;
    if (t_rep)
        *t_rep = t1;
    return reply;
}

/* Waits on seat's connection for the push of kind about case_id (and
 * next_step, for dispositions), skipping every other push. */
static bool expect_push(worker_t *w, int seat, Sertel__EventKind kind, const char *case_id,
                        int next_step, uint64_t t_req, uint64_t t_rep)
{
    for (;;) {
        Sertel__Envelope *env = conn_next_push(w->o->conns[seat], PUSH_WAIT_MS);
        uint64_t t = bench_now_ns();
        if (!env) {
            bench_error("office %d: no push of kind %d (step %d) for %s at %s within %d ms",
                        w->index + 1, (int)kind, next_step, case_id, seats[seat].name, PUSH_WAIT_MS);
            stop_workers();
            return false;
        }
        if (w->measuring)
            w->delivered++;
        const Sertel__Event *ev = env->push;
        bool match = ev && ev->kind == kind && ev->case_id && strcmp(ev->case_id, case_id) == 0 &&
                     (next_step == 0 || ev->next_step == next_step);
        if (match && w->measuring)
            w->push_bytes += protobuf_c_message_get_packed_size(&env->base);
        sertel__envelope__free_unpacked(env, NULL);
        if (!match)
            continue;
        if (w->measuring) {
            samples_add(&w->push, t > t_rep ? t - t_rep : 0);
            samples_add(&w->reqpush, t - t_req);
            w->pushes++;
        }
        return true;
    }
}

static bool complete(worker_t *w, int seat, const char *id, const char *to, const char *instruction,
                     Sertel__Attachment *att, uint64_t *t_req, uint64_t *t_rep)
{
    Sertel__Complete in = SERTEL__COMPLETE__INIT;
    in.case_id = (char *)id;
    in.to_nip = (char *)(to ? to : "");
    in.instruction = (char *)(instruction ? instruction : "");
    Sertel__Attachment *atts[] = {att};
    in.attachments = att ? atts : NULL;
    in.n_attachments = att ? 1 : 0;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_COMPLETE;
    req.complete = &in;
    Sertel__Envelope *r = call(w, seat, K_COMPLETE, &req, "complete", t_req, t_rep);
    sertel__envelope__free_unpacked(r, NULL);
    return r != NULL;
}

static bool lifecycle(worker_t *w)
{
    office_t *o = w->o;
    uint64_t tq, tr;
    char id[64];

    bench_intake_t intake;
    Sertel__Envelope req;
    bench_intake(&intake, &req);
    w->call_no = 0;
    Sertel__Envelope *r = call(w, STAF, K_INTAKE, &req, "intake", &tq, &tr);
    if (!r)
        return false;
    snprintf(id, sizeof id, "%s", r->done->case_id);
    sertel__envelope__free_unpacked(r, NULL);
    if (!expect_push(w, KADIS, SERTEL__EVENT_KIND__EV_RECEIVED, id, 0, tq, tr))
        return false;

    static const struct {
        int from, to;
        const char *instruction;
    } chain[] = {
        {STAF, KADIS, "Mohon disposisi"},
        {KADIS, KABID, "Proses sesuai SOP"},
        {KABID, JF, "Tindak lanjuti"},
        {JF, VERIF, "Verifikasi dan asistensi"},
    };
    for (int i = 0; i < 4; i++) {
        if (!complete(w, chain[i].from, id, o->keys[chain[i].to].nip, chain[i].instruction, NULL,
                      &tq, &tr) ||
            !expect_push(w, chain[i].to, SERTEL__EVENT_KIND__EV_DISPOSED, id, i + 2, tq, tr))
            return false;
    }

    Sertel__Contact contact = SERTEL__CONTACT__INIT;
    contact.case_id = id;
    contact.channel = SERTEL__CONTACT_CHANNEL__CONTACT_EMAIL;
    contact.summary = "Pemohon diminta memperbarui melalui aplikasi BSrE";
    Sertel__Envelope creq = SERTEL__ENVELOPE__INIT;
    creq.body_case = SERTEL__ENVELOPE__BODY_CONTACT;
    creq.contact = &contact;
    r = call(w, VERIF, K_CONTACT, &creq, "contact", NULL, NULL);
    sertel__envelope__free_unpacked(r, NULL);
    if (!r || !complete(w, VERIF, id, NULL, NULL, NULL, &tq, &tr) ||
        !expect_push(w, VERIF, SERTEL__EVENT_KIND__EV_DISPOSED, id, 6, tq, tr))
        return false;

    Sertel__Certificate cert = SERTEL__CERTIFICATE__INIT;
    cert.case_id = id;
    cert.serial = "5A3F09C1";
    cert.not_after = 4102444800; /* 2100-01-01 */
    Sertel__Envelope qreq = SERTEL__ENVELOPE__INIT;
    qreq.body_case = SERTEL__ENVELOPE__BODY_CERTIFICATE;
    qreq.certificate = &cert;
    r = call(w, VERIF, K_CERT, &qreq, "certificate", NULL, NULL);
    sertel__envelope__free_unpacked(r, NULL);
    Sertel__Attachment report = SERTEL__ATTACHMENT__INIT;
    report.name = "laporan-pembaharuan.pdf";
    report.content.data = (uint8_t *)BENCH_PDF("laporan");
    report.content.len = strlen((char *)report.content.data);
    if (!r || !complete(w, VERIF, id, NULL, NULL, &report, &tq, &tr) ||
        !expect_push(w, KADIS, SERTEL__EVENT_KIND__EV_DISPOSED, id, 7, tq, tr))
        return false;

    if (!complete(w, KADIS, id, NULL, NULL, NULL, &tq, &tr) ||
        !expect_push(w, STAF, SERTEL__EVENT_KIND__EV_ARCHIVED, id, 0, tq, tr))
        return false;
    if (w->measuring)
        w->lifecycles++;
    return true;
}

static void *worker_main(void *arg)
{
    worker_t *w = arg;
    for (int i = 0; i < WARMUP_CASES && !atomic_load(&stop_all); i++)
        if (!lifecycle(w))
            break;
    /* Twice: once to say ready, once to be told the deadline is set. */
    pthread_barrier_wait(w->start);
    pthread_barrier_wait(w->start);
    w->measuring = true;
    while (!atomic_load(&stop_all) && bench_now_ns() < w->deadline)
        if (!lifecycle(w))
            break;
    /* And twice at the end: the run's figures are read while every
     * client thread still exists (a thread's scheduling delays go with
     * it). */
    pthread_barrier_wait(w->start);
    pthread_barrier_wait(w->start);
    return NULL;
}

static bool open_office(broker_proc_t *b, office_t *o, int index)
{
    for (int s = 0; s < N_SEATS; s++) {
        char name[128];
        snprintf(name, sizeof name, "%s %d", seats[s].name, index + 1);
        if (!bench_enrol(b, name, seats[s].role, seats[s].quals, &o->keys[s]))
            return false;
    }
    return true;
}

static bool connect_office(broker_proc_t *b, office_t *o, uint64_t last_seq)
{
    for (int s = 0; s < N_SEATS; s++) {
        o->conns[s] = bench_connect(b, &o->keys[s]);
        if (!o->conns[s] || bench_hello(o->conns[s], last_seq) == UINT64_MAX)
            return false;
    }
    return true;
}

static void close_office(office_t *o)
{
    for (int s = 0; s < N_SEATS; s++)
        conn_close(&o->conns[s]);
}

static double pct_us(samples_t *s, double p)
{
    return ns_to_us(samples_pct(s, p));
}

/* What --pages counted, by kind of transition. */
static void print_pages(const worker_t *w)
{
    printf("      pages written by kind of transition (--pages; the two newest LMDB snapshots"
           " after each reply):\n");
    for (int s = 0; s < N_STEPS; s++) {
        const bench_pages_t *p = &w->step_sum[s];
        double n = w->step_n[s] ? (double)w->step_n[s] : 1;
        if (w->step_n[s])
            printf("        %-11s %6.2f (branches of the unnamed database %.2f, named databases"
                   " %.2f, free list %.2f; %ld)\n",
                   step_names[s], (double)p->total / n, (double)p->branches / n,
                   (double)p->named / n, (double)p->free / n, w->step_n[s]);
    }
}

/* Runs n offices for secs seconds; offices [0, n) are connected. With
 * floor, the first office times the floor's commits after each case (its
 * time is taken out of the run's). */
static bool run(broker_proc_t *b, office_t *offices, int n, double secs, bench_commits_t *floor,
                bench_echo_t *echo, bool pages, flow_result_t *out, uint64_t *max_seq)
{
    memset(out, 0, sizeof *out);
    char db[600], log[600];
    snprintf(db, sizeof db, "%s/db", b->dir);
    snprintf(log, sizeof log, "%s/broker.log", b->dir);
    worker_t *ws = calloc((size_t)n, sizeof *ws);
    pthread_t *th = calloc((size_t)n, sizeof *th);
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, (unsigned)n + 1);
    atomic_store(&stop_all, 0);
    for (int i = 0; i < n; i++) {
        ws[i].o = &offices[i];
        ws[i].index = i;
        ws[i].start = &start;
        ws[i].deadline = UINT64_MAX;
        ws[i].floor = i == 0 ? floor : NULL;
        ws[i].echo = i == 0 ? echo : NULL;
        ws[i].pages_db = pages && n == 1 ? db : NULL;
        pthread_create(&th[i], NULL, worker_main, &ws[i]);
    }
    /* Warm-up cases run before the first barrier; the clock starts at
     * the second. */
    pthread_barrier_wait(&start);
    uint64_t t0 = bench_now_ns();
    for (int i = 0; i < n; i++)
        ws[i].deadline = t0 + (uint64_t)(secs * 1e9);
    double bcpu0 = bench_cpu_s(b->pid), ccpu0 = bench_cpu_s(0), busy0, steal0, busy1, steal1;
    bench_machine_cpu(&busy0, &steal0);
    long bsw0 = bench_ctxsw(b->pid);
    double bq0 = bench_runq_wait_s(b->pid), cq0 = bench_runq_wait_s(0);
    uint64_t txn0 = bench_lmdb_txnid(db), wb0 = bench_write_bytes(b->pid);
    uint64_t log0 = bench_file_size(log);
    pthread_barrier_wait(&start);
    pthread_barrier_wait(&start); /* every client has finished */
    uint64_t t1 = bench_now_ns();
    out->broker_runq_s = bench_runq_wait_s(b->pid) - bq0;
    out->client_runq_s = bench_runq_wait_s(0) - cq0;
    pthread_barrier_wait(&start);
    for (int i = 0; i < n; i++)
        pthread_join(th[i], NULL);
    out->broker_cpu_s = bench_cpu_s(b->pid) - bcpu0;
    double floor_cpu_s = ws[0].floor_cpu_s, elapsed = (double)(t1 - t0) / 1e9;
    out->client_cpu_s = bench_cpu_s(0) - ccpu0 - floor_cpu_s;
    out->broker_ctxsw = bench_ctxsw(b->pid) - bsw0;
    bench_machine_cpu(&busy1, &steal1);
    uint64_t txn1 = bench_lmdb_txnid(db);
    out->commits = txn1 > txn0 ? txn1 - txn0 : 0;
    uint64_t wb = bench_write_bytes(b->pid) - wb0;
    out->log_bytes = bench_file_size(log) - log0;
    out->data_bytes = wb > out->log_bytes ? wb - out->log_bytes : 0;
    out->kb_per_commit =
        out->commits ? (double)out->data_bytes / 1024.0 / (double)out->commits : 0;
    pthread_barrier_destroy(&start);

    samples_t lat = {0}, push = {0}, reqpush = {0}, kind[N_KINDS] = {{0}};
    uint64_t reply_bytes = 0, push_bytes = 0;
    /* The broker walks its sessions in the order they connected: office 1
     * first, office n last. */
    double push_first_us = pct_us(&ws[0].push, 50), push_last_us = pct_us(&ws[n - 1].push, 50);
    for (int i = 0; i < n; i++) {
        out->lifecycles += ws[i].lifecycles;
        out->transitions += ws[i].transitions;
        out->pushes_seen += ws[i].pushes;
        out->pushes_delivered += ws[i].delivered;
        reply_bytes += ws[i].reply_bytes;
        push_bytes += ws[i].push_bytes;
        samples_merge(&lat, &ws[i].lat);
        samples_merge(&push, &ws[i].push);
        samples_merge(&reqpush, &ws[i].reqpush);
        for (int k = 0; k < N_KINDS; k++) {
            samples_merge(&kind[k], &ws[i].kind[k]);
            samples_free(&ws[i].kind[k]);
        }
        if (ws[i].max_seq > *max_seq)
            *max_seq = ws[i].max_seq;
        samples_free(&ws[i].lat);
        samples_free(&ws[i].push);
        samples_free(&ws[i].reqpush);
    }
    bool ok = !atomic_load(&stop_all) && out->transitions > 0;
    out->have = ok;
    out->clients = n;
    out->secs = elapsed - (double)ws[0].floor_ns / 1e9;
    out->tps = (double)out->transitions / out->secs;
    out->others_cores =
        (busy1 - busy0 - out->broker_cpu_s - out->client_cpu_s - floor_cpu_s) / elapsed;
    if (out->others_cores < 0)
        out->others_cores = 0;
    out->steal_cores = (steal1 - steal0) / elapsed;
    out->floor_commits = (long)ws[0].floor_lat.n;
    out->floor_commit_p50_us = pct_us(&ws[0].floor_lat, 50);
    out->floor_commit_p99_us = pct_us(&ws[0].floor_lat, 99);
    samples_free(&ws[0].floor_lat);
    out->floor_trips = (long)ws[0].floor_rtt.n;
    out->floor_rtt_p50_us = pct_us(&ws[0].floor_rtt, 50);
    out->floor_rtt_p99_us = pct_us(&ws[0].floor_rtt, 99);
    samples_free(&ws[0].floor_rtt);
    out->lat_p50_us = pct_us(&lat, 50);
    out->lat_p99_us = pct_us(&lat, 99);
    out->lat_max_us = pct_us(&lat, 100);
    out->push_p50_us = pct_us(&push, 50);
    out->push_p99_us = pct_us(&push, 99);
    out->push_max_us = pct_us(&push, 100);
    out->reqpush_p50_us = pct_us(&reqpush, 50);
    out->reqpush_p99_us = pct_us(&reqpush, 99);
    for (int k = 0; k < N_KINDS; k++) {
        out->kind_p50_us[k] = pct_us(&kind[k], 50);
        samples_free(&kind[k]);
    }
    samples_free(&lat);
    samples_free(&push);
    samples_free(&reqpush);
    worker_t first = ws[0];
    free(ws);
    free(th);

    if (!out->transitions)
        return ok;
    double per = 1e6 / (double)out->transitions;
    printf("  %2d client%s: %ld lifecycles = %ld durable transitions in %.1f s = %.0f transitions/s\n",
           n, n == 1 ? " " : "s", out->lifecycles, out->transitions, out->secs, out->tps);
    printf("      transition, request -> durable reply:  p50 %8.1f us   p99 %8.1f us   max %8.1f us\n",
           out->lat_p50_us, out->lat_p99_us, out->lat_max_us);
    printf("        p50 by request: intake %.1f, complete %.1f, contact %.1f, certificate %.1f us\n",
           out->kind_p50_us[K_INTAKE], out->kind_p50_us[K_COMPLETE], out->kind_p50_us[K_CONTACT],
           out->kind_p50_us[K_CERT]);
    if (out->floor_trips)
        printf("      the floor's round trip, one before each request: p50 %6.1f us   p99 %8.1f us"
               "  (%ld, not in the time above)\n",
               out->floor_rtt_p50_us, out->floor_rtt_p99_us, out->floor_trips);
    if (out->floor_commits)
        printf("      the floor's commit, one before each request: p50 %8.1f us   p99 %8.1f us"
               "  (%ld, not in the time above)\n",
               out->floor_commit_p50_us, out->floor_commit_p99_us, out->floor_commits);
    printf("      push, reply -> push at next officer:   p50 %8.1f us   p99 %8.1f us   max %8.1f us  (%ld pushes)\n",
           out->push_p50_us, out->push_p99_us, out->push_max_us, out->pushes_seen);
    printf("      push, request -> push at next officer: p50 %8.1f us   p99 %8.1f us\n",
           out->reqpush_p50_us, out->reqpush_p99_us);
    if (n > 1)
        printf("      push p50 of the office whose sessions connected first: %.1f us, last: %.1f us\n",
               push_first_us, push_last_us);
    printf("      pushes read by the clients: %.1f per transition (%ld awaited, the rest skipped);"
           " reply %.0f B, push %.0f B on average (packed)\n",
           (double)out->pushes_delivered / (double)out->transitions, out->pushes_seen,
           (double)reply_bytes / (double)out->transitions,
           out->pushes_seen ? (double)push_bytes / (double)out->pushes_seen : 0.0);
    if (out->commits)
        printf("      broker: %lu LMDB write txns = %.2f transitions per commit (group commit);"
               " %.0f commits/s;\n"
               "        written per commit %.1f KiB = %.1f pages (write()/pwrite() bytes,"
               " /proc/PID/io wchar, less the log's %.0f B/commit)\n",
               (unsigned long)out->commits, (double)out->transitions / (double)out->commits,
               (double)out->commits / out->secs, out->kb_per_commit, bench_pages(out->kb_per_commit),
               (double)out->log_bytes / (double)out->commits);
    if (first.pages_db)
        print_pages(&first);
    printf("      CPU per transition: broker %.1f us (%.0f%% of one core), all clients %.1f us;"
           " broker context switches %.1f per transition\n",
           out->broker_cpu_s * per, 100 * out->broker_cpu_s / out->secs, out->client_cpu_s * per,
           (double)out->broker_ctxsw / (double)out->transitions);
    printf("      waiting for a CPU (runnable, not running) per transition: broker %.1f us,"
           " clients %.1f us\n",
           out->broker_runq_s * per, out->client_runq_s * per);
    printf("      CPU ceiling on this machine: %ld cores / (broker + clients) %.1f us ="
           " %.0f transitions/s\n",
           sysconf(_SC_NPROCESSORS_ONLN), (out->broker_cpu_s + out->client_cpu_s) * per,
           (double)sysconf(_SC_NPROCESSORS_ONLN) / ((out->broker_cpu_s + out->client_cpu_s) * per / 1e6));
    printf("      machine: other processes used %.2f cores, hypervisor steal %.2f cores%s\n",
           out->others_cores, out->steal_cores,
           out->others_cores > 0.1 ? "  (NOISY: figures are pessimistic)" : "");
    return ok;
}

bool bench_flow(const bench_cfg_t *cfg, flow_result_t *single, flow_result_t *multi)
{
    memset(single, 0, sizeof *single);
    memset(multi, 0, sizeof *multi);
    broker_proc_t b = {.pid = 0};
    int n = cfg->clients < 1 ? 1 : cfg->clients;
    office_t *offices = calloc((size_t)n, sizeof *offices);
    bool ok = offices && broker_proc_init(&b, cfg, "flow");
    uint64_t t0 = bench_now_ns();
    for (int i = 0; ok && i < n; i++)
        ok = open_office(&b, &offices[i], i);
    if (ok)
        printf("  broker %s (pid %d); %d officers enrolled in %.2f s\n", b.endpoint, (int)b.pid,
               n * N_SEATS, (double)(bench_now_ns() - t0) / 1e9);
    uint64_t max_seq = 0;
    bench_commits_t *floor = ok ? bench_commits_open(cfg) : NULL;
    bench_echo_t *echo = floor ? bench_echo_open() : NULL;
    ok = ok && floor && echo;
    /* One client: only its five connections exist. */
    ok = ok && connect_office(&b, &offices[0], 0);
    if (ok && cfg->single_s > 0)
        ok = run(&b, offices, 1, cfg->single_s, floor, echo, cfg->pages, single, &max_seq);
    /* Offices that join now have missed nothing of theirs. */
    for (int i = 1; ok && i < n; i++)
        ok = connect_office(&b, &offices[i], max_seq);
    if (ok && cfg->multi_s > 0 && n > 1)
        ok = run(&b, offices, n, cfg->multi_s, NULL, NULL, false, multi, &max_seq);
    bench_commits_close(&floor);
    bench_echo_close(&echo);
    for (int i = 0; offices && i < n; i++)
        close_office(&offices[i]);
    free(offices);
    if (b.dir[0]) {
        if (!ok)
            bench_log_tail(&b, 20);
        broker_proc_destroy(&b, cfg);
    }
    return ok;
}
