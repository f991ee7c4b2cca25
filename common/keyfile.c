#include "keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "i18n.h"
#include "text.h"
#include "validate.h"

enum {
    /* A real key file is well under 1 KiB; the cap bounds what a wrong
     * --key (a log, a disk image) can cost before it is refused. */
    KEYFILE_MAX_BYTES = 64 * 1024,
    CURVE_KEY_BYTES = 32,
    NAME_MAX_BYTES = sizeof(((keyfile_t *)0)->name) - 1,
    /* Header, six "key = value" lines and their longest values. */
    KEYFILE_TEXT_MAX = 2048,
    WHY_MAX = 256,
};

/* ---- messages -------------------------------------------------------- */

__attribute__((format(printf, 3, 4)))
static void say(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* The code a failed open()/read() maps to, so a caller can tell "no key
 * yet" (offer to enrol) from "cannot read it" (fix permissions). */
static sertel_err_t errno_code(int e)
{
    switch (e) {
    case ENOENT:
    case ENOTDIR:
        return SERTEL_E_NOT_FOUND;
    case EACCES:
    case EPERM:
        return SERTEL_E_DENIED;
    case EEXIST:
        return SERTEL_E_EXISTS;
    default:
        return SERTEL_E_IO;
    }
}

/* ---- field checks ---------------------------------------------------- */

/* Each check writes a reason without a location into why; the caller adds
 * "FILE:LINE: " because only it knows where the value came from. Values of
 * key fields are never echoed: the reason may end up in a log. */
typedef sertel_err_t (*check_fn)(const char *key, const char *value,
                                 char *why, size_t whylen);

static sertel_err_t check_endpoint(const char *key, const char *value,
                                   char *why, size_t whylen)
{
    (void)key;
    static const char *const schemes[] = {"tcp://", "ipc://", "inproc://"};
    bool known = false;
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        size_t n = strlen(schemes[i]);
        if (strncmp(value, schemes[i], n) == 0 && value[n] != '\0')
            known = true;
    }
    if (!known) {
        say(why, whylen, _("endpoint must start with tcp://, ipc:// or inproc:// "
                           "followed by an address (found \"%.64s\")"), value);
        return SERTEL_E_INVALID;
    }
    /* libzmq would take the rest of the line as the address; a trailing
     * comment or a stray space is a typo, not part of an endpoint. */
    for (const char *c = value; *c; c++) {
        if ((unsigned char)*c <= ' ' || *c == 0x7f) {
            say(why, whylen, _("endpoint must not contain spaces or control characters"));
            return SERTEL_E_INVALID;
        }
    }
    return SERTEL_OK;
}

static sertel_err_t check_z85(const char *key, const char *value,
                              char *why, size_t whylen)
{
    size_t n = strlen(value);
    if (n != Z85_KEY_LEN) {
        say(why, whylen, _("%s must be exactly %d Z85 characters, found %zu"),
            key, Z85_KEY_LEN, n);
        return SERTEL_E_INVALID;
    }
    uint8_t raw[CURVE_KEY_BYTES];
    bool ok = zmq_z85_decode(raw, value) != NULL;
    explicit_bzero(raw, sizeof raw); /* it may be the secret key */
    if (!ok) {
        say(why, whylen, _("%s is not a valid Z85-encoded key"), key);
        return SERTEL_E_INVALID;
    }
    return SERTEL_OK;
}

static sertel_err_t check_nip(const char *key, const char *value,
                              char *why, size_t whylen)
{
    (void)key;
    if (*value == '\0') /* the broker's own file belongs to no officer */
        return SERTEL_OK;
    return validate_nip(value, why, whylen);
}

static sertel_err_t check_name(const char *key, const char *value,
                               char *why, size_t whylen)
{
    /* A newline would end the line on the next read (and could smuggle in
     * a second "secret =" line), so it is refused here, not only tabs. */
    if (strpbrk(value, "\r\n")) {
        say(why, whylen, _("%s must be a single line"), key);
        return SERTEL_E_INVALID;
    }
    return validate_text(key, value, NAME_MAX_BYTES, false, why, whylen);
}

/* ---- the format, as a table ----------------------------------------- */

#define FIELD(k, member, req, fn) \
    {k, offsetof(keyfile_t, member), sizeof(((keyfile_t *)0)->member), req, fn}

typedef struct {
    const char *key;
    size_t offset;
    size_t size;
    bool required;
    check_fn check;
} field_t;

/* Also the order in which keyfile_write writes them. */
static const field_t fields[] = {
    FIELD("endpoint", endpoint, true, check_endpoint),
    FIELD("broker-public", broker_public, true, check_z85),
    FIELD("public", public_key, true, check_z85),
    FIELD("secret", secret_key, true, check_z85),
    FIELD("nip", nip, false, check_nip),
    FIELD("name", name, false, check_name),
};
enum { FIELD_COUNT = sizeof fields / sizeof fields[0] };

static char *field_ptr(keyfile_t *kf, const field_t *f)
{
    return (char *)kf + f->offset;
}

static const char *field_cptr(const keyfile_t *kf, const field_t *f)
{
    return (const char *)kf + f->offset;
}

static const field_t *field_find(const char *key, size_t *index)
{
    for (size_t i = 0; i < FIELD_COUNT; i++) {
        if (strcmp(fields[i].key, key) == 0) {
            *index = i;
            return &fields[i];
        }
    }
    return NULL;
}

/* A public key copied from another officer's file would authenticate as
 * nobody and fail far away, at the ZAP handler; catch it here instead. */
static sertel_err_t check_pair(const keyfile_t *kf, const char *path, int line,
                               char *err, size_t errlen)
{
    char derived[Z85_KEY_LEN + 1];
    if (zmq_curve_public(derived, kf->secret_key) != 0) {
        int e = errno;
        diag_at(err, errlen, path, line, _("cannot derive the public key: %s"),
                zmq_strerror(e));
        return SERTEL_E_INVALID;
    }
    if (strcmp(derived, kf->public_key) != 0) {
        diag_at(err, errlen, path, line,
                _("public does not match secret; the two keys are not one pair"));
        return SERTEL_E_INVALID;
    }
    return SERTEL_OK;
}

/* ---- reading --------------------------------------------------------- */

typedef struct {
    const char *path;
    keyfile_t *kf;
    int seen[FIELD_COUNT]; /* line of each key, 0 = not seen */
    int last_line;
    char *err;
    size_t errlen;
} parser_t;

static sertel_err_t store_value(parser_t *p, const field_t *f, const char *value,
                                int line)
{
    char why[WHY_MAX];
    sertel_err_t rc = f->check(f->key, value, why, sizeof why);
    if (rc != SERTEL_OK) {
        diag_at(p->err, p->errlen, p->path, line, "%s", why);
        return rc;
    }
    size_t n = strlen(value);
    if (n >= f->size) {
        diag_at(p->err, p->errlen, p->path, line,
                _("value of %s is too long (at most %zu bytes)"), f->key, f->size - 1);
        return SERTEL_E_INVALID;
    }
    memcpy(field_ptr(p->kf, f), value, n + 1);
    return SERTEL_OK;
}

/* A key pasted without "name =" in front. '=' is a Z85 character, so such
 * a line would otherwise split as "key = value" and the error would echo
 * the start of the key. */
static bool is_bare_key(const char *s)
{
    uint8_t raw[CURVE_KEY_BYTES];
    bool yes = strlen(s) == Z85_KEY_LEN && zmq_z85_decode(raw, s) != NULL;
    explicit_bzero(raw, sizeof raw);
    return yes;
}

/* Only something shaped like a key name is echoed back; anything else
 * may be a fragment of a secret that lost its "secret =". */
static bool is_name_like(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s; s++) {
        char c = *s;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok)
            return false;
    }
    return true;
}

static sertel_err_t parse_line(parser_t *p, char *text, int line)
{
    char *s = text_trim(text);
    /* Only whole-line comments: '#' and '=' are Z85 characters, and a
     * display name may contain '#' too. */
    if (*s == '\0' || *s == '#')
        return SERTEL_OK;
    if (is_bare_key(s)) {
        diag_at(p->err, p->errlen, p->path, line,
                _("a key without its name; write \"public = ...\" or \"secret = ...\""));
        return SERTEL_E_INVALID;
    }
    char *eq = strchr(s, '=');
    if (eq)
        *eq = '\0';
    const char *key = text_trim(s);
    if (!eq || !is_name_like(key)) {
        /* Not echoed: the line may hold a secret key. */
        diag_at(p->err, p->errlen, p->path, line, _("expected \"key = value\""));
        return SERTEL_E_INVALID;
    }
    const char *value = text_trim(eq + 1);
    size_t idx = 0;
    const field_t *f = field_find(key, &idx);
    if (!f) {
        diag_at(p->err, p->errlen, p->path, line,
                _("unknown key \"%.32s\" (known: endpoint, broker-public, public, "
                  "secret, nip, name)"), key);
        return SERTEL_E_INVALID;
    }
    /* Two "secret" lines leave a reader guessing which one libzmq got. */
    if (p->seen[idx]) {
        diag_at(p->err, p->errlen, p->path, line,
                _("%s is given twice (first on line %d)"), f->key, p->seen[idx]);
        return SERTEL_E_INVALID;
    }
    p->seen[idx] = line;
    return store_value(p, f, value, line);
}

static sertel_err_t parse_text(parser_t *p, char *text, size_t len)
{
    int line = 0;
    char *s = text;
    char *end = text + len;
    while (s < end) {
        char *nl = memchr(s, '\n', (size_t)(end - s));
        if (nl)
            *nl = '\0';
        line++;
        sertel_err_t rc = parse_line(p, s, line);
        if (rc != SERTEL_OK)
            return rc;
        s = nl ? nl + 1 : end;
    }
    p->last_line = line;
    return SERTEL_OK;
}

/* A missing key has no line of its own; it is reported at the end of the
 * file, where the reader would have to add it. */
static sertel_err_t check_complete(parser_t *p)
{
    for (size_t i = 0; i < FIELD_COUNT; i++) {
        if (fields[i].required && !p->seen[i]) {
            diag_at(p->err, p->errlen, p->path, p->last_line,
                    _("required key %s is missing (end of file reached)"),
                    fields[i].key);
            return SERTEL_E_INVALID;
        }
    }
    size_t pub = 0;
    field_find("public", &pub);
    return check_pair(p->kf, p->path, p->seen[pub], p->err, p->errlen);
}

/* Checks the descriptor that will be read, not the name, so the file
 * cannot be swapped between the check and the read. */
static sertel_err_t check_stat(int fd, const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        diag_at(err, errlen, path, 0, _("cannot examine key file: %s"), strerror(errno));
        return SERTEL_E_IO;
    }
    if (!S_ISREG(st.st_mode)) {
        diag_at(err, errlen, path, 0, _("not a regular file"));
        return SERTEL_E_INVALID;
    }
    if (st.st_mode & 077) {
        diag_at(err, errlen, path, 0,
                _("key file is accessible to group or others (mode %04o); run: chmod 600 %s"),
                (unsigned)(st.st_mode & 07777), path);
        return SERTEL_E_DENIED;
    }
    if (st.st_size > KEYFILE_MAX_BYTES) {
        diag_at(err, errlen, path, 0,
                _("file is too large for a key file (%lld bytes, at most %d)"),
                (long long)st.st_size, KEYFILE_MAX_BYTES);
        return SERTEL_E_INVALID;
    }
    return SERTEL_OK;
}

/* Reads at most cap bytes; *len == cap means the file grew past the
 * limit after the fstat. */
static sertel_err_t read_all(int fd, char *buf, size_t cap, size_t *len,
                             const char *path, char *err, size_t errlen)
{
    size_t got = 0;
    while (got < cap) {
        ssize_t n = read(fd, buf + got, cap - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            diag_at(err, errlen, path, 0, _("cannot read key file: %s"), strerror(e));
            return errno_code(e);
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    *len = got;
    return SERTEL_OK;
}

static sertel_err_t load_text(const char *path, char *buf, size_t *len,
                              char *err, size_t errlen)
{
    /* O_NONBLOCK: opening a FIFO named by mistake must not hang the
     * client; it is refused by check_stat as not a regular file. */
    /* O_NOFOLLOW: a key file that is a link is refused, as one readable
     * by others is; whoever can repoint the link chooses our identity. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
    if (fd < 0) {
        int e = errno;
        if (e == ELOOP) {
            diag_at(err, errlen, path, 0, "%s",
                    _("key file is a symbolic link; name the file itself (a link is refused)"));
            return SERTEL_E_DENIED;
        }
        diag_at(err, errlen, path, 0, _("cannot open key file: %s"), strerror(e));
        return errno_code(e);
    }
    sertel_err_t rc = check_stat(fd, path, err, errlen);
    if (rc == SERTEL_OK)
        rc = read_all(fd, buf, KEYFILE_MAX_BYTES + 1, len, path, err, errlen);
    close(fd);
    if (rc == SERTEL_OK && *len > KEYFILE_MAX_BYTES) {
        diag_at(err, errlen, path, 0, _("file is too large for a key file (at most %d bytes)"),
                KEYFILE_MAX_BYTES);
        rc = SERTEL_E_INVALID;
    }
    if (rc == SERTEL_OK && memchr(buf, '\0', *len)) {
        diag_at(err, errlen, path, 0, _("contains a NUL byte; not a text key file"));
        rc = SERTEL_E_INVALID;
    }
    return rc;
}

/* buf holds len bytes and room for a NUL after them. */
static sertel_err_t parse_buffer(const char *path, char *buf, size_t len, keyfile_t *kf,
                                 char *err, size_t errlen)
{
    buf[len] = '\0';
    parser_t p = {.path = path, .kf = kf, .err = err, .errlen = errlen};
    sertel_err_t rc = parse_text(&p, buf, len);
    return rc == SERTEL_OK ? check_complete(&p) : rc;
}

sertel_err_t keyfile_read(const char *path, keyfile_t *kf, char *err, size_t errlen)
{
    memset(kf, 0, sizeof *kf);
    char *buf = malloc(KEYFILE_MAX_BYTES + 2);
    if (!buf) {
        diag_at(err, errlen, path, 0, "%s", sertel_strerror(SERTEL_E_NOMEM));
        return SERTEL_E_NOMEM;
    }
    size_t len = 0;
    sertel_err_t rc = load_text(path, buf, &len, err, errlen);
    if (rc == SERTEL_OK)
        rc = parse_buffer(path, buf, len, kf, err, errlen);
    /* The buffer held the secret key; free() does not clear memory. */
    explicit_bzero(buf, KEYFILE_MAX_BYTES + 2);
    free(buf);
    if (rc != SERTEL_OK)
        explicit_bzero(kf, sizeof *kf); /* no half-read secret left behind */
    return rc;
}

sertel_err_t keyfile_parse(const char *text, size_t len, const char *path, keyfile_t *kf,
                           char *err, size_t errlen)
{
    memset(kf, 0, sizeof *kf);
    if (len > KEYFILE_MAX_BYTES || memchr(text, '\0', len)) {
        diag_at(err, errlen, path, 0, "%s", _("not a text key file"));
        return SERTEL_E_INVALID;
    }
    char *buf = malloc(len + 1);
    if (!buf) {
        diag_at(err, errlen, path, 0, "%s", sertel_strerror(SERTEL_E_NOMEM));
        return SERTEL_E_NOMEM;
    }
    memcpy(buf, text, len);
    sertel_err_t rc = parse_buffer(path, buf, len, kf, err, errlen);
    explicit_bzero(buf, len + 1);
    free(buf);
    if (rc != SERTEL_OK)
        explicit_bzero(kf, sizeof *kf);
    return rc;
}

/* ---- writing --------------------------------------------------------- */

/* Refuses to write what keyfile_read would refuse, so that a file made by
 * the admin client is never found broken on the officer's machine. */
static sertel_err_t check_for_write(const keyfile_t *kf, const char *path,
                                    char *err, size_t errlen)
{
    for (size_t i = 0; i < FIELD_COUNT; i++) {
        const field_t *f = &fields[i];
        const char *value = field_cptr(kf, f);
        if (!memchr(value, '\0', f->size)) {
            diag_at(err, errlen, path, 0, _("value of %s is too long (at most %zu bytes)"),
                    f->key, f->size - 1);
            return SERTEL_E_INVALID;
        }
        if (f->required && *value == '\0') {
            diag_at(err, errlen, path, 0, _("required key %s is empty"), f->key);
            return SERTEL_E_INVALID;
        }
        char why[WHY_MAX];
        sertel_err_t rc = f->check(f->key, value, why, sizeof why);
        if (rc != SERTEL_OK) {
            diag_at(err, errlen, path, 0, "%s", why);
            return rc;
        }
    }
    return check_pair(kf, path, 0, err, errlen);
}

/* The header is part of the office's records, not a user message, so it is
 * always Indonesian whatever language the administrator runs in. */
static void format_owner(const keyfile_t *kf, char *buf, size_t len)
{
    if (kf->name[0] && kf->nip[0])
        snprintf(buf, len, "%s (NIP %s)", kf->name, kf->nip);
    else if (kf->name[0])
        snprintf(buf, len, "%s", kf->name);
    else if (kf->nip[0])
        snprintf(buf, len, "NIP %s", kf->nip);
    else
        snprintf(buf, len, "server Sertel (sertel-broker)");
}

/* Returns the length written into buf, or 0 if it did not fit. */
static size_t format_text(const keyfile_t *kf, char *buf, size_t len)
{
    char owner[NAME_MAX_BYTES + 32];
    format_owner(kf, owner, sizeof owner);
    int n = snprintf(buf, len,
        "# RAHASIA - Berkas kunci Sertel\n"
        "# Milik: %s\n"
        "#\n"
        "# Berkas ini memuat kunci rahasia CURVE pemiliknya. Jangan disalin,\n"
        "# dikirim, atau diperlihatkan kepada siapa pun, dan biarkan izinnya\n"
        "# 0600 (hanya pemilik yang dapat membaca). Bila berkas ini bocor atau\n"
        "# hilang, segera laporkan kepada Administrator Sertel agar kuncinya\n"
        "# dicabut dan diganti.\n"
        "\n",
        owner);
    for (size_t i = 0; i < FIELD_COUNT && n >= 0 && (size_t)n < len; i++) {
        const char *value = field_cptr(kf, &fields[i]);
        if (!fields[i].required && *value == '\0')
            continue;
        int m = snprintf(buf + n, len - (size_t)n, "%s = %s\n", fields[i].key, value);
        n = m < 0 ? m : n + m;
    }
    return n < 0 || (size_t)n >= len ? 0 : (size_t)n;
}

static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Best effort: makes the new directory entry survive a power cut. Some
 * file systems refuse fsync on a directory; the file itself is synced. */
static void sync_parent(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else if ((size_t)(slash - path) < sizeof dir)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    else
        return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

static sertel_err_t create_file(const char *path, const char *text, size_t len,
                                char *err, size_t errlen)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
    if (fd < 0) {
        int e = errno;
        if (e == EEXIST)
            diag_at(err, errlen, path, 0,
                    _("already exists; a key file is never overwritten (move it away first)"));
        else
            diag_at(err, errlen, path, 0, _("cannot create key file: %s"), strerror(e));
        return errno_code(e);
    }
    /* open() applied the umask; a umask like 0277 would leave a file its
     * owner cannot rewrite, and 0600 is what keyfile_read expects. */
    int e = 0;
    if (fchmod(fd, 0600) != 0 || write_all(fd, text, len) != 0 || fsync(fd) != 0)
        e = errno;
    if (close(fd) != 0 && e == 0)
        e = errno;
    if (e != 0) {
        /* A half-written key file would block the retry with "exists". */
        unlink(path);
        diag_at(err, errlen, path, 0, _("cannot write key file: %s"), strerror(e));
        return SERTEL_E_IO;
    }
    sync_parent(path);
    return SERTEL_OK;
}

sertel_err_t keyfile_write(const char *path, const keyfile_t *kf, char *err, size_t errlen)
{
    sertel_err_t rc = check_for_write(kf, path, err, errlen);
    if (rc != SERTEL_OK)
        return rc;
    char text[KEYFILE_TEXT_MAX];
    size_t len = format_text(kf, text, sizeof text);
    if (len == 0) {
        diag_at(err, errlen, path, 0, "%s", sertel_strerror(SERTEL_E_FULL));
        rc = SERTEL_E_FULL;
    } else {
        rc = create_file(path, text, len, err, errlen);
    }
    explicit_bzero(text, sizeof text); /* it held the secret key */
    return rc;
}

/* ---- keys and paths -------------------------------------------------- */

sertel_err_t keyfile_generate(keyfile_t *kf, char *err, size_t errlen)
{
    /* Without libsodium, libzmq has no CURVE and every connection would
     * later fail with a vague EINVAL; say so now. */
    if (!zmq_has("curve")) {
        say(err, errlen, _("this libzmq was built without CURVE security; "
                           "install a libzmq built with libsodium"));
        return SERTEL_E_PROTOCOL;
    }
    if (zmq_curve_keypair(kf->public_key, kf->secret_key) != 0) {
        int e = errno;
        say(err, errlen, _("cannot generate a CURVE key pair: %s"), zmq_strerror(e));
        return e == ENOTSUP ? SERTEL_E_PROTOCOL : SERTEL_E_IO;
    }
    return SERTEL_OK;
}

__attribute__((format(printf, 3, 4)))
static const char *path_into(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, len, fmt, ap);
    va_end(ap);
    /* A truncated path would name some other file; better none. */
    return n < 0 || (size_t)n >= len ? NULL : buf;
}

/* $HOME first, as every shell tool does; the password database covers
 * services started without one. */
static const char *home_dir(void)
{
    const char *home = getenv("HOME");
    if (home && *home)
        return home;
    struct passwd *pw = getpwuid(geteuid());
    return pw && pw->pw_dir && *pw->pw_dir ? pw->pw_dir : NULL;
}

const char *keyfile_resolve(const char *explicit_path, char *buf, size_t len)
{
    if (!buf || len == 0)
        return NULL;
    if (explicit_path)
        return path_into(buf, len, "%s", explicit_path);
    const char *env = getenv("SERTEL_KEY");
    if (env && *env)
        return path_into(buf, len, "%s", env);
    /* The XDG spec says a relative XDG_CONFIG_HOME is to be ignored. */
    const char *xdg = getenv("XDG_CONFIG_HOME");
    if (xdg && xdg[0] == '/')
        return path_into(buf, len, "%s/sertel/key", xdg);
    const char *home = home_dir();
    if (home)
        return path_into(buf, len, "%s/.config/sertel/key", home);
    return NULL;
}
