/* Input validation (common/validate.c) and the case code tables
 * (server/case.c). Each check runs over a table of inputs; an invalid input
 * must also produce a reason that names the field. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "case.h"
#include "validate.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

typedef sertel_err_t (*check_fn)(const char *s, char *why, size_t whylen);

struct vcase {
    const char *input;
    bool ok;
    const char *what; /* why this input is in the table */
};

/* Runs every row; on a failure the reason must mention field. */
static void run_table(check_fn fn, const struct vcase *rows, size_t n, const char *field)
{
    for (size_t i = 0; i < n; i++) {
        char why[256] = "";
        sertel_err_t rc = fn(rows[i].input, why, sizeof why);
        if ((rc == SERTEL_OK) != rows[i].ok)
            fail_msg("%s \"%s\" (%s): expected %s, got %d (%s)", field,
                     rows[i].input ? rows[i].input : "(null)", rows[i].what,
                     rows[i].ok ? "valid" : "invalid", (int)rc, why);
        if (!rows[i].ok && !strstr(why, field))
            fail_msg("reason for %s (%s) does not name %s: \"%s\"",
                     rows[i].input ? rows[i].input : "(null)", rows[i].what, field, why);
    }
}

static void test_nip(void **state)
{
    (void)state;
    static const struct vcase rows[] = {
        {"197503042001121002", true, "SOP example"},
        {"200002292020012001", true, "born on a leap day"},
        {"199012312010122999", true, "last day of year, serial 999"},
        {"19750304200112100", false, "17 digits"},
        {"1975030420011210021", false, "19 digits"},
        {"", false, "empty"},
        {NULL, false, "NULL"},
        {"19750304200112100a", false, "non-digit"},
        {"1975030420011 1002", false, "space inside"},
        {"197502302001121002", false, "born on Feb 30"},
        {"190002292001121002", false, "Feb 29 1900 is not a leap day"},
        {"193912312001121002", false, "birth year before 1940"},
        {"201601012040011001", false, "birth year after 2015"},
        {"197503042001131002", false, "appointment month 13"},
        {"197503042001001002", false, "appointment month 00"},
        {"197503041959121002", false, "appointment year before 1960"},
        {"197503041970011002", false, "appointment before birth"},
        {"197503041992121002", false, "appointed at 17"},
        {"197503041993011002", true, "appointed the year of turning 18"},
        {"197503042001123002", false, "sex digit 3"},
        {"197503042001120002", false, "sex digit 0"},
        {"197503042001121000", false, "serial 000"},
    };
    run_table(validate_nip, rows, COUNT(rows), "NIP");
}

static void test_nik(void **state)
{
    (void)state;
    static const struct vcase rows[] = {
        {"3171010304750001", true, "man born 03-04-1975"},
        {"3171014304750001", true, "woman born 03-04-1975 (day + 40)"},
        {"3171017102000001", false, "woman, Feb 31"},
        {"3171016902000001", true, "woman born 29-02-2000"},
        {"3171012902000001", true, "leap day valid in 2000 though not in 1900"},
        {"3171012902010001", false, "Feb 29 2001/1901"},
        {"3171013201900001", false, "day 32"},
        {"3171017201900001", false, "woman day 32 (72)"},
        {"3171014001900001", false, "day 40 is neither sex"},
        {"3171010113900001", false, "month 13"},
        {"0071010304750001", false, "zero province"},
        {"1071010304750001", false, "province 10"},
        {"9571010304750001", false, "province 95"},
        {"9471010304750001", true, "province 94"},
        {"3100010304750001", false, "zero regency"},
        {"3171000304750001", false, "zero district"},
        {"3171010304750000", false, "serial 0000"},
        {"317101030475000", false, "15 digits"},
        {"317101030475000x", false, "non-digit"},
        {NULL, false, "NULL"},
    };
    run_table(validate_nik, rows, COUNT(rows), "NIK");
}

static void test_email(void **state)
{
    (void)state;
    static char too_long[300], local65[80];
    memset(local65, 'a', 65);
    strcpy(local65 + 65, "@kominfo.go.id");
    /* 254 bytes is the longest allowed: build 255, later cut one off */
    memset(too_long, 'a', 64);
    too_long[64] = '@';
    for (int i = 65; i < 252; i++)
        too_long[i] = (i % 60 == 0) ? '.' : 'b';
    strcpy(too_long + 252, ".id");
    const struct vcase rows[] = {
        {"budi.santoso@kominfo.go.id", true, "ordinary"},
        {"a+tag@x.co", true, "plus tag"},
        {"o'brien_1@mail-server.example.org", true, "apostrophe, dash in domain"},
        {"!#$%&'*+/=?^_`{|}~-@example.com", true, "every special atext character"},
        {"", false, "empty"},
        {NULL, false, "NULL"},
        {"budi.kominfo.go.id", false, "no @"},
        {"budi@@kominfo.go.id", false, "two @"},
        {"budi@kominfo@go.id", false, "two @ apart"},
        {"@kominfo.go.id", false, "empty local part"},
        {local65, false, "local part of 65"},
        {".budi@kominfo.go.id", false, "leading dot"},
        {"budi.@kominfo.go.id", false, "trailing dot"},
        {"budi..s@kominfo.go.id", false, "two dots"},
        {"bu di@kominfo.go.id", false, "space"},
        {"bud\xc3\xad@kominfo.go.id", false, "non-ASCII local part"},
        {"budi@localhost", false, "no dot in domain"},
        {"budi@kominfo.go.i", false, "one-letter TLD"},
        {"budi@kominfo.go.1d", false, "digit in TLD"},
        {"budi@-kominfo.go.id", false, "label starts with dash"},
        {"budi@kominfo-.go.id", false, "label ends with dash"},
        {"budi@kominfo..id", false, "empty label"},
        {"budi@kominfo.go.id.", false, "trailing dot in domain"},
        {"budi@.kominfo.go.id", false, "leading dot in domain"},
        {"budi@kom_info.go.id", false, "underscore in domain"},
        {too_long, false, "255 bytes"},
    };
    assert_int_equal(strlen(too_long), 255);
    run_table(validate_email, rows, COUNT(rows), "e-mail");
    strcpy(too_long + 251, ".id");
    assert_int_equal(strlen(too_long), 254);
    assert_int_equal(validate_email(too_long, NULL, 0), SERTEL_OK);
}

static void test_phone(void **state)
{
    (void)state;
    static const struct vcase rows[] = {
        {"081234567890", true, "mobile with trunk 0"},
        {"+6281234567890", true, "+62"},
        {"6281234567890", true, "62 without plus"},
        {"+62 812-3456-7890", true, "spaces and dashes"},
        {"0812 3456 7890", true, "spaces"},
        {"021-3456789", true, "Jakarta landline"},
        {"81234567", true, "no prefix, 8 digits"},
        {"08123456789012", true, "13 digits after 0"},
        {"081234567890123", false, "14 digits after 0"},
        {"0812345", false, "6 digits after 0"},
        {"08123456", false, "7 digits after 0"},
        {"+62081234567890", false, "0 after +62"},
        {"+62 0812 3456 789", false, "0 after +62 and a space"},
        {"0081234567890", false, "0 after trunk 0"},
        {"+6181234567890", false, "other country code"},
        {"+ 6281234567890", false, "space after plus"},
        {"0812--3456-7890", false, "double dash"},
        {"0812  34567890", false, "double space"},
        {"-081234567890", false, "leading dash"},
        {"-81234567890", false, "leading dash, no prefix"},
        {" 81234567890", false, "leading space, no prefix"},
        {"+62-812-3456-7890", true, "dash right after +62"},
        {"081234567890-", false, "trailing dash"},
        {"0812.3456.7890", false, "dots"},
        {"(021) 3456789", false, "parentheses"},
        {"0812345678a", false, "letter"},
        {"", false, "empty"},
        {NULL, false, "NULL"},
        {"0 8 1 2 3 4 5 6 7 8 9 0 1", false, "longer than 24 characters"},
    };
    run_table(validate_phone, rows, COUNT(rows), "phone");
}

struct tcase {
    const char *input;
    size_t max;
    bool required;
    bool ok;
    const char *what;
};

static void test_text(void **state)
{
    (void)state;
    static const struct tcase rows[] = {
        {"Perpanjangan sertifikat elektronik", 64, true, true, "ASCII"},
        {"Dinas Komunikasi dan Informatika \xe2\x80\x94 Bidang Persandian", 128, true, true,
         "em dash (3 bytes)"},
        {"Caf\xc3\xa9 \xf0\x9f\x93\x9c", 64, true, true, "2- and 4-byte sequences"},
        {"baris satu\nbaris\tdua", 64, true, true, "newline and tab"},
        {"\xf4\x8f\xbf\xbf", 8, true, true, "U+10FFFF"},
        {"\xef\xbf\xbf", 8, true, true, "U+FFFF"},
        {"", 64, false, true, "empty, optional"},
        {NULL, 64, false, true, "NULL, optional"},
        {"", 64, true, false, "empty, required"},
        {NULL, 64, true, false, "NULL, required"},
        {"abcd", 4, true, true, "exactly max"},
        {"abcde", 4, true, false, "max + 1"},
        {"\xc3\xa9\xc3\xa9\xc3\xa9", 5, true, false, "max counts bytes, not characters"},
        {"a\xc0\xaf" "b", 64, true, false, "overlong C0 AF"},
        {"\xc1\xbf", 64, true, false, "overlong C1"},
        {"\xe0\x80\xaf", 64, true, false, "overlong 3-byte"},
        {"\xf0\x80\x80\xaf", 64, true, false, "overlong 4-byte"},
        {"\xed\xa0\x80", 64, true, false, "surrogate D800"},
        {"\xed\xbf\xbf", 64, true, false, "surrogate DFFF"},
        {"\xf4\x90\x80\x80", 64, true, false, "U+110000"},
        {"\xf5\x80\x80\x80", 64, true, false, "lead F5"},
        {"\xff", 64, true, false, "byte FF"},
        {"\x80", 64, true, false, "lone continuation"},
        {"abc\xc3", 64, true, false, "truncated 2-byte at end"},
        {"abc\xe2\x80", 64, true, false, "truncated 3-byte at end"},
        {"\xe2\x80" "abc", 64, true, false, "truncated 3-byte before ASCII"},
        {"a\rb", 64, true, false, "carriage return"},
        {"a\x1b[31m", 64, true, false, "escape"},
        {"a\x7f", 64, true, false, "DEL"},
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        char why[256] = "";
        sertel_err_t rc = validate_text("Perihal", rows[i].input, rows[i].max,
                                        rows[i].required, why, sizeof why);
        if ((rc == SERTEL_OK) != rows[i].ok)
            fail_msg("text row %zu (%s): expected %s, got %d (%s)", i, rows[i].what,
                     rows[i].ok ? "valid" : "invalid", (int)rc, why);
        if (!rows[i].ok && !strstr(why, "Perihal"))
            fail_msg("text row %zu (%s): reason does not name the field: \"%s\"", i,
                     rows[i].what, why);
    }
}

static void test_utf8_length_bound(void **state)
{
    (void)state;
    /* utf8_valid looks at len bytes only, so a sequence cut by len is
     * truncated even when the string continues. */
    assert_true(utf8_valid("\xc3\xa9", 2));
    assert_false(utf8_valid("\xc3\xa9", 1));
    assert_true(utf8_valid("", 0));
}

/* Limits are counted and told in characters (code points), not bytes. */
static void test_text_counts_characters(void **state)
{
    (void)state;
    char why[256];
    /* "Ñoño Sútisna": 12 characters, 15 bytes. */
    assert_int_equal(validate_text("nama", "Ñoño Sútisna", 14, true, why, sizeof why),
                     SERTEL_E_INVALID);
    assert_non_null(strstr(why, "12 characters"));
    assert_int_equal(validate_text("nama", "Ñoño Sútisna", 15, true, why, sizeof why), SERTEL_OK);
    assert_int_equal(validate_text("nama", "Nono Sutisna!", 12, true, why, sizeof why),
                     SERTEL_E_INVALID);
    assert_non_null(strstr(why, "13 characters, at most 12"));
    assert_int_equal(validate_text("nama", "Nono Sutisna", 12, true, why, sizeof why), SERTEL_OK);
}

static sertel_err_t letter_date(const char *s, char *why, size_t whylen)
{
    return validate_date("Tanggal surat", s, why, whylen);
}

static void test_date(void **state)
{
    (void)state;
    static const struct vcase rows[] = {
        {"2024-02-29", true, "leap year"},
        {"2023-02-29", false, "not a leap year"},
        {"1900-02-29", false, "century, not leap"},
        {"2000-02-29", true, "400th year, leap"},
        {"2024-12-31", true, "last day"},
        {"2024-04-31", false, "April 31"},
        {"2024-13-01", false, "month 13"},
        {"2024-00-10", false, "month 0"},
        {"2024-01-00", false, "day 0"},
        {"0000-01-01", false, "year 0"},
        {"2024-2-01", false, "one-digit month"},
        {"2024-02-1", false, "one-digit day"},
        {"2024/02/01", false, "slashes"},
        {"2024-02-01 ", false, "trailing space"},
        {"2024-02-011", false, "extra digit"},
        {"24-02-01", false, "two-digit year"},
        {"", false, "empty"},
        {NULL, false, "NULL"},
    };
    run_table(letter_date, rows, COUNT(rows), "Tanggal surat");
}

static void test_date_is_real(void **state)
{
    (void)state;
    static const struct {
        int y, m, d;
        bool real;
    } rows[] = {
        {2024, 2, 29, true}, {2023, 2, 29, false}, {1900, 2, 29, false},
        {2000, 2, 29, true}, {2100, 2, 29, false}, {2024, 1, 31, true},
        {2024, 6, 31, false}, {2024, 0, 1, false}, {2024, 12, 32, false},
        {2024, 1, -1, false},
    };
    for (size_t i = 0; i < COUNT(rows); i++)
        if (date_is_real(rows[i].y, rows[i].m, rows[i].d) != rows[i].real)
            fail_msg("date_is_real(%d, %d, %d) should be %d", rows[i].y, rows[i].m,
                     rows[i].d, rows[i].real);
}

static void test_why_optional_and_truncated(void **state)
{
    (void)state;
    assert_int_equal(validate_nip("x", NULL, 0), SERTEL_E_INVALID);
    char why[8];
    memset(why, 'X', sizeof why);
    assert_int_equal(validate_nip("x", why, sizeof why), SERTEL_E_INVALID);
    assert_int_equal(strlen(why), sizeof why - 1);
    assert_int_equal(validate_email("a@b.co", NULL, 0), SERTEL_OK);
}

static void test_case_states(void **state)
{
    (void)state;
    static const struct {
        case_state_t s;
        const char *code, *title;
        bool closed;
    } rows[] = {
        {CASE_OPEN, "terbuka", "open", false},
        {CASE_WAITING, "menunggu", "waiting on applicant", false},
        {CASE_DONE, "selesai", "archived", true},
        {CASE_REJECTED, "ditolak", "rejected", true},
        {CASE_WITHDRAWN, "dicabut", "withdrawn", true},
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        case_t c = {.state = rows[i].s};
        assert_string_equal(case_state_code(rows[i].s), rows[i].code);
        assert_string_equal(case_state_title(rows[i].s), rows[i].title);
        assert_int_equal(case_state_from_code(rows[i].code), rows[i].s);
        assert_int_equal(case_is_closed(&c), rows[i].closed);
    }
    assert_string_equal(case_state_code((case_state_t)0), "");
    assert_string_equal(case_state_code((case_state_t)99), "");
    assert_string_equal(case_state_title((case_state_t)99), "");
    assert_int_equal(case_state_from_code("buka"), 0);
    assert_int_equal(case_state_from_code(""), 0);
    assert_int_equal(case_state_from_code(NULL), 0);
    assert_false(case_is_closed(NULL));
}

/* Code tables with the same shape: value -> code -> value. */
struct code_table {
    const char *name;
    const char *(*code)(int v);
    int (*from)(const char *s);
    int first, last;
    const char *const *codes; /* indexed from first */
};

static const char *ch_code(int v) { return channel_code((channel_t)v); }
static int ch_from(const char *s) { return (int)channel_from_code(s); }
static const char *ur_code(int v) { return urgency_code((urgency_t)v); }
static int ur_from(const char *s) { return (int)urgency_from_code(s); }
static const char *cc_code(int v) { return contact_channel_code((contact_channel_t)v); }
static int cc_from(const char *s) { return (int)contact_channel_from_code(s); }
static const char *ac_code(int v) { return acting_code((acting_kind_t)v); }
static int ac_from(const char *s) { return (int)acting_from_code(s); }

static void test_code_round_trips(void **state)
{
    (void)state;
    static const char *const ch[] = {"surat", "telp", "fax", "email"};
    static const char *const ur[] = {"biasa", "segera", "sangat-segera"};
    static const char *const cc[] = {"email", "sms", "telp", "whatsapp"};
    static const char *const ac[] = {"", "plt", "plh"};
    static const struct code_table tables[] = {
        {"channel", ch_code, ch_from, CHANNEL_SURAT, CHANNEL_EMAIL, ch},
        {"urgency", ur_code, ur_from, URGENCY_BIASA, URGENCY_SANGAT_SEGERA, ur},
        {"contact", cc_code, cc_from, CONTACT_EMAIL, CONTACT_WHATSAPP, cc},
        {"acting", ac_code, ac_from, ACTING_NONE, ACTING_PLH, ac},
    };
    for (size_t t = 0; t < COUNT(tables); t++) {
        const struct code_table *tb = &tables[t];
        for (int v = tb->first; v <= tb->last; v++) {
            const char *code = tb->code(v);
            if (strcmp(code, tb->codes[v - tb->first]) != 0 || tb->from(code) != v)
                fail_msg("%s %d: code \"%s\", back %d", tb->name, v, code, tb->from(code));
        }
        assert_string_equal(tb->code(tb->last + 1), "");
        assert_string_equal(tb->code(-1), "");
        assert_int_equal(tb->from("tidak-ada"), 0);
        assert_int_equal(tb->from(NULL), 0);
    }
    assert_int_equal(channel_from_code("Surat"), 0); /* codes are exact */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nip),
        cmocka_unit_test(test_nik),
        cmocka_unit_test(test_email),
        cmocka_unit_test(test_phone),
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_utf8_length_bound),
        cmocka_unit_test(test_text_counts_characters),
        cmocka_unit_test(test_date),
        cmocka_unit_test(test_date_is_real),
        cmocka_unit_test(test_why_optional_and_truncated),
        cmocka_unit_test(test_case_states),
        cmocka_unit_test(test_code_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
