/* sertel-broker init: makes a broker's data directory offline: the LMDB
 * environment with the SOP, the working calendar and a first
 * administrator, the broker's key pair and the administrator's key file.
 * Everything is checked before anything is written. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "broker.h"
#include "datadir.h"
#include "identity.h"
#include "mdbfile.h"
#include "err.h"
#include "i18n.h"
#include "keyfile.h"
#include "paths.h"
#include "office.h"
#include "sop.h"
#include "store.h"
#include "template.h"
#include "text.h"

#define DEFAULT_ENDPOINT "tcp://127.0.0.1:7750"
#define INIT_PATH_MAX (PATH_MAX - NAME_MAX - 16)

typedef struct {
    const char *dir, *endpoint, *sop_path, *cal_path, *office_path, *admin_nip, *admin_name,
        *templates;
    const char *admin_key; /* --admin-key, else in the user's config directory */
    char admin_key_buf[4096];
} init_opts_t;

/* path made absolute for a comparison: its parent resolved where it
 * exists, else taken as written (under the working directory when
 * relative), with path's own name appended. False when it does not fit
 * in len bytes. */
#define ABS_PATH_MAX (2 * PATH_MAX + 2)
static bool absolute_path(const char *path, char *out, size_t len)
{
    char parent[PATH_MAX], cwd[PATH_MAX] = "";
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    size_t plen = slash ? (size_t)(slash - path) : 0;
    if (plen >= sizeof parent)
        return false;
    memcpy(parent, path, plen);
    parent[plen] = '\0';
    char *real = realpath(slash ? (plen ? parent : "/") : ".", NULL);
    if (!real && parent[0] != '/' && !getcwd(cwd, sizeof cwd))
        return false;
    /* "/" resolves to itself: no second slash before the name. */
    const char *base = real ? real : parent;
    int n = snprintf(out, len, "%s%s%s%s%s", cwd, cwd[0] ? "/" : "", base,
                     strcmp(base, "/") == 0 ? "" : "/", name);
    free(real);
    return n >= 0 && (size_t)n < len;
}

/* The administrator's key file: --admin-key, else the invoking user's
 * $XDG_CONFIG_HOME/sertel/admin.key (~/.config/sertel/admin.key). Never
 * inside the data directory: a copy of the directory (a backup, a disk
 * handed on) must not carry an administrator's identity. Checked before
 * anything is written. */
static bool admin_key_place(init_opts_t *o, char *err, size_t errlen)
{
    if (!o->admin_key) {
        const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
        int n = -1;
        if (xdg && xdg[0] == '/')
            n = snprintf(o->admin_key_buf, sizeof o->admin_key_buf, "%s/sertel/admin.key", xdg);
        else if (home && home[0])
            n = snprintf(o->admin_key_buf, sizeof o->admin_key_buf, "%s/.config/sertel/admin.key",
                         home);
        if (n >= (int)sizeof o->admin_key_buf) {
            diag_at(err, errlen, xdg && xdg[0] == '/' ? xdg : home, 0, "%s",
                    _("the path is too long"));
            return false;
        }
        if (n < 0) {
            snprintf(err, errlen, "%s", _("no configuration directory for the administrator's key "
                                          "file ($HOME is not set): give --admin-key FILE"));
            return false;
        }
        o->admin_key = o->admin_key_buf;
    }
    if (access(o->admin_key, F_OK) == 0) {
        diag_at(err, errlen, o->admin_key, 0, "%s",
                _("already exists; a key file is never overwritten (give --admin-key FILE "
                  "elsewhere, or move it away first)"));
        return false;
    }
    /* Compared as absolute paths: neither may exist yet. */
    char dir[ABS_PATH_MAX], key[ABS_PATH_MAX];
    if (!absolute_path(o->dir, dir, sizeof dir)) {
        diag_at(err, errlen, o->dir, 0, "%s", _("the path is too long"));
        return false;
    }
    if (!absolute_path(o->admin_key, key, sizeof key)) {
        diag_at(err, errlen, o->admin_key, 0, "%s", _("the path is too long"));
        return false;
    }
    size_t n = strlen(dir);
    if (strncmp(key, dir, n) == 0 && key[n] == '/') {
        diag_at(err, errlen, o->admin_key, 0, "%s",
                _("the administrator's key file may not be inside the data directory (a copy of "
                  "the directory would carry the administrator's identity): give --admin-key "
                  "FILE elsewhere"));
        return false;
    }
    return paths_make_parents(o->admin_key, err, (unsigned)errlen);
}


/* The directory may exist only if empty (e.g. made by mktemp -d). */
static bool fresh_dir(const char *dir, char *err, size_t errlen)
{
    char probe[4096];
    snprintf(probe, sizeof probe, "%s/broker.key", dir);
    if (access(probe, F_OK) == 0) {
        diag_at(err, errlen, dir, 0, _("already a data directory; refusing to overwrite it"));
        return false;
    }
    if (!paths_make_parents(dir, err, (unsigned)errlen))
        return false;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        diag_at(err, errlen, dir, 0, _("cannot create: %s"), strerror(errno));
        return false;
    }
    snprintf(probe, sizeof probe, "%s/db", dir);
    if (mkdir(probe, 0700) != 0) {
        diag_at(err, errlen, probe, 0, "%s",
                errno == EEXIST ? _("already exists; refusing to overwrite it") : strerror(errno));
        return false;
    }
    return true;
}

static sertel_err_t fill_store(const init_opts_t *o, const sop_t *sop, const char *sop_text,
                               const char *cal_text, const keyfile_t *admin, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/db", o->dir);
    store_t *s = store_open(path, err, errlen);
    if (!s)
        return SERTEL_E_STORAGE;
    store_txn_t *t;
    sertel_err_t e = store_begin(s, NULL, true, &t);
    officer_t off = {.role = ROLE_ADMIN, .active = true};
    snprintf(off.nip, sizeof off.nip, "%s", o->admin_nip);
    snprintf(off.name, sizeof off.name, "%s", o->admin_name);
    uint8_t key[32];
    zmq_z85_decode(key, admin->public_key);
    if (e == SERTEL_OK)
        e = store_text_put(t, "sop", sop->code, sop_text);
    if (e == SERTEL_OK)
        e = store_text_put(t, "config", "default_sop", sop->code);
    if (e == SERTEL_OK)
        e = store_text_put(t, "calendar", "default", cal_text);
    if (e == SERTEL_OK)
        e = store_officer_put(t, &off, key);
    if (e == SERTEL_OK)
        e = store_commit(&t);
    else
        store_abort(&t);
    if (e != SERTEL_OK)
        diag_at(err, errlen, path, 0, "%s", sertel_strerror(e));
    store_close(&s);
    return e;
}

static sertel_err_t write_keys(const init_opts_t *o, keyfile_t *admin, char *err, size_t errlen)
{
    keyfile_t broker = {0};
    snprintf(broker.endpoint, sizeof broker.endpoint, "%s", o->endpoint);
    sertel_err_t e = keyfile_generate(&broker, err, errlen);
    memcpy(broker.broker_public, broker.public_key, sizeof broker.broker_public);
    *admin = broker;
    /* The key file's nip is for display; the built-in "admin" id has none. */
    if (strcmp(o->admin_nip, "admin") != 0)
        snprintf(admin->nip, sizeof admin->nip, "%s", o->admin_nip);
    snprintf(admin->name, sizeof admin->name, "%s", o->admin_name);
    if (e == SERTEL_OK)
        e = keyfile_generate(admin, err, errlen);
    char path[4096];
    snprintf(path, sizeof path, "%s/broker.key", o->dir);
    if (e == SERTEL_OK)
        e = keyfile_write(path, &broker, err, errlen);
    if (e == SERTEL_OK)
        e = keyfile_write(o->admin_key, admin, err, errlen);
    return e;
}

/* Written last: a directory with an identity is a whole one. */
static bool write_identity(const char *dir, uint64_t head, char *err, size_t errlen)
{
    identity_t id;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, IDENTITY_FILE);
    if (identity_new(&id, (int64_t)time(NULL), err, errlen) != SERTEL_OK)
        return false;
    id.head = head;
    return identity_write(path, &id, err, errlen) == SERTEL_OK;
}

/* --adopt: a data directory made before directories had an identity gets
 * one, once its database is found whole, with the broker stopped. */
static int adopt(const char *dir)
{
    char err[1024] = "", path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, IDENTITY_FILE);
    if (access(path, F_OK) == 0) {
        fprintf(stderr, _("sertel-broker init: %s: already has an identity; nothing to adopt\n"),
                dir);
        return 1;
    }
    int lock = datadir_lock(dir, err, sizeof err);
    snprintf(path, sizeof path, "%s/db/data.mdb", dir);
    bool ok = lock >= 0 && mdbfile_check(path, NULL, err, sizeof err);
    snprintf(path, sizeof path, "%s/db", dir);
    store_t *s = ok ? store_open(path, err, sizeof err) : NULL;
    store_txn_t *t = NULL;
    uint64_t head = 0;
    ok = s && store_begin(s, NULL, false, &t) == SERTEL_OK;
    if (ok)
        head = store_last_seq(t);
    store_abort(&t);
    store_close(&s);
    ok = ok && write_identity(dir, head, err, sizeof err);
    if (lock >= 0)
        close(lock);
    if (!ok) {
        fprintf(stderr, _("sertel-broker init: %s\n"), err);
        return 1;
    }
    datadir_make_private(dir);
    printf(_("Data directory %s adopted: it now has an identity (journal at event %llu).\n"), dir,
           (unsigned long long)head);
    return 0;
}

/* The logo a profile names lies beside the profile file. */
static void logo_source(const init_opts_t *o, const office_t *office, char *path, size_t len)
{
    const char *slash = strrchr(o->office_path, '/');
    int dir_len = slash ? (int)(slash - o->office_path) : 1;
    snprintf(path, len, "%.*s/%s", dir_len, slash ? o->office_path : ".", office->logo);
}

static bool office_logo_ready(const init_opts_t *o, const office_t *office, char *err,
                              size_t errlen)
{
    char path[4096];
    if (!office->logo[0])
        return true;
    logo_source(o, office, path, sizeof path);
    if (access(path, R_OK) != 0) {
        diag_at(err, errlen, path, 0, _("the office profile's logo: %s"), strerror(errno));
        return false;
    }
    return true;
}

static bool copy_file(const char *from, const char *to, char *err, size_t errlen)
{
    FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wbx") : NULL;
    char buf[8192];
    size_t n;
    bool ok = in && out;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = fwrite(buf, 1, n, out) == n;
    ok = ok && !ferror(in);
    if (out && fclose(out) != 0)
        ok = false;
    if (in)
        fclose(in);
    if (!ok)
        diag_at(err, errlen, to, 0, _("cannot write: %s"), strerror(errno));
    return ok;
}

/* DIR/kantor.conf (and its logo), where the administrator edits it. */
static bool write_office(const init_opts_t *o, const office_t *office, const char *text,
                         char *err, size_t errlen)
{
    char path[4096], from[4096];
    snprintf(path, sizeof path, "%s/%s", o->dir, OFFICE_FILE);
    FILE *f = fopen(path, "wx");
    bool ok = f && fputs(text, f) >= 0;
    if (f && fclose(f) != 0)
        ok = false;
    if (!ok) {
        diag_at(err, errlen, path, 0, _("cannot write: %s"), strerror(errno));
        return false;
    }
    if (!office->logo[0])
        return true;
    logo_source(o, office, from, sizeof from);
    snprintf(path, sizeof path, "%s/%s", o->dir, office->logo);
    return copy_file(from, path, err, errlen);
}

/* The office's message templates go into DIR/pesan, where the office
 * edits them and the broker reads them when a message is queued. Each is
 * checked first: a broken template is refused here, not at a message. */
static bool copy_templates(const init_opts_t *o, char *err, size_t errlen)
{
    DIR *d = opendir(o->templates);
    if (!d) {
        diag_at(err, errlen, o->templates, 0, _("cannot read the templates: %s"), strerror(errno));
        return false;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/pesan", o->dir);
    bool ok = mkdir(path, 0700) == 0;
    if (!ok)
        diag_at(err, errlen, path, 0, _("cannot create: %s"), strerror(errno));
    for (struct dirent *de; ok && (de = readdir(d));) {
        size_t n = strlen(de->d_name);
        if (n <= 6 || strcmp(de->d_name + n - 6, ".pesan") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", o->templates, de->d_name);
        char *text = text_read_file(path, 64 * 1024, NULL, err, errlen);
        template_t *t = text ? template_parse(text, path, err, errlen) : NULL;
        template_destroy(&t);
        snprintf(path, sizeof path, "%s/pesan/%s", o->dir, de->d_name);
        FILE *f = text ? fopen(path, "wx") : NULL;
        ok = f && fputs(text, f) >= 0;
        if (f && fclose(f) != 0)
            ok = false;
        if (text && !ok)
            diag_at(err, errlen, path, 0, _("cannot write: %s"), strerror(errno));
        free(text);
    }
    closedir(d);
    return ok;
}

static int init_usage(FILE *to)
{
    fprintf(to, _("Usage: sertel-broker init --data DIR [--endpoint tcp://HOST:PORT]\n"
                  "                         [--sop FILE] [--calendar FILE] [--office FILE]\n"
                  "                         [--admin-nip NIP] [--admin-name NAME]\n"
                  "                         [--templates DIR] [--admin-key FILE]\n"
                  "Creates a broker data directory with the SOP, the working calendar, the\n"
                  "office profile (kop surat, DIR/kantor.conf), the message templates\n"
                  "(DIR/pesan, for the office to edit) and a first administrator, whose key\n"
                  "file is written to FILE (default: the invoking user's\n"
                  "$XDG_CONFIG_HOME/sertel/admin.key or ~/.config/sertel/admin.key), never\n"
                  "inside the data directory.\n"
                  "       sertel-broker init --adopt --data DIR\n"
                  "Gives a data directory made by an older Sertel the identity file the\n"
                  "broker now requires (with the broker stopped).\n"));
    return to == stdout ? 0 : 1;
}

static bool parse_opts(int argc, char **argv, init_opts_t *o)
{
    static const struct {
        const char *flag;
        size_t offset;
    } flags[] = {
        {"--data", offsetof(init_opts_t, dir)},
        {"--endpoint", offsetof(init_opts_t, endpoint)},
        {"--sop", offsetof(init_opts_t, sop_path)},
        {"--calendar", offsetof(init_opts_t, cal_path)},
        {"--office", offsetof(init_opts_t, office_path)},
        {"--admin-nip", offsetof(init_opts_t, admin_nip)},
        {"--admin-name", offsetof(init_opts_t, admin_name)},
        {"--templates", offsetof(init_opts_t, templates)},
        {"--admin-key", offsetof(init_opts_t, admin_key)},
    };
    for (int i = 1; i < argc; i++) {
        size_t f = 0;
        while (f < sizeof flags / sizeof flags[0] && strcmp(argv[i], flags[f].flag) != 0)
            f++;
        if (f == sizeof flags / sizeof flags[0] || i + 1 >= argc) {
            fprintf(stderr, _("sertel-broker init: unknown or incomplete option '%s'\n"), argv[i]);
            return false;
        }
        *(const char **)((char *)o + flags[f].offset) = argv[++i];
        /* Files are made under these paths with names of up to NAME_MAX
         * bytes appended, in buffers of PATH_MAX. */
        if (strlen(argv[i]) > INIT_PATH_MAX) {
            fprintf(stderr, _("sertel-broker init: %s: the path is too long (at most %d bytes)\n"),
                    flags[f].flag, INIT_PATH_MAX);
            return false;
        }
    }
    return o->dir != NULL;
}

int broker_init_main(int argc, char **argv)
{
    char sop_buf[4096], cal_buf[4096], office_buf[4096], pesan_buf[4096];
    init_opts_t o = {
        .endpoint = DEFAULT_ENDPOINT,
        .sop_path = paths_shipped("pembaharuan-sertifikat-elektronik.sop", sop_buf, sizeof sop_buf),
        .cal_path = paths_shipped("kalender-kerja.conf", cal_buf, sizeof cal_buf),
        .office_path = paths_shipped("kantor.conf", office_buf, sizeof office_buf),
        .admin_nip = "admin",
        .admin_name = "Administrator",
        .templates = paths_shipped("pesan", pesan_buf, sizeof pesan_buf),
    };
    if (argc == 2 && strcmp(argv[1], "--help") == 0)
        return init_usage(stdout);
    if (argc == 4 && strcmp(argv[1], "--adopt") == 0 && strcmp(argv[2], "--data") == 0)
        return adopt(argv[3]);
    if (!parse_opts(argc, argv, &o))
        return init_usage(stderr);
    char err[1024] = "";
    char *sop_text = text_read_file(o.sop_path, 1 << 20, NULL, err, sizeof err);
    char *cal_text = sop_text ? text_read_file(o.cal_path, 1 << 20, NULL, err, sizeof err) : NULL;
    sop_t *sop = cal_text ? sop_parse(sop_text, o.sop_path, err, sizeof err) : NULL;
    calendar_t *cal = sop ? calendar_parse(cal_text, o.cal_path, err, sizeof err) : NULL;
    char *office_text =
        cal ? text_read_file(o.office_path, OFFICE_FILE_MAX, NULL, err, sizeof err) : NULL;
    office_t office;
    keyfile_t admin;
    bool ok = office_text &&
              office_parse(office_text, o.office_path, &office, err, sizeof err) == SERTEL_OK &&
              office_logo_ready(&o, &office, err, sizeof err) &&
              admin_key_place(&o, err, sizeof err) && fresh_dir(o.dir, err, sizeof err) &&
              write_keys(&o, &admin, err, sizeof err) == SERTEL_OK &&
              write_office(&o, &office, office_text, err, sizeof err) &&
              copy_templates(&o, err, sizeof err) &&
              fill_store(&o, sop, sop_text, cal_text, &admin, err, sizeof err) == SERTEL_OK &&
              write_identity(o.dir, 0, err, sizeof err);
    if (ok)
        printf(_("Data directory %s is ready (SOP %s, broker at %s).\n"
                 "Administrator key: %s\n"), o.dir, sop->code, o.endpoint, o.admin_key);
    else
        fprintf(stderr, _("sertel-broker init: %s\n"), err);
    calendar_destroy(&cal);
    sop_destroy(&sop);
    free(sop_text);
    free(cal_text);
    free(office_text);
    return ok ? 0 : 1;
}
