/* Personal data at rest: an applicant's NIK, e-mail and phone are nowhere
 * in data.mdb or a backup of it (the bytes of the files are searched, as
 * `strings` would), yet the broker shows them and finds the applicant by
 * NIP; the data key is its own 0600 file; a rotated key keeps everything
 * readable; without the key the broker refuses to start. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "harness.h"

#define NIK "3207121505900003"
#define EMAIL "rahasia.pemohon@dinas.example.go.id"
#define PHONE "081299887766"
#define APPLICANT_NIP "199001012015011001"

static bool file_has(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    size_t len = strlen(needle);
    bool found = false;
    for (long i = 0; !found && i + (long)len <= n; i++)
        found = memcmp(buf + i, needle, len) == 0;
    free(buf);
    return found;
}

static void assert_no_pii(const char *path)
{
    if (file_has(path, NIK) || file_has(path, EMAIL) || file_has(path, PHONE))
        fail_msg("%s holds an applicant's personal data in the clear", path);
}

static void assert_readable(conn_t *staf, const char *id)
{
    Sertel__Envelope *r = harness_case(staf, id);
    assert_int_equal(harness_error(r), 0);
    const Sertel__Application *a = r->case_detail->case_->app;
    assert_string_equal(a->nik, NIK);
    assert_string_equal(a->email, EMAIL);
    assert_string_equal(a->phone, PHONE);
    sertel__envelope__free_unpacked(r, NULL);
    Sertel__SearchQuery q = SERTEL__SEARCH_QUERY__INIT;
    q.nip = APPLICANT_NIP;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_SEARCH;
    req.search = &q;
    r = harness_call(staf, &req);
    assert_int_equal(harness_error(r), 0);
    assert_int_equal(r->case_list->n_cases, 1);
    sertel__envelope__free_unpacked(r, NULL);
}

static int run_tool(const char *cmd, char *out, size_t len)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, len - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_sealed_at_rest(void **state)
{
    (void)state;
    harness_t h;
    assert_true(harness_start(&h));
    keyfile_t key;
    assert_true(harness_enrol(&h, "198503142010011003", "Siti Rahmawati", ROLE_STAF, 0, &key));
    conn_t *staf = harness_connect(&h, &key);
    Sertel__Application app;
    harness_application(&app, "Budi Santoso", APPLICANT_NIP);
    app.nik = NIK;
    app.email = EMAIL;
    app.phone = PHONE;
    Sertel__Intake in = SERTEL__INTAKE__INIT;
    in.app = &app;
    Sertel__Attachment letter = SERTEL__ATTACHMENT__INIT;
    Sertel__Attachment *atts[] = {&letter};
    letter.name = "surat.pdf";
    letter.content.data = (uint8_t *)harness_pdf("surat", &letter.content.len);
    in.attachments = atts;
    in.n_attachments = 1;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_INTAKE;
    req.intake = &in;
    Sertel__Envelope *r = harness_call(staf, &req);
    if (harness_error(r))
        fail_msg("intake refused: %s", r->error->message);
    char id[32];
    snprintf(id, sizeof id, "%s", r->done->case_id);
    sertel__envelope__free_unpacked(r, NULL);
    assert_readable(staf, id);

    /* A backup, then the files themselves. */
    char backup[300], path[400], out[4096], cmd[1200];
    snprintf(backup, sizeof backup, "%s-backup", h.dir);
    Sertel__Backup b = SERTEL__BACKUP__INIT;
    b.dir = backup;
    req.body_case = SERTEL__ENVELOPE__BODY_BACKUP;
    req.backup = &b;
    r = harness_call(h.admin_conn, &req);
    assert_int_equal(harness_error(r), 0);
    sertel__envelope__free_unpacked(r, NULL);
    harness_stop(&h, SIGTERM);
    snprintf(path, sizeof path, "%s/db/data.mdb", h.dir);
    assert_no_pii(path);
    snprintf(path, sizeof path, "%s/data.mdb", backup);
    assert_no_pii(path);

    /* The key: its own private file beside db/, not in the backup. */
    struct stat st;
    snprintf(path, sizeof path, "%s/data.key", h.dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    snprintf(path, sizeof path, "%s/data.key", backup);
    assert_int_not_equal(stat(path, &st), 0);

    /* Rotated offline through sertel-admin: still readable, old key kept. */
    snprintf(cmd, sizeof cmd, "LANGUAGE=en '%s' rotate-key --data '%s' 2>&1", SERTEL_ADMIN_BIN, h.dir);
    if (run_tool(cmd, out, sizeof out) != 0)
        fail_msg("rotate-key: %s", out);
    assert_non_null(strstr(out, "Data key rotated"));
    assert_true(harness_restart(&h));
    assert_readable(staf, id);
    harness_stop(&h, SIGTERM);
    snprintf(path, sizeof path, "%s/db/data.mdb", h.dir);
    assert_no_pii(path);
    assert_int_equal(harness_broker_tool(&h, "check", NULL, out, sizeof out), 0);

    /* Without its key the store is not served. */
    snprintf(cmd, sizeof cmd, "mv '%s/data.key' '%s/data.key.away'", h.dir, h.dir);
    assert_int_equal(system(cmd), 0);
    assert_false(harness_restart(&h));
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", backup);
    assert_int_equal(system(cmd), 0);
    conn_close(&staf);
    harness_destroy(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sealed_at_rest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
