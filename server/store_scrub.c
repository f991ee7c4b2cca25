/* Scrubbing after a migration that sealed personal data. LMDB copies a
 * page on write and only reuses the old copy later: the pages a migration
 * freed still hold the applicants' NIK, e-mail and phone in the clear. The
 * migration marks the store (meta "scrub"); the next open rewrites the
 * file compact (only the live pages, mdb_env_copy2 with MDB_CP_COMPACT),
 * puts the copy in the file's place and clears the mark. A crash before
 * the mark is cleared scrubs again at the next open; the copy is synced
 * before it replaces the file, so either file is whole. */
#include "store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"
#include "log.h"

sertel_err_t store_scrub_mark(store_txn_t *t)
{
    return store_meta_put(t, "scrub", 1);
}

static bool marked(store_t *s)
{
    store_txn_t *t;
    if (store_begin(s, NULL, false, &t) != SERTEL_OK)
        return false;
    bool yes = store_meta_get(t, "scrub") != 0;
    store_abort(&t);
    return yes;
}

static int sync_path(const char *path, int flags)
{
    int fd = open(path, flags);
    int rc = fd < 0 || fsync(fd) != 0 ? errno : 0;
    if (fd >= 0)
        close(fd);
    return rc;
}

/* The compact copy in DIR/scrub, synced, then renamed over data.mdb. */
static int replace_compact(store_t *s, char *tmp, size_t tmplen)
{
    char copy[4300], file[4300];
    snprintf(tmp, tmplen, "%s/scrub", s->dir);
    snprintf(copy, sizeof copy, "%s/data.mdb", tmp);
    snprintf(file, sizeof file, "%s/data.mdb", s->dir);
    if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
        return errno;
    unlink(copy); /* left by an interrupted scrub */
    int rc = mdb_env_copy2(s->env, tmp, MDB_CP_COMPACT);
    if (rc == 0)
        rc = sync_path(copy, O_RDONLY);
    if (rc != 0)
        return rc;
    mdb_env_close(s->env);
    s->env = NULL;
    rc = rename(copy, file) == 0 ? sync_path(s->dir, O_RDONLY | O_DIRECTORY) : errno;
    rmdir(tmp);
    return rc;
}

bool store_scrub(store_t *s, char *err, size_t errlen)
{
    if (!marked(s))
        return true;
    char tmp[4200];
    int rc = replace_compact(s, tmp, sizeof tmp);
    if (rc != 0) {
        diag_at(err, errlen, tmp, 0, _("cannot rewrite the store compact after the migration: %s"),
                rc > 0 ? strerror(rc) : mdb_strerror(rc));
        return false;
    }
    store_txn_t *t = NULL;
    if (!store_env_open(s, err, errlen))
        return false;
    sertel_err_t e = store_begin(s, NULL, true, &t);
    MDB_val k = store_str("scrub");
    if (e == SERTEL_OK)
        e = store_txn_err(t, mdb_del(t->txn, store_dbi(t, DB_META), &k, NULL));
    if (e == SERTEL_OK)
        e = store_commit(&t);
    else
        store_abort(&t);
    if (e != SERTEL_OK) {
        diag_at(err, errlen, s->dir, 0, _("cannot rewrite the store compact after the migration: %s"),
                sertel_strerror(e));
        return false;
    }
    log_msg(LOG_INFO, _("%s: store rewritten compact: no page the migration freed keeps personal "
                        "data in the clear"), s->dir);
    return true;
}
