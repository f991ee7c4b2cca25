#include "mdbwalk.h"

#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "i18n.h"

/* LMDB's own number for its free list; at most this many named
 * databases, of names this long. */
enum { FREE_DBI = 0, MAX_NAMED = 64, MAX_NAME = 64 };

/* What the child sends back through the pipe, whole (under PIPE_BUF). */
typedef enum { WALK_OK, WALK_DAMAGED, WALK_SIGNAL } walk_state_t;
typedef struct {
    walk_state_t state;
    int signal;
    char db[MAX_NAME + 1]; /* being walked when it ended */
    uint64_t record;
    mdbwalk_stats_t stats;
    char why[768];
} report_t;

typedef struct {
    MDB_txn *txn;
    const char *lo, *hi; /* the pages in use, as mapped */
    uint64_t last_page;
    uint8_t *freed; /* one bit per page, for the free list */
} walk_t;

/* The child's report and pipe, for its signal handler too. */
static report_t report;
static int report_fd = -1;

static void send_report(void)
{
    const char *p = (const char *)&report;
    size_t left = sizeof report;
    while (left) {
        ssize_t n = write(report_fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        p += n;
        left -= (size_t)n;
    }
}

/* A page that sent LMDB outside the map: say where, and go. */
static void on_fault(int sig)
{
    report.state = WALK_SIGNAL;
    report.signal = sig;
    send_report();
    _exit(3);
}

__attribute__((format(printf, 1, 2))) static bool damaged(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(report.why, sizeof report.why, fmt, ap);
    va_end(ap);
    report.state = WALK_DAMAGED;
    return false;
}

/* Within the pages in use; where the map's place is unknown, its first
 * and last bytes are read instead (a fault is caught as damage). */
static bool inside(const walk_t *w, const MDB_val *v)
{
    const volatile char *p = v->mv_data;
    if (v->mv_size == 0)
        return true;
    if (!w->lo)
        return (void)p[0], (void)p[v->mv_size - 1], true;
    return (const char *)p >= w->lo && (const char *)p <= w->hi &&
           v->mv_size <= (size_t)(w->hi - (const char *)p);
}

/* Where LMDB mapped the file: its environment does not say (mdb_env_info
 * gives the address asked for, none), so the process's map list is read
 * for the mapping of the file's inode. NULL when it cannot be told. */
static const char *map_start(const char *dir)
{
    char path[4200], line[4600];
    struct stat st;
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    FILE *f = stat(path, &st) == 0 ? fopen("/proc/self/maps", "r") : NULL;
    unsigned long long start = 0, inode;
    while (f && !start && fgets(line, sizeof line, f))
        if (sscanf(line, "%llx-%*x %*s %*s %*s %llu", &start, &inode) != 2 || inode != st.st_ino)
            start = 0;
    if (f)
        fclose(f);
    return (const char *)(uintptr_t)start;
}

/* A free-list record: a count, then that many page numbers, each a page
 * of the file and listed once. A damaged one would hand out pages in use
 * to the next write. */
static bool check_free(walk_t *w, const MDB_val *v)
{
    size_t n = v->mv_size / sizeof(size_t);
    size_t count;
    if (v->mv_size % sizeof(size_t) != 0 || n == 0 ||
        (memcpy(&count, v->mv_data, sizeof count), count != n - 1))
        return damaged(_("a free-list record's size (%zu bytes) does not match its count"),
                       v->mv_size);
    for (size_t i = 1; i < n; i++) {
        size_t pg;
        memcpy(&pg, (const char *)v->mv_data + i * sizeof pg, sizeof pg);
        if (pg < 2 || pg > w->last_page)
            return damaged(_("the free list names page %zu, outside the file's %llu pages"), pg,
                           (unsigned long long)w->last_page + 1);
        if (w->freed[pg / 8] & 1u << pg % 8)
            return damaged(_("the free list names page %zu twice"), pg);
        w->freed[pg / 8] |= (uint8_t)(1u << pg % 8);
        report.stats.free_pages++;
    }
    return true;
}

/* Sorted: keys ascending; in a database of duplicates (format 1's
 * indexes) a key repeats with its values ascending. */
static bool in_order(const walk_t *w, MDB_dbi dbi, bool dups, const MDB_val pair[2],
                     const MDB_val *k, const MDB_val *v)
{
    int c = mdb_cmp(w->txn, dbi, &pair[0], k);
    return c < 0 || (dups && c == 0 && mdb_dcmp(w->txn, dbi, &pair[1], v) < 0);
}

/* The branch pages lead to the record: its key (and value, among
 * duplicates) finds it again. */
static bool found_again(MDB_cursor *seek, bool dups, const MDB_val *k, const MDB_val *v)
{
    MDB_val key = *k, val = *v;
    if (dups)
        return mdb_cursor_get(seek, &key, &val, MDB_GET_BOTH) == 0;
    return mdb_cursor_get(seek, &key, &val, MDB_SET_KEY) == 0 && val.mv_data == v->mv_data &&
           val.mv_size == v->mv_size;
}

/* Every record of one database, in order; each must lie in the file, be
 * found again by its key, and the count must be the one the database's
 * header holds. LMDB looks nothing up by key in its free list. */
static bool walk_db(walk_t *w, MDB_dbi dbi, const char *name)
{
    snprintf(report.db, sizeof report.db, "%s", name);
    report.record = 0;
    MDB_cursor *c = NULL, *seek = NULL;
    unsigned flags = 0;
    int rc = dbi == FREE_DBI ? 0 : mdb_dbi_flags(w->txn, dbi, &flags);
    if (rc == 0)
        rc = mdb_cursor_open(w->txn, dbi, &c);
    if (rc == 0)
        rc = mdb_cursor_open(w->txn, dbi, &seek);
    if (rc != 0) {
        if (c)
            mdb_cursor_close(c);
        return damaged(_("the database '%s' cannot be read: %s"), name, mdb_strerror(rc));
    }
    bool dups = flags & MDB_DUPSORT, ok = true;
    MDB_val k, v, prev[2] = {{0, NULL}, {0, NULL}};
    while (ok && (rc = mdb_cursor_get(c, &k, &v, report.record ? MDB_NEXT : MDB_FIRST)) == 0) {
        unsigned long long n = ++report.record;
        if (!inside(w, &k) || !inside(w, &v))
            ok = damaged(_("record %llu of the database '%s' lies outside the file"), n, name);
        else if (n > 1 && !in_order(w, dbi, dups, prev, &k, &v))
            ok = damaged(_("the keys of the database '%s' are out of order at record %llu"), name,
                         n);
        else if (dbi != FREE_DBI && !found_again(seek, dups, &k, &v))
            ok =
                damaged(_("record %llu of the database '%s' is not found by its own key"), n, name);
        else if (dbi == FREE_DBI)
            ok = check_free(w, &v);
        prev[0] = k;
        prev[1] = v;
    }
    mdb_cursor_close(seek);
    mdb_cursor_close(c);
    if (ok && rc != MDB_NOTFOUND)
        ok = damaged(_("reading the database '%s' failed after record %llu: %s"), name,
                     (unsigned long long)report.record, mdb_strerror(rc));
    MDB_stat st;
    if (ok && (rc = mdb_stat(w->txn, dbi, &st)) == 0 && st.ms_entries != report.record)
        ok = damaged(_("the database '%s' holds %llu records but its header counts %zu"), name,
                     (unsigned long long)report.record, st.ms_entries);
    if (dbi != FREE_DBI)
        report.stats.records += report.record;
    return ok;
}

/* The named databases, from the main one: among its records (format 4
 * keeps the hot key spaces there too) those LMDB opens as databases. A
 * record that is not one answers MDB_INCOMPATIBLE. */
static bool named_dbs(walk_t *w, MDB_dbi main_dbi, MDB_dbi dbis[], char names[][MAX_NAME + 1],
                      unsigned *count)
{
    MDB_cursor *c;
    MDB_val k, v;
    int rc = mdb_cursor_open(w->txn, main_dbi, &c);
    *count = 0;
    for (MDB_cursor_op op = MDB_FIRST; rc == 0 && (rc = mdb_cursor_get(c, &k, &v, op)) == 0;
         op = MDB_NEXT) {
        bool name = k.mv_size >= 1 && k.mv_size <= MAX_NAME && v.mv_size == 48 &&
                    !memchr(k.mv_data, '\0', k.mv_size);
        if (!name)
            continue;
        memcpy(names[*count], k.mv_data, k.mv_size);
        names[*count][k.mv_size] = '\0';
        int open = mdb_dbi_open(w->txn, names[*count], 0, &dbis[*count]);
        if (open == MDB_INCOMPATIBLE)
            continue;
        if (open != 0 || *count == MAX_NAMED - 1) {
            mdb_cursor_close(c);
            return damaged(_("the database '%s' cannot be opened: %s"), names[*count],
                           mdb_strerror(open ? open : MDB_DBS_FULL));
        }
        ++*count;
    }
    if (rc == 0 || rc == MDB_NOTFOUND)
        mdb_cursor_close(c);
    return rc == MDB_NOTFOUND ||
           damaged(_("the list of databases cannot be read: %s"), mdb_strerror(rc));
}

static bool walk_all(walk_t *w)
{
    static char names[MAX_NAMED][MAX_NAME + 1];
    static MDB_dbi dbis[MAX_NAMED];
    unsigned count;
    MDB_dbi main_dbi; /* opened by name (none): that sets its comparison functions */
    int rc = mdb_dbi_open(w->txn, NULL, 0, &main_dbi);
    if (rc != 0)
        return damaged(_("the list of databases cannot be read: %s"), mdb_strerror(rc));
    if (!walk_db(w, main_dbi, _("(main database)")) || !named_dbs(w, main_dbi, dbis, names, &count))
        return false;
    for (unsigned i = 0; i < count; i++) {
        if (!walk_db(w, dbis[i], names[i]))
            return false;
        report.stats.databases++;
    }
    return walk_db(w, FREE_DBI, _("(free list)"));
}

/* In the child: open, walk, report. */
static bool walk(const char *dir, bool exclusive)
{
    MDB_env *env = NULL;
    MDB_envinfo info;
    MDB_stat st;
    walk_t w = {0};
    int rc = mdb_env_create(&env);
    if (rc == 0)
        rc = mdb_env_set_maxdbs(env, MAX_NAMED);
    if (rc == 0)
        rc = mdb_env_open(env, dir, MDB_RDONLY | MDB_NOTLS | (exclusive ? MDB_NOLOCK : 0), 0600);
    if (rc == 0)
        rc = mdb_env_info(env, &info);
    if (rc == 0)
        rc = mdb_env_stat(env, &st);
    if (rc == 0)
        rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &w.txn);
    if (rc != 0)
        return damaged(_("LMDB cannot open it: %s"), mdb_strerror(rc));
    w.last_page = info.me_last_pgno;
    w.lo = map_start(dir);
    w.hi = w.lo ? w.lo + (info.me_last_pgno + 1) * st.ms_psize : NULL;
    w.freed = calloc(info.me_last_pgno / 8 + 1, 1);
    bool ok = w.freed ? walk_all(&w) : damaged("%s", strerror(ENOMEM));
    return ok; /* the process ends: LMDB and the memory go with it */
}

static void child(const char *dir, bool exclusive, int fd)
{
    report_fd = fd;
    struct sigaction sa = {.sa_handler = on_fault};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    report.state = walk(dir, exclusive) ? WALK_OK : WALK_DAMAGED;
    send_report();
    _exit(report.state == WALK_OK ? 0 : 1);
}

static void explain(const report_t *r, int status, size_t got, char *why, size_t whylen)
{
    if (got == sizeof *r && r->state == WALK_DAMAGED)
        snprintf(why, whylen, "%s", r->why);
    else if (got == sizeof *r && r->state == WALK_SIGNAL)
        snprintf(why, whylen,
                 _("reading record %llu of the database '%s' made LMDB fault (%s): its pages "
                   "are damaged"),
                 (unsigned long long)r->record + 1, r->db, strsignal(r->signal));
    else if (WIFSIGNALED(status))
        snprintf(why, whylen, _("the process reading it died (%s): its pages are damaged"),
                 strsignal(WTERMSIG(status)));
    else
        snprintf(why, whylen, _("the process reading it ended without a report (status %d)"),
                 status);
}

bool mdbwalk_check(const char *dir, bool exclusive, mdbwalk_stats_t *stats, char *why,
                   size_t whylen)
{
    int fds[2];
    if (pipe(fds) != 0) {
        snprintf(why, whylen, _("cannot start reading it: %s"), strerror(errno));
        return false;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        child(dir, exclusive, fds[1]);
    }
    int e = errno;
    close(fds[1]);
    report_t r = {0};
    size_t got = 0;
    while (pid > 0 && got < sizeof r) {
        ssize_t n = read(fds[0], (char *)&r + got, sizeof r - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fds[0]);
    if (pid < 0) {
        snprintf(why, whylen, _("cannot start reading it: %s"), strerror(e));
        return false;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    bool ok =
        got == sizeof r && r.state == WALK_OK && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!ok)
        explain(&r, status, got, why, whylen);
    else if (stats)
        *stats = r.stats;
    return ok;
}
