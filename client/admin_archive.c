/* sertel-admin archive export: the arsip of SOP step 7 on disk. Each case
 * archived in the period gets a folder with its attachments (the letter,
 * the report), its lembar disposisi and laporan as PDF, and its complete
 * record as JSON; SHA256SUMS covers every file in `sha256sum -c` form, and
 * the journal's chain head at export time is written beside it. */
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin.h"
#include "doc_json.h"
#include "doc_source.h"
#include "i18n.h"

#define PAGE 1000

static const admin_cmd_t cmd_export = {
    "sertel-admin archive export",
    N_("--from YYYY-MM-DD --to YYYY-MM-DD --out DIR"),
    N_("Writes every case archived (step 7 completed) in the period into DIR, a new\n"
       "directory: per case a folder CASE/ with its attachments (the letter, the\n"
       "report) under lampiran/, lembar-disposisi.pdf, laporan.pdf and perkara.json\n"
       "(the case and its whole history); then journal-head.txt (the journal's chain\n"
       "head at export time) and SHA256SUMS over every file, checked with\n"
       "`cd DIR && sha256sum -c SHA256SUMS`. The documents depend only on the\n"
       "journal, so an export of the same cases gives the same bytes.\n"),
    false, 0, 0,
};

/* The files written, for SHA256SUMS (paths relative to the export). */
typedef struct {
    char **path;
    char (*hash)[65];
    size_t n, cap;
    const char *root;
} manifest_t;

static bool sha256_file(const char *path, char out[65])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    unsigned char buf[65536], h[32];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        EVP_DigestUpdate(md, buf, n);
    unsigned len = 0;
    EVP_DigestFinal_ex(md, h, &len);
    EVP_MD_CTX_free(md);
    bool ok = !ferror(f);
    fclose(f);
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
    return ok;
}

/* Notes rel (under the root) in the manifest with its hash. */
static bool note_file(manifest_t *m, const char *rel)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        char **p = realloc(m->path, cap * sizeof *p);
        if (p)
            m->path = p;
        char(*h)[65] = p ? realloc(m->hash, cap * sizeof *h) : NULL;
        if (!p || !h)
            return false;
        m->hash = h;
        m->cap = cap;
    }
    char full[4096];
    snprintf(full, sizeof full, "%s/%s", m->root, rel);
    if (!(m->path[m->n] = strdup(rel)) || !sha256_file(full, m->hash[m->n])) {
        free(m->path[m->n]);
        cli_error(cmd_export.prog, "%s: %s", full, strerror(errno));
        return false;
    }
    m->n++;
    return true;
}

static void manifest_free(manifest_t *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->path[i]);
    free(m->path);
    free(m->hash);
}

static bool write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wbx");
    bool ok = f && fwrite(data, 1, len, f) == len;
    if (f && fclose(f) != 0)
        ok = false;
    if (!ok)
        cli_error(cmd_export.prog, "%s: %s", path, strerror(errno));
    return ok;
}

/* The attachment's own name without directories, never "." or "..". */
static const char *plain(const char *name)
{
    const char *s = strrchr(name, '/');
    const char *b = s ? s + 1 : name;
    return *b && strcmp(b, ".") && strcmp(b, "..") ? b : "lampiran";
}

static int save_attachments(cli_t *cli, manifest_t *m, const Sertel__Case *c)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s/lampiran", m->root, c->id);
    if (c->n_attachments && mkdir(dir, 0755) != 0) {
        cli_error(cmd_export.prog, "%s: %s", dir, strerror(errno));
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < c->n_attachments; i++) {
        Sertel__AttachmentQuery q = SERTEL__ATTACHMENT_QUERY__INIT;
        q.case_id = c->id;
        q.hash = c->attachments[i]->hash;
        Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply = NULL;
        req.body_case = SERTEL__ENVELOPE__BODY_ATTACHMENT_QUERY;
        req.attachment_query = &q;
        int rc = admin_call(cli, &req, SERTEL__ENVELOPE__BODY_ATTACHMENT, &reply);
        if (rc != EXIT_DONE)
            return rc;
        char rel[1024], path[4096];
        /* Numbered as `sertel show` lists them: two files may share a name. */
        snprintf(rel, sizeof rel, "%s/lampiran/%02zu-langkah%d-%s", c->id, i + 1,
                 c->attachments[i]->step, plain(c->attachments[i]->name));
        snprintf(path, sizeof path, "%s/%s", m->root, rel);
        bool ok = write_file(path, reply->attachment->content.data, reply->attachment->content.len) &&
                  note_file(m, rel);
        sertel__envelope__free_unpacked(reply, NULL);
        if (!ok)
            return EXIT_USAGE;
    }
    return EXIT_DONE;
}

static int save_json(manifest_t *m, const Sertel__CaseDetail *d)
{
    char rel[256], path[4096];
    snprintf(rel, sizeof rel, "%s/perkara.json", d->case_->id);
    snprintf(path, sizeof path, "%s/%s", m->root, rel);
    FILE *f = fopen(path, "wx");
    if (!f) {
        cli_error(cmd_export.prog, "%s: %s", path, strerror(errno));
        return EXIT_USAGE;
    }
    json_t j;
    json_init(&j, f);
    json_obj_begin(&j, NULL);
    doc_json_message(&j, "case", &d->case_->base);
    json_arr_begin(&j, "history");
    for (size_t i = 0; i < d->n_history; i++)
        doc_json_message(&j, NULL, &d->history[i]->base);
    json_arr_end(&j);
    json_obj_end(&j);
    json_finish(&j);
    bool ok = !ferror(f);
    ok = fclose(f) == 0 && ok;
    return ok && note_file(m, rel) ? EXIT_DONE : EXIT_USAGE;
}

/* One case's folder. */
static int export_case(cli_t *cli, doc_source_t *src, manifest_t *m, const char *id)
{
    Sertel__Envelope *reply = NULL;
    int rc = doc_fetch_case(cli, cmd_export.prog, id, &reply);
    if (rc != EXIT_DONE)
        return rc;
    const Sertel__CaseDetail *d = reply->case_detail;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", m->root, id);
    if (mkdir(dir, 0755) != 0) {
        cli_error(cmd_export.prog, "%s: %s", dir, strerror(errno));
        rc = EXIT_USAGE;
    }
    static const struct {
        const char *kind, *file;
    } docs[] = {{"lembar", "lembar-disposisi.pdf"}, {"laporan", "laporan.pdf"}};
    for (size_t i = 0; rc == EXIT_DONE && i < 2; i++) {
        char rel[256], path[4096];
        snprintf(rel, sizeof rel, "%s/%s", id, docs[i].file);
        snprintf(path, sizeof path, "%s/%s", m->root, rel);
        rc = doc_source_print(src, cmd_export.prog, d, docs[i].kind, path, NULL, 0);
        if (rc == EXIT_DONE && !note_file(m, rel))
            rc = EXIT_USAGE;
    }
    if (rc == EXIT_DONE)
        rc = save_attachments(cli, m, d->case_);
    if (rc == EXIT_DONE)
        rc = save_json(m, d);
    sertel__envelope__free_unpacked(reply, NULL);
    return rc;
}

/* The ids of the cases archived in [from, to), page by page. */
static int list_archived(cli_t *cli, int64_t from, int64_t to, char ***ids, size_t *n)
{
    char after[64] = "";
    size_t cap = 0;
    for (;;) {
        Sertel__SearchQuery q = SERTEL__SEARCH_QUERY__INIT;
        q.state = SERTEL__CASE_STATE__STATE_DONE;
        q.closed_from = from;
        q.closed_to = to;
        q.after = after;
        q.limit = PAGE;
        Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply = NULL;
        req.body_case = SERTEL__ENVELOPE__BODY_SEARCH;
        req.search = &q;
        int rc = admin_call(cli, &req, SERTEL__ENVELOPE__BODY_CASE_LIST, &reply);
        if (rc != EXIT_DONE)
            return rc;
        const Sertel__CaseList *l = reply->case_list;
        for (size_t i = 0; i < l->n_cases; i++) {
            char **grown = *n < cap ? *ids : realloc(*ids, (cap = cap ? cap * 2 : 64) * sizeof **ids);
            char *id = grown ? strdup(l->cases[i]->id) : NULL;
            if (grown)
                *ids = grown;
            if (!id) {
                sertel__envelope__free_unpacked(reply, NULL);
                cli_error(cmd_export.prog, "%s", sertel_strerror(SERTEL_E_NOMEM));
                return EXIT_USAGE;
            }
            (*ids)[(*n)++] = id;
        }
        /* A page ends full, or where the broker's search bound stopped it
         * (then the next page starts after its last case). */
        bool more = l->n_cases == PAGE || (l->truncated && l->n_cases);
        if (l->truncated && !l->n_cases) {
            cli_error(cmd_export.prog, _("the broker stopped the listing at its search limit "
                                         "after %zu cases; start it with a higher "
                                         "--max-search-scan to export this period"), *n);
            sertel__envelope__free_unpacked(reply, NULL);
            return EXIT_REFUSED;
        }
        if (more)
            snprintf(after, sizeof after, "%s", l->cases[l->n_cases - 1]->id);
        sertel__envelope__free_unpacked(reply, NULL);
        if (!more)
            return EXIT_DONE;
    }
}

static int by_path(const void *a, const void *b)
{
    return strcmp(**(char *const *const *)a, **(char *const *const *)b);
}

/* journal-head.txt, then SHA256SUMS sorted by path. */
static int finish(cli_t *cli, manifest_t *m, size_t n_cases, const char *from, const char *to)
{
    uint64_t seq = 0;
    char head[65] = "";
    int rc = doc_fetch_chain(cli, cmd_export.prog, 0, NULL, &seq, head);
    if (rc != EXIT_DONE)
        return rc;
    char text[512], path[4096];
    snprintf(text, sizeof text,
             "# Sertel archive export %s .. %s: %zu case(s)\n"
             "# The broker's journal chain head when the export was made:\n"
             "seq %llu\nsha256 %s\n",
             from, to, n_cases, (unsigned long long)seq, head);
    snprintf(path, sizeof path, "%s/journal-head.txt", m->root);
    if (!write_file(path, text, strlen(text)) || !note_file(m, "journal-head.txt"))
        return EXIT_USAGE;
    size_t n = m->n;
    char ***order = malloc((n ? n : 1) * sizeof *order);
    if (!order)
        return EXIT_USAGE;
    for (size_t i = 0; i < n; i++)
        order[i] = &m->path[i];
    qsort(order, n, sizeof *order, by_path);
    snprintf(path, sizeof path, "%s/SHA256SUMS", m->root);
    FILE *f = fopen(path, "wx");
    for (size_t i = 0; f && i < n; i++)
        fprintf(f, "%s  %s\n", m->hash[order[i] - m->path], *order[i]);
    free(order);
    if (!f || fclose(f) != 0) {
        cli_error(cmd_export.prog, "%s: %s", path, strerror(errno));
        return EXIT_USAGE;
    }
    return EXIT_DONE;
}

static int export_all(cli_t *cli, const char *out, int64_t from, int64_t to, const char *from_s,
                      const char *to_s)
{
    int rc;
    doc_source_t *src = doc_source_new(cli, cmd_export.prog, &rc);
    char **ids = NULL;
    size_t n = 0;
    if (src)
        rc = list_archived(cli, from, to, &ids, &n);
    manifest_t m = {.root = out};
    if (src && rc == EXIT_DONE && mkdir(out, 0755) != 0) {
        cli_error(cmd_export.prog, "%s: %s", out, strerror(errno));
        rc = EXIT_USAGE;
    }
    for (size_t i = 0; src && rc == EXIT_DONE && i < n; i++)
        rc = export_case(cli, src, &m, ids[i]);
    if (src && rc == EXIT_DONE)
        rc = finish(cli, &m, n, from_s, to_s);
    if (rc == EXIT_DONE)
        printf(ngettext("%zu archived case written to %s\n", "%zu archived cases written to %s\n",
                        n),
               n, out);
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
    manifest_free(&m);
    doc_source_destroy(&src);
    return rc;
}

static int archive_export(int argc, char **argv)
{
    const char *from_s = NULL, *to_s = NULL, *out = NULL;
    const cli_opt_t opts[] = {
        {"--from", "YYYY-MM-DD", &from_s, NULL, NULL, N_("archived on or after this day")},
        {"--to", "YYYY-MM-DD", &to_s, NULL, NULL, N_("archived on or before this day")},
        {"--out", "DIR", &out, NULL, NULL, N_("a new directory to write the archive into")},
    };
    cli_common_t common = {0};
    int n_pos, rc = admin_parse(&cmd_export, argc, argv, opts, sizeof opts / sizeof opts[0],
                                &common, NULL, &n_pos);
    if (rc != ADMIN_RUN)
        return rc;
    int64_t from, to;
    if (!from_s || !to_s || !out)
        return admin_usage_error(&cmd_export, _("--from, --to and --out are required"));
    if (!admin_parse_when(from_s, false, &from) || !admin_parse_when(to_s, true, &to))
        return admin_usage_error(&cmd_export, _("dates are written YYYY-MM-DD"));
    if (from >= to)
        return admin_usage_error(&cmd_export, _("--from must not be later than --to"));
    if (access(out, F_OK) == 0) {
        cli_error(cmd_export.prog, _("%s already exists; name a new directory"), out);
        return EXIT_USAGE;
    }
    cli_t cli;
    if ((rc = cli_open(&cli, cmd_export.prog, &common)) != EXIT_DONE)
        return rc;
    rc = export_all(&cli, out, from, to, from_s, to_s);
    cli_close(&cli);
    doc_release();
    return rc;
}

static const admin_sub_t subs[] = {
    {"export", archive_export, N_("write the cases archived in a period, with checksums")},
};

int admin_archive_main(int argc, char **argv)
{
    return admin_group("archive", subs, sizeof subs / sizeof subs[0], argc, argv);
}
