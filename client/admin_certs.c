/* sertel-admin certs: the certificate register. import loads the holders
 * the office already has from a CSV file (all rows or none); list and due
 * print the register, or what expires within some days, as a table, JSON
 * or CSV. The columns are documented in docs/cli-admin.md. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "clockfile.h"
#include "csv.h"
#include "i18n.h"
#include "json.h"
#include "text.h"

#define IMPORT_FILE_MAX (16u << 20)
#define DAY_S 86400

/* The import's columns, by header name (any order; all required). */
enum { COL_NIP, COL_NIK, COL_NAME, COL_UNIT, COL_EMAIL, COL_PHONE, COL_SERIAL, COL_UNTIL,
       COL_POSITION, COL__COUNT };
static const char *const columns[COL__COUNT] = {
    "nip", "nik", "nama", "unit", "email", "telepon", "serial", "berlaku_sampai", "jabatan",
};
#define COL_REQUIRED COL_POSITION /* the columns before it must be there */

/* ---- import ----------------------------------------------------------- */

static const admin_cmd_t cmd_import = {
    "sertel-admin certs import",
    N_("FILE.csv"),
    N_("Loads certificate holders into the register from a CSV file whose first line\n"
       "names the columns: nip, nik, nama, unit, email, telepon, serial,\n"
       "berlaku_sampai (YYYY-MM-DD), and optionally jabatan. Every row is checked first; a bad row is\n"
       "named by its line and nothing is loaded. A serial already in the register\n"
       "is replaced.\n"),
    false, 1, 1,
};

/* Which field holds each column, from the header; false names the gap. */
static bool map_header(const csv_record_t *h, int map[COL__COUNT], const char *file)
{
    for (int c = 0; c < COL__COUNT; c++) {
        map[c] = -1;
        for (int i = 0; i < h->n; i++)
            if (strcmp(text_trim((char *)h->f[i]), columns[c]) == 0)
                map[c] = i;
        if (map[c] < 0 && c < COL_REQUIRED) {
            cli_error(cmd_import.prog, _("%s:%d: the header has no column '%s'"), file, h->line,
                      columns[c]);
            return false;
        }
    }
    return true;
}

typedef struct {
    Sertel__CertRecord *rows;
    Sertel__CertRecord **ptrs;
    char (*cells)[COL__COUNT][CSV_FIELD_MAX + 1];
    size_t n, cap;
} rows_t;

static bool add_row(rows_t *r, const csv_record_t *rec, const int map[COL__COUNT], const char *file)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 256;
        r->rows = realloc(r->rows, r->cap * sizeof *r->rows);
        r->cells = realloc(r->cells, r->cap * sizeof *r->cells);
        if (!r->rows || !r->cells)
            admin_xmalloc((size_t)-1);
    }
    char (*cell)[CSV_FIELD_MAX + 1] = r->cells[r->n];
    for (int c = 0; c < COL__COUNT; c++)
        snprintf(cell[c], CSV_FIELD_MAX + 1, "%s",
                 map[c] >= 0 && map[c] < rec->n ? text_trim((char *)rec->f[map[c]]) : "");
    int64_t until;
    if (!cli_parse_date(cell[COL_UNTIL], &until)) {
        cli_error(cmd_import.prog, _("%s:%d: berlaku_sampai '%s' is not a date YYYY-MM-DD; nothing loaded"),
                  file, rec->line, cell[COL_UNTIL]);
        return false;
    }
    Sertel__CertRecord *x = &r->rows[r->n++];
    sertel__cert_record__init(x);
    x->nip = cell[COL_NIP];
    x->nik = cell[COL_NIK];
    x->name = cell[COL_NAME];
    x->unit = cell[COL_UNIT];
    x->email = cell[COL_EMAIL];
    x->phone = cell[COL_PHONE];
    x->serial = cell[COL_SERIAL];
    x->position = cell[COL_POSITION];
    /* Valid through the whole day written. */
    x->not_after = until + DAY_S - 1;
    x->line = (uint32_t)rec->line;
    return true;
}

static bool read_rows(const char *file, const char *text, rows_t *rows)
{
    csv_reader_t rd;
    csv_record_t *rec = admin_xmalloc(sizeof *rec);
    int map[COL__COUNT], rc;
    csv_reader_init(&rd, text);
    bool ok = (rc = csv_next(&rd, rec)) == 1 && map_header(rec, map, file);
    if (rc == 0)
        cli_error(cmd_import.prog, _("%s: the file is empty"), file);
    while (ok && (rc = csv_next(&rd, rec)) == 1)
        ok = add_row(rows, rec, map, file);
    if (rc < 0)
        cli_error(cmd_import.prog, _("%s:%d: not a CSV record (a quote left open, or too many or too long fields); nothing loaded"),
                  file, rec->line);
    free(rec);
    return ok && rc == 0 && rows->n > 0;
}

static void rows_free(rows_t *r)
{
    free(r->rows);
    free(r->ptrs);
    free(r->cells);
}

static int certs_import(int argc, char **argv)
{
    cli_common_t common = {0};
    const char *pos[1];
    int n_pos, rc = admin_parse(&cmd_import, argc, argv, NULL, 0, &common, pos, &n_pos);
    if (rc != ADMIN_RUN)
        return rc;
    char err[1024];
    char *text = text_read_file(pos[0], IMPORT_FILE_MAX, NULL, err, sizeof err);
    if (!text) {
        cli_error(cmd_import.prog, "%s", err);
        return EXIT_USAGE;
    }
    rows_t rows = {0};
    if (!read_rows(pos[0], text, &rows)) {
        free(text);
        rows_free(&rows);
        return EXIT_USAGE;
    }
    rows.ptrs = admin_xmalloc(rows.n * sizeof *rows.ptrs);
    for (size_t i = 0; i < rows.n; i++)
        rows.ptrs[i] = &rows.rows[i];
    Sertel__CertImport imp = SERTEL__CERT_IMPORT__INIT;
    imp.certs = rows.ptrs;
    imp.n_certs = rows.n;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_CERT_IMPORT;
    req.cert_import = &imp;
    rc = admin_command(cmd_import.prog, &common, &req);
    if (rc == EXIT_DONE)
        printf(_("%zu certificates loaded into the register.\n"), rows.n);
    free(text);
    rows_free(&rows);
    return rc;
}

/* ---- list and due ------------------------------------------------------ */

static const admin_cmd_t cmd_list = {
    "sertel-admin certs list",
    N_("[--json|--csv]"),
    N_("Prints the certificate register: holder, serial, valid until, the case that\n"
       "recorded it, the renewal opened for it, and the reminders sent.\n"),
    true, 0, 0,
};

static const admin_cmd_t cmd_due = {
    "sertel-admin certs due",
    N_("--within DAYS [--json|--csv]"),
    N_("Prints the certificates that expire within DAYS days (or have expired) and\n"
       "have no renewal yet: the holders to remind or renew.\n"),
    true, 0, 0,
};

static void date_of(int64_t t, char *buf, size_t len)
{
    /* The day in the office's zone (the broker's calendar), as dates are written. */
    time_t local = (time_t)(t + calendar_utc_offset(cli_calendar()));
    struct tm tm;
    gmtime_r(&local, &tm);
    strftime(buf, len, "%Y-%m-%d", &tm);
}

static void print_json(const Sertel__CertList *l, int64_t now)
{
    json_t j;
    json_init(&j, stdout);
    json_obj_begin(&j, NULL);
    json_arr_begin(&j, "certificates");
    for (size_t i = 0; i < l->n_certs; i++) {
        const Sertel__CertRecord *r = l->certs[i];
        char until[16];
        date_of(r->not_after, until, sizeof until);
        json_obj_begin(&j, NULL);
        json_str(&j, "serial", r->serial);
        json_str(&j, "nip", r->nip);
        json_str(&j, "nik", r->nik);
        json_str(&j, "name", r->name);
        json_str(&j, "unit", r->unit);
        json_str(&j, "email", r->email);
        json_str(&j, "phone", r->phone);
        json_int(&j, "not_after", r->not_after);
        json_str(&j, "valid_until", until);
        json_int(&j, "days_left", (r->not_after - now) / DAY_S);
        json_str(&j, "case", r->case_id);
        json_str(&j, "renewal_case", r->renewal_case);
        json_uint(&j, "reminded", r->reminded);
        json_obj_end(&j);
    }
    json_arr_end(&j);
    json_obj_end(&j);
    json_finish(&j);
}

static void print_csv(const Sertel__CertList *l)
{
    fputs("nip,nik,nama,unit,email,telepon,serial,berlaku_sampai,perkara,perkara_pembaruan\r\n", stdout);
    for (size_t i = 0; i < l->n_certs; i++) {
        const Sertel__CertRecord *r = l->certs[i];
        char until[16];
        date_of(r->not_after, until, sizeof until);
        const char *f[] = {r->nip, r->nik, r->name, r->unit, r->email, r->phone,
                           r->serial, until, r->case_id, r->renewal_case};
        for (size_t c = 0; c < 10; c++)
            csv_write_field(stdout, f[c], c == 9);
    }
}

static void print_table(const Sertel__CertList *l, int64_t now)
{
    const char *const titles[] = {_("SERIAL"), _("NIP"), _("NAME"), _("UNIT"), _("VALID UNTIL"),
                                  _("DAYS"), _("RENEWAL")};
    admin_table_t t;
    admin_table_init(&t, titles, 7, 1u << 5);
    for (size_t i = 0; i < l->n_certs; i++) {
        const Sertel__CertRecord *r = l->certs[i];
        char until[16], days[24];
        date_of(r->not_after, until, sizeof until);
        snprintf(days, sizeof days, "%lld", (long long)((r->not_after - now) / DAY_S));
        const char *cells[] = {r->serial, r->nip, r->name, r->unit, until, days,
                               r->renewal_case[0] ? r->renewal_case : "-"};
        admin_table_add(&t, cells);
    }
    if (admin_table_rows(&t))
        admin_table_print(&t, stdout);
    else
        printf("%s\n", _("No certificates."));
    admin_table_free(&t);
}

static int certs_query(const admin_cmd_t *cmd, int argc, char **argv, bool due)
{
    const char *within = NULL;
    bool csv = false;
    const cli_opt_t opts[] = {
        {"--within", "DAYS", &within, NULL, NULL, N_("days before expiry")},
        {"--csv", NULL, NULL, &csv, NULL, N_("CSV instead of text")},
    };
    cli_common_t common = {0};
    int n_pos, rc = admin_parse(cmd, argc, argv, due ? opts : opts + 1, due ? 2 : 1, &common, NULL, &n_pos);
    if (rc != ADMIN_RUN)
        return rc;
    char *end = NULL;
    long days = within ? strtol(within, &end, 10) : 0;
    if (due && (!within || *end || days < 1 || days > 3650))
        return admin_usage_error(cmd, _("--within: give a number of days from 1 to 3650"));
    if (csv && common.json)
        return admin_usage_error(cmd, _("give --json or --csv, not both"));
    Sertel__CertQuery q = SERTEL__CERT_QUERY__INIT;
    q.within_days = (int32_t)days;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply = NULL;
    req.body_case = SERTEL__ENVELOPE__BODY_CERT_QUERY;
    req.cert_query = &q;
    rc = admin_request(cmd->prog, &common, &req, SERTEL__ENVELOPE__BODY_CERT_LIST, &reply);
    if (rc != EXIT_DONE)
        return rc;
    int64_t now = clock_now();
    if (common.json)
        print_json(reply->cert_list, now);
    else if (csv)
        print_csv(reply->cert_list);
    else
        print_table(reply->cert_list, now);
    sertel__envelope__free_unpacked(reply, NULL);
    return EXIT_DONE;
}

static int certs_list(int argc, char **argv)
{
    return certs_query(&cmd_list, argc, argv, false);
}

static int certs_due(int argc, char **argv)
{
    return certs_query(&cmd_due, argc, argv, true);
}

static const admin_sub_t subs[] = {
    {"import", certs_import, N_("load certificate holders from a CSV file (all or none)")},
    {"list", certs_list, N_("the certificate register")},
    {"due", certs_due, N_("certificates expiring within some days, not yet renewed")},
};

int admin_certs_main(int argc, char **argv)
{
    return admin_group("certs", subs, sizeof subs / sizeof subs[0], argc, argv);
}
