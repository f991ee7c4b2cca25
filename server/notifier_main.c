/* sertel-notifier: sends the broker's outbox to applicants. It connects
 * like an officer's client with its own enrolled key (role notifier),
 * says Hello, and receives every message not yet final, then new ones as
 * they are queued. For each: report "sending" (the broker journals the
 * try), send over the channel, report the outcome. The queue's rules
 * (order per recipient, backoff, rate) are notifier_queue.c's; the
 * channels are notifier_send.c's. Secrets stay in the config file and in
 * this process: never in a report, never in the log. */
#include <curl/curl.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conn.h"
#include "i18n.h"
#include "log.h"
#include "notifier_config.h"
#include "notifier_queue.h"
#include "notifier_send.h"
#include "sdnotify.h"
#include "version.h"

#define CALL_TIMEOUT_MS 5000
#define BROKER_RETRY_S 5
#define IDLE_PING_S 30
#define PENDING_MAX 256

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

/* A report the broker has not yet taken (it was unreachable): sent again
 * before anything else is done with its message. */
typedef struct {
    uint64_t id;
    Sertel__MessageState state;
    char reason[512];
} pending_t;

typedef struct {
    ncfg_t cfg;
    keyfile_t kf;
    conn_t *conn;
    nq_t *q;
    unsigned handshakes;
    bool greeted;
    int64_t last_heard;
    pending_t pending[PENDING_MAX];
    int n_pending;
} notifier_t;

/* ---- talking to the broker */

static void take_push(notifier_t *n, Sertel__Envelope *env)
{
    Sertel__Event *ev = env->body_case == SERTEL__ENVELOPE__BODY_PUSH ? env->push : NULL;
    if (ev && ev->kind == SERTEL__EVENT_KIND__EV_MESSAGE_QUEUED && ev->message) {
        Sertel__OutboxItem *item = ev->message;
        ev->message = NULL; /* the queue owns it now */
        if (!nq_add(n->q, item))
            sertel__outbox_item__free_unpacked(item, NULL);
    }
    sertel__envelope__free_unpacked(env, NULL);
}

static void drain(notifier_t *n, int timeout_ms)
{
    for (Sertel__Envelope *env; (env = conn_next_push(n->conn, timeout_ms)); timeout_ms = 0)
        take_push(n, env);
}

/* Hello, in rounds while the broker says there is more. */
static bool hello(notifier_t *n)
{
    uint64_t last = 0;
    for (bool more = true; more && !stopping;) {
        Sertel__Hello h = SERTEL__HELLO__INIT;
        h.last_seq = last;
        h.client = "sertel-notifier";
        h.batch = CONN_HELLO_BATCH;
        Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply = NULL;
        req.body_case = SERTEL__ENVELOPE__BODY_HELLO;
        req.hello = &h;
        char err[512];
        if (conn_call(n->conn, &req, &reply, CALL_TIMEOUT_MS, err, sizeof err) != SERTEL_OK) {
            log_msg(LOG_WARN, _("broker: %s"), err);
            return false;
        }
        bool ok = reply->body_case == SERTEL__ENVELOPE__BODY_WELCOME;
        if (!ok)
            log_msg(LOG_ERROR, _("the broker refused the notifier: %s"),
                    reply->body_case == SERTEL__ENVELOPE__BODY_ERROR ? reply->error->message : "?");
        more = ok && reply->welcome->more;
        last = ok ? reply->welcome->last_seq : 0;
        sertel__envelope__free_unpacked(reply, NULL);
        if (!ok)
            return false;
        drain(n, 0);
    }
    n->handshakes = conn_handshakes(n->conn);
    n->greeted = true;
    log_msg(LOG_INFO, _("connected to %s; %zu messages to send"), conn_endpoint(n->conn), nq_len(n->q));
    return true;
}

typedef enum { REPORT_OK, REPORT_GONE, REPORT_LATER } report_t;

/* One report; *tries gets the broker's count of tries. */
static report_t report(notifier_t *n, uint64_t id, Sertel__MessageState st, const char *reason,
                       unsigned *tries)
{
    Sertel__MessageReport r = SERTEL__MESSAGE_REPORT__INIT;
    r.id = id;
    r.state = st;
    r.reason = (char *)(reason ? reason : "");
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply = NULL;
    req.body_case = SERTEL__ENVELOPE__BODY_MESSAGE_REPORT;
    req.message_report = &r;
    char err[512];
    if (conn_call(n->conn, &req, &reply, CALL_TIMEOUT_MS, err, sizeof err) != SERTEL_OK) {
        log_msg(LOG_WARN, _("message #%llu: cannot report to the broker: %s"), (unsigned long long)id, err);
        return REPORT_LATER;
    }
    report_t rc = REPORT_OK;
    if (reply->body_case == SERTEL__ENVELOPE__BODY_OUTBOX_LIST && reply->outbox_list->n_items == 1) {
        if (tries)
            *tries = reply->outbox_list->items[0]->tries;
    } else if (reply->body_case == SERTEL__ENVELOPE__BODY_ERROR) {
        Sertel__ErrorCode code = reply->error->code;
        /* Already final, or gone: nothing more to do with it here. */
        rc = code == SERTEL__ERROR_CODE__ERR_MESSAGE_FINAL || code == SERTEL__ERROR_CODE__ERR_NOT_FOUND
                 ? REPORT_GONE : REPORT_LATER;
        log_msg(rc == REPORT_GONE ? LOG_INFO : LOG_WARN, _("message #%llu: %s"), (unsigned long long)id,
                reply->error->message);
    }
    sertel__envelope__free_unpacked(reply, NULL);
    n->last_heard = time(NULL);
    return rc;
}

/* ---- reports the broker has not taken yet */

static pending_t *pending_of(notifier_t *n, uint64_t id)
{
    for (int i = 0; i < n->n_pending; i++)
        if (n->pending[i].id == id)
            return &n->pending[i];
    return NULL;
}

static void pending_drop(notifier_t *n, uint64_t id)
{
    pending_t *p = pending_of(n, id);
    if (p)
        *p = n->pending[--n->n_pending];
}

/* A final report (sent, given up): until the broker has it, the message
 * is not sent again. */
static void final_report(notifier_t *n, uint64_t id, Sertel__MessageState st, const char *reason)
{
    report_t rc = report(n, id, st, reason, NULL);
    if (rc != REPORT_LATER) {
        pending_drop(n, id);
        nq_remove(n->q, id);
        return;
    }
    pending_t *p = pending_of(n, id);
    if (!p && n->n_pending < PENDING_MAX)
        p = &n->pending[n->n_pending++];
    if (p) {
        p->id = id;
        p->state = st;
        snprintf(p->reason, sizeof p->reason, "%s", reason ? reason : "");
    }
    nq_defer(n->q, id, time(NULL) + BROKER_RETRY_S);
}

/* ---- one message */

/* A message the broker saw "sending" when this notifier (re)started: it
 * may or may not have left. E-mail is sent again with the same
 * Message-ID; a gateway that de-duplicates on our id gets it again; any
 * other gateway's message is given up rather than sent twice. */
static bool unknown_and_final(notifier_t *n, const Sertel__OutboxItem *item)
{
    if (item->state != SERTEL__MESSAGE_STATE__MSG_SENDING ||
        item->channel == SERTEL__MESSAGE_CHANNEL__MSG_EMAIL ||
        notifier_channel_dedups(&n->cfg, item->channel))
        return false;
    final_report(n, item->id, SERTEL__MESSAGE_STATE__MSG_GIVEN_UP,
                 _("the notifier stopped while sending it: whether it arrived is unknown "
                   "(check the gateway's log); not sent again"));
    return true;
}

static void process(notifier_t *n, Sertel__OutboxItem *item, int64_t now)
{
    uint64_t id = item->id;
    pending_t *p = pending_of(n, id);
    if (p) {
        final_report(n, id, p->state, p->reason);
        return;
    }
    if (unknown_and_final(n, item))
        return;
    unsigned tries = 0;
    report_t rc = report(n, id, SERTEL__MESSAGE_STATE__MSG_SENDING, NULL, &tries);
    if (rc != REPORT_OK) {
        if (rc == REPORT_GONE)
            nq_remove(n->q, id);
        else
            nq_defer(n->q, id, now + BROKER_RETRY_S);
        return;
    }
    /* This process knows how its own try ended: a later try of the same
     * message is not "unknown" (only the broker's replay says that). */
    item->state = SERTEL__MESSAGE_STATE__MSG_FAILED;
    char why[512], reason[600];
    send_result_t res = notifier_send(&n->cfg, item, why, sizeof why);
    nq_note_send(n->q, item->channel, now);
    if (res == SEND_OK) {
        log_msg(LOG_INFO, _("message #%llu sent"), (unsigned long long)id);
        final_report(n, id, SERTEL__MESSAGE_STATE__MSG_SENT, NULL);
    } else if (res == SEND_PERMANENT || (int)tries >= n->cfg.max_tries) {
        if (res == SEND_PERMANENT)
            snprintf(reason, sizeof reason, "%s", why);
        else
            snprintf(reason, sizeof reason, _("%s (given up after %u tries)"), why, tries);
        log_msg(LOG_WARN, _("message #%llu given up: %s"), (unsigned long long)id, reason);
        final_report(n, id, SERTEL__MESSAGE_STATE__MSG_GIVEN_UP, reason);
    } else {
        log_msg(LOG_INFO, _("message #%llu: try %u failed: %s"), (unsigned long long)id, tries, why);
        if (report(n, id, SERTEL__MESSAGE_STATE__MSG_FAILED, why, NULL) == REPORT_GONE)
            nq_remove(n->q, id);
        else
            nq_backoff(n->q, id, tries, now);
    }
}

/* ---- the loop */

static void keep_alive(notifier_t *n, int64_t now)
{
    if (!n->greeted || conn_handshakes(n->conn) != n->handshakes) {
        if (!hello(n))
            n->greeted = false;
        n->last_heard = now;
        return;
    }
    if (now - n->last_heard < IDLE_PING_S)
        return;
    Sertel__Ping ping = SERTEL__PING__INIT;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply = NULL;
    req.body_case = SERTEL__ENVELOPE__BODY_PING;
    req.ping = &ping;
    char err[512];
    if (conn_call(n->conn, &req, &reply, CALL_TIMEOUT_MS, err, sizeof err) == SERTEL_OK)
        sertel__envelope__free_unpacked(reply, NULL);
    else
        n->greeted = false; /* say Hello again once it answers */
    n->last_heard = now;
}

static int run(notifier_t *n)
{
    while (!stopping) {
        int64_t now = time(NULL), wake;
        keep_alive(n, now);
        drain(n, 0);
        Sertel__OutboxItem *item = n->greeted ? nq_next(n->q, now, &wake) : NULL;
        if (item) {
            process(n, item, now);
            continue;
        }
        if (!n->greeted)
            wake = now + BROKER_RETRY_S;
        int64_t wait_ms = wake == INT64_MAX ? 1000 : (wake - now) * 1000;
        drain(n, (int)(wait_ms < 1000 ? (wait_ms > 0 ? wait_ms : 0) : 1000));
    }
    return 0;
}

static void usage(FILE *to)
{
    fprintf(to, _("Usage: sertel-notifier --key FILE --config FILE\n"
                  "                       [--log-level debug|info|warn|error] [--verbose]\n"
                  "Sends the broker's outbox (e-mail, WhatsApp, SMS) to applicants and reports\n"
                  "each result to the broker. The key is enrolled with\n"
                  "'sertel-admin officer add --role notifier'; the config file (mode 0600)\n"
                  "holds the channels and their secrets: see docs/notifier.md.\n"));
}

/* *level is the command line's log level (a log_level_t + 1, 0 when not
 * given): it overrides the config file's log-level. */
static bool parse_args(int argc, char **argv, const char **key, const char **config, int *level)
{
    for (int i = 1; i < argc; i++) {
        log_level_t l;
        if (strcmp(argv[i], "--key") == 0 && i + 1 < argc)
            *key = argv[++i];
        else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            *config = argv[++i];
        else if (strcmp(argv[i], "--log-level") == 0 && i + 1 < argc &&
                 log_level_parse(argv[++i], &l))
            *level = (int)l + 1;
        else if (strcmp(argv[i], "--verbose") == 0)
            *level = (int)LOG_DEBUG + 1;
        else
            return false;
    }
    return *key && *config;
}

int main(int argc, char **argv)
{
    i18n_init();
    const char *key = NULL, *config = NULL;
    if (argc == 2 && strcmp(argv[1], "--help") == 0)
        return usage(stdout), 0;
    if (argc == 2 && strcmp(argv[1], "--version") == 0)
        return version_print("sertel-notifier");
    int level = 0;
    if (!parse_args(argc, argv, &key, &config, &level))
        return usage(stderr), 1;
    static notifier_t n;
    char err[1024];
    if (!ncfg_read(config, &n.cfg, err, sizeof err) || keyfile_read(key, &n.kf, err, sizeof err) != SERTEL_OK) {
        fprintf(stderr, "sertel-notifier: %s\n", err);
        return 1;
    }
    if (level || n.cfg.log_level)
        log_set_level((log_level_t)((level ? level : n.cfg.log_level) - 1));
    nq_rules_t rules = {n.cfg.retry_first, n.cfg.retry_max, {0}};
    memcpy(rules.rate, n.cfg.rate, sizeof rules.rate);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    n.q = nq_new(&rules);
    n.conn = n.q ? conn_open(&n.kf, NULL, err, sizeof err) : NULL;
    int rc = 1;
    if (n.conn) {
        struct sigaction sa = {.sa_handler = on_signal};
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        /* Ready for systemd (Type=notify) once configured and connecting:
         * an absent broker is waited for, not a failure to start. */
        if (!sdnotify("READY=1"))
            log_msg(LOG_WARN, _("cannot tell systemd the notifier is ready: %s"), strerror(errno));
        rc = run(&n);
        sdnotify("STOPPING=1");
        log_msg(LOG_INFO, _("stopped"));
    } else {
        fprintf(stderr, "sertel-notifier: %s\n", err);
    }
    conn_close(&n.conn);
    nq_destroy(&n.q);
    ncfg_clear(&n.cfg);
    explicit_bzero(&n.kf, sizeof n.kf);
    curl_global_cleanup();
    return rc;
}
