/* See doc_source.h. */
#include <stdlib.h>
#include <string.h>

#include "doc_source.h"
#include "i18n.h"

typedef struct {
    char nip[24];
    char name[160];
    int role;
    bool active;
} person_t;

struct doc_source {
    cli_t *cli;
    office_t office;
    uint8_t *logo;
    size_t logo_len;
    const calendar_t *cal; /* cli_calendar(): the office's, as the broker runs it */
    person_t *people;
    size_t n_people;
};

/* One request whose reply must be of body want. */
static int ask(cli_t *cli, const char *prog, Sertel__Envelope *req,
               Sertel__Envelope__BodyCase want, Sertel__Envelope **reply)
{
    int rc = cli_call(cli, req, reply);
    if (rc == EXIT_DONE && (*reply)->body_case != want) {
        cli_error(prog, _("%s: the broker's answer was not understood"), conn_endpoint(cli->conn));
        sertel__envelope__free_unpacked(*reply, NULL);
        *reply = NULL;
        rc = EXIT_UNREACHABLE;
    }
    return rc;
}

static int load_office(doc_source_t *s, cli_t *cli, const char *prog)
{
    Sertel__OfficeQuery q = SERTEL__OFFICE_QUERY__INIT;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply = NULL;
    req.body_case = SERTEL__ENVELOPE__BODY_OFFICE_QUERY;
    req.office_query = &q;
    int rc = ask(cli, prog, &req, SERTEL__ENVELOPE__BODY_OFFICE_PROFILE, &reply);
    if (rc != EXIT_DONE)
        return rc;
    char err[512];
    const Sertel__OfficeProfile *p = reply->office_profile;
    if (office_parse(p->text, OFFICE_FILE, &s->office, err, sizeof err) != SERTEL_OK) {
        cli_error(prog, _("the broker's office profile: %s"), err);
        rc = EXIT_REFUSED;
    } else if (p->logo.len && (s->logo = malloc(p->logo.len))) {
        memcpy(s->logo, p->logo.data, p->logo.len);
        s->logo_len = p->logo.len;
    }
    sertel__envelope__free_unpacked(reply, NULL);
    return rc;
}

/* Names only make the documents readable: without them NIPs are shown. */
static void load_people(doc_source_t *s, cli_t *cli, const char *prog)
{
    Sertel__OfficerList q = SERTEL__OFFICER_LIST__INIT;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply = NULL;
    req.body_case = SERTEL__ENVELOPE__BODY_OFFICER_LIST;
    req.officer_list = &q;
    if (ask(cli, prog, &req, SERTEL__ENVELOPE__BODY_OFFICERS, &reply) != EXIT_DONE)
        return;
    const Sertel__OfficerListReply *l = reply->officers;
    s->people = calloc(l->n_officers ? l->n_officers : 1, sizeof *s->people);
    for (size_t i = 0; s->people && i < l->n_officers; i++) {
        snprintf(s->people[i].nip, sizeof s->people[i].nip, "%s", l->officers[i]->nip);
        snprintf(s->people[i].name, sizeof s->people[i].name, "%s", l->officers[i]->name);
        s->people[i].role = l->officers[i]->role;
        s->people[i].active = l->officers[i]->active;
        s->n_people++;
    }
    sertel__envelope__free_unpacked(reply, NULL);
}

doc_source_t *doc_source_new(cli_t *cli, const char *prog, int *rc)
{
    doc_source_t *s = calloc(1, sizeof *s);
    if (!s) {
        cli_error(prog, "%s", sertel_strerror(SERTEL_E_NOMEM));
        *rc = EXIT_USAGE;
        return NULL;
    }
    s->cli = cli;
    /* Dates and times in the office's zone (WIB, WITA or WIT). */
    *rc = cli_fetch_calendar(cli);
    s->cal = cli_calendar();
    if (*rc == EXIT_DONE)
        *rc = load_office(s, cli, prog);
    if (*rc != EXIT_DONE) {
        doc_source_destroy(&s);
        return NULL;
    }
    load_people(s, cli, prog);
    return s;
}

void doc_source_destroy(doc_source_t **sp)
{
    doc_source_t *s = *sp;
    if (!s)
        return;
    free(s->logo);
    free(s->people);
    free(s);
    *sp = NULL;
}

const office_t *doc_source_office(const doc_source_t *s)
{
    return &s->office;
}

const calendar_t *doc_source_calendar(const doc_source_t *s)
{
    return s->cal;
}

const char *doc_source_name(void *arg, const char *nip)
{
    const doc_source_t *s = arg;
    for (size_t i = 0; nip && i < s->n_people; i++)
        if (strcmp(s->people[i].nip, nip) == 0)
            return s->people[i].name;
    return nip ? nip : "";
}

bool doc_source_head(const doc_source_t *s, const char **name, const char **nip)
{
    for (size_t i = 0; i < s->n_people; i++)
        if (s->people[i].active && s->people[i].role == SERTEL__ROLE__ROLE_KADIS) {
            *name = s->people[i].name;
            *nip = s->people[i].nip;
            return true;
        }
    *name = *nip = "";
    return false;
}

void doc_source_logo(const doc_source_t *s, const uint8_t **logo, size_t *len)
{
    *logo = s->logo;
    *len = s->logo_len;
}

int doc_fetch_case(cli_t *cli, const char *prog, const char *case_id, Sertel__Envelope **reply)
{
    Sertel__CaseQuery q = SERTEL__CASE_QUERY__INIT;
    q.case_id = (char *)case_id;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_CASE_QUERY;
    req.case_query = &q;
    /* Whoever shows the case shows its times in the office's zone. */
    int rc = cli_fetch_calendar(cli);
    if (rc == EXIT_DONE)
        rc = ask(cli, prog, &req, SERTEL__ENVELOPE__BODY_CASE_DETAIL, reply);
    else
        *reply = NULL;
    if (rc == EXIT_DONE && !(*reply)->case_detail->case_) {
        cli_error(prog, _("%s: the broker's answer was not understood"), conn_endpoint(cli->conn));
        sertel__envelope__free_unpacked(*reply, NULL);
        *reply = NULL;
        rc = EXIT_UNREACHABLE;
    }
    return rc;
}

int doc_fetch_chain(cli_t *cli, const char *prog, uint64_t seq, char hash[DOC_DIGEST_HEX + 1],
                    uint64_t *head_seq, char head[DOC_DIGEST_HEX + 1])
{
    Sertel__ChainQuery q = SERTEL__CHAIN_QUERY__INIT;
    q.seq = seq;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply = NULL;
    req.body_case = SERTEL__ENVELOPE__BODY_CHAIN_QUERY;
    req.chain_query = &q;
    int rc = ask(cli, prog, &req, SERTEL__ENVELOPE__BODY_CHAIN_HASH, &reply);
    if (rc != EXIT_DONE)
        return rc;
    const Sertel__ChainHash *h = reply->chain_hash;
    if (hash)
        snprintf(hash, DOC_DIGEST_HEX + 1, "%s", h->hash);
    if (head_seq)
        *head_seq = h->head_seq;
    if (head)
        snprintf(head, DOC_DIGEST_HEX + 1, "%s", h->head_hash);
    sertel__envelope__free_unpacked(reply, NULL);
    return EXIT_DONE;
}

static const struct {
    const char *kind;
    sertel_err_t (*make)(const char *path, const doc_case_t *c, char *err, size_t errlen);
} makers[] = {
    {"lembar", doc_lembar},
    {"laporan", doc_laporan},
};

int doc_source_print(doc_source_t *s, const char *prog, const Sertel__CaseDetail *d,
                     const char *kind, const char *path, char *seal_out, size_t seal_len)
{
    size_t m = 0;
    while (m < sizeof makers / sizeof makers[0] && strcmp(makers[m].kind, kind) != 0)
        m++;
    if (m == sizeof makers / sizeof makers[0])
        return EXIT_USAGE;
    doc_seal_t seal = {0};
    int64_t at;
    snprintf(seal.kind, sizeof seal.kind, "%s", kind);
    snprintf(seal.case_id, sizeof seal.case_id, "%s", d->case_->id);
    seal.seq = doc_case_seq(d, &at);
    doc_case_digest(d, seal.seq, seal.digest);
    int rc = seal.seq ? doc_fetch_chain(s->cli, prog, seal.seq, seal.chain, NULL, NULL) : EXIT_DONE;
    if (rc != EXIT_DONE)
        return rc;
    char text[DOC_SEAL_MAX], err[512];
    doc_seal_format(&seal, text, sizeof text);
    doc_case_t c = {&s->office, s->logo, s->logo_len, s->cal, d, doc_source_name, s,
                    text, seal.seq, at};
    if (makers[m].make(path, &c, err, sizeof err) != SERTEL_OK) {
        cli_error(prog, "%s: %s", path, err);
        return EXIT_USAGE;
    }
    if (seal_out)
        snprintf(seal_out, seal_len, "%s", text);
    return EXIT_DONE;
}
