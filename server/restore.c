/* sertel-broker restore --from BACKUP --data DIR: puts a backup made by
 * `sertel-admin backup` back as the broker's database, with the broker
 * stopped (the data directory's lock is taken). What a restore means for
 * everyone else is decided here, once:
 *  - the database it replaces is kept beside it (db/data.mdb.replaced-T),
 *    never deleted;
 *  - a new history epoch begins at the backup's journal head, so clients
 *    that saw later events replay from there and are told what is gone;
 *  - agenda numbers continue after a gap (the events lost, recorded by
 *    the broker that ran, plus a margin), so none already given to an
 *    applicant is given again. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "broker.h"
#include "datadir.h"
#include "history.h"
#include "i18n.h"
#include "identity.h"
#include "mdbfile.h"
#include "mdbwalk.h"

typedef struct {
    const char *from, *dir;
    long long margin;
} restore_opts_t;

static int usage(FILE *to)
{
    fprintf(to, _("Usage: sertel-broker restore --from BACKUP --data DIR [--case-margin N]\n"
                  "Puts the backup in BACKUP (made by 'sertel-admin backup') back as the\n"
                  "database of the data directory DIR, with the broker stopped. The database\n"
                  "it replaces is kept as DIR/db/data.mdb.replaced-TIME. A new history epoch\n"
                  "begins; agenda numbers continue N (default %d) after the highest given.\n"),
            HISTORY_CASE_MARGIN);
    return to == stdout ? 0 : 1;
}

static bool parse(int argc, char **argv, restore_opts_t *o)
{
    for (int i = 1; i < argc; i++) {
        bool value = i + 1 < argc;
        char *end;
        if (strcmp(argv[i], "--from") == 0 && value)
            o->from = argv[++i];
        else if (strcmp(argv[i], "--data") == 0 && value)
            o->dir = argv[++i];
        else if (strcmp(argv[i], "--case-margin") == 0 && value &&
                 (o->margin = strtoll(argv[i + 1], &end, 10), *end == '\0') && o->margin >= 0 &&
                 o->margin <= 1000000)
            i++;
        else {
            fprintf(stderr, _("sertel-broker restore: unknown or incomplete option '%s'\n"),
                    argv[i]);
            return false;
        }
    }
    return o->from && o->dir;
}

/* Copies src to dst (created, 0600, synced). */
static bool copy_file(const char *src, const char *dst, char *err, size_t errlen)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    int out = in < 0 ? -1 : open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    bool ok = in >= 0 && out >= 0;
    static char buf[1 << 16];
    ssize_t n = 0;
    while (ok && (n = read(in, buf, sizeof buf)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0 && write(out, buf, (size_t)n) == n;
    }
    ok = ok && fsync(out) == 0;
    int e = errno;
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) != 0)
        ok = false;
    if (!ok) {
        diag_at(err, errlen, dst, 0, _("cannot copy the backup: %s"), strerror(e));
        if (out >= 0)
            unlink(dst);
    }
    return ok;
}

/* The backup must be a whole LMDB file, and this broker's when it says
 * whose it is. */
static bool check_backup(const restore_opts_t *o, const identity_t *mine, char *err,
                         size_t errlen)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/data.mdb", o->from);
    if (!mdbfile_check(path, NULL, err, errlen))
        return false;
    char why[1024];
    if (!mdbwalk_check(o->from, true, NULL, why, sizeof why)) {
        diag_at(err, errlen, path, 0, _("damaged: %s; not restored"), why);
        return false;
    }
    identity_t theirs;
    snprintf(path, sizeof path, "%s/%s", o->from, IDENTITY_FILE);
    sertel_err_t e = identity_read(path, &theirs, why, sizeof why);
    if (e == SERTEL_E_NOT_FOUND)
        return true; /* a copy made with mdb_copy: nothing says whose */
    if (e != SERTEL_OK) {
        snprintf(err, errlen, "%s", why);
        return false;
    }
    if (strcmp(theirs.broker_id, mine->broker_id) != 0) {
        diag_at(err, errlen, o->from, 0,
                _("a backup of another broker (id %s; this directory is broker %s); refusing "
                  "to mix two offices' histories"), theirs.broker_id, mine->broker_id);
        return false;
    }
    return true;
}

/* The new file takes the old one's place; the old one is kept. */
static bool swap_in(const restore_opts_t *o, char *kept, size_t keptlen, char *err, size_t errlen)
{
    char db[4200], fresh[4300];
    snprintf(db, sizeof db, "%s/db/data.mdb", o->dir);
    snprintf(fresh, sizeof fresh, "%s.restoring", db);
    unlink(fresh); /* a restore interrupted before */
    char src[4200];
    snprintf(src, sizeof src, "%s/data.mdb", o->from);
    if (!copy_file(src, fresh, err, errlen))
        return false;
    kept[0] = '\0';
    if (access(db, F_OK) == 0) {
        snprintf(kept, keptlen, "%s.replaced-%lld", db, (long long)time(NULL));
        if (rename(db, kept) != 0) {
            diag_at(err, errlen, db, 0, _("cannot move the current database aside: %s"),
                    strerror(errno));
            unlink(fresh);
            return false;
        }
    }
    if (rename(fresh, db) != 0) {
        diag_at(err, errlen, db, 0, _("cannot put the backup in place: %s"), strerror(errno));
        return false;
    }
    return true;
}

static uint64_t store_head(const char *dir, char *err, size_t errlen, bool *ok)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/db", dir);
    store_t *s = store_open(path, err, errlen);
    store_txn_t *t = NULL;
    uint64_t head = 0;
    *ok = s && store_begin(s, NULL, false, &t) == SERTEL_OK;
    if (*ok)
        head = store_last_seq(t);
    store_abort(&t);
    store_close(&s);
    return head;
}

static int year_now(void)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    return tm.tm_year + 1900;
}

static int restore(const restore_opts_t *o)
{
    char err[1024] = "", path[4200], kept[4400], next[512] = "";
    identity_t id;
    snprintf(path, sizeof path, "%s/%s", o->dir, IDENTITY_FILE);
    int lock = datadir_lock(o->dir, err, sizeof err);
    bool ok = lock >= 0 && identity_read(path, &id, err, sizeof err) == SERTEL_OK &&
              check_backup(o, &id, err, sizeof err) && swap_in(o, kept, sizeof kept, err, sizeof err);
    uint64_t head = ok ? store_head(o->dir, err, sizeof err, &ok) : 0;
    uint64_t lost = id.head > head ? id.head - head : 0;
    if (ok) {
        char sdir[4200];
        snprintf(sdir, sizeof sdir, "%s/db", o->dir);
        store_t *s = store_open(sdir, err, sizeof err);
        ok = s && history_continue_numbering(s, &id, year_now(), lost, (uint64_t)o->margin, next,
                                             sizeof next) == SERTEL_OK;
        store_close(&s);
    }
    uint64_t recorded = id.head;
    if (ok) {
        identity_begin_epoch(&id, head, (int64_t)time(NULL));
        id.head = head;
        ok = identity_write(path, &id, err, sizeof err) == SERTEL_OK;
    }
    if (lock >= 0)
        close(lock);
    if (!ok) {
        fprintf(stderr, _("sertel-broker restore: %s\n"), err);
        return 1;
    }
    printf(_("Restored %s into %s: the journal ends at event %llu (the broker had recorded "
             "%llu; %llu events are gone).\n"
             "History epoch %llu begins: clients that saw later events replay from event %llu "
             "and are told.\n"
             "Agenda numbers continue after the highest given (as recorded, or the backup's "
             "plus the events lost) and a gap of %lld: next %s.\n"),
           o->from, o->dir, (unsigned long long)head, (unsigned long long)recorded,
           (unsigned long long)lost, (unsigned long long)identity_current(&id)->number,
           (unsigned long long)head, o->margin, next);
    if (kept[0])
        printf(_("The database it replaced is kept as %s.\n"), kept);
    return 0;
}

int broker_restore_main(int argc, char **argv)
{
    restore_opts_t o = {.margin = HISTORY_CASE_MARGIN};
    if (argc == 2 && strcmp(argv[1], "--help") == 0)
        return usage(stdout);
    if (!parse(argc, argv, &o))
        return usage(stderr);
    return restore(&o);
}
