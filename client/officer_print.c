/* sertel print and sertel verify: a case's lembar disposisi or laporan
 * as PDF, sealed with a QR code; and checking a printed document (its QR
 * text, or the PDF itself) against the journal. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "case.h"
#include "doc_source.h"
#include "i18n.h"
#include "officer.h"

#define EXIT_MISMATCH 4 /* verify: the document does not match the journal */
#define PDF_MAX (64u << 20)

int officer_print(int argc, char **argv)
{
    static const char *out;
    static bool laporan;
    static const cli_opt_t opts[] = {
        {"--out", "FILE.pdf", &out, NULL, NULL, N_("where to write it (default: CASE-disposisi.pdf)")},
        {"--laporan", NULL, NULL, &laporan, NULL,
         N_("the laporan hasil pembaharuan (step 6) instead of the lembar disposisi")},
    };
    static const officer_spec_t spec = {
        "sertel print", "CASE [--laporan] [--out FILE.pdf]",
        N_("Prints a case's lembar disposisi (the letter's particulars and the whole chain of "
           "dispositions) or, with --laporan, its laporan hasil pembaharuan, as an A4 PDF with "
           "the office's letterhead. A QR code ties the document to the journal: `sertel "
           "verify` checks it later. Prints the file's name."),
        1, 1};
    const char *pos[1];
    cli_common_t common;
    int rc = officer_parse_case(&spec, argc, argv, opts, sizeof opts / sizeof opts[0], &common, pos);
    if (rc != OFFICER_GO)
        return rc;
    char path[4096];
    snprintf(path, sizeof path, "%s", out ? out : "");
    if (!out)
        snprintf(path, sizeof path, "%s-%s.pdf", pos[0], laporan ? "laporan" : "disposisi");
    cli_t cli;
    if ((rc = cli_open(&cli, spec.prog, &common)) != EXIT_DONE)
        return rc;
    Sertel__Envelope *reply = NULL;
    doc_source_t *src = doc_source_new(&cli, spec.prog, &rc);
    if (src)
        rc = doc_fetch_case(&cli, spec.prog, pos[0], &reply);
    if (src && rc == EXIT_DONE)
        rc = doc_source_print(src, spec.prog, reply->case_detail, laporan ? "laporan" : "lembar",
                              path, NULL, 0);
    if (rc == EXIT_DONE)
        printf("%s\n", path);
    if (reply)
        sertel__envelope__free_unpacked(reply, NULL);
    doc_source_destroy(&src);
    cli_close(&cli);
    doc_release();
    return rc;
}

/* ---- verify */

/* The seal from a PDF file, or the text itself. */
static bool read_seal(const char *prog, const char *arg, doc_seal_t *seal)
{
    struct stat st;
    if (stat(arg, &st) == 0 && S_ISREG(st.st_mode)) {
        size_t len;
        uint8_t *pdf = cli_read_file(prog, arg, PDF_MAX, &len);
        bool ok = pdf && doc_seal_from_pdf(pdf, len, seal);
        free(pdf);
        if (pdf && !ok)
            cli_error(prog, _("%s: no Sertel seal found in this file"), arg);
        return ok;
    }
    if (!doc_seal_parse(arg, seal)) {
        cli_error(prog, _("'%s' is neither a file nor the text of a Sertel QR code "
                          "(SERTEL1;KIND;CASE;SEQ;HASH)"), arg);
        return false;
    }
    return true;
}

/* Compares the seal with the journal; prints the verdict and what
 * happened to the case after the document was made. */
static int judge(const doc_seal_t *seal, const Sertel__CaseDetail *d, cli_t *cli)
{
    char digest[DOC_DIGEST_HEX + 1];
    doc_case_digest(d, seal->seq, digest);
    bool known = false;
    for (size_t i = 0; i < d->n_history; i++)
        known |= d->history[i]->seq == seal->seq;
    char chain[DOC_DIGEST_HEX + 1] = "";
    if (known && seal->chain[0] &&
        doc_fetch_chain(cli, "sertel verify", seal->seq, chain, NULL, NULL) != EXIT_DONE)
        return EXIT_UNREACHABLE;
    if (known && seal->chain[0] && strcmp(chain, seal->chain) != 0) {
        printf(_("DOES NOT MATCH: the journal's hash chain at sequence %llu is not the one this "
                 "document was sealed with: the journal was rewritten since, or the document is "
                 "not from this office.\n"),
               (unsigned long long)seal->seq);
        return EXIT_MISMATCH;
    }
    if (!known || strcmp(digest, seal->digest) != 0) {
        printf(_("DOES NOT MATCH: the journal of case %s does not read as this document says at "
                 "sequence %llu. The document was altered, or is not from this office.\n"),
               seal->case_id, (unsigned long long)seal->seq);
        return EXIT_MISMATCH;
    }
    printf(_("MATCHES: this document of case %s agrees with the journal at sequence %llu.\n"),
           seal->case_id, (unsigned long long)seal->seq);
    officer_names_t names;
    officer_names_load(cli, &names);
    size_t later = 0;
    for (size_t i = 0; i < d->n_history; i++)
        later += d->history[i]->seq > seal->seq;
    if (!later)
        printf(_("Nothing has happened to the case since.\n"));
    else
        printf(ngettext("Since then, %zu event:\n", "Since then, %zu events:\n", later), later);
    for (size_t i = 0; i < d->n_history; i++)
        if (d->history[i]->seq > seal->seq) {
            fputs("  ", stdout);
            officer_print_event(stdout, d->history[i], &names, false);
        }
    officer_names_free(&names);
    return EXIT_DONE;
}

int officer_verify(int argc, char **argv)
{
    static const officer_spec_t spec = {
        "sertel verify", "QR-TEXT|FILE.pdf",
        N_("Checks a document printed by Sertel against the broker's journal: give the text of "
           "its QR code (or the line printed beside it) or the PDF file. Says whether the "
           "document matches the journal at the sequence it was made, and lists what happened "
           "to the case since. Exit code 4: it does not match."),
        1, 1};
    const char *pos[1];
    cli_common_t common;
    int n_pos, rc = officer_parse(&spec, argc, argv, NULL, 0, &common, pos, &n_pos);
    if (rc != OFFICER_GO)
        return rc;
    doc_seal_t seal;
    if (!read_seal(spec.prog, pos[0], &seal))
        return EXIT_USAGE;
    cli_t cli;
    if ((rc = cli_open(&cli, spec.prog, &common)) != EXIT_DONE)
        return rc;
    Sertel__Envelope *reply = NULL;
    rc = doc_fetch_case(&cli, spec.prog, seal.case_id, &reply);
    if (rc == EXIT_DONE)
        rc = judge(&seal, reply->case_detail, &cli);
    if (reply)
        sertel__envelope__free_unpacked(reply, NULL);
    cli_close(&cli);
    return rc;
}
