/* File types by content (common/filetype.c): the letter and the laporan
 * are judged by what they hold, never by their names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "filetype.h"

/* A whole small PDF: header, one object, xref at its real offset, trailer. */
static size_t make_pdf(char *buf, size_t len)
{
    int x = snprintf(buf, len, "%%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n");
    return (size_t)(x + snprintf(buf + x, len - (size_t)x,
                                 "xref\n0 2\n0000000000 65535 f \n0000000009 00000 n \n"
                                 "trailer << /Size 2 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\r\n",
                                 x));
}

static void whole_pdf_is_pdf(void **state)
{
    (void)state;
    char pdf[512];
    size_t n = make_pdf(pdf, sizeof pdf);
    const char *why = "unset";
    assert_int_equal(filetype_detect(pdf, n, &why), FILETYPE_PDF);
    assert_null(why);
}

static void xref_stream_is_pdf(void **state)
{
    (void)state;
    static const char pdf[] = "%PDF-1.5\n7 0 obj << /Type /XRef >> stream\nendstream endobj\n"
                              "startxref\n9\n%%EOF\n";
    assert_int_equal(filetype_detect(pdf, sizeof pdf - 1, NULL), FILETYPE_PDF);
}

/* Each damage leaves the header: the type is refused with a reason. */
static void damaged_pdf_is_not(void **state)
{
    (void)state;
    char pdf[512], bad[512];
    size_t n = make_pdf(pdf, sizeof pdf);
    const char *why = NULL;
    assert_int_equal(filetype_detect(pdf, n - 12, &why), 0); /* cut short */
    assert_non_null(why);
    memcpy(bad, pdf, n);
    char *sx = strstr(bad, "startxref\n") + 10;
    *sx = '9'; /* the offset now points into the object, not at "xref" */
    why = NULL;
    assert_int_equal(filetype_detect(bad, n, &why), 0);
    assert_non_null(why);
    static const char no_tail[] = "%PDF-1.4 surat permohonan";
    assert_int_equal(filetype_detect(no_tail, sizeof no_tail - 1, &why), 0);
    assert_non_null(why);
    static const char huge[] = "%PDF-1.4\nstartxref\n99999999999999999999\n%%EOF\n";
    assert_int_equal(filetype_detect(huge, sizeof huge - 1, &why), 0);
    assert_non_null(why);
}

static void other_types(void **state)
{
    (void)state;
    static const char png[] = "\x89PNG\r\n\x1a\n....IHDR";
    static const char jpeg[] = "\xff\xd8\xff\xe0..JFIF";
    static const char zip[] = "PK\x03\x04 renamed spreadsheet";
    const char *why = "unset";
    assert_int_equal(filetype_detect(png, sizeof png - 1, &why), FILETYPE_PNG);
    assert_null(why);
    assert_int_equal(filetype_detect(jpeg, sizeof jpeg - 1, NULL), FILETYPE_JPEG);
    assert_int_equal(filetype_detect(zip, sizeof zip - 1, &why), 0);
    assert_null(why);
    assert_int_equal(filetype_detect("", 0, NULL), 0);
    assert_int_equal(filetype_detect("%PD", 3, NULL), 0);
}

static void names_and_lists(void **state)
{
    (void)state;
    char buf[64];
    assert_int_equal(filetype_from_name("PDF"), FILETYPE_PDF);
    assert_int_equal(filetype_from_name("jpg"), FILETYPE_JPEG);
    assert_int_equal(filetype_from_name("docx"), 0);
    assert_string_equal(filetype_name(FILETYPE_PNG), "png");
    assert_null(filetype_name(FILETYPE_BROKEN_PDF));
    assert_string_equal(filetype_list(FILETYPE_PDF | FILETYPE_JPEG, buf, sizeof buf), "pdf, jpeg");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(whole_pdf_is_pdf), cmocka_unit_test(xref_stream_is_pdf),
        cmocka_unit_test(damaged_pdf_is_not), cmocka_unit_test(other_types),
        cmocka_unit_test(names_and_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
