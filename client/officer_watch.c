/* sertel watch: the events that concern the officer, as they happen.
 *
 * The broker replays, on each Hello, every event for this officer after
 * the sequence number given, then pushes new ones live. The last number
 * printed is kept per key and per broker identity and history epoch
 * (position.h), written atomically after each event, so a watch started
 * again prints exactly what it missed, and one that meets a restored or
 * another broker replays from where that broker's history agrees. An event is printed before its number is saved: a
 * crash in between shows it twice rather than never.
 *
 * Two things can end the stream of pushes without a word. The broker may
 * stop answering: after ~10 s of silence the watch sends a Ping, and when
 * no Pong comes it opens a new connection and says Hello with the saved
 * number. Or libzmq may reconnect the socket by itself (a restarted
 * broker, a network break): the broker's new session answers Pings but is
 * not live until it hears Hello, so a new CURVE handshake on the socket
 * makes the watch say Hello again at once. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "i18n.h"
#include "officer.h"
#include "position.h"

#define SILENCE_MS 10000    /* Ping after this much silence */
#define PROBE_TIMEOUT_MS 4000
#define SLICE_MS 1000       /* longest wait before the stop flag is looked at */
#define RETRY_MAX_S 8
/* Far below our connection's queue of pushes (4096, beyond which it
 * drops them) and an older broker's send limit (1000): a catch-up this
 * long may have been cut short, so it is asked for again from where it
 * got to, on a fresh connection. */
#define CATCHUP_ROUND 500

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

typedef struct {
    const char *prog;
    cli_common_t common;
    cli_t cli;
    bool open;
    char pos_path[4096];  /* empty: the position is not kept */
    position_t pos;       /* the last event printed, or known to be past */
    unsigned handshakes;  /* the socket's CURVE handshakes at the last Hello */
    bool behind;          /* the broker stopped pushing: Hello again */
    officer_names_t names;
} watch_t;

/* ---- the saved position */

static void position_open(watch_t *w)
{
    if (!position_path(&w->cli.kf, w->pos_path, sizeof w->pos_path)) {
        cli_error(w->prog, _("cannot keep the last event seen (no state directory); every "
                             "start replays all events"));
        return;
    }
    bool found;
    position_load(w->pos_path, conn_endpoint(w->cli.conn), &w->pos, &found);
}

static void position_keep(watch_t *w)
{
    if (!position_save(w->pos_path, conn_endpoint(w->cli.conn), &w->pos))
        cli_error(w->prog, _("%s: cannot save the last event seen: %s"), w->pos_path,
                  strerror(errno));
}

static void seq_save(watch_t *w, uint64_t seq)
{
    w->pos.seq = seq;
    position_keep(w);
}

/* ---- events */

static void print_event(watch_t *w, const Sertel__Event *ev)
{
    /* A Hello replays what may already have arrived live. */
    if (ev->seq <= w->pos.seq)
        return;
    if (w->common.json) {
        json_t j;
        json_init(&j, stdout);
        officer_json_event(&j, NULL, ev);
        json_finish(&j);
    } else {
        officer_print_event(stdout, ev, &w->names, true);
        fflush(stdout);
    }
    seq_save(w, ev->seq);
}

/* Prints what is queued or arrives within wait_ms; returns how many. */
static int drain(watch_t *w, int wait_ms)
{
    int n = 0;
    Sertel__Envelope *env;
    while (!stopping && (env = conn_next_push(w->cli.conn, n ? 0 : wait_ms)) != NULL) {
        /* Pushes stopped: what follows comes by a catch-up. */
        if (env->body_case == SERTEL__ENVELOPE__BODY_BEHIND) {
            w->behind = true;
            sertel__envelope__free_unpacked(env, NULL);
            break;
        }
        /* A new working calendar: its time, and every later one, in the
         * zone the broker runs now. */
        if (env->push->kind == SERTEL__EVENT_KIND__EV_CALENDAR_LOADED && env->push->seq > w->pos.seq)
            cli_refresh_calendar(&w->cli, w->cli.timeout_ms);
        print_event(w, env->push);
        sertel__envelope__free_unpacked(env, NULL);
        n++;
    }
    return n;
}

/* ---- the session */

enum { HELLO_AGAIN = -2 }; /* the catch-up may be cut short: ask again */

/* Says Hello with the saved number and prints the catch-up. Returns an
 * exit code, HELLO_AGAIN, and the reason in err on failure. */
static int hello(watch_t *w, int timeout_ms, char *err, size_t errlen)
{
    Sertel__Hello h = SERTEL__HELLO__INIT;
    h.last_seq = w->pos.seq;
    h.broker_id = w->pos.broker_id;
    h.epoch = w->pos.epoch;
    h.client = "sertel watch";
    h.batch = CONN_HELLO_BATCH;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply = NULL;
    req.body_case = SERTEL__ENVELOPE__BODY_HELLO;
    req.hello = &h;
    sertel_err_t e = conn_call(w->cli.conn, &req, &reply, timeout_ms, err, errlen);
    if (e != SERTEL_OK)
        return e == SERTEL_E_DENIED ? EXIT_REFUSED : EXIT_UNREACHABLE;
    w->handshakes = conn_handshakes(w->cli.conn);
    int rc = EXIT_DONE;
    uint64_t upto = 0, replayed = 0;
    bool more = false; /* the broker replays long backlogs in rounds */
    if (reply->body_case == SERTEL__ENVELOPE__BODY_WELCOME) {
        upto = reply->welcome->last_seq;
        replayed = reply->welcome->replayed;
        more = reply->welcome->more;
        /* Before the replay is printed: it starts where the broker says. */
        char note[512];
        if (position_follow(&w->pos, reply->welcome, note, sizeof note))
            cli_error(w->prog, "%s", note);
        position_keep(w);
    } else {
        snprintf(err, errlen, "%s", reply->body_case == SERTEL__ENVELOPE__BODY_ERROR &&
                 reply->error->message ? reply->error->message : _("unexpected answer to Hello"));
        rc = EXIT_REFUSED;
    }
    sertel__envelope__free_unpacked(reply, NULL);
    if (rc != EXIT_DONE)
        return rc;
    /* A new session, so times in the office's zone as the broker runs it
     * now (a calendar load may have changed it meanwhile), before the
     * catch-up is printed; kept as they were if it does not answer. */
    cli_refresh_calendar(&w->cli, timeout_ms);
    /* replayed is 0 from a broker that does not count; what arrived is
     * then the measure. */
    uint64_t arrived = (uint64_t)drain(w, 0);
    if (more || (replayed > arrived ? replayed : arrived) >= CATCHUP_ROUND)
        return HELLO_AGAIN;
    /* Everything for us up to upto has been replayed: later catch-ups
     * need not walk the journal from further back. */
    if (upto > w->pos.seq)
        seq_save(w, upto);
    return EXIT_DONE;
}

static void disconnect(watch_t *w)
{
    if (w->open)
        cli_close(&w->cli);
    w->open = false;
}

/* A new connection and Hello, repeated while the catch-up comes in
 * rounds. Returns an exit code; err holds the reason of a failure. */
static int connect_once(watch_t *w, int timeout_ms, char *err, size_t errlen)
{
    for (;;) {
        disconnect(w);
        snprintf(err, errlen, "%s", _("cannot connect"));
        int rc = cli_open_waiting(&w->cli, w->prog, &w->common);
        if (rc != EXIT_DONE)
            return rc == EXIT_UNREACHABLE ? rc : EXIT_USAGE;
        w->open = true;
        officer_names_free(&w->names);
        officer_names_load(&w->cli, &w->names);
        rc = hello(w, timeout_ms, err, errlen);
        if (rc != HELLO_AGAIN)
            return rc;
    }
}

static void pause_seconds(int s)
{
    struct timespec ts = {s, 0};
    /* A signal cuts the pause short, which is what stopping wants. */
    nanosleep(&ts, NULL);
}

/* Until the broker answers again, or the watch is stopped. Only a refusal
 * (our key no longer enrolled) or a broken key file ends the watch. */
static int reconnect(watch_t *w, const char *why)
{
    cli_error(w->prog, _("%s; reconnecting"), why);
    char err[1024];
    for (int wait_s = 1; !stopping; wait_s = wait_s * 2 > RETRY_MAX_S ? RETRY_MAX_S : wait_s * 2) {
        int rc = connect_once(w, PROBE_TIMEOUT_MS, err, sizeof err);
        if (rc == EXIT_DONE) {
            cli_error(w->prog, _("reconnected to %s"), conn_endpoint(w->cli.conn));
            return EXIT_DONE;
        }
        if (rc == EXIT_REFUSED || rc == EXIT_USAGE) {
            if (rc == EXIT_REFUSED)
                cli_error(w->prog, "%s", err);
            return rc;
        }
        pause_seconds(wait_s);
    }
    return EXIT_DONE;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Returns EXIT_DONE on a Pong, EXIT_REFUSED with the broker's reason,
 * EXIT_UNREACHABLE when it does not answer in time. */
static int ping(watch_t *w, char *err, size_t errlen)
{
    Sertel__Ping p = SERTEL__PING__INIT;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply = NULL;
    req.body_case = SERTEL__ENVELOPE__BODY_PING;
    req.ping = &p;
    sertel_err_t e = conn_call(w->cli.conn, &req, &reply, PROBE_TIMEOUT_MS, err, errlen);
    if (e != SERTEL_OK)
        return e == SERTEL_E_DENIED ? EXIT_REFUSED : EXIT_UNREACHABLE;
    int rc = EXIT_DONE;
    if (reply->body_case == SERTEL__ENVELOPE__BODY_ERROR) {
        snprintf(err, errlen, "%s", reply->error->message ? reply->error->message : "");
        rc = EXIT_REFUSED;
    }
    sertel__envelope__free_unpacked(reply, NULL);
    return rc;
}

/* What keeps the stream going, looked at between waits; returns an exit
 * code (EXIT_DONE: go on). */
static int keep_alive(watch_t *w, int64_t *heard)
{
    char err[1024];
    int rc = EXIT_DONE;
    if (conn_handshakes(w->cli.conn) != w->handshakes || w->behind) {
        w->behind = false;
        rc = hello(w, PROBE_TIMEOUT_MS, err, sizeof err);
        if (rc == HELLO_AGAIN)
            snprintf(err, sizeof err, "%s", _("catching up"));
    } else if (now_ms() - *heard >= SILENCE_MS) {
        rc = ping(w, err, sizeof err);
    } else {
        return EXIT_DONE;
    }
    if (rc != EXIT_DONE && rc != EXIT_REFUSED && !stopping)
        rc = reconnect(w, err);
    else if (rc == EXIT_REFUSED)
        cli_error(w->prog, "%s", err);
    *heard = now_ms();
    return stopping ? EXIT_DONE : rc;
}

static int watch_loop(watch_t *w)
{
    int64_t heard = now_ms();
    while (!stopping) {
        if (drain(w, SLICE_MS) > 0)
            heard = now_ms();
        int rc = stopping ? EXIT_DONE : keep_alive(w, &heard);
        if (rc != EXIT_DONE)
            return rc;
    }
    return EXIT_DONE;
}

static void catch_signals(void)
{
    /* No SA_RESTART: the signal must end the wait for the broker. */
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int officer_watch(int argc, char **argv)
{
    static const officer_spec_t spec = {
        "sertel watch", "[--json]",
        N_("Prints the events that concern you as they happen, one line each, first those "
           "missed since the last run (the last event seen is kept per key and broker in "
           "$XDG_STATE_HOME/sertel/NIP.pos). Runs until Ctrl-C or SIGTERM, and follows the "
           "broker through restarts."),
        0, 0};
    watch_t w = {.prog = spec.prog};
    int n_pos, rc = officer_parse(&spec, argc, argv, NULL, 0, &w.common, NULL, &n_pos);
    if (rc != OFFICER_GO)
        return rc;
    catch_signals();
    rc = cli_open_waiting(&w.cli, w.prog, &w.common);
    if (rc != EXIT_DONE) {
        cli_close(&w.cli);
        return rc;
    }
    w.open = true;
    position_open(&w);
    char err[1024];
    rc = connect_once(&w, w.cli.timeout_ms, err, sizeof err);
    if (rc == EXIT_DONE) {
        cli_error(w.prog, _("watching on %s; Ctrl-C stops"), conn_endpoint(w.cli.conn));
        rc = watch_loop(&w);
    } else if (stopping) {
        rc = EXIT_DONE;
    } else if (rc == EXIT_REFUSED || rc == EXIT_UNREACHABLE) {
        cli_error(w.prog, "%s", err);
    }
    officer_names_free(&w.names);
    disconnect(&w);
    return rc;
}
