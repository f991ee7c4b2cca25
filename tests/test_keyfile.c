/* Key files: generation, the 0600 write, and every refusal of keyfile_read,
 * each checked for the "FILE:LINE:" that tells the administrator where to
 * look. Files live in a private mkdtemp directory removed at the end. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "keyfile.h"

#define assert_contains(hay, needle)                                         \
    do {                                                                     \
        if (!strstr((hay), (needle)))                                        \
            fail_msg("\"%s\" does not contain \"%s\"", (hay), (needle));     \
    } while (0)

#define assert_lacks(hay, needle)                                            \
    do {                                                                     \
        if (strstr((hay), (needle)))                                         \
            fail_msg("\"%s\" should not contain \"%s\"", (hay), (needle));   \
    } while (0)

enum { LINES = 7, TEXT_MAX = 4096 };

static const char *const NIP = "197503042001121002";
static const char *const NAME = "Tino Armyanto";
static const char *const ENDPOINT = "tcp://127.0.0.1:7750";

static char dir[64];
static int file_no;

/* ---- fixtures -------------------------------------------------------- */

static int make_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/sertel-keyfile-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

/* Tests make only files, FIFOs and one level of subdirectories. */
static int remove_dir(void **state)
{
    (void)state;
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[320];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (unlink(p) != 0)
            rmdir(p);
    }
    closedir(d);
    return rmdir(dir);
}

/* A fresh name per call, so tests never see each other's files. */
static const char *new_path(char *buf, size_t len)
{
    snprintf(buf, len, "%s/key%d", dir, ++file_no);
    return buf;
}

static void fill(keyfile_t *kf)
{
    char err[256] = "";
    keyfile_t broker = {0};
    memset(kf, 0, sizeof *kf);
    assert_int_equal(keyfile_generate(kf, err, sizeof err), SERTEL_OK);
    assert_int_equal(keyfile_generate(&broker, err, sizeof err), SERTEL_OK);
    snprintf(kf->endpoint, sizeof kf->endpoint, "%s", ENDPOINT);
    memcpy(kf->broker_public, broker.public_key, sizeof kf->broker_public);
    snprintf(kf->nip, sizeof kf->nip, "%s", NIP);
    snprintf(kf->name, sizeof kf->name, "%s", NAME);
}

static void write_raw(const char *path, const char *text, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    assert_int_equal(fchmod(fd, mode), 0);
    close(fd);
}

/* The valid file as seven numbered lines; line `replace` (1-based) is
 * swapped for `with`, so each refusal test knows its line number. */
static void text_with(const keyfile_t *kf, int replace, const char *with,
                      char *buf, size_t len)
{
    char lines[LINES][300];
    snprintf(lines[0], sizeof lines[0], "# test key file");
    snprintf(lines[1], sizeof lines[1], "endpoint = %s", kf->endpoint);
    snprintf(lines[2], sizeof lines[2], "broker-public = %s", kf->broker_public);
    snprintf(lines[3], sizeof lines[3], "public = %s", kf->public_key);
    snprintf(lines[4], sizeof lines[4], "secret = %s", kf->secret_key);
    snprintf(lines[5], sizeof lines[5], "nip = %s", kf->nip);
    snprintf(lines[6], sizeof lines[6], "name = %s", kf->name);
    if (replace >= 1 && replace <= LINES)
        snprintf(lines[replace - 1], sizeof lines[0], "%s", with);
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; i < LINES; i++)
        n += (size_t)snprintf(buf + n, len - n, "%s\n", lines[i]);
}

/* Writes text as a 0600 file and expects keyfile_read to refuse it with
 * code, "PATH:LINE: " in front and `word` in the reason; leaves the
 * reason alone in err. */
static void expect_refused(const char *text, sertel_err_t code, int line,
                           const char *word, char *err, size_t errlen)
{
    char path[128], prefix[160];
    keyfile_t kf;
    new_path(path, sizeof path);
    write_raw(path, text, strlen(text), 0600);
    assert_int_equal(keyfile_read(path, &kf, err, errlen), code);
    if (line > 0)
        snprintf(prefix, sizeof prefix, "%s:%d: ", path, line);
    else
        snprintf(prefix, sizeof prefix, "%s: ", path);
    size_t plen = strlen(prefix);
    if (strncmp(err, prefix, plen) != 0)
        fail_msg("\"%s\" does not start with \"%s\"", err, prefix);
    /* Callers look at the reason alone: the random mkdtemp name could
     * contain any word they test for. */
    memmove(err, err + plen, strlen(err + plen) + 1);
    assert_contains(err, word);
    assert_int_equal(kf.secret_key[0], '\0'); /* nothing half-read kept */
}

/* ---- generate / write / read ---------------------------------------- */

static void generate_gives_a_real_pair(void **state)
{
    (void)state;
    keyfile_t kf = {0};
    char err[256] = "", derived[Z85_KEY_LEN + 1];
    uint8_t raw[32];
    assert_int_equal(keyfile_generate(&kf, err, sizeof err), SERTEL_OK);
    assert_int_equal(strlen(kf.public_key), Z85_KEY_LEN);
    assert_int_equal(strlen(kf.secret_key), Z85_KEY_LEN);
    assert_non_null(zmq_z85_decode(raw, kf.secret_key));
    assert_int_equal(zmq_curve_public(derived, kf.secret_key), 0);
    assert_string_equal(derived, kf.public_key);
}

static void round_trip(void **state)
{
    (void)state;
    keyfile_t in, out;
    char path[128], err[256] = "";
    fill(&in);
    new_path(path, sizeof path);
    assert_int_equal(keyfile_write(path, &in, err, sizeof err), SERTEL_OK);
    assert_int_equal(keyfile_read(path, &out, err, sizeof err), SERTEL_OK);
    assert_string_equal(out.endpoint, in.endpoint);
    assert_string_equal(out.broker_public, in.broker_public);
    assert_string_equal(out.public_key, in.public_key);
    assert_string_equal(out.secret_key, in.secret_key);
    assert_string_equal(out.nip, NIP);
    assert_string_equal(out.name, NAME);
}

/* The broker's own file has no officer: no nip, no name. */
static void round_trip_broker_file(void **state)
{
    (void)state;
    keyfile_t in, out;
    char path[128], err[256] = "", text[TEXT_MAX];
    fill(&in);
    in.nip[0] = in.name[0] = '\0';
    memcpy(in.broker_public, in.public_key, sizeof in.broker_public);
    new_path(path, sizeof path);
    assert_int_equal(keyfile_write(path, &in, err, sizeof err), SERTEL_OK);
    assert_int_equal(keyfile_read(path, &out, err, sizeof err), SERTEL_OK);
    assert_string_equal(out.secret_key, in.secret_key);
    assert_string_equal(out.nip, "");
    FILE *f = fopen(path, "r");
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    assert_contains(text, "sertel-broker");
    assert_lacks(text, "\nnip =");
}

/* Even a umask that strips the owner's write bit yields exactly 0600. */
static void written_mode_is_0600(void **state)
{
    (void)state;
    keyfile_t kf;
    char path[128], err[256] = "";
    struct stat st;
    fill(&kf);
    new_path(path, sizeof path);
    mode_t old = umask(0277);
    sertel_err_t rc = keyfile_write(path, &kf, err, sizeof err);
    umask(old);
    assert_int_equal(rc, SERTEL_OK);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
}

static void header_names_the_owner_in_indonesian(void **state)
{
    (void)state;
    keyfile_t kf;
    char path[128], err[256] = "", text[TEXT_MAX];
    fill(&kf);
    new_path(path, sizeof path);
    assert_int_equal(keyfile_write(path, &kf, err, sizeof err), SERTEL_OK);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    assert_int_equal(strncmp(text, "# RAHASIA", 9), 0);
    assert_contains(text, "Milik: Tino Armyanto (NIP 197503042001121002)");
    assert_contains(text, "Administrator");
}

static void refuses_to_overwrite(void **state)
{
    (void)state;
    keyfile_t first, second, back;
    char path[128], err[256] = "";
    fill(&first);
    fill(&second);
    new_path(path, sizeof path);
    assert_int_equal(keyfile_write(path, &first, err, sizeof err), SERTEL_OK);
    assert_int_equal(keyfile_write(path, &second, err, sizeof err), SERTEL_E_EXISTS);
    assert_contains(err, path);
    assert_int_equal(keyfile_read(path, &back, err, sizeof err), SERTEL_OK);
    assert_string_equal(back.secret_key, first.secret_key);
}

/* What keyfile_read would refuse is never written, and no file is left. */
static void write_refuses_what_read_would_refuse(void **state)
{
    (void)state;
    keyfile_t kf, other;
    char path[128], err[256] = "";
    fill(&kf);
    fill(&other);
    memcpy(kf.public_key, other.public_key, sizeof kf.public_key);
    new_path(path, sizeof path);
    assert_int_equal(keyfile_write(path, &kf, err, sizeof err), SERTEL_E_INVALID);
    assert_contains(err, "public");
    assert_int_equal(access(path, F_OK), -1);

    fill(&kf);
    snprintf(kf.name, sizeof kf.name, "Tino\nsecret = x");
    assert_int_equal(keyfile_write(path, &kf, err, sizeof err), SERTEL_E_INVALID);
    assert_contains(err, "name");
    assert_int_equal(access(path, F_OK), -1);
}

/* ---- refusals by keyfile_read -------------------------------------- */

static void refuses_group_or_world_access(void **state)
{
    (void)state;
    keyfile_t kf, out;
    char path[128], err[512] = "", hint[160];
    static const mode_t modes[] = {0644, 0640, 0604, 0620};
    fill(&kf);
    new_path(path, sizeof path);
    assert_int_equal(keyfile_write(path, &kf, err, sizeof err), SERTEL_OK);
    snprintf(hint, sizeof hint, "chmod 600 %s", path);
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        assert_int_equal(chmod(path, modes[i]), 0);
        assert_int_equal(keyfile_read(path, &out, err, sizeof err), SERTEL_E_DENIED);
        assert_int_equal(strncmp(err, path, strlen(path)), 0);
        assert_contains(err, hint);
    }
    /* 0400 is stricter than asked and is fine. */
    assert_int_equal(chmod(path, 0400), 0);
    assert_int_equal(keyfile_read(path, &out, err, sizeof err), SERTEL_OK);
}

static void refuses_missing_file(void **state)
{
    (void)state;
    keyfile_t kf;
    char path[128], err[256] = "";
    new_path(path, sizeof path);
    assert_int_equal(keyfile_read(path, &kf, err, sizeof err), SERTEL_E_NOT_FOUND);
    assert_int_equal(strncmp(err, path, strlen(path)), 0);
}

/* A link to a good key file is refused: whoever can repoint the link
 * would choose the identity the client uses. */
static void refuses_symlink(void **state)
{
    (void)state;
    keyfile_t in, out;
    char path[128], link[128], err[256] = "";
    fill(&in);
    new_path(path, sizeof path);
    assert_int_equal(keyfile_write(path, &in, err, sizeof err), SERTEL_OK);
    new_path(link, sizeof link);
    assert_int_equal(symlink(path, link), 0);
    assert_int_equal(keyfile_read(link, &out, err, sizeof err), SERTEL_E_DENIED);
    assert_int_equal(strncmp(err, link, strlen(link)), 0);
    assert_contains(err, "symbolic link");
    assert_int_equal(out.secret_key[0], '\0');
}

/* The text in memory gets the same checks as the file's. */
static void parse_from_memory(void **state)
{
    (void)state;
    keyfile_t in, out;
    char path[128], err[256] = "", text[TEXT_MAX];
    fill(&in);
    new_path(path, sizeof path);
    assert_int_equal(keyfile_write(path, &in, err, sizeof err), SERTEL_OK);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(text, 1, sizeof text, f);
    fclose(f);
    assert_int_equal(keyfile_parse(text, n, "mem", &out, err, sizeof err), SERTEL_OK);
    assert_string_equal(out.secret_key, in.secret_key);
    assert_int_equal(keyfile_parse(text, n / 2, "mem", &out, err, sizeof err), SERTEL_E_INVALID);
    assert_int_equal(strncmp(err, "mem:", 4), 0);
    text[10] = '\0';
    assert_int_equal(keyfile_parse(text, n, "mem", &out, err, sizeof err), SERTEL_E_INVALID);
}

/* A directory or a FIFO is refused, and the FIFO without hanging. */
static void refuses_non_regular_files(void **state)
{
    (void)state;
    keyfile_t kf;
    char path[128], err[256] = "";
    new_path(path, sizeof path);
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(keyfile_read(path, &kf, err, sizeof err), SERTEL_E_INVALID);
    assert_int_equal(strncmp(err, path, strlen(path)), 0);

    new_path(path, sizeof path);
    assert_int_equal(mkfifo(path, 0600), 0);
    assert_int_equal(keyfile_read(path, &kf, err, sizeof err), SERTEL_E_INVALID);
    assert_int_equal(strncmp(err, path, strlen(path)), 0);
}

static void refuses_large_file(void **state)
{
    (void)state;
    enum { BIG = 70 * 1024 };
    char *text = malloc(BIG + 1);
    char err[256] = "";
    assert_non_null(text);
    memset(text, '#', BIG);
    for (size_t i = 79; i < BIG; i += 80)
        text[i] = '\n';
    text[BIG] = '\0';
    expect_refused(text, SERTEL_E_INVALID, 0, "too large", err, sizeof err);
    free(text);
}

static void refuses_nul_byte(void **state)
{
    (void)state;
    char path[128], err[256] = "";
    keyfile_t kf;
    new_path(path, sizeof path);
    write_raw(path, "endpoint = tcp://a:1\n\0\n", 23, 0600);
    assert_int_equal(keyfile_read(path, &kf, err, sizeof err), SERTEL_E_INVALID);
    assert_contains(err, "NUL");
}

static void refuses_unknown_key(void **state)
{
    (void)state;
    keyfile_t kf;
    char text[TEXT_MAX], err[256] = "";
    fill(&kf);
    text_with(&kf, 6, "colour = blue", text, sizeof text);
    expect_refused(text, SERTEL_E_INVALID, 6, "\"colour\"", err, sizeof err);
}

static void refuses_line_without_equals(void **state)
{
    (void)state;
    keyfile_t kf;
    char text[TEXT_MAX], err[256] = "";
    fill(&kf);
    text_with(&kf, 6, "just some words", text, sizeof text);
    expect_refused(text, SERTEL_E_INVALID, 6, "key = value", err, sizeof err);
}

/* A secret pasted without "secret =" is refused without being echoed,
 * even when it contains '=' (a Z85 character) and so looks like a
 * "key = value" line. */
static void pasted_secret_is_not_echoed(void **state)
{
    (void)state;
    keyfile_t kf;
    char text[TEXT_MAX], err[256] = "", line[128];
    static const char *const secret = "abc=#00000000000000000000000000000000000";
    fill(&kf);
    text_with(&kf, 6, secret, text, sizeof text);
    expect_refused(text, SERTEL_E_INVALID, 6, "secret = ...", err, sizeof err);
    assert_lacks(err, "abc");

    text_with(&kf, 6, kf.secret_key, text, sizeof text);
    expect_refused(text, SERTEL_E_INVALID, 6, "secret = ...", err, sizeof err);
    assert_lacks(err, kf.secret_key);

    /* Mangled separators: the part before '=' is no key name. */
    snprintf(line, sizeof line, "secret: %s=", secret);
    text_with(&kf, 6, line, text, sizeof text);
    expect_refused(text, SERTEL_E_INVALID, 6, "key = value", err, sizeof err);
    assert_lacks(err, "abc");
}

static void refuses_bad_z85(void **state)
{
    (void)state;
    keyfile_t kf;
    char text[TEXT_MAX], err[256] = "", line[128];
    fill(&kf);
    kf.broker_public[7] = '~'; /* not in the Z85 alphabet */
    snprintf(line, sizeof line, "broker-public = %s", kf.broker_public);
    text_with(&kf, 3, line, text, sizeof text);
    expect_refused(text, SERTEL_E_INVALID, 3, "broker-public", err, sizeof err);
    assert_contains(err, "Z85");
}

static void refuses_short_key(void **state)
{
    (void)state;
    keyfile_t kf;
    char text[TEXT_MAX], err[256] = "", line[128];
    fill(&kf);
    snprintf(line, sizeof line, "secret = %.39s", kf.secret_key);
    text_with(&kf, 5, line, text, sizeof text);
    expect_refused(text, SERTEL_E_INVALID, 5, "secret", err, sizeof err);
    assert_contains(err, "found 39");
    char shown[40];
    snprintf(shown, sizeof shown, "%.39s", kf.secret_key);
    assert_lacks(err, shown);
}

/* The public key on line 4 belongs to another pair. */
static void refuses_mismatched_pair(void **state)
{
    (void)state;
    keyfile_t kf, other;
    char text[TEXT_MAX], err[256] = "", line[128];
    fill(&kf);
    fill(&other);
    snprintf(line, sizeof line, "public = %s", other.public_key);
    text_with(&kf, 4, line, text, sizeof text);
    expect_refused(text, SERTEL_E_INVALID, 4, "does not match", err, sizeof err);
}

/* A missing key is reported at the last line, where it would go. */
static void refuses_missing_endpoint(void **state)
{
    (void)state;
    keyfile_t kf;
    char text[TEXT_MAX], err[256] = "";
    fill(&kf);
    text_with(&kf, 2, "# endpoint forgotten", text, sizeof text);
    expect_refused(text, SERTEL_E_INVALID, LINES, "endpoint", err, sizeof err);
}

static void refuses_bad_endpoint(void **state)
{
    (void)state;
    keyfile_t kf;
    char text[TEXT_MAX], err[256] = "";
    fill(&kf);
    text_with(&kf, 2, "endpoint = http://127.0.0.1:7750", text, sizeof text);
    expect_refused(text, SERTEL_E_INVALID, 2, "tcp://", err, sizeof err);
    text_with(&kf, 2, "endpoint = tcp://127.0.0.1:7750 # kantor", text, sizeof text);
    expect_refused(text, SERTEL_E_INVALID, 2, "spaces", err, sizeof err);
}

static void refuses_duplicate_key(void **state)
{
    (void)state;
    keyfile_t kf;
    char text[TEXT_MAX], err[256] = "", line[128];
    fill(&kf);
    snprintf(line, sizeof line, "secret = %s", kf.secret_key);
    text_with(&kf, 7, line, text, sizeof text);
    expect_refused(text, SERTEL_E_INVALID, 7, "line 5", err, sizeof err);
}

static void refuses_bad_nip(void **state)
{
    (void)state;
    keyfile_t kf;
    char text[TEXT_MAX], err[256] = "";
    fill(&kf);
    text_with(&kf, 6, "nip = 12345", text, sizeof text);
    expect_refused(text, SERTEL_E_INVALID, 6, "", err, sizeof err);
}

/* Hand-edited files: CRLF, indentation, comments, blank lines, optional
 * keys left out. */
static void accepts_hand_edited_file(void **state)
{
    (void)state;
    keyfile_t kf, out;
    char text[TEXT_MAX], path[128], err[256] = "";
    fill(&kf);
    snprintf(text, sizeof text,
             "# comment\r\n\r\n"
             "   endpoint=ipc:///run/sertel.sock  \r\n"
             "\tbroker-public =\t%s\r\n"
             "  # another comment\n"
             "public = %s\n"
             "secret = %s",  /* no final newline */
             kf.broker_public, kf.public_key, kf.secret_key);
    new_path(path, sizeof path);
    write_raw(path, text, strlen(text), 0600);
    assert_int_equal(keyfile_read(path, &out, err, sizeof err), SERTEL_OK);
    assert_string_equal(out.endpoint, "ipc:///run/sertel.sock");
    assert_string_equal(out.broker_public, kf.broker_public);
    assert_string_equal(out.secret_key, kf.secret_key);
    assert_string_equal(out.nip, "");
    assert_string_equal(out.name, "");
}

/* '#' and '=' are Z85 characters: a key starting "=#" is a key, not a
 * comment or a second separator. */
static void key_with_hash_and_equals_survives(void **state)
{
    (void)state;
    keyfile_t kf, out;
    char path[128], err[256] = "";
    fill(&kf);
    snprintf(kf.secret_key, sizeof kf.secret_key, "=#000%035d", 0);
    assert_int_equal(zmq_curve_public(kf.public_key, kf.secret_key), 0);
    new_path(path, sizeof path);
    assert_int_equal(keyfile_write(path, &kf, err, sizeof err), SERTEL_OK);
    assert_int_equal(keyfile_read(path, &out, err, sizeof err), SERTEL_OK);
    assert_string_equal(out.secret_key, kf.secret_key);
}

/* ---- keyfile_resolve ------------------------------------------------- */

static char *saved(const char *name)
{
    const char *v = getenv(name);
    return v ? strdup(v) : NULL;
}

static void restore(const char *name, char *value)
{
    if (value)
        setenv(name, value, 1);
    else
        unsetenv(name);
    free(value);
}

static void resolve_precedence(void **state)
{
    (void)state;
    char *key = saved("SERTEL_KEY"), *xdg = saved("XDG_CONFIG_HOME"), *home = saved("HOME");
    char buf[256];

    setenv("SERTEL_KEY", "/etc/sertel/env-key", 1);
    setenv("XDG_CONFIG_HOME", "/xdg", 1);
    setenv("HOME", "/home/tino", 1);
    assert_string_equal(keyfile_resolve("/opt/explicit", buf, sizeof buf), "/opt/explicit");
    assert_string_equal(keyfile_resolve(NULL, buf, sizeof buf), "/etc/sertel/env-key");

    setenv("SERTEL_KEY", "", 1); /* empty counts as unset */
    assert_string_equal(keyfile_resolve(NULL, buf, sizeof buf), "/xdg/sertel/key");
    unsetenv("SERTEL_KEY");
    assert_string_equal(keyfile_resolve(NULL, buf, sizeof buf), "/xdg/sertel/key");

    setenv("XDG_CONFIG_HOME", "relative", 1); /* ignored, per the XDG spec */
    assert_string_equal(keyfile_resolve(NULL, buf, sizeof buf),
                        "/home/tino/.config/sertel/key");
    unsetenv("XDG_CONFIG_HOME");
    assert_string_equal(keyfile_resolve(NULL, buf, sizeof buf),
                        "/home/tino/.config/sertel/key");

    /* A path that does not fit is no path, not a truncated one. */
    assert_null(keyfile_resolve(NULL, buf, 10));
    assert_null(keyfile_resolve("/a/rather/long/explicit/path", buf, 8));

    restore("SERTEL_KEY", key);
    restore("XDG_CONFIG_HOME", xdg);
    restore("HOME", home);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(generate_gives_a_real_pair),
        cmocka_unit_test(round_trip),
        cmocka_unit_test(round_trip_broker_file),
        cmocka_unit_test(written_mode_is_0600),
        cmocka_unit_test(header_names_the_owner_in_indonesian),
        cmocka_unit_test(refuses_to_overwrite),
        cmocka_unit_test(write_refuses_what_read_would_refuse),
        cmocka_unit_test(refuses_group_or_world_access),
        cmocka_unit_test(refuses_missing_file),
        cmocka_unit_test(refuses_non_regular_files),
        cmocka_unit_test(refuses_large_file),
        cmocka_unit_test(refuses_nul_byte),
        cmocka_unit_test(refuses_unknown_key),
        cmocka_unit_test(refuses_line_without_equals),
        cmocka_unit_test(pasted_secret_is_not_echoed),
        cmocka_unit_test(refuses_bad_z85),
        cmocka_unit_test(refuses_short_key),
        cmocka_unit_test(refuses_mismatched_pair),
        cmocka_unit_test(refuses_missing_endpoint),
        cmocka_unit_test(refuses_bad_endpoint),
        cmocka_unit_test(refuses_duplicate_key),
        cmocka_unit_test(refuses_bad_nip),
        cmocka_unit_test(accepts_hand_edited_file),
        cmocka_unit_test(key_with_hash_and_equals_survives),
        cmocka_unit_test(resolve_precedence),
        cmocka_unit_test(refuses_symlink),
        cmocka_unit_test(parse_from_memory),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
