/* The terminal UI's entry and loop: the terminal and the broker's socket
 * are polled together, with a one-second timeout for the countdowns.
 * The terminal is given back on every way out: normal exit, exit(),
 * SIGINT/SIGTERM/SIGHUP and crashes (SIGSEGV/SIGABRT), each then dying
 * of its signal as it would have. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "doc.h"
#include "i18n.h"
#include "tui.h"
#include "tui_internal.h"

#define ESC_DELAY_MS 50

/* ---- the terminal, and giving it back */

static volatile sig_atomic_t curses_on;
static SCREEN *screen;
static const int fatal_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGSEGV, SIGABRT};
static struct sigaction saved[sizeof fatal_signals / sizeof fatal_signals[0]];

static void restore_terminal(void)
{
    if (curses_on) {
        curses_on = 0;
        endwin();
    }
}

/* endwin is not async-signal-safe in general; it is what ncurses' own
 * handlers call, and a terminal left in raw mode is worse. Then the
 * previous disposition (default, or a sanitizer's report) takes the
 * signal again. */
static void on_fatal(int sig)
{
    restore_terminal();
    for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++)
        if (fatal_signals[i] == sig)
            sigaction(sig, &saved[i], NULL);
    raise(sig);
}

static void handlers_install(void)
{
    static bool registered;
    if (!registered)
        registered = atexit(restore_terminal) == 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++)
        sigaction(fatal_signals[i], &sa, &saved[i]);
}

static void handlers_remove(void)
{
    for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++)
        sigaction(fatal_signals[i], &saved[i], NULL);
}

/* Our handlers go in first, so ncurses leaves SIGINT/SIGTERM to them and
 * keeps SIGWINCH (KEY_RESIZE) and SIGTSTP for itself. */
static bool curses_start(void)
{
    handlers_install();
    screen = newterm(NULL, stdout, stdin);
    if (!screen) {
        handlers_remove();
        return false;
    }
    set_term(screen);
    curses_on = 1;
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(ESC_DELAY_MS);
    curs_set(0);
    tui_colors_init();
    return true;
}

static void curses_stop(void)
{
    restore_terminal();
    if (screen) {
        delscreen(screen);
        screen = NULL;
    }
    handlers_remove();
}

int64_t tui_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec;
}

/* ---- keys */

static const char *current_case(const tui_t *t)
{
    if (t->view == VIEW_DETAIL)
        return t->detail_id[0] ? t->detail_id : NULL;
    const Sertel__Case *c = tui_inbox_selected(t);
    return c ? c->id : NULL;
}

static void back_to_inbox(tui_t *t)
{
    t->view = VIEW_INBOX;
    tui_detail_clear(t);
}

static void form_key(tui_t *t, int got, wint_t key)
{
    switch (tui_form_key(t->form, got, key)) {
    case FORM_SUBMIT:
        tui_action_send(t);
        break;
    case FORM_CANCEL:
        tui_form_destroy(&t->form);
        tui_status(t, false, "%s", _("cancelled"));
        break;
    case FORM_GOING:
        break;
    }
}

static void open_selected(tui_t *t)
{
    const Sertel__Case *c = tui_inbox_selected(t);
    if (c) {
        char id[CASE_ID_MAX + 1];
        snprintf(id, sizeof id, "%s", c->id); /* the inbox may be refetched meanwhile */
        tui_detail_open(t, id);
    }
}

static void key(tui_t *t, int got, wint_t k)
{
    int body = LINES - 3;
    if (t->form) {
        form_key(t, got, k);
        return;
    }
    if (t->help) { /* any key closes the help; q still quits */
        t->help = false;
        t->quit = got == OK && (k == 'q' || k == 'Q');
        return;
    }
    bool fn = got == KEY_CODE_YES;
    if ((!fn && (k == 'q' || k == 'Q'))) {
        t->quit = true;
    } else if ((!fn && k == '?') || (fn && k == KEY_F(1))) {
        t->help = true;
    } else if ((!fn && k == 'g') || (fn && k == KEY_F(5))) {
        t->inbox_stale = true;
        t->detail_stale = t->detail_id[0] != '\0';
        tui_status(t, false, "%s", "");
    } else if (t->view == VIEW_DETAIL &&
               ((!fn && (k == 27 || k == 127 || k == 8)) || (fn && (k == KEY_LEFT || k == KEY_BACKSPACE)))) {
        back_to_inbox(t);
    } else if (t->view == VIEW_INBOX && ((!fn && (k == '\n' || k == '\r')) || (fn && (k == KEY_ENTER || k == KEY_RIGHT)))) {
        open_selected(t);
    } else if (!fn && k == 'n') {
        tui_action_open(t, ACT_INTAKE, "");
    } else if (!fn && (k == 'p' || k == 'l')) {
        const char *id = current_case(t);
        if (id)
            tui_print(t, id, k == 'p');
        else
            tui_status(t, true, "%s", _("no case selected"));
    } else if (!fn && tui_action_for_key(k)) {
        const char *id = current_case(t);
        if (id)
            tui_action_open(t, tui_action_for_key(k), id);
        else
            tui_status(t, true, "%s", _("no case selected"));
    } else if (t->view == VIEW_DETAIL && (fn || k == ' ')) {
        /* Space pages down, as in a pager; it is no function key. */
        tui_detail_key(t, fn ? k : KEY_NPAGE, body);
    } else if (fn && t->view == VIEW_INBOX) {
        tui_inbox_key(t, k, body);
    }
}

/* Returns whether any key was read. */
static bool read_keys(tui_t *t)
{
    wint_t k;
    int got;
    bool any = false;
    while (!t->quit && (got = get_wch(&k)) != ERR) {
        any = true;
        if (got == KEY_CODE_YES && k == KEY_RESIZE) {
            /* ncurses has resized its screens; everything is laid out
             * again from LINES and COLS on the next draw. */
            clear();
            continue;
        }
        key(t, got, k);
    }
    return any;
}

/* ---- the loop */

static int ms_to_next_second(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int ms = 1000 - (int)(ts.tv_nsec / 1000000);
    return ms < 1 ? 1 : ms;
}

/* A terminal that stays readable without ever giving a key has gone
 * (end of file): without this the loop would spin. */
#define GONE_AFTER 50

static void run(tui_t *t)
{
    int idle_wakeups = 0;
    while (!t->quit) {
        tui_draw_screen(t, (int64_t)time(NULL));
        zmq_pollitem_t items[] = {
            {NULL, STDIN_FILENO, ZMQ_POLLIN, 0},
            {conn_socket(t->cli.conn), 0, ZMQ_POLLIN, 0},
        };
        /* EINTR (SIGWINCH among others) is a wake-up like any other. */
        if (zmq_poll(items, 2, ms_to_next_second()) < 0 && errno != EINTR)
            break;
        bool keys = read_keys(t);
        idle_wakeups = (items[0].revents & ZMQ_POLLIN) && !keys ? idle_wakeups + 1 : 0;
        if (t->quit || idle_wakeups > GONE_AFTER)
            break;
        tui_tick(t); /* a Hello after a reconnection marks what to fetch ... */
        tui_pump(t); /* ... and this fetches it, with the pushes' */
    }
}

static void destroy(tui_t *t)
{
    tui_form_destroy(&t->form);
    tui_detail_clear(t);
    tui_inbox_clear(t);
    if (t->officers)
        sertel__envelope__free_unpacked(t->officers, NULL);
    tui_sops_destroy(&t->sops);
    doc_release();
    cli_release_calendar();
    cli_close(&t->cli);
    free(t);
}

int tui_main(const cli_common_t *common)
{
    const char *prog = "sertel";
    cli_common_t none = {0};
    if (!common)
        common = &none;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        cli_error(prog, "%s", _("the terminal UI needs a terminal; 'sertel --help' lists the commands"));
        return EXIT_USAGE;
    }
    tui_t *t = calloc(1, sizeof *t);
    if (!t)
        return EXIT_UNREACHABLE;
    int rc = cli_open_waiting(&t->cli, prog, common);
    if (rc != EXIT_DONE) {
        free(t);
        return rc;
    }
    /* Times in the office's zone; until the broker answers, the default. */
    t->cal = cli_calendar();
    t->sops = tui_sops_load();
    tui_position_open(t);
    /* A refused key is said plainly on the terminal, before any screen;
     * an absent broker is not fatal: the UI waits for it. */
    bool denied = false;
    t->online = true; /* so that a failure reads as "lost" */
    if (!tui_hello(t, &denied) && denied) {
        cli_error(prog, "%s", t->status);
        destroy(t);
        return EXIT_REFUSED;
    }
    if (t->online) {
        tui_fetch_officers(t);
        t->inbox_stale = true;
    }
    if (!curses_start()) {
        cli_error(prog, "%s", _("cannot use this terminal (is TERM set?)"));
        destroy(t);
        return EXIT_USAGE;
    }
    if (t->online) {
        tui_fetch_inbox(t);
        tui_status(t, false, "%s", _("? for help"));
    }
    run(t);
    curses_stop();
    destroy(t);
    return EXIT_DONE;
}
