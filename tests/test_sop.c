/* SOP loader: the shipped SOP reads as DESIGN.md section 2 says, and every
 * kind of broken file is refused with its file and line. Leaks are caught
 * by the sanitizer build. Messages are checked in English (the msgids):
 * the test does not call i18n_init. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sop.h"

#define ERR_LEN 1024

/* A valid minimal SOP, five header lines and one five-line step, that
 * the broken cases below vary. */
#define HDR "kode: uji\nnomor: 1/2025\nnama: Uji\ninstansi: Dinas\nunit: Bidang\n"
#define STEP(n) "langkah: " #n "\nkegiatan: Kerja\npelaksana: staf\n" \
                "kelengkapan: Surat\nwaktu: 10 menit\n"

/* ---- the shipped SOP ------------------------------------------------ */

static sop_t *load_shipped(void)
{
    const char *dir = getenv("SERTEL_SOURCE_DIR");
    char path[4096], err[ERR_LEN];
    snprintf(path, sizeof path, "%s/sop/pembaharuan-sertifikat-elektronik.sop",
             dir ? dir : SERTEL_SOURCE_DIR);
    sop_t *sop = sop_load(path, err, sizeof err);
    if (!sop)
        fail_msg("%s", err);
    return sop;
}

static void test_shipped_header(void **state)
{
    (void)state;
    sop_t *sop = load_shipped();
    assert_string_equal(sop->code, "pembaharuan");
    assert_string_equal(sop->number, "000.6.5/1023/Diskominfo.05");
    assert_string_equal(sop->name, "Pembaharuan Sertifikat Elektronik");
    assert_non_null(strstr(sop->agency, "Kabupaten Ciamis"));
    assert_string_equal(sop->unit, "Bidang Persandian dan Keamanan Informasi");
    assert_string_equal(sop->made_on, "2025-04-08");
    assert_null(sop->revised_on);
    assert_null(sop->effective_on);
    assert_non_null(strstr(sop->approved_by, "Kepala Dinas"));
    assert_non_null(strstr(sop->approved_by, "TINO ARMYANTO"));
    assert_non_null(strstr(sop->approved_by, "197503042001121002"));
    assert_int_equal(sop->legal_basis.n, 6);
    assert_int_equal(sop->qualifications.n, 5);
    assert_int_equal(sop->equipment.n, 3);
    assert_int_equal(sop->warnings.n, 3);
    assert_int_equal(sop->records.n, 1);
    assert_int_equal(sop->related.n, 0);
    /* Continuation lines join with one space. */
    assert_string_equal(sop->legal_basis.items[1],
                        "Undang-undang Nomor 11 Tahun 2008 tentang Informasi dan "
                        "Transaksi elektronik;");
    assert_string_equal(sop->equipment.items[2], "Alat Telekomunikasi");
    sop_destroy(&sop);
    assert_null(sop);
}

static void test_shipped_steps(void **state)
{
    (void)state;
    static const struct {
        role_t role;
        unsigned quals, requires;
        int amount;
        dur_unit_t unit;
        size_t inputs, outputs;
    } want[] = {
        {ROLE_STAF, 0, REQ_SURAT, 10, DUR_MINUTES, 3, 1},
        {ROLE_KADIS, 0, REQ_INSTRUKSI, 10, DUR_MINUTES, 3, 2},
        {ROLE_KABID, 0, REQ_INSTRUKSI, 10, DUR_MINUTES, 3, 2},
        {ROLE_JF, 0, REQ_INSTRUKSI, 20, DUR_MINUTES, 3, 2},
        {ROLE_STAF, QUAL_VERIFIKATOR, REQ_KONTAK, 60, DUR_MINUTES, 4, 0},
        {ROLE_STAF, QUAL_VERIFIKATOR, REQ_SERTIFIKAT | REQ_LAPORAN, 1, DUR_DAYS, 5, 1},
        {ROLE_KADIS, 0, 0, 60, DUR_MINUTES, 4, 1},
    };
    sop_t *sop = load_shipped();
    assert_int_equal(sop->n_steps, 7);
    for (int i = 0; i < 7; i++) {
        const sop_step_t *st = sop_step(sop, i + 1);
        assert_non_null(st);
        assert_int_equal(st->number, i + 1);
        assert_non_null(st->activity);
        assert_int_equal(st->role, want[i].role);
        assert_int_equal(st->quals, want[i].quals);
        assert_int_equal(st->requires, want[i].requires);
        assert_int_equal(st->std_amount, want[i].amount);
        assert_int_equal(st->std_unit, want[i].unit);
        assert_int_equal(st->inputs.n, want[i].inputs);
        assert_int_equal(st->outputs.n, want[i].outputs);
        assert_null(st->remark);
    }
    assert_string_equal(sop_step(sop, 2)->activity,
                        "Mendisposisikan permohonan kepada Kepala Bidang Persandian dan "
                        "Keamanan informasi");
    assert_string_equal(sop_step(sop, 6)->inputs.items[4], "ATK");
    assert_string_equal(sop_step(sop, 7)->outputs.items[0], "Arsip");
    assert_null(sop_step(sop, 0));
    assert_null(sop_step(sop, 8));
    assert_null(sop_step(NULL, 1));
    sop_destroy(&sop);
}

/* ---- broken files --------------------------------------------------- */

static const struct {
    const char *what;
    const char *text;
    const char *error; /* substring of the message */
} broken[] = {
    {"unknown header key", HDR "warna: biru\n" STEP(1), "x.sop:6: unknown key 'warna'"},
    {"unknown step key", HDR STEP(1) "biaya: 0\n", "x.sop:11: unknown key 'biaya'"},
    {"uppercase key", HDR "Kode: x\n" STEP(1), "x.sop:6: unknown key 'Kode'"},
    {"not key: value", HDR "hanya teks\n" STEP(1), "x.sop:6: expected 'key: value'"},
    {"step key before langkah", HDR "kegiatan: Kerja\n" STEP(1),
     "x.sop:6: key 'kegiatan' belongs to a step"},
    {"header key in a step", HDR STEP(1) "nomor: 2\n",
     "x.sop:11: key 'nomor' belongs in the header"},
    {"missing kode", "nomor: 1\nnama: U\ninstansi: D\nunit: B\n" STEP(1),
     "x.sop: missing required field 'kode'"},
    {"missing nomor", "kode: u\nnama: U\ninstansi: D\nunit: B\n" STEP(1),
     "x.sop: missing required field 'nomor'"},
    {"missing nama", "kode: u\nnomor: 1\ninstansi: D\nunit: B\n" STEP(1),
     "x.sop: missing required field 'nama'"},
    {"missing instansi", "kode: u\nnomor: 1\nnama: U\nunit: B\n" STEP(1),
     "x.sop: missing required field 'instansi'"},
    {"missing unit", "kode: u\nnomor: 1\nnama: U\ninstansi: D\n" STEP(1),
     "x.sop: missing required field 'unit'"},
    {"empty required header field", "kode: u\nnomor: 1\nnama:\ninstansi: D\nunit: B\n" STEP(1),
     "x.sop:3: 'nama' must not be empty"},
    {"bad code", "kode: Uji Coba\nnomor: 1\nnama: U\ninstansi: D\nunit: B\n" STEP(1),
     "x.sop:1: invalid code 'Uji Coba'"},
    {"missing kegiatan", HDR "langkah: 1\npelaksana: staf\nkelengkapan: S\nwaktu: 1 jam\n",
     "x.sop:6: step 1: missing required field 'kegiatan'"},
    {"missing pelaksana", HDR "langkah: 1\nkegiatan: K\nkelengkapan: S\nwaktu: 1 jam\n",
     "x.sop:6: step 1: missing required field 'pelaksana'"},
    {"missing waktu in step 2", HDR STEP(1) "langkah: 2\nkegiatan: K\npelaksana: jf\n"
                                            "kelengkapan: S\nlangkah: 3\n",
     "x.sop:11: step 2: missing required field 'waktu'"},
    {"no kelengkapan", HDR "langkah: 1\nkegiatan: K\npelaksana: staf\nwaktu: 1 jam\n",
     "x.sop:6: step 1: missing required field 'kelengkapan'"},
    {"only empty kelengkapan", HDR "langkah: 1\nkegiatan: K\npelaksana: staf\n"
                                   "kelengkapan:\nwaktu: 1 jam\n",
     "x.sop:6: step 1: missing required field 'kelengkapan'"},
    {"time in a foreign word", HDR "langkah: 1\nkegiatan: K\npelaksana: staf\n"
                                   "kelengkapan: S\nwaktu: 10 minit\n",
     "x.sop:10: invalid time '10 minit'"},
    {"time zero", HDR "langkah: 1\nkegiatan: K\npelaksana: staf\n"
                      "kelengkapan: S\nwaktu: 0 menit\n",
     "x.sop:10: invalid time '0 menit'"},
    {"time not a number", HDR "langkah: 1\nkegiatan: K\npelaksana: staf\n"
                              "kelengkapan: S\nwaktu: abc\n",
     "x.sop:10: invalid time 'abc'"},
    {"time too large", HDR "langkah: 1\nkegiatan: K\npelaksana: staf\n"
                           "kelengkapan: S\nwaktu: 10000 menit\n",
     "x.sop:10: invalid time '10000 menit'"},
    {"time, spaced out", HDR "langkah: 1\nkegiatan: K\npelaksana: staf\n"
                         "kelengkapan: S\nwaktu: 10   minit\n",
     "x.sop:10: invalid time '10   minit'"},
    {"time without unit", HDR "langkah: 1\nkegiatan: K\npelaksana: staf\n"
                              "kelengkapan: S\nwaktu: 10\n",
     "x.sop:10: invalid time '10'"},
    {"time negative", HDR "langkah: 1\nkegiatan: K\npelaksana: staf\n"
                          "kelengkapan: S\nwaktu: -5 menit\n",
     "x.sop:10: invalid time '-5 menit'"},
    {"time with extra words", HDR "langkah: 1\nkegiatan: K\npelaksana: staf\n"
                                  "kelengkapan: S\nwaktu: 1 hari kerja\n",
     "x.sop:10: invalid time '1 hari kerja'"},
    {"unknown role", HDR "langkah: 1\nkegiatan: K\npelaksana: camat\n"
                         "kelengkapan: S\nwaktu: 1 jam\n",
     "x.sop:8: unknown role 'camat'"},
    {"admin is not an SOP role", HDR "langkah: 1\nkegiatan: K\npelaksana: admin\n"
                                     "kelengkapan: S\nwaktu: 1 jam\n",
     "x.sop:8: unknown role 'admin'"},
    {"unknown qualification", HDR STEP(1) "kualifikasi-pelaksana: auditor\n",
     "x.sop:11: unknown qualification 'auditor'"},
    {"unknown syarat", HDR STEP(1) "syarat: surat, tandatangan\n",
     "x.sop:11: unknown syarat 'tandatangan'"},
    {"empty syarat item", HDR STEP(1) "syarat: surat,,laporan\n",
     "x.sop:11: unknown syarat ''"},
    {"step number a word", HDR "langkah: satu\n", "x.sop:6: step number 'satu' is not a number"},
    {"step number with letters", HDR "langkah: 1a\n", "x.sop:6: step number '1a' is not a number"},
    {"empty step number", HDR "langkah:\n", "x.sop:6: 'langkah' must not be empty"},
    {"step gap", HDR STEP(1) STEP(2) STEP(4), "x.sop:16: expected step 3, found step 4"},
    {"duplicate step", HDR STEP(1) STEP(1), "x.sop:11: duplicate step 1"},
    {"step going back", HDR STEP(1) STEP(2) STEP(1), "x.sop:16: duplicate step 1"},
    {"steps start at 2", HDR STEP(2), "x.sop:6: steps must start at 1, found step 2"},
    {"steps start at 0", HDR STEP(0), "x.sop:6: steps must start at 1, found step 0"},
    {"duplicate header key", HDR "nomor: 2/2025\n" STEP(1),
     "x.sop:6: duplicate key 'nomor' (first on line 2)"},
    {"duplicate step key", HDR STEP(1) "waktu: 1 jam\n",
     "x.sop:11: duplicate key 'waktu' (first on line 10)"},
    {"duplicate empty date", HDR "tanggal-revisi:\ntanggal-revisi:\n" STEP(1),
     "x.sop:7: duplicate key 'tanggal-revisi' (first on line 6)"},
    {"no steps", HDR, "x.sop: no steps"},
    {"no steps, only comments", HDR "# langkah: 1\n", "x.sop: no steps"},
    {"empty file", "", "x.sop: missing required field 'kode'"},
    {"invalid UTF-8", HDR "disahkan-oleh: Kepala \xC3\x28\n" STEP(1), "x.sop:6: invalid UTF-8"},
    {"overlong UTF-8", HDR "disahkan-oleh: \xC0\xAF\n" STEP(1), "x.sop:6: invalid UTF-8"},
    {"UTF-8 surrogate", HDR "disahkan-oleh: \xED\xA0\x80\n" STEP(1), "x.sop:6: invalid UTF-8"},
    {"truncated UTF-8 at end", HDR STEP(1) "keterangan: \xE2\x82", "x.sop:11: invalid UTF-8"},
    {"control character", HDR "disahkan-oleh: A\x1b[2JB\n" STEP(1),
     "x.sop:6: control character 0x1B"},
    {"continuation at the start", "  lanjutan\n" HDR STEP(1), "x.sop:1: continuation line"},
    {"continuation after a blank line", HDR "\n  lanjutan\n" STEP(1),
     "x.sop:7: continuation line"},
    {"continuation after a comment", HDR "# catatan\n\tlanjutan\n" STEP(1),
     "x.sop:7: continuation line"},
    {"impossible date", HDR "tanggal-pembuatan: 2025-02-30\n" STEP(1),
     "x.sop:6: invalid date '2025-02-30'"},
    {"date day first", HDR "tanggal-efektif: 08-04-2025\n" STEP(1),
     "x.sop:6: invalid date '08-04-2025'"},
    {"date without zeros", HDR "tanggal-revisi: 2025-4-8\n" STEP(1),
     "x.sop:6: invalid date '2025-4-8'"},
    {"date in words", HDR "tanggal-pembuatan: 08 April 2025\n" STEP(1),
     "x.sop:6: invalid date '08 April 2025'"},
    /* An error in a continued value is named at its key's line. */
    {"continued bad time", HDR "langkah: 1\nkegiatan: K\npelaksana: staf\n"
                               "kelengkapan: S\nwaktu: 10\n  minit\n",
     "x.sop:10: invalid time '10 minit'"},
    /* The earlier error wins, even when the later line is read first. */
    {"errors in file order", HDR STEP(1) "syarat: x\n  y\nwarna: z\n",
     "x.sop:11: unknown syarat 'x y'"},
};

static void test_broken_files(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        char err[ERR_LEN] = "";
        sop_t *sop = sop_parse(broken[i].text, "x.sop", err, sizeof err);
        if (sop || !strstr(err, broken[i].error)) {
            sop_destroy(&sop);
            fail_msg("case '%s': expected error containing \"%s\", got \"%s\"",
                     broken[i].what, broken[i].error, err);
        }
    }
    print_message("%zu broken files refused\n", sizeof broken / sizeof broken[0]);
}

/* Generated: too large to write out in the table. */
static char *many_steps(int n)
{
    size_t cap = sizeof HDR + (size_t)n * 128;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t len = (size_t)snprintf(text, cap, "%s", HDR);
    for (int i = 1; i <= n; i++)
        len += (size_t)snprintf(text + len, cap - len,
                                "langkah: %d\nkegiatan: K\npelaksana: staf\n"
                                "kelengkapan: S\nwaktu: 1 jam\n", i);
    return text;
}

static void test_step_limit(void **state)
{
    (void)state;
    char err[ERR_LEN] = "";
    char *text = many_steps(SOP_MAX_STEPS);
    sop_t *sop = sop_parse(text, "x.sop", err, sizeof err);
    assert_non_null(sop);
    assert_int_equal(sop->n_steps, SOP_MAX_STEPS);
    sop_destroy(&sop);
    free(text);

    text = many_steps(SOP_MAX_STEPS + 1);
    sop = sop_parse(text, "x.sop", err, sizeof err);
    assert_null(sop);
    char want[64];
    snprintf(want, sizeof want, "x.sop:%d: too many steps (at most %d)",
             5 + SOP_MAX_STEPS * 5 + 1, SOP_MAX_STEPS);
    assert_non_null(strstr(err, want));
    free(text);
}

/* The SOP of test cases plus a remark line of exactly len bytes. */
static char *with_long_line(size_t len)
{
    const char *head = HDR STEP(1) "keterangan: ";
    size_t hlen = strlen(head), fill = len - strlen("keterangan: ");
    char *text = malloc(hlen + fill + 2);
    assert_non_null(text);
    memcpy(text, head, hlen);
    memset(text + hlen, 'a', fill);
    strcpy(text + hlen + fill, "\n");
    return text;
}

static void test_line_length(void **state)
{
    (void)state;
    char err[ERR_LEN] = "";
    char *text = with_long_line(4096);
    sop_t *sop = sop_parse(text, "x.sop", err, sizeof err);
    assert_non_null(sop);
    assert_int_equal(strlen(sop->steps[0].remark), 4096 - strlen("keterangan: "));
    sop_destroy(&sop);
    free(text);

    text = with_long_line(4097);
    sop = sop_parse(text, "x.sop", err, sizeof err);
    assert_null(sop);
    assert_non_null(strstr(err, "x.sop:11: line is longer than 4096 bytes"));
    free(text);
}

/* ---- what the format allows ----------------------------------------- */

static void test_format_details(void **state)
{
    (void)state;
    char err[ERR_LEN] = "";
    const char *text =
        "\xEF\xBB\xBF# BOM, CRLF, comments, continuation and empty optionals\r\n"
        "kode: uji-2\r\n"
        "nomor : 1/2025\r\n" /* a blank before the colon is tolerated */
        "nama: Uji\r\n"
        "  Coba   \r\n"
        "\t  Lagi\r\n"
        "instansi: Dinas\r\n"
        "unit: Bidang\r\n"
        "tanggal-revisi:\r\n"
        "keterkaitan:\r\n"
        "peringatan:\r\n"
        "  Apabila SOP tidak dijalankan: proses terhambat\r\n"
        "\r\n"
        "   # an indented comment\r\n"
        "langkah: 1\r\n"
        "kegiatan: K\tdengan\ttab\r\n"
        "pelaksana: kabid\r\n"
        "kualifikasi-pelaksana: verifikator\r\n"
        "kelengkapan:\r\n"
        "kelengkapan: Surat\r\n"
        "syarat: laporan ,surat\r\n"
        "waktu: 2  Jam\r\n"
        "output:\r\n"
        "keterangan: catatan: boleh titik dua\r\n"
        "langkah: 2\n"
        "kegiatan: K2\n"
        "pelaksana: kadis\n"
        "kelengkapan: S\n"
        "syarat:\n"
        "waktu: 3 hari";  /* no newline at the end */
    sop_t *sop = sop_parse(text, "ok.sop", err, sizeof err);
    if (!sop)
        fail_msg("%s", err);
    assert_string_equal(sop->code, "uji-2");
    assert_string_equal(sop->number, "1/2025");
    assert_string_equal(sop->name, "Uji Coba Lagi");
    assert_null(sop->revised_on);
    assert_null(sop->made_on);
    assert_null(sop->approved_by);
    assert_int_equal(sop->related.n, 0);
    assert_int_equal(sop->warnings.n, 1);
    assert_string_equal(sop->warnings.items[0], "Apabila SOP tidak dijalankan: proses terhambat");
    const sop_step_t *st = sop_step(sop, 1);
    assert_string_equal(st->activity, "K dengan tab");
    assert_int_equal(st->role, ROLE_KABID);
    assert_int_equal(st->quals, QUAL_VERIFIKATOR);
    assert_int_equal(st->inputs.n, 1);
    assert_int_equal(st->requires, REQ_LAPORAN | REQ_SURAT);
    assert_int_equal(st->std_amount, 2);
    assert_int_equal(st->std_unit, DUR_HOURS);
    assert_int_equal(st->outputs.n, 0);
    assert_string_equal(st->remark, "catatan: boleh titik dua");
    st = sop_step(sop, 2);
    assert_int_equal(st->requires, 0);
    assert_int_equal(st->std_amount, 3);
    assert_int_equal(st->std_unit, DUR_DAYS);
    sop_destroy(&sop);
    sop_destroy(&sop); /* harmless twice */
    sop_destroy(NULL);
}

/* Without i18n_init the English msgids come out, with their plurals. */
static void test_standard_text(void **state)
{
    (void)state;
    static const struct {
        int amount;
        dur_unit_t unit;
        const char *text;
    } cases[] = {
        {1, DUR_MINUTES, "1 minute"},   {10, DUR_MINUTES, "10 minutes"},
        {1, DUR_HOURS, "1 hour"},       {2, DUR_HOURS, "2 hours"},
        {1, DUR_DAYS, "1 working day"}, {5, DUR_DAYS, "5 working days"},
    };
    char buf[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sop_step_t st = {.std_amount = cases[i].amount, .std_unit = cases[i].unit};
        assert_string_equal(sop_step_standard_text(&st, buf, sizeof buf), cases[i].text);
    }
    sop_step_t st = {.std_amount = 10, .std_unit = DUR_MINUTES};
    assert_string_equal(sop_step_standard_text(&st, buf, 4), "10 ");
    assert_string_equal(sop_step_standard_text(NULL, buf, sizeof buf), "");
}

/* ---- sop_load ------------------------------------------------------- */

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void test_load_errors(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_sop.XXXXXX", path[64], err[ERR_LEN] = "";
    assert_non_null(mkdtemp(dir));

    snprintf(path, sizeof path, "%s/none.sop", dir);
    assert_null(sop_load(path, err, sizeof err));
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "cannot read the file"));

    assert_null(sop_load(dir, err, sizeof err)); /* a directory */
    assert_non_null(strstr(err, "cannot read the file"));

    static const char nul_text[] = HDR "nama\0: x\n" STEP(1);
    snprintf(path, sizeof path, "%s/nul.sop", dir);
    write_file(path, nul_text, sizeof nul_text - 1);
    assert_null(sop_load(path, err, sizeof err));
    char want[128];
    snprintf(want, sizeof want, "%s:6: NUL byte", path);
    assert_non_null(strstr(err, want));
    unlink(path);

    size_t big = 1024 * 1024 + 1;
    char *text = malloc(big);
    assert_non_null(text);
    memset(text, '#', big);
    snprintf(path, sizeof path, "%s/big.sop", dir);
    write_file(path, text, big);
    free(text);
    assert_null(sop_load(path, err, sizeof err));
    assert_non_null(strstr(err, "larger than 1024 KiB"));
    unlink(path);

    snprintf(path, sizeof path, "%s/bad.sop", dir);
    write_file(path, HDR STEP(1) STEP(3), strlen(HDR STEP(1) STEP(3)));
    assert_null(sop_load(path, err, sizeof err));
    snprintf(want, sizeof want, "%s:11: expected step 2, found step 3", path);
    assert_non_null(strstr(err, want));
    unlink(path);

    snprintf(path, sizeof path, "%s/ok.sop", dir);
    write_file(path, HDR STEP(1), strlen(HDR STEP(1)));
    sop_t *sop = sop_load(path, err, sizeof err);
    assert_non_null(sop);
    assert_int_equal(sop->n_steps, 1);
    sop_destroy(&sop);
    unlink(path);
    assert_int_equal(rmdir(dir), 0);
}

/* A short error buffer is cut, never overrun. */
static void test_short_error_buffer(void **state)
{
    (void)state;
    char err[8];
    memset(err, 'z', sizeof err);
    assert_null(sop_parse(HDR, "x.sop", err, sizeof err));
    assert_int_equal(strlen(err), sizeof err - 1);
    assert_null(sop_parse(HDR, "x.sop", NULL, 0));
    assert_null(sop_parse(NULL, "x.sop", NULL, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_header),
        cmocka_unit_test(test_shipped_steps),
        cmocka_unit_test(test_broken_files),
        cmocka_unit_test(test_step_limit),
        cmocka_unit_test(test_line_length),
        cmocka_unit_test(test_format_details),
        cmocka_unit_test(test_standard_text),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_short_error_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
