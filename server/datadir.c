#include "datadir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "i18n.h"
#include "log.h"
#include "mdbfile.h"
#include "mdbwalk.h"

struct datadir {
    char dir[4096];
    int lock_fd;
    identity_t id;
};

/* ---- the lock */

/* What the holder wrote into the lock file: "pid = N" and perhaps
 * "endpoint = X", for the refusal. */
static void describe_holder(int fd, char *out, size_t len)
{
    char buf[512] = "";
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    buf[n > 0 ? n : 0] = '\0';
    long pid = 0;
    char endpoint[300] = "";
    const char *p = strstr(buf, "pid = ");
    if (p)
        pid = strtol(p + 6, NULL, 10);
    p = strstr(buf, "endpoint = ");
    if (p)
        sscanf(p + 11, "%299s", endpoint);
    if (pid > 0 && endpoint[0])
        snprintf(out, len, _("pid %ld, listening on %s"), pid, endpoint);
    else if (pid > 0)
        snprintf(out, len, _("pid %ld"), pid);
    else
        snprintf(out, len, "%s", _("a process that has not said who it is"));
}

int datadir_lock(const char *dir, char *err, size_t errlen)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, DATADIR_LOCK_FILE);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
    if (fd < 0) {
        diag_at(err, errlen, path, 0, _("cannot open the data directory's lock: %s"),
                strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        char who[400];
        describe_holder(fd, who, sizeof who);
        if (e == EWOULDBLOCK)
            diag_at(err, errlen, dir, 0,
                    _("the data directory is in use by another broker (%s); one data "
                      "directory has one broker: stop that one first"), who);
        else
            diag_at(err, errlen, path, 0, _("cannot lock the data directory: %s"), strerror(e));
        close(fd);
        return -1;
    }
    char text[64];
    int n = snprintf(text, sizeof text, "pid = %ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, text, (size_t)n, 0) != n)
        log_msg(LOG_WARN, _("%s: cannot record this process in the lock file: %s"), path,
                strerror(errno));
    return fd;
}

void datadir_note_endpoint(datadir_t *d, const char *endpoint)
{
    char text[400];
    int n = snprintf(text, sizeof text, "pid = %ld\nendpoint = %s\n", (long)getpid(), endpoint);
    if (n > 0 && (size_t)n < sizeof text && ftruncate(d->lock_fd, 0) == 0)
        (void)!pwrite(d->lock_fd, text, (size_t)n, 0);
}

/* ---- modes */

static int make_private_one(const char *path, mode_t want)
{
    struct stat st;
    if (lstat(path, &st) != 0 || S_ISLNK(st.st_mode) || !(st.st_mode & 077))
        return 0;
    if (chmod(path, want) != 0) {
        log_msg(LOG_ERROR, _("%s is readable by others (mode %04o) and cannot be made private: %s"),
                path, (unsigned)(st.st_mode & 07777), strerror(errno));
        return 0;
    }
    log_msg(LOG_WARN, _("%s was accessible to others (mode %04o); made private (%04o)"), path,
            (unsigned)(st.st_mode & 07777), (unsigned)want);
    return 1;
}

static int make_private_dir(const char *dir)
{
    int changed = make_private_one(dir, 0700);
    DIR *dp = opendir(dir);
    if (!dp)
        return changed;
    struct dirent *de;
    while ((de = readdir(dp)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)))
            changed += make_private_one(path, S_ISDIR(st.st_mode) ? 0700 : 0600);
    }
    closedir(dp);
    return changed;
}

int datadir_make_private(const char *dir)
{
    char db[4200];
    snprintf(db, sizeof db, "%s/db", dir);
    return make_private_dir(dir) + make_private_dir(db);
}

/* ---- opening */

static bool check_identity(datadir_t *d, char *err, size_t errlen)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", d->dir, IDENTITY_FILE);
    sertel_err_t e = identity_read(path, &d->id, err, errlen);
    if (e == SERTEL_E_NOT_FOUND)
        diag_at(err, errlen, d->dir, 0,
                _("not a Sertel data directory: it has no identity file (%s). Make one with "
                  "'sertel-broker init --data DIR'; a directory made by an older Sertel is "
                  "taken over with 'sertel-broker init --adopt --data DIR'"), IDENTITY_FILE);
    return e == SERTEL_OK;
}

/* Every record read once in a child process (mdbwalk.h) before this one
 * maps a page: LMDB trusts its pages, and a damaged one would otherwise
 * crash the broker whenever a request first reached it. */
static bool walk_database(const datadir_t *d, const char *path, char *err, size_t errlen)
{
    char db[4200], why[1024];
    snprintf(db, sizeof db, "%s/db", d->dir);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    mdbwalk_stats_t st;
    if (!mdbwalk_check(db, true, &st, why, sizeof why)) {
        diag_at(err, errlen, path, 0,
                _("damaged: %s. The broker does not start on a damaged database: run "
                  "'sertel-broker check --data %s' to see what is damaged, then put a backup "
                  "back with 'sertel-broker restore'"),
                why, d->dir);
        return false;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    log_msg(LOG_INFO, _("database read whole in %.2f s before start: %llu records in %u databases, "
                        "%llu free pages"),
            (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
            (unsigned long long)st.records, st.databases, (unsigned long long)st.free_pages);
    return true;
}

static bool check_database(const datadir_t *d, char *err, size_t errlen)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/db/data.mdb", d->dir);
    if (access(path, F_OK) != 0 && errno == ENOENT) {
        diag_at(err, errlen, path, 0, "%s",
                _("the database file is missing; refusing to start an empty office over this "
                  "data directory (to put a backup back, use 'sertel-broker restore')"));
        return false;
    }
    char why[1024];
    if (!mdbfile_check(path, NULL, why, sizeof why)) {
        snprintf(err, errlen, _("%s; the broker does not start on a damaged database "
                                "(restore a backup with 'sertel-broker restore')"), why);
        return false;
    }
    return walk_database(d, path, err, errlen);
}

datadir_t *datadir_open(const char *dir, char *err, size_t errlen)
{
    datadir_t *d = calloc(1, sizeof *d);
    if (!d) {
        diag_at(err, errlen, dir, 0, "%s", sertel_strerror(SERTEL_E_NOMEM));
        return NULL;
    }
    snprintf(d->dir, sizeof d->dir, "%s", dir);
    d->lock_fd = -1;
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        diag_at(err, errlen, dir, 0, "%s",
                errno == ENOENT || !S_ISDIR(st.st_mode) ? _("no such data directory")
                                                         : strerror(errno));
        free(d);
        return NULL;
    }
    datadir_make_private(dir);
    d->lock_fd = datadir_lock(dir, err, errlen);
    if (d->lock_fd < 0 || !check_identity(d, err, errlen) || !check_database(d, err, errlen))
        datadir_destroy(&d);
    return d;
}

void datadir_destroy(datadir_t **d)
{
    if (!d || !*d)
        return;
    if ((*d)->lock_fd >= 0)
        close((*d)->lock_fd);
    free(*d);
    *d = NULL;
}

const identity_t *datadir_identity(const datadir_t *d)
{
    return &d->id;
}

const char *datadir_path(const datadir_t *d)
{
    return d->dir;
}

/* ---- the recorded head */

static bool write_identity(datadir_t *d, char *err, size_t errlen)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", d->dir, IDENTITY_FILE);
    return identity_write(path, &d->id, err, errlen) == SERTEL_OK;
}

bool datadir_check_head(datadir_t *d, uint64_t head, int64_t now, uint64_t *lost,
                        char *err, size_t errlen)
{
    *lost = 0;
    if (head >= d->id.head)
        return false;
    *lost = d->id.head - head;
    identity_begin_epoch(&d->id, head, now);
    d->id.head = head;
    if (!write_identity(d, err, errlen))
        log_msg(LOG_ERROR, "%s", err);
    return true;
}

void datadir_record(datadir_t *d, uint64_t head, const identity_cases_t *years, int n_years)
{
    bool moved = head != d->id.head;
    for (int i = 0; i < n_years; i++)
        if (identity_cases(&d->id, years[i].year) != years[i].last) {
            identity_set_cases(&d->id, years[i].year, years[i].last);
            moved = true;
        }
    if (!moved)
        return;
    d->id.head = head;
    char err[512];
    if (!write_identity(d, err, sizeof err))
        log_msg(LOG_WARN, "%s", err);
}

sertel_err_t datadir_backup_seal(const datadir_t *d, const char *dir, char *err, size_t errlen)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, IDENTITY_FILE);
    sertel_err_t e = identity_write(path, &d->id, err, errlen);
    make_private_dir(dir);
    return e;
}
