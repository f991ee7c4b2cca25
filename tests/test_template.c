/* Message templates (core/template.c) and phone normalisation: what the
 * office writes in DATA/pesan, refused with its line when wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "template.h"
#include "validate.h"

static const char good[] = "# komentar\n"
                           "subjek = Permohonan {nomor perkara} diterima\n"
                           "otomatis = email, whatsapp\n"
                           "hari = 7, 60, 30\n"
                           "---\n"
                           "Yth. {nama},\n{alasan} / {berlaku sampai}\n\n\n";

static void test_fill(void **state)
{
    (void)state;
    char err[256] = "";
    template_t *t = template_parse(good, "x.pesan", err, sizeof err);
    assert_non_null(t);
    assert_int_equal(template_auto(t), TEMPLATE_EMAIL | TEMPLATE_WHATSAPP);
    int days[TEMPLATE_MAX_DAYS];
    assert_int_equal(template_days(t, days), 3);
    assert_int_equal(days[0], 60);
    assert_int_equal(days[1], 30);
    assert_int_equal(days[2], 7);
    template_values_t v = {.v = {[FIELD_NAME] = "Budi", [FIELD_CASE] = "SE-2026-00001"}};
    char *subject = template_subject(t, &v), *body = template_body(t, &v);
    assert_string_equal(subject, "Permohonan SE-2026-00001 diterima");
    /* Empty fields read "-"; the file's trailing blank lines are dropped. */
    assert_string_equal(body, "Yth. Budi,\n- / -");
    free(subject);
    free(body);
    template_destroy(&t);
    assert_null(t);
}

static void test_defaults_and_free_text(void **state)
{
    (void)state;
    char err[256] = "";
    template_t *t = template_parse("subjek = x\notomatis = tidak\n---\nisi", "y.pesan", err, sizeof err);
    assert_non_null(t);
    assert_int_equal(template_auto(t), 0);
    int days[TEMPLATE_MAX_DAYS];
    assert_int_equal(template_days(t, days), 3);
    assert_int_equal(days[0], 60);
    template_destroy(&t);
    template_values_t v = {.v = {[FIELD_NAME] = "Ani"}};
    char *s = template_fill("Halo {nama}{nama}", &v);
    assert_string_equal(s, "Halo AniAni");
    free(s);
    assert_null(template_fill("Halo {nam}", &v));
}

static void test_refusals(void **state)
{
    (void)state;
    static const struct {
        const char *text, *where;
    } bad[] = {
        {"subjek = x\n---\nHalo {nama", "body: {nama"},       /* unclosed field */
        {"subjek = {siapa}\n---\nx", "z.pesan:1"},           /* unknown field in the subject */
        {"subjek = x\notomatis = pos\n---\nx", "z.pesan:2"}, /* unknown channel */
        {"subjek = x\nhari = 30, 30\n---\nx", "z.pesan:2"},  /* a day twice */
        {"subjek = x\nwarna = merah\n---\nx", "z.pesan:2"},  /* unknown key */
        {"subjek = x\nisi tanpa garis\n", "z.pesan:2"},      /* no "key = value" */
        {"subjek = x\n", "z.pesan:1"},                        /* no body */
        {"otomatis = email\n---\nx", "z.pesan"},              /* no subject */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[256] = "";
        template_t *t = template_parse(bad[i].text, "z.pesan", err, sizeof err);
        assert_null(t);
        if (!strstr(err, bad[i].where))
            fail_msg("case %zu: '%s' does not name %s", i, err, bad[i].where);
    }
}

static void test_phone(void **state)
{
    (void)state;
    char out[32];
    assert_true(phone_normalise("081234567890", out, sizeof out));
    assert_string_equal(out, "6281234567890");
    assert_true(phone_normalise("+62 812-3456-7890", out, sizeof out));
    assert_string_equal(out, "6281234567890");
    assert_true(phone_normalise("6281234567890", out, sizeof out));
    assert_string_equal(out, "6281234567890");
    assert_false(phone_normalise("0812", out, sizeof out));
    assert_string_equal(out, "");
    assert_false(phone_normalise("+62 0812 3456 7890", out, sizeof out));
    assert_false(phone_normalise("08a2345678", out, sizeof out));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fill),
        cmocka_unit_test(test_defaults_and_free_text),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_phone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
