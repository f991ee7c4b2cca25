#include "validate.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"

/* NIP layout: birth YYYYMMDD, appointment (TMT CPNS) YYYYMM, sex, serial. */
enum {
    NIP_DIGITS = 18,
    NIP_BIRTH_YEAR_MIN = 1940,
    NIP_BIRTH_YEAR_MAX = 2015,
    NIP_APPT_YEAR_MIN = 1960,
    NIP_APPT_YEAR_MAX = 2100,
    /* A CPNS is appointed at 18 at the earliest; comparing years only
     * keeps the rule simple and errs on the side of accepting. */
    NIP_MIN_AGE_YEARS = 18,
};

/* NIK layout: province, regency, district, DDMMYY, serial. */
enum {
    NIK_DIGITS = 16,
    NIK_PROVINCE_MIN = 11, /* Aceh */
    NIK_PROVINCE_MAX = 94, /* Papua */
    NIK_WOMAN_DAY_OFFSET = 40,
};

enum {
    EMAIL_MAX = 254,   /* RFC 5321 path limit less the angle brackets */
    EMAIL_LOCAL_MAX = 64,
    EMAIL_LABEL_MAX = 63,
    PHONE_MIN_DIGITS = 8,
    PHONE_MAX_DIGITS = 13,
    /* The phone is stored in a fixed field (case.h PHONE_MAX_LEN); a longer
     * spelling would be truncated silently, so it is refused here. */
    PHONE_MAX_BYTES = 24,
};

/* ctype.h answers for the current locale; these fields are ASCII-only. */
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
static bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }

/* Exactly n digits and then the end; never reads past the first mismatch. */
static bool all_digits(const char *s, size_t n)
{
    if (!s)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return false;
    return s[n] == '\0';
}

/* Value of n decimal digits already known to be digits. */
static int num(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

bool date_is_real(int y, int m, int d)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    /* There is no year 0 in the era count the calendar is written in. */
    if (y < 1 || m < 1 || m > 12 || d < 1)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

sertel_err_t validate_nip(const char *nip, char *why, size_t whylen)
{
    if (!all_digits(nip, NIP_DIGITS))
        return err_set(SERTEL_E_INVALID, why, whylen, _("NIP must be 18 digits"));
    int by = num(nip, 4), bm = num(nip + 4, 2), bd = num(nip + 6, 2);
    int ay = num(nip + 8, 4), am = num(nip + 12, 2);
    if (by < NIP_BIRTH_YEAR_MIN || by > NIP_BIRTH_YEAR_MAX)
        return err_set(SERTEL_E_INVALID, why, whylen, _("NIP %s: birth year %.4s is not between %d and %d"),
                    nip, nip, NIP_BIRTH_YEAR_MIN, NIP_BIRTH_YEAR_MAX);
    if (!date_is_real(by, bm, bd))
        return err_set(SERTEL_E_INVALID, why, whylen, _("NIP %s: birth date %.8s is not a real date"), nip, nip);
    if (ay < NIP_APPT_YEAR_MIN || ay > NIP_APPT_YEAR_MAX || am < 1 || am > 12)
        return err_set(SERTEL_E_INVALID, why, whylen,
                    _("NIP %s: appointment %.6s is not a month between %d and %d"),
                    nip, nip + 8, NIP_APPT_YEAR_MIN, NIP_APPT_YEAR_MAX);
    if (ay < by + NIP_MIN_AGE_YEARS)
        return err_set(SERTEL_E_INVALID, why, whylen,
                    _("NIP %s: appointment year %.4s is less than %d years after birth year %.4s"),
                    nip, nip + 8, NIP_MIN_AGE_YEARS, nip);
    if (nip[14] != '1' && nip[14] != '2')
        return err_set(SERTEL_E_INVALID, why, whylen, _("NIP %s: sex digit %c must be 1 or 2"), nip, nip[14]);
    if (num(nip + 15, 3) == 0)
        return err_set(SERTEL_E_INVALID, why, whylen, _("NIP %s: serial number must not be 000"), nip);
    return SERTEL_OK;
}

/* The NIK carries only two digits of the year; a birth date is accepted
 * when it is a real day in either century. */
static bool nik_birth_is_real(const char *ddmmyy)
{
    int d = num(ddmmyy, 2), m = num(ddmmyy + 2, 2), yy = num(ddmmyy + 4, 2);
    if (d > NIK_WOMAN_DAY_OFFSET)
        d -= NIK_WOMAN_DAY_OFFSET;
    return date_is_real(1900 + yy, m, d) || date_is_real(2000 + yy, m, d);
}

sertel_err_t validate_nik(const char *nik, char *why, size_t whylen)
{
    if (!all_digits(nik, NIK_DIGITS))
        return err_set(SERTEL_E_INVALID, why, whylen, _("NIK must be 16 digits"));
    int prov = num(nik, 2);
    if (prov < NIK_PROVINCE_MIN || prov > NIK_PROVINCE_MAX)
        return err_set(SERTEL_E_INVALID, why, whylen, _("NIK %s: province code %.2s is not between %d and %d"),
                    nik, nik, NIK_PROVINCE_MIN, NIK_PROVINCE_MAX);
    if (num(nik + 2, 2) == 0)
        return err_set(SERTEL_E_INVALID, why, whylen, _("NIK %s: regency code must not be 00"), nik);
    if (num(nik + 4, 2) == 0)
        return err_set(SERTEL_E_INVALID, why, whylen, _("NIK %s: district code must not be 00"), nik);
    if (!nik_birth_is_real(nik + 6))
        return err_set(SERTEL_E_INVALID, why, whylen, _("NIK %s: birth date %.6s is not a real date"), nik, nik + 6);
    if (num(nik + 12, 4) == 0)
        return err_set(SERTEL_E_INVALID, why, whylen, _("NIK %s: serial number must not be 0000"), nik);
    return SERTEL_OK;
}

/* RFC 5322 atext plus the dot, whose placement is checked separately. */
static bool is_local_char(char c)
{
    return is_alnum(c) || (c != '\0' && strchr(".!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

static bool local_part_ok(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!is_local_char(s[i]))
            return false;
    return true;
}

static bool local_dots_ok(const char *s, size_t len)
{
    if (s[0] == '.' || s[len - 1] == '.')
        return false;
    for (size_t i = 1; i < len; i++)
        if (s[i] == '.' && s[i - 1] == '.')
            return false;
    return true;
}

static bool label_ok(const char *s, size_t len)
{
    if (len < 1 || len > EMAIL_LABEL_MAX || s[0] == '-' || s[len - 1] == '-')
        return false;
    for (size_t i = 0; i < len; i++)
        if (!is_alnum(s[i]) && s[i] != '-')
            return false;
    return true;
}

/* Every label well formed; returns the last one (the TLD) through tld. */
static bool domain_labels_ok(const char *d, const char **tld)
{
    for (;;) {
        size_t len = strcspn(d, ".");
        if (!label_ok(d, len))
            return false;
        if (d[len] == '\0') {
            *tld = d;
            return true;
        }
        d += len + 1;
    }
}

static bool tld_ok(const char *tld)
{
    size_t n = 0;
    while (is_alpha(tld[n]))
        n++;
    return tld[n] == '\0' && n >= 2;
}

sertel_err_t validate_email(const char *email, char *why, size_t whylen)
{
    const char *at = email ? strchr(email, '@') : NULL;
    if (!email || !*email)
        return err_set(SERTEL_E_INVALID, why, whylen, _("e-mail address must not be empty"));
    if (strlen(email) > EMAIL_MAX)
        return err_set(SERTEL_E_INVALID, why, whylen, _("e-mail address is longer than %d bytes"), EMAIL_MAX);
    if (!at || strchr(at + 1, '@'))
        return err_set(SERTEL_E_INVALID, why, whylen, _("e-mail address must contain exactly one @"));
    size_t llen = (size_t)(at - email);
    if (llen < 1 || llen > EMAIL_LOCAL_MAX)
        return err_set(SERTEL_E_INVALID, why, whylen, _("e-mail address: the part before @ must be 1 to %d characters"),
                    EMAIL_LOCAL_MAX);
    if (!local_part_ok(email, llen))
        return err_set(SERTEL_E_INVALID, why, whylen,
                    _("e-mail address: the part before @ contains a character that is not allowed"));
    if (!local_dots_ok(email, llen))
        return err_set(SERTEL_E_INVALID, why, whylen,
                    _("e-mail address: the part before @ must not start or end with a dot or have two dots in a row"));
    const char *domain = at + 1, *tld = NULL;
    if (!strchr(domain, '.'))
        return err_set(SERTEL_E_INVALID, why, whylen, _("e-mail address: the domain must contain a dot"));
    if (!domain_labels_ok(domain, &tld))
        return err_set(SERTEL_E_INVALID, why, whylen,
                    _("e-mail address: the domain may contain only letters, digits and inner dashes between dots"));
    if (!tld_ok(tld))
        return err_set(SERTEL_E_INVALID, why, whylen,
                    _("e-mail address: the domain must end in at least 2 letters"));
    return SERTEL_OK;
}

/* Country and trunk prefixes a caller may write before the national
 * number, longest first so that "+62" is not read as "+". */
static const char *const phone_prefixes[] = {"+62", "62", "0"};

static size_t phone_prefix_len(const char *p)
{
    for (size_t i = 0; i < sizeof phone_prefixes / sizeof phone_prefixes[0]; i++) {
        size_t n = strlen(phone_prefixes[i]);
        if (strncmp(p, phone_prefixes[i], n) == 0)
            return n;
    }
    return 0;
}

/* Digits in s, or -1 when a space or dash is not between two digits (a
 * prefix counts as a digit) or any other character appears. */
static int phone_digits(const char *s, bool after_prefix)
{
    int n = 0;
    for (const char *p = s; *p; p++) {
        bool sep_ok = (*p == ' ' || *p == '-') && is_digit(p[1]) &&
                      (p > s ? is_digit(p[-1]) : after_prefix);
        if (is_digit(*p))
            n++;
        else if (!sep_ok)
            return -1;
    }
    return n;
}

sertel_err_t validate_phone(const char *phone, char *why, size_t whylen)
{
    if (!phone || !*phone)
        return err_set(SERTEL_E_INVALID, why, whylen, _("phone number must not be empty"));
    if (strlen(phone) > PHONE_MAX_BYTES)
        return err_set(SERTEL_E_INVALID, why, whylen, _("phone number is longer than %d characters"), PHONE_MAX_BYTES);
    size_t plen = phone_prefix_len(phone);
    const char *rest = phone + plen;
    int n = phone_digits(rest, plen > 0);
    if (n < 0)
        return err_set(SERTEL_E_INVALID, why, whylen,
                    _("phone number may contain only digits, an optional + before 62, and single spaces or dashes between digits"));
    if (n < PHONE_MIN_DIGITS || n > PHONE_MAX_DIGITS)
        return err_set(SERTEL_E_INVALID, why, whylen, _("phone number must have %d to %d digits after the prefix"),
                    PHONE_MIN_DIGITS, PHONE_MAX_DIGITS);
    /* Indonesian national numbers never start with 0, so "+62 0812..."
     * is a mistyped number rather than a different one. */
    if (rest[strspn(rest, " -")] == '0')
        return err_set(SERTEL_E_INVALID, why, whylen, _("phone number must not have 0 right after the prefix"));
    return SERTEL_OK;
}

bool phone_normalise(const char *phone, char *out, size_t len)
{
    if (len)
        out[0] = '\0';
    if (validate_phone(phone, NULL, 0) != SERTEL_OK || len < 3)
        return false;
    size_t used = (size_t)snprintf(out, len, "62");
    for (const char *p = phone + phone_prefix_len(phone); *p && used + 1 < len; p++)
        if (is_digit(*p))
            out[used++] = *p;
    out[used] = '\0';
    return true;
}

/* Well-formed UTF-8 per Unicode Table 3-7: each lead byte range fixes the
 * length and the range of the second byte, which is what excludes
 * overlongs (E0, F0), surrogates (ED) and code points above U+10FFFF (F4).
 * Later continuation bytes are always 80..BF. */
static const struct {
    unsigned char lead_lo, lead_hi, len, second_lo, second_hi;
} utf8_forms[] = {
    {0x00, 0x7F, 1, 0, 0},
    {0xC2, 0xDF, 2, 0x80, 0xBF},
    {0xE0, 0xE0, 3, 0xA0, 0xBF},
    {0xE1, 0xEC, 3, 0x80, 0xBF},
    {0xED, 0xED, 3, 0x80, 0x9F},
    {0xEE, 0xEF, 3, 0x80, 0xBF},
    {0xF0, 0xF0, 4, 0x90, 0xBF},
    {0xF1, 0xF3, 4, 0x80, 0xBF},
    {0xF4, 0xF4, 4, 0x80, 0x8F},
};

/* Length of the well-formed sequence at p (avail bytes left), 0 if none. */
static size_t utf8_seq_len(const unsigned char *p, size_t avail)
{
    for (size_t i = 0; i < sizeof utf8_forms / sizeof utf8_forms[0]; i++) {
        if (p[0] < utf8_forms[i].lead_lo || p[0] > utf8_forms[i].lead_hi)
            continue;
        size_t len = utf8_forms[i].len;
        if (len > avail)
            return 0;
        if (len > 1 && (p[1] < utf8_forms[i].second_lo || p[1] > utf8_forms[i].second_hi))
            return 0;
        for (size_t k = 2; k < len; k++)
            if (p[k] < 0x80 || p[k] > 0xBF)
                return 0;
        return len;
    }
    return 0; /* 80..C1 and F5..FF never lead */
}

bool utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_seq_len(p + i, len - i);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

/* Newline and tab are the only controls a note or reason legitimately
 * holds; the rest would corrupt notices and logs. */
static bool has_control(const char *s)
{
    for (; *s; s++)
        if (((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t') || *s == 0x7F)
            return true;
    return false;
}

/* Characters as people count them: UTF-8 code points (valid text). */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Limits are told and counted in characters. The stored field holds max
 * bytes, which is max characters of plain Latin text; a letter with an
 * accent or outside the Latin alphabet takes two to four, and a text of
 * such letters that fits the count but not the room is told so. */
sertel_err_t validate_text(const char *field, const char *s, size_t max,
                           bool required, char *why, size_t whylen)
{
    const char *name = field ? field : "";
    size_t len = s ? strlen(s) : 0;
    if (len == 0)
        return required ? err_set(SERTEL_E_INVALID, why, whylen, _("%s must not be empty"), name) : SERTEL_OK;
    if (!utf8_valid(s, len))
        return err_set(SERTEL_E_INVALID, why, whylen, _("%s is not valid UTF-8 text"), name);
    size_t chars = utf8_chars(s);
    if (chars > max)
        return err_set(SERTEL_E_INVALID, why, whylen,
                       _("%s is too long: %zu characters, at most %zu"), name, chars, max);
    if (len > max)
        return err_set(SERTEL_E_INVALID, why, whylen,
                       _("%s is too long: its %zu characters include letters with accents or "
                         "outside the Latin alphabet, which take more room; shorten it"),
                       name, chars);
    if (has_control(s))
        return err_set(SERTEL_E_INVALID, why, whylen, _("%s contains a control character"), name);
    return SERTEL_OK;
}

/* Positions of the digits in "YYYY-MM-DD"; the rest must be dashes. */
static bool date_shape_ok(const char *s)
{
    static const char shape[] = "dddd-dd-dd";
    for (size_t i = 0; i < sizeof shape - 1; i++)
        if (shape[i] == 'd' ? !is_digit(s[i]) : s[i] != shape[i])
            return false;
    return s[sizeof shape - 1] == '\0';
}

sertel_err_t validate_date(const char *field, const char *s, char *why, size_t whylen)
{
    const char *name = field ? field : "";
    if (!s || !date_shape_ok(s))
        return err_set(SERTEL_E_INVALID, why, whylen, _("%s must be a date written as YYYY-MM-DD"), name);
    if (!date_is_real(num(s, 4), num(s + 5, 2), num(s + 8, 2)))
        return err_set(SERTEL_E_INVALID, why, whylen, _("%s: %s is not a real date"), name, s);
    return SERTEL_OK;
}
