/* sertel-broker verify | check --data DIR: offline checks of a stopped
 * broker's data directory or of a backup copy, by the only binary that
 * links the store (sertel-admin journal verify --data runs this one).
 *
 *   verify  the journal's hash chain: every record from 1, each hashed
 *           over the one before; names the first bad sequence number and
 *           prints the chain head to compare with the broker's log and
 *           the backup manifests.
 *   check   verify, and every case and registry record decodes, every
 *           case's event links hold, the index rows are exactly those the
 *           cases imply. Run it before restoring a copy.
 *
 * Both first read every page in a child process (mdbwalk.h): damaged
 * pages are problems found, never a crash of the check.
 *
 * Exit status: 0 intact, 1 usage, 2 the store cannot be read, 4 problems
 * found (as sertel-admin journal verify). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker.h"
#include "datadir.h"
#include "i18n.h"
#include "mdbfile.h"
#include "mdbwalk.h"
#include "store.h"

/* DIR/db in a data directory, DIR itself in a backup copy. */
static bool store_path(const char *dir, char *path, size_t len)
{
    snprintf(path, len, "%s/db/data.mdb", dir);
    if (access(path, F_OK) == 0) {
        snprintf(path, len, "%s/db", dir);
        return true;
    }
    snprintf(path, len, "%s", dir);
    return true;
}

/* NULL with the exit status in *rc: 2 unreadable, 4 damaged pages. */
static store_t *open_checked(const char *prog, const char *dir, int *rc)
{
    char path[4096], file[4200], err[1024] = "";
    store_path(dir, path, sizeof path);
    snprintf(file, sizeof file, "%s/data.mdb", path);
    mdbfile_info_t info;
    char why[1024];
    /* A cut or foreign file is refused before LMDB maps it, and one whose
     * pages would crash LMDB is found by a child process first. */
    store_t *s = NULL;
    *rc = 2;
    if (!mdbfile_check(file, &info, err, sizeof err))
        ;
    else if (!mdbwalk_check(path, false, NULL, why, sizeof why)) {
        diag_at(err, sizeof err, file, 0, _("damaged: %s"), why);
        *rc = 4;
    } else
        s = store_open_readonly(path, err, sizeof err);
    if (!s)
        fprintf(stderr, "%s: %s\n", prog, err);
    return s;
}

static void print_problem(const char *problem, void *arg)
{
    long *n = arg;
    if (++*n <= 200)
        printf("  %s\n", problem);
}

static int usage(const char *prog, FILE *to, int rc)
{
    fprintf(to, _("Usage: sertel-broker %s --data DIR\n"), prog);
    fprintf(to, "%s", strcmp(prog, "verify") == 0
                          ? _("Verifies the journal's hash chain of a stopped broker's data directory\n"
                              "or of a backup copy, and prints its chain head.\n")
                          : _("Checks a stopped broker's data directory or a backup copy: the journal's\n"
                              "chain, every record, the cases' event links and the indexes.\n"));
    return rc;
}

static int run(const char *prog, bool full, const char *dir)
{
    char name[64];
    snprintf(name, sizeof name, "sertel-broker %s", prog);
    int rc;
    store_t *s = open_checked(name, dir, &rc);
    if (!s)
        return rc;
    store_txn_t *t;
    if (store_begin(s, NULL, false, &t) != SERTEL_OK) {
        fprintf(stderr, "%s: %s\n", name, sertel_strerror(SERTEL_E_STORAGE));
        store_close(&s);
        return 2;
    }
    store_chain_report_t r;
    long problems = 0;
    if (full)
        store_check(t, print_problem, &problems, &r);
    else if (store_verify_chain(t, &r) != SERTEL_OK)
        problems = 1;
    store_abort(&t);
    store_close(&s);
    if (r.bad_seq)
        printf(_("Journal broken at record %llu: %s\n(records 1 to %llu verified)\n"),
               (unsigned long long)r.bad_seq, r.problem, (unsigned long long)r.events);
    else
        printf(_("Journal intact: %llu events; chain head seq %llu, SHA-256 %s\n"),
               (unsigned long long)r.events, (unsigned long long)r.head_seq, r.head);
    if (full && problems)
        printf(_("%ld problems found.\n"), problems);
    else if (full)
        printf("%s", _("Store consistent: every record decodes, every case's events are linked, "
                       "the indexes agree with the cases.\n"));
    return problems ? 4 : 0;
}

int broker_verify_main(int argc, char **argv)
{
    const char *prog = argv[0], *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (strcmp(argv[i], "--help") == 0)
            return usage(prog, stdout, 0);
        else {
            fprintf(stderr, _("sertel-broker %s: unknown or incomplete option '%s'\n"), prog, argv[i]);
            return usage(prog, stderr, 1);
        }
    }
    if (!dir)
        return usage(prog, stderr, 1);
    return run(prog, strcmp(prog, "check") == 0, dir);
}

/* sertel-broker rotate-key --data DIR: a new data key, the broker stopped
 * (the data directory's lock says so). */
int broker_rotate_main(int argc, char **argv)
{
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else if (strcmp(argv[i], "--help") == 0) {
            printf(_("Usage: sertel-broker rotate-key --data DIR\n"
                     "Makes a new data key for the applicants' personal data, with the broker\n"
                     "stopped: every sealed value is sealed again under it in one transaction,\n"
                     "DIR/data.key is replaced and the old key kept as DIR/data.key.OLD-ID for\n"
                     "the backups made under it.\n"));
            return 0;
        } else {
            fprintf(stderr, _("sertel-broker %s: unknown or incomplete option '%s'\n"), argv[0], argv[i]);
            return 1;
        }
    }
    if (!dir)
        return usage(argv[0], stderr, 1);
    char err[1024] = "", path[4096], old_id[17], new_id[17];
    int lock = datadir_lock(dir, err, sizeof err);
    snprintf(path, sizeof path, "%s/db", dir);
    store_t *s = lock >= 0 ? store_open(path, err, sizeof err) : NULL;
    sertel_err_t e = s ? store_rotate_key(s, old_id, new_id, err, sizeof err) : SERTEL_E_STORAGE;
    store_close(&s);
    if (lock >= 0)
        close(lock);
    if (e != SERTEL_OK) {
        fprintf(stderr, "sertel-broker rotate-key: %s\n", err[0] ? err : sertel_strerror(e));
        return 2;
    }
    printf(_("Data key rotated: %s replaced by %s (the old key kept as %s/data.key.%s).\n"
             "Back up the new %s/data.key now, apart from the data directory.\n"),
           old_id, new_id, dir, old_id, dir);
    return 0;
}
