/* Crashes through the real broker: kill -9 while several officers send
 * intakes and dispositions, then a restart on the same data directory and
 * port. Every acknowledged request must be there, the journal must run
 * 1..N without a gap, and the indexes (inboxes, states) must agree with
 * the cases. A clean stop (SIGTERM) and restart keeps everything. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "codec.h"
#include "harness.h"

/* Long enough for a loaded CI machine; the first half is waited before
 * conn_call resends with the same request id. */
#define CALL_MS 4000
#define TARGET_ACKS 45
#define MAX_ACKS 4096
#define WAIT_S 60

enum { STAF1, STAF2, STAF3, KADIS, KABID, N_OFFICERS };
#define N_FRONT 3

static const struct {
    const char *nip, *name;
    role_t role;
    unsigned quals;
} roster[N_OFFICERS] = {
    [STAF1] = {"198503142010011003", "Siti Rahmawati", ROLE_STAF, 0},
    [STAF2] = {"199104042014022001", "Dewi Lestari", ROLE_STAF, 0},
    [STAF3] = {"199206062015031002", "Agus Salim", ROLE_STAF, 0},
    [KADIS] = {"197503042001121002", "Tino Armyanto", ROLE_KADIS, 0},
    [KABID] = {"197806122003121001", "Dedi Supriadi", ROLE_KABID, 0},
};

typedef struct {
    harness_t h;
    keyfile_t keys[N_OFFICERS];
} office_t;

static int setup(void **state)
{
    office_t *o = calloc(1, sizeof *o);
    assert_non_null(o);
    assert_true(harness_start(&o->h));
    for (int i = 0; i < N_OFFICERS; i++)
        assert_true(harness_enrol(&o->h, roster[i].nip, roster[i].name, roster[i].role,
                                  roster[i].quals, &o->keys[i]));
    *state = o;
    return 0;
}

static int teardown(void **state)
{
    office_t *o = *state;
    harness_destroy(&o->h);
    free(o);
    return 0;
}

/* ---- the load: one thread per officer, each with its own connection */

typedef struct {
    char case_id[32];
    int step;     /* the case's step in the acknowledged reply */
    uint64_t seq; /* the reply's journal sequence */
} ack_t;

typedef struct worker worker_t;

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int acks;      /* acknowledged requests, all workers */
    int running;   /* workers still running */
    volatile sig_atomic_t stop;
} shared_t;

struct worker {
    office_t *o;
    shared_t *sh;
    int who;
    conn_t *conn;
    ack_t acks[MAX_ACKS];
    int n_acks;
    int intakes_acked;
    int failed;           /* calls without an answer (at most one: the worker stops) */
    int refused;          /* error replies (must stay 0) */
    char refusal[256];
    pthread_t thread;
};

static void note_ack(worker_t *w, const Sertel__Envelope *r)
{
    if (w->n_acks < MAX_ACKS) {
        ack_t *a = &w->acks[w->n_acks++];
        snprintf(a->case_id, sizeof a->case_id, "%s", r->done->case_id);
        a->step = r->done->case_->step;
        a->seq = r->done->seq;
    }
    pthread_mutex_lock(&w->sh->lock);
    w->sh->acks++;
    pthread_cond_broadcast(&w->sh->cond);
    pthread_mutex_unlock(&w->sh->lock);
}

/* One call; false (and the worker stops) when it got no Done. */
static bool call(worker_t *w, Sertel__Envelope *req, Sertel__Envelope **reply)
{
    if (harness_try_call(w->conn, req, reply, CALL_MS) != SERTEL_OK) {
        w->failed++;
        return false;
    }
    if ((*reply)->body_case != SERTEL__ENVELOPE__BODY_DONE) {
        w->refused++;
        snprintf(w->refusal, sizeof w->refusal, "%s",
                 harness_error(*reply) ? (*reply)->error->message : "not Done");
        sertel__envelope__free_unpacked(*reply, NULL);
        *reply = NULL;
        return false;
    }
    note_ack(w, *reply);
    return true;
}

static Sertel__Envelope *intake_req(Sertel__Envelope *req, Sertel__Intake *in,
                                    Sertel__Application *app, Sertel__Attachment *letter,
                                    Sertel__Attachment **atts)
{
    harness_application(app, "Pemohon Beban", NULL);
    sertel__attachment__init(letter);
    letter->name = "surat.pdf";
    letter->content.data = (uint8_t *)harness_pdf("surat", &letter->content.len);
    atts[0] = letter;
    sertel__intake__init(in);
    in->app = app;
    in->attachments = atts;
    in->n_attachments = 1;
    sertel__envelope__init(req);
    req->body_case = SERTEL__ENVELOPE__BODY_INTAKE;
    req->intake = in;
    return req;
}

static Sertel__Envelope *complete_req(Sertel__Envelope *req, Sertel__Complete *c, char *id)
{
    sertel__complete__init(c);
    c->case_id = id;
    c->instruction = "Mohon disposisi";
    sertel__envelope__init(req);
    req->body_case = SERTEL__ENVELOPE__BODY_COMPLETE;
    req->complete = c;
    return req;
}

/* The front office: an intake, then step 1 of it, again and again. */
static void *front_office(void *arg)
{
    worker_t *w = arg;
    while (!w->sh->stop) {
        Sertel__Envelope req, *r;
        Sertel__Intake in;
        Sertel__Application app;
        Sertel__Attachment letter, *atts[1];
        if (!call(w, intake_req(&req, &in, &app, &letter, atts), &r))
            break;
        w->intakes_acked++;
        char id[32];
        snprintf(id, sizeof id, "%s", r->done->case_id);
        sertel__envelope__free_unpacked(r, NULL);
        Sertel__Complete c;
        if (!call(w, complete_req(&req, &c, id), &r))
            break;
        sertel__envelope__free_unpacked(r, NULL);
    }
    return NULL;
}

/* The Kadis: disposes every case that reaches step 2, as it is pushed. */
static void *kadis(void *arg)
{
    worker_t *w = arg;
    while (!w->sh->stop) {
        Sertel__Envelope *env = conn_next_push(w->conn, 100);
        if (!env)
            continue;
        Sertel__Event *ev = env->push;
        if (ev->kind == SERTEL__EVENT_KIND__EV_DISPOSED && ev->next_step == 2) {
            Sertel__Envelope req, *r;
            Sertel__Complete c;
            char id[32];
            snprintf(id, sizeof id, "%s", ev->case_id);
            sertel__envelope__free_unpacked(env, NULL);
            if (!call(w, complete_req(&req, &c, id), &r))
                break;
            sertel__envelope__free_unpacked(r, NULL);
            continue;
        }
        sertel__envelope__free_unpacked(env, NULL);
    }
    return NULL;
}

static void *run_worker(void *arg)
{
    worker_t *w = arg;
    void *ret = w->who == KADIS ? kadis(w) : front_office(w);
    pthread_mutex_lock(&w->sh->lock);
    w->sh->running--;
    pthread_cond_broadcast(&w->sh->cond);
    pthread_mutex_unlock(&w->sh->lock);
    return ret;
}

/* ---- checks on the restarted broker */

static Sertel__Envelope *search(conn_t *c, Sertel__CaseState st)
{
    Sertel__SearchQuery q = SERTEL__SEARCH_QUERY__INIT;
    q.state = st;
    q.limit = 1000;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_SEARCH;
    req.search = &q;
    Sertel__Envelope *r = harness_call(c, &req);
    assert_int_equal(r->body_case, SERTEL__ENVELOPE__BODY_CASE_LIST);
    return r;
}

static const Sertel__Case *find_case(const Sertel__CaseList *l, const char *id)
{
    for (size_t i = 0; i < l->n_cases; i++)
        if (strcmp(l->cases[i]->id, id) == 0)
            return l->cases[i];
    return NULL;
}

/* The journal runs 1..N without a gap, N being the broker's last seq. */
static size_t check_journal(office_t *o)
{
    uint64_t last = harness_hello(o->h.admin_conn, UINT64_C(1) << 62); /* nothing to replay */
    Sertel__Envelope *j = harness_journal(&o->h, 0);
    size_t n = j->events->n_events;
    for (size_t i = 0; i < n; i++)
        if (j->events->events[i]->seq != i + 1)
            fail_msg("journal entry %zu has seq %llu", i + 1,
                     (unsigned long long)j->events->events[i]->seq);
    assert_int_equal(n, last);
    sertel__envelope__free_unpacked(j, NULL);
    return n;
}

static bool in_inbox_of(const Sertel__Case *c, int who)
{
    if (c->assignee && *c->assignee)
        return strcmp(c->assignee, roster[who].nip) == 0;
    return (role_t)c->pool_role == roster[who].role &&
           (c->pool_quals & ~roster[who].quals) == 0;
}

/* Every case once in the index of its state; every case in flight in
 * exactly the inboxes of its assignee or pool, and nowhere else; the
 * history of each case agrees with its step. */
static void check_indexes(office_t *o, conn_t *conns[N_OFFICERS])
{
    Sertel__Envelope *all = search(o->h.admin_conn, SERTEL__CASE_STATE__STATE_NONE);
    const Sertel__CaseList *cl = all->case_list;
    size_t by_state = 0;
    for (int st = SERTEL__CASE_STATE__STATE_OPEN; st <= SERTEL__CASE_STATE__STATE_WITHDRAWN; st++) {
        Sertel__Envelope *r = search(o->h.admin_conn, (Sertel__CaseState)st);
        for (size_t i = 0; i < r->case_list->n_cases; i++) {
            const Sertel__Case *c = find_case(cl, r->case_list->cases[i]->id);
            if (!c)
                fail_msg("%s is indexed by state but is not a case", r->case_list->cases[i]->id);
            assert_int_equal(c->state, st);
        }
        by_state += r->case_list->n_cases;
        sertel__envelope__free_unpacked(r, NULL);
    }
    assert_int_equal(by_state, cl->n_cases);

    Sertel__Envelope *inbox[N_OFFICERS];
    for (int w = 0; w < N_OFFICERS; w++) {
        Sertel__InboxQuery q = SERTEL__INBOX_QUERY__INIT;
        Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
        req.body_case = SERTEL__ENVELOPE__BODY_INBOX;
        req.inbox = &q;
        inbox[w] = harness_call(conns[w], &req);
        assert_int_equal(inbox[w]->body_case, SERTEL__ENVELOPE__BODY_CASE_LIST);
        const Sertel__CaseList *il = inbox[w]->case_list;
        for (size_t i = 0; i < il->n_cases; i++) {
            const Sertel__Case *c = find_case(cl, il->cases[i]->id);
            if (!c)
                fail_msg("%s's inbox holds %s, which is not a case", roster[w].name,
                         il->cases[i]->id);
            if (c->state != SERTEL__CASE_STATE__STATE_OPEN &&
                c->state != SERTEL__CASE_STATE__STATE_WAITING)
                fail_msg("%s's inbox holds closed case %s", roster[w].name, c->id);
            if (!in_inbox_of(c, w))
                fail_msg("%s's inbox holds %s (step %d) which is not theirs", roster[w].name,
                         c->id, c->step);
            for (size_t k = 0; k < i; k++)
                if (strcmp(il->cases[k]->id, c->id) == 0)
                    fail_msg("%s's inbox lists %s twice", roster[w].name, c->id);
        }
    }
    for (size_t i = 0; i < cl->n_cases; i++) {
        const Sertel__Case *c = cl->cases[i];
        bool open = c->state == SERTEL__CASE_STATE__STATE_OPEN ||
                    c->state == SERTEL__CASE_STATE__STATE_WAITING;
        int seen = 0;
        for (int w = 0; w < N_OFFICERS; w++) {
            bool listed = find_case(inbox[w]->case_list, c->id) != NULL;
            if (open && in_inbox_of(c, w) && !listed)
                fail_msg("%s (step %d) is missing from %s's inbox", c->id, c->step,
                         roster[w].name);
            seen += listed;
        }
        if (open && !seen)
            fail_msg("open case %s (step %d) is in nobody's inbox", c->id, c->step);
        /* The history: received, then one disposition per step done. */
        Sertel__Envelope *d = harness_case(o->h.admin_conn, c->id);
        assert_int_equal(d->body_case, SERTEL__ENVELOPE__BODY_CASE_DETAIL);
        int received = 0, disposed = 0;
        for (size_t k = 0; k < d->case_detail->n_history; k++) {
            received += d->case_detail->history[k]->kind == SERTEL__EVENT_KIND__EV_RECEIVED;
            disposed += d->case_detail->history[k]->kind == SERTEL__EVENT_KIND__EV_DISPOSED;
        }
        if (received != 1 || disposed != c->step - 1)
            fail_msg("%s at step %d has %d received and %d disposed events", c->id, c->step,
                     received, disposed);
        sertel__envelope__free_unpacked(d, NULL);
    }
    for (int w = 0; w < N_OFFICERS; w++)
        sertel__envelope__free_unpacked(inbox[w], NULL);
    sertel__envelope__free_unpacked(all, NULL);
}

static void test_kill9_under_load(void **state)
{
    office_t *o = *state;
    shared_t sh = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
    worker_t *w = calloc(N_OFFICERS, sizeof *w);
    assert_non_null(w);
    int n_workers = N_FRONT + 1;
    const int who[] = {STAF1, STAF2, STAF3, KADIS};
    for (int i = 0; i < n_workers; i++) {
        w[i].o = o;
        w[i].sh = &sh;
        w[i].who = who[i];
        w[i].conn = harness_connect(&o->h, &o->keys[who[i]]);
        assert_non_null(w[i].conn);
    }
    harness_hello(w[N_FRONT].conn, 0); /* the Kadis listens for dispositions */
    sh.running = n_workers;
    for (int i = 0; i < n_workers; i++)
        assert_int_equal(pthread_create(&w[i].thread, NULL, run_worker, &w[i]), 0);

    /* Mid-stream: enough acknowledged, every worker still sending. */
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += WAIT_S;
    pthread_mutex_lock(&sh.lock);
    while (sh.acks < TARGET_ACKS && sh.running == n_workers &&
           pthread_cond_timedwait(&sh.cond, &sh.lock, &deadline) != ETIMEDOUT)
        ;
    int acks_at_kill = sh.acks, running = sh.running;
    pthread_mutex_unlock(&sh.lock);
    harness_stop(&o->h, SIGKILL);
    int status = o->h.exit_status;
    /* Back on the same directory and port: the workers' connections
     * find it again and their pending requests, resent with the same
     * request id, are answered (applied at most once). The workers are
     * stopped and joined before any assertion can leave this function. */
    bool restarted = harness_restart(&o->h);
    sh.stop = 1;
    for (int i = 0; i < n_workers; i++)
        pthread_join(w[i].thread, NULL);
    for (int i = 0; i < n_workers; i++)
        conn_close(&w[i].conn);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    if (running != n_workers || acks_at_kill < TARGET_ACKS)
        fail_msg("load did not build up: %d acknowledged, %d of %d workers running",
                 acks_at_kill, running, n_workers);
    assert_true(restarted);
    for (int i = 0; i < n_workers; i++)
        if (w[i].refused)
            fail_msg("%s was refused: %s", roster[w[i].who].name, w[i].refusal);

    conn_t *conns[N_OFFICERS];
    for (int i = 0; i < N_OFFICERS; i++) {
        conns[i] = harness_connect(&o->h, &o->keys[i]);
        assert_non_null(conns[i]);
    }
    size_t n_events = check_journal(o);
    Sertel__Envelope *all = search(o->h.admin_conn, SERTEL__CASE_STATE__STATE_NONE);
    const Sertel__CaseList *cl = all->case_list;
    int total_acks = 0;
    uint64_t max_seq = 0;
    for (int i = 0; i < n_workers; i++) {
        total_acks += w[i].n_acks;
        for (int k = 0; k < w[i].n_acks; k++) {
            const ack_t *a = &w[i].acks[k];
            const Sertel__Case *c = find_case(cl, a->case_id);
            if (!c)
                fail_msg("acknowledged case %s is gone", a->case_id);
            if (c->step < a->step)
                fail_msg("%s is at step %d, step %d was acknowledged", a->case_id, c->step,
                         a->step);
            if (a->seq > max_seq)
                max_seq = a->seq;
        }
    }
    assert_true(total_acks >= TARGET_ACKS);
    assert_true(max_seq <= n_events);
    /* Each front-office officer's applications: every acknowledged one,
     * plus at most the one whose answer the crash swallowed; none twice. */
    for (int i = 0; i < N_FRONT; i++) {
        int mine = 0;
        for (size_t k = 0; k < cl->n_cases; k++)
            mine += strcmp(cl->cases[k]->received_by, roster[w[i].who].nip) == 0;
        if (mine < w[i].intakes_acked || mine > w[i].intakes_acked + w[i].failed)
            fail_msg("%s: %d cases, %d intakes acknowledged, %d unanswered",
                     roster[w[i].who].name, mine, w[i].intakes_acked, w[i].failed);
    }
    sertel__envelope__free_unpacked(all, NULL);
    check_indexes(o, conns);

    /* And it goes on: a new case gets the next sequence number. */
    Sertel__Envelope *r = harness_intake(conns[STAF1], "Pemohon Sesudah", NULL);
    assert_int_equal(harness_error(r), 0);
    assert_true(r->done->seq > n_events);
    sertel__envelope__free_unpacked(r, NULL);
    check_journal(o);
    /* The hash chain holds across the crash, checked offline once the
     * broker has stopped. */
    harness_stop(&o->h, SIGTERM);
    char out[2048];
    if (harness_broker_tool(&o->h, "check", NULL, out, sizeof out) != 0)
        fail_msg("sertel-broker check after kill -9: %s", out);
    assert_non_null(strstr(out, "Journal intact"));
    for (int i = 0; i < N_OFFICERS; i++)
        conn_close(&conns[i]);
    free(w);
}

/* ---- a clean stop */

/* Everything a client can read, packed (working time zeroed: it moves
 * with the clock). */
static uint8_t *state_bytes(office_t *o, conn_t *conns[N_OFFICERS], size_t *len)
{
    Sertel__Envelope *parts[2 + N_OFFICERS];
    int n = 0;
    parts[n++] = harness_journal(&o->h, 0);
    parts[n++] = search(o->h.admin_conn, SERTEL__CASE_STATE__STATE_NONE);
    for (int w = 0; w < N_OFFICERS; w++) {
        Sertel__InboxQuery q = SERTEL__INBOX_QUERY__INIT;
        Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
        req.body_case = SERTEL__ENVELOPE__BODY_INBOX;
        req.inbox = &q;
        parts[n++] = harness_call(conns[w], &req);
    }
    uint8_t *out = NULL;
    *len = 0;
    for (int i = 0; i < n; i++) {
        Sertel__Envelope *e = parts[i];
        e->request_id = 0;
        if (e->body_case == SERTEL__ENVELOPE__BODY_CASE_LIST)
            for (size_t k = 0; k < e->case_list->n_cases; k++)
                e->case_list->cases[k]->work_used = 0;
        size_t l;
        uint8_t *buf = codec_pack(&e->base, &l);
        assert_non_null(buf);
        out = realloc(out, *len + l + 8);
        assert_non_null(out);
        memcpy(out + *len, &l, sizeof l);
        memcpy(out + *len + sizeof l, buf, l);
        *len += sizeof l + l;
        free(buf);
        sertel__envelope__free_unpacked(e, NULL);
    }
    return out;
}

static void test_sigterm_restart(void **state)
{
    office_t *o = *state;
    conn_t *conns[N_OFFICERS];
    for (int i = 0; i < N_OFFICERS; i++) {
        conns[i] = harness_connect(&o->h, &o->keys[i]);
        assert_non_null(conns[i]);
    }
    /* Cases at steps 1, 2 and 3. */
    char ids[6][32];
    for (int i = 0; i < 6; i++) {
        Sertel__Envelope *r = harness_intake(conns[STAF1 + i % N_FRONT], "Pemohon Berhenti", NULL);
        assert_int_equal(harness_error(r), 0);
        snprintf(ids[i], sizeof ids[i], "%s", r->done->case_id);
        sertel__envelope__free_unpacked(r, NULL);
        if (i < 2)
            continue;
        r = harness_complete(conns[STAF1 + i % N_FRONT], ids[i], NULL, "Mohon disposisi");
        assert_int_equal(harness_error(r), 0);
        sertel__envelope__free_unpacked(r, NULL);
        if (i < 4)
            continue;
        r = harness_complete(conns[KADIS], ids[i], NULL, "Proses");
        assert_int_equal(harness_error(r), 0);
        sertel__envelope__free_unpacked(r, NULL);
    }
    size_t n_events = check_journal(o);
    check_indexes(o, conns);
    size_t len0, len1;
    uint8_t *before = state_bytes(o, conns, &len0);

    harness_stop(&o->h, SIGTERM);
    assert_true(WIFEXITED(o->h.exit_status) && WEXITSTATUS(o->h.exit_status) == 0);
    assert_true(harness_restart(&o->h));

    /* The old connections find the new broker on the same port. */
    uint8_t *after = state_bytes(o, conns, &len1);
    assert_int_equal(len0, len1);
    assert_memory_equal(before, after, len0);
    free(before);
    free(after);
    assert_int_equal(check_journal(o), n_events);
    check_indexes(o, conns);
    Sertel__Envelope *r = harness_complete(conns[KABID], ids[5], NULL, "Ke JF");
    assert_int_equal(harness_error(r), 0);
    assert_int_equal(r->done->seq, n_events + 1);
    sertel__envelope__free_unpacked(r, NULL);
    for (int i = 0; i < N_OFFICERS; i++)
        conn_close(&conns[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_kill9_under_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sigterm_restart, setup, teardown),
    };
    return cmocka_run_group_tests_name("broker_crash", tests, NULL, NULL);
}
