/* The UI's side of the broker session: Hello with the last event seen
 * (kept in the seq file the CLI shares), pushed events, the queries that
 * refill the screen, and a keepalive that notices a lost broker and says
 * Hello again when it is back, so that what was missed is replayed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "i18n.h"
#include "tui_internal.h"

#define HELLO_TIMEOUT_MS 3000
#define RETRY_TIMEOUT_MS 1000 /* while disconnected: the UI waits on each try */
/* Hello again after this much silence, as `sertel watch` does: a Ping
 * would be answered by a restarted broker that no longer pushes to us
 * (ZeroMQ reconnects by itself); only a Hello makes the session live. */
#define KEEPALIVE_S 10
#define RETRY_S 5            /* ... and while not */
#define OFFICERS_REFRESH_S 60
#define PUMP_MAX 100000      /* events handled per wake-up, at most */

/* ---- the position (shared with `sertel watch`) */

void tui_position_open(tui_t *t)
{
    if (position_path(&t->cli.kf, t->pos_path, sizeof t->pos_path))
        position_load(t->pos_path, conn_endpoint(t->cli.conn), &t->pos, &t->had_seq);
}

static void position_keep(tui_t *t)
{
    if (!position_save(t->pos_path, conn_endpoint(t->cli.conn), &t->pos))
        tui_status(t, true, _("%s: cannot save the last event seen: %s"), t->pos_path,
                   strerror(errno));
}

static void handle_event(tui_t *t, const Sertel__Event *ev, bool news, bool *ring);

/* ---- calls */

/* The broker did not answer. The connection is opened afresh: a request
 * still queued in the old one must not reach the broker minutes later,
 * when the officer has been told it failed. */
static void lost(tui_t *t, const char *what, const char *err)
{
    char endpoint[256], why[512];
    t->online = false;
    t->next_hello = tui_monotonic() + RETRY_S;
    tui_status(t, true, "%s: %s", what, err);
    snprintf(endpoint, sizeof endpoint, "%s", conn_endpoint(t->cli.conn));
    conn_t *fresh = conn_open(&t->cli.kf, endpoint, why, sizeof why);
    if (fresh) {
        conn_close(&t->cli.conn);
        t->cli.conn = fresh;
    }
}

bool tui_call(tui_t *t, Sertel__Envelope *req, Sertel__Envelope **reply, const char *what)
{
    char err[1024];
    *reply = NULL;
    sertel_err_t e = conn_call(t->cli.conn, req, reply, t->cli.timeout_ms, err, sizeof err);
    if (e != SERTEL_OK) {
        lost(t, what, err);
        return false;
    }
    if ((*reply)->body_case == SERTEL__ENVELOPE__BODY_ERROR) {
        const Sertel__Error *er = (*reply)->error;
        tui_status(t, true, "%s: %s", what,
                   er->message && *er->message ? er->message : sertel_strerror((sertel_err_t)er->code));
        sertel__envelope__free_unpacked(*reply, NULL);
        *reply = NULL;
        return false;
    }
    return true;
}

bool tui_hello(tui_t *t, bool *denied)
{
    Sertel__Hello hello = SERTEL__HELLO__INIT;
    hello.last_seq = t->pos.seq;
    hello.broker_id = t->pos.broker_id;
    hello.epoch = t->pos.epoch;
    hello.client = "sertel-tui/" SERTEL_VERSION;
    hello.batch = CONN_HELLO_BATCH;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_HELLO;
    req.hello = &hello;
    Sertel__Envelope *reply = NULL;
    char err[1024];
    *denied = false;
    t->next_hello = tui_monotonic() + RETRY_S;
    sertel_err_t e = conn_call(t->cli.conn, &req, &reply, t->online ? HELLO_TIMEOUT_MS : RETRY_TIMEOUT_MS,
                               err, sizeof err);
    if (e != SERTEL_OK || reply->body_case != SERTEL__ENVELOPE__BODY_WELCOME) {
        if (e == SERTEL_OK && reply->body_case == SERTEL__ENVELOPE__BODY_ERROR) {
            *denied = reply->error->code == SERTEL__ERROR_CODE__ERR_DENIED;
            snprintf(err, sizeof err, "%s", reply->error->message ? reply->error->message : "");
        }
        *denied = *denied || e == SERTEL_E_DENIED;
        if (reply)
            sertel__envelope__free_unpacked(reply, NULL);
        lost(t, _("connecting"), err);
        return false;
    }
    /* The office's zone, hours and holidays: asked again with each new
     * session, as a calendar load may have changed them meanwhile. */
    if (!t->online)
        cli_refresh_calendar(&t->cli, HELLO_TIMEOUT_MS);
    else
        cli_fetch_calendar(&t->cli);
    t->cal = cli_calendar();
    const Sertel__Officer *o = reply->welcome->officer;
    if (o) {
        snprintf(t->nip, sizeof t->nip, "%s", o->nip ? o->nip : "");
        snprintf(t->name, sizeof t->name, "%s", o->name ? o->name : "");
        t->role = (role_t)o->role;
        t->quals = o->quals;
    }
    /* What the broker replayed came before the Welcome and waits in the
     * connection's queue: take it now, then everything up to the
     * Welcome's seq has been seen, ours or not. */
    uint64_t upto = reply->welcome->last_seq;
    /* A long backlog comes in rounds: the next Hello goes at once. */
    bool more = reply->welcome->more;
    /* Before the replay is taken: it starts where the broker says. */
    char note[512];
    bool moved = position_follow(&t->pos, reply->welcome, note, sizeof note);
    sertel__envelope__free_unpacked(reply, NULL);
    bool ring = false;
    Sertel__Envelope *env;
    while ((env = conn_next_push(t->cli.conn, 0)) != NULL) {
        if (env->body_case == SERTEL__ENVELOPE__BODY_PUSH && env->push)
            handle_event(t, env->push, t->had_seq, &ring);
        more |= env->body_case == SERTEL__ENVELOPE__BODY_BEHIND; /* catch up at once */
        sertel__envelope__free_unpacked(env, NULL);
    }
    if (upto > t->pos.seq)
        t->pos.seq = upto;
    position_keep(t); /* the broker's identity and epoch too */
    t->had_seq = true;
    if (moved)
        tui_status(t, true, "%s", note);
    if (ring)
        beep();
    bool was_offline = !t->online;
    t->online = true;
    t->next_hello = tui_monotonic() + (more ? 0 : KEEPALIVE_S);
    if (was_offline) {
        t->inbox_stale = true;
        t->detail_stale = t->detail_id[0] != '\0';
        if (t->status_error)
            tui_status(t, false, "%s", _("connected to the broker"));
    }
    return true;
}

void tui_tick(tui_t *t)
{
    if (tui_monotonic() < t->next_hello)
        return;
    bool denied;
    tui_hello(t, &denied);
}

/* ---- queries */

void tui_fetch_inbox(tui_t *t)
{
    Sertel__InboxQuery q = SERTEL__INBOX_QUERY__INIT;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_INBOX;
    req.inbox = &q;
    Sertel__Envelope *reply;
    t->inbox_stale = false;
    if (!tui_call(t, &req, &reply, _("inbox")))
        return;
    if (reply->body_case == SERTEL__ENVELOPE__BODY_CASE_LIST)
        tui_inbox_set(t, reply);
    else
        sertel__envelope__free_unpacked(reply, NULL);
}

void tui_fetch_detail(tui_t *t)
{
    t->detail_stale = false;
    if (!t->detail_id[0])
        return;
    Sertel__CaseQuery q = SERTEL__CASE_QUERY__INIT;
    q.case_id = t->detail_id;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_CASE_QUERY;
    req.case_query = &q;
    Sertel__Envelope *reply;
    if (!tui_call(t, &req, &reply, t->detail_id))
        return;
    if (reply->body_case == SERTEL__ENVELOPE__BODY_CASE_DETAIL)
        tui_detail_set(t, reply);
    else
        sertel__envelope__free_unpacked(reply, NULL);
}

void tui_fetch_officers(tui_t *t)
{
    Sertel__OfficerList q = SERTEL__OFFICER_LIST__INIT;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_OFFICER_LIST;
    req.officer_list = &q;
    Sertel__Envelope *reply;
    t->officers_at = tui_monotonic();
    /* Names are a nicety: a refusal is not worth the status line. */
    char keep[TUI_STATUS_MAX];
    bool keep_error = t->status_error;
    snprintf(keep, sizeof keep, "%s", t->status);
    if (!tui_call(t, &req, &reply, _("officers"))) {
        if (t->online)
            tui_status(t, keep_error, "%s", keep);
        return;
    }
    if (reply->body_case != SERTEL__ENVELOPE__BODY_OFFICERS) {
        sertel__envelope__free_unpacked(reply, NULL);
        return;
    }
    if (t->officers)
        sertel__envelope__free_unpacked(t->officers, NULL);
    t->officers = reply;
}

const char *tui_officer_name(tui_t *t, const char *nip)
{
    if (!nip || !*nip)
        return "";
    for (int pass = 0; pass < 2; pass++) {
        const Sertel__OfficerListReply *l = t->officers ? t->officers->officers : NULL;
        for (size_t i = 0; l && i < l->n_officers; i++)
            if (l->officers[i]->nip && strcmp(l->officers[i]->nip, nip) == 0 &&
                l->officers[i]->name && *l->officers[i]->name)
                return l->officers[i]->name;
        /* Someone enrolled since: ask again, but not on every redraw. */
        if (pass == 1 || !t->online || tui_monotonic() - t->officers_at < OFFICERS_REFRESH_S)
            break;
        tui_fetch_officers(t);
    }
    return nip;
}

/* ---- pushes */

/* A disposition that hands the case to me (or to my pool, or to the
 * official I act for): the broker sends an EV_DISPOSED to its actor and
 * its new holder only, so one I did not make is one that reached me. */
static bool reaches_me(const tui_t *t, const Sertel__Event *ev)
{
    return ev->kind == SERTEL__EVENT_KIND__EV_DISPOSED && strcmp(ev->actor, t->nip) != 0 &&
           strcmp(ev->acting_for, t->nip) != 0;
}

/* news: false for what a first start (no seq file) gets replayed, which
 * is history, not news. */
static void handle_event(tui_t *t, const Sertel__Event *ev, bool news, bool *ring)
{
    if (ev->seq && ev->seq <= t->pos.seq)
        return; /* seen already: replayed after a keepalive Hello */
    if (ev->seq > t->pos.seq)
        t->pos.seq = ev->seq;
    if (ev->kind == SERTEL__EVENT_KIND__EV_OFFICER_CHANGED ||
        ev->kind == SERTEL__EVENT_KIND__EV_ACTING_CHANGED ||
        ev->kind == SERTEL__EVENT_KIND__EV_SOP_LOADED) {
        t->officers_at = 0;
        t->inbox_stale = true; /* an acting assignment changes whose inbox is whose */
        return;
    }
    if (ev->kind == SERTEL__EVENT_KIND__EV_CALENDAR_LOADED) {
        t->calendar_stale = true; /* times shown in the zone the broker now runs */
        return;
    }
    t->inbox_stale = true;
    if (t->detail_id[0] && strcmp(ev->case_id, t->detail_id) == 0)
        t->detail_stale = true;
    if (!news)
        return;
    if (reaches_me(t, ev)) {
        tui_mark_fresh(t, ev->case_id);
        *ring = true;
        tui_status(t, false, _("New disposition: %s (step %d)"), ev->case_id, (int)ev->next_step);
    } else if (ev->kind == SERTEL__EVENT_KIND__EV_RECEIVED && strcmp(ev->actor, t->nip) != 0) {
        tui_status(t, false, _("New application: %s"), ev->case_id);
    } else if (ev->kind == SERTEL__EVENT_KIND__EV_TAKEN && strcmp(ev->actor, t->nip) != 0) {
        tui_status(t, false, _("%s was taken by %s"), ev->case_id, tui_officer_name(t, ev->actor));
    } else if (ev->kind == SERTEL__EVENT_KIND__EV_REASSIGNED && strcmp(ev->assignee, t->nip) == 0) {
        tui_mark_fresh(t, ev->case_id);
        *ring = true;
        tui_status(t, false, _("%s was reassigned to you (step %d)"), ev->case_id, (int)ev->step);
    } else if (ev->kind == SERTEL__EVENT_KIND__EV_OVERDUE) {
        tui_status(t, true, _("%s is past the Mutu Baku of step %d"), ev->case_id, (int)ev->step);
    } else if (ev->kind == SERTEL__EVENT_KIND__EV_WARNED) {
        tui_status(t, false, _("%s is nearing the Mutu Baku of step %d"), ev->case_id, (int)ev->step);
    }
}

static bool socket_readable(tui_t *t)
{
    int events = 0;
    size_t len = sizeof events;
    return zmq_getsockopt(conn_socket(t->cli.conn), ZMQ_EVENTS, &events, &len) == 0 &&
           (events & ZMQ_POLLIN);
}

void tui_pump(tui_t *t)
{
    uint64_t before = t->pos.seq;
    bool ring = false;
    for (int n = 0; n < PUMP_MAX; n++) {
        /* The queue first (filled while a reply was awaited), then the
         * socket: ZMQ_EVENTS says whether anything waits there, which
         * also re-arms the edge-triggered descriptor zmq_poll watches. */
        Sertel__Envelope *env = conn_next_push(t->cli.conn, 0);
        if (!env && socket_readable(t))
            env = conn_next_push(t->cli.conn, 1);
        if (!env)
            break;
        if (env->body_case == SERTEL__ENVELOPE__BODY_PUSH && env->push) {
            handle_event(t, env->push, true, &ring);
            t->next_hello = tui_monotonic() + KEEPALIVE_S; /* the stream is alive */
        }
        /* Pushes stopped (we did not read in time): catch up at once. */
        if (env->body_case == SERTEL__ENVELOPE__BODY_BEHIND)
            t->next_hello = 0;
        sertel__envelope__free_unpacked(env, NULL);
    }
    if (t->pos.seq != before)
        position_keep(t);
    if (ring)
        beep();
    if (t->calendar_stale && t->online && cli_refresh_calendar(&t->cli, t->cli.timeout_ms)) {
        t->cal = cli_calendar();
        t->calendar_stale = false;
        t->detail_stale = t->detail_id[0] != '\0'; /* its lines hold formatted times */
    }
    if (t->inbox_stale && t->online)
        tui_fetch_inbox(t);
    if (t->detail_stale && t->online)
        tui_fetch_detail(t);
}
