/* Personal data at rest: an applicant's NIK, e-mail and phone are nowhere
 * in data.mdb or a backup of it (the bytes of the files are searched, as
 * `strings` would), yet the broker shows them and finds the applicant by
 * NIP; the data key is its own 0600 file; a rotated key keeps everything
 * readable; without the key the broker refuses to start; a catch-up sends
 * none of it. */
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
#include <zmq.h>

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

static bool bytes_have(const uint8_t *p, size_t n, const char *needle)
{
    size_t len = strlen(needle);
    for (size_t i = 0; i + len <= n; i++)
        if (memcmp(p + i, needle, len) == 0)
            return true;
    return false;
}

/* The catch-up sends the journal's stored bytes as they are: they carry
 * none of the applicant's sealed data, in single pushes or in batches,
 * to the officer holding the case (who may read it in the case itself). */
static void assert_replay_clear_of_pii(harness_t *h, const keyfile_t *kf, uint32_t batch)
{
    harness_raw_t raw;
    assert_true(harness_raw_open(h, kf, &raw));
    Sertel__Hello hello = SERTEL__HELLO__INIT;
    hello.batch = batch;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.request_id = 7;
    req.body_case = SERTEL__ENVELOPE__BODY_HELLO;
    req.hello = &hello;
    assert_true(harness_raw_send_env(&raw, &req));
    int events = 0;
    for (bool welcome = false; !welcome;) {
        zmq_pollitem_t item = {raw.sock, 0, ZMQ_POLLIN, 0};
        assert_true(zmq_poll(&item, 1, 10000) > 0);
        zmq_msg_t m;
        zmq_msg_init(&m);
        assert_true(zmq_msg_recv(&m, raw.sock, 0) >= 0);
        const uint8_t *p = zmq_msg_data(&m);
        size_t n = zmq_msg_size(&m);
        if (bytes_have(p, n, NIK) || bytes_have(p, n, EMAIL) || bytes_have(p, n, PHONE))
            fail_msg("the catch-up sent an applicant's personal data");
        Sertel__Envelope *env = n ? sertel__envelope__unpack(NULL, n, p) : NULL;
        zmq_msg_close(&m);
        if (!env)
            continue;
        if (env->body_case == SERTEL__ENVELOPE__BODY_PUSH)
            events++;
        if (env->body_case == SERTEL__ENVELOPE__BODY_PUSHES)
            events += (int)env->pushes->n_events;
        welcome = env->body_case == SERTEL__ENVELOPE__BODY_WELCOME;
        if (welcome)
            assert_int_equal(env->welcome->replayed, events);
        sertel__envelope__free_unpacked(env, NULL);
    }
    assert_true(events > 0);
    harness_raw_close(&raw);
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
    assert_replay_clear_of_pii(&h, &key, 0);
    assert_replay_clear_of_pii(&h, &key, 256);

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
