/* sertel-notifier's pure parts: the queue's rules (order per recipient,
 * backoff, rate limit) with time as an argument, and the config file
 * (profiles, refusals that never repeat a secret). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "notifier_config.h"
#include "notifier_queue.h"

static Sertel__OutboxItem *item(uint64_t id, Sertel__MessageChannel ch, const char *to)
{
    Sertel__OutboxItem *m = calloc(1, sizeof *m);
    sertel__outbox_item__init(m);
    m->id = id;
    m->channel = ch;
    m->to = strdup(to);
    return m;
}

#define EMAIL SERTEL__MESSAGE_CHANNEL__MSG_EMAIL
#define WA SERTEL__MESSAGE_CHANNEL__MSG_WHATSAPP

static void test_order_and_backoff(void **state)
{
    (void)state;
    nq_rules_t rules = {.retry_first = 10, .retry_max = 25, .rate = {0, 100, 100, 100}};
    nq_t *q = nq_new(&rules);
    /* Pushed out of order (a replay after live pushes): kept in id order. */
    assert_true(nq_add(q, item(3, EMAIL, "b@x.go.id")));
    assert_true(nq_add(q, item(1, EMAIL, "a@x.go.id")));
    assert_true(nq_add(q, item(2, EMAIL, "a@x.go.id")));
    Sertel__OutboxItem *dup = item(2, EMAIL, "a@x.go.id");
    assert_false(nq_add(q, dup));
    sertel__outbox_item__free_unpacked(dup, NULL);
    int64_t wake;
    assert_int_equal(nq_next(q, 1000, &wake)->id, 1);
    /* 1 fails: 2 (same recipient) waits behind it; 3 goes. */
    nq_backoff(q, 1, 1, 1000);
    assert_int_equal(nq_next(q, 1000, &wake)->id, 3);
    nq_remove(q, 3);
    assert_null(nq_next(q, 1000, &wake));
    assert_int_equal(wake, 1010);
    assert_int_equal(nq_next(q, 1010, &wake)->id, 1);
    /* Backoff doubles, up to retry_max. */
    nq_backoff(q, 1, 2, 1010);
    assert_null(nq_next(q, 1029, &wake));
    assert_int_equal(wake, 1030);
    nq_backoff(q, 1, 5, 1030);
    assert_null(nq_next(q, 1054, &wake));
    assert_int_equal(wake, 1055);
    nq_remove(q, 1);
    assert_int_equal(nq_next(q, 1055, &wake)->id, 2);
    nq_remove(q, 2);
    assert_int_equal(nq_len(q), 0);
    assert_null(nq_next(q, 2000, &wake));
    assert_true(wake == INT64_MAX);
    nq_destroy(&q);
    assert_null(q);
}

static void test_rate(void **state)
{
    (void)state;
    nq_rules_t rules = {.retry_first = 10, .retry_max = 60, .rate = {0, 100, 2, 100}};
    nq_t *q = nq_new(&rules);
    for (uint64_t id = 1; id <= 3; id++) {
        char to[32];
        snprintf(to, sizeof to, "62812000000%llu", (unsigned long long)id);
        nq_add(q, item(id, WA, to));
    }
    nq_add(q, item(4, EMAIL, "a@x.go.id"));
    int64_t wake;
    for (int64_t at = 100; at <= 110; at += 10) {
        Sertel__OutboxItem *m = nq_next(q, at, &wake);
        assert_non_null(m);
        assert_int_equal(m->channel, WA);
        nq_note_send(q, WA, at);
        nq_remove(q, m->id);
    }
    /* Two WhatsApp sends in the last minute: the third waits; e-mail does not. */
    assert_int_equal(nq_next(q, 120, &wake)->id, 4);
    nq_remove(q, 4);
    assert_null(nq_next(q, 120, &wake));
    assert_int_equal(wake, 160);
    assert_int_equal(nq_next(q, 160, &wake)->id, 3);
    nq_destroy(&q);
}

static bool parse(const char *text, ncfg_t *cfg, char *err, size_t errlen)
{
    char *copy = strdup(text);
    bool ok = ncfg_parse(copy, "n.conf", cfg, err, errlen);
    free(copy);
    return ok;
}

static void test_config(void **state)
{
    (void)state;
    ncfg_t cfg;
    char err[512] = "";
    assert_true(parse("smtp-url = smtps://mail.x.go.id:465\nsmtp-from = S <s@x.go.id>\n"
                      "whatsapp-profile = wablas\nwhatsapp-url = https://w/api/send-message\n"
                      "whatsapp-token = RAHASIA\nsms-profile = zenziva\nsms-url = https://z\n"
                      "rate-sms = 5\n",
                      &cfg, err, sizeof err));
    assert_string_equal(cfg.whatsapp.number_field, "phone");
    assert_string_equal(cfg.whatsapp.token_header, "Authorization");
    assert_string_equal(cfg.sms.user_field, "userkey");
    assert_string_equal(cfg.sms.success, "json:status=1");
    assert_int_equal(cfg.rate[SERTEL__MESSAGE_CHANNEL__MSG_SMS], 5);
    assert_int_equal(cfg.max_tries, 6);
    assert_true(cfg.smtp_starttls);
    ncfg_clear(&cfg);

    /* custom: the shape is the file's */
    assert_true(parse("whatsapp-profile = custom\nwhatsapp-url = http://g\nwhatsapp-method = GET\n"
                      "whatsapp-number-field = nomor\nwhatsapp-text-field = pesan\n",
                      &cfg, err, sizeof err));
    assert_string_equal(cfg.whatsapp.method, "GET");
    assert_string_equal(cfg.whatsapp.success, "http");

    static const struct {
        const char *text, *where;
    } bad[] = {
        {"smtp-pasword = RAHASIA\n", "n.conf:1"},
        {"max-tries = nol\n", "n.conf:1"},
        {"smtp-url = http://x\nsmtp-from = a@b.c\n", "smtp-url"},
        {"smtp-url = smtp://x\n", "smtp-from"},
        {"smtp-url = smtp://x\nsmtp-from = a@b.c\nsmtp-tls = tidak\nsmtp-user = u\nsmtp-password = RAHASIA\n", "TLS"},
        {"sms-profile = fonnte\nsms-url = http://x\n", "sms-profile"},
        {"whatsapp-profile = custom\nwhatsapp-url = http://g\n", "whatsapp"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        assert_false(parse(bad[i].text, &cfg, err, sizeof err));
        assert_non_null(strstr(err, bad[i].where));
        assert_null(strstr(err, "RAHASIA"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_and_backoff),
        cmocka_unit_test(test_rate),
        cmocka_unit_test(test_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
