/* The officer's read commands: inbox, show, find. Each asks one question,
 * then prints either a table for people or the JSON document of
 * docs/cli.md for scripts. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "case.h"
#include "case_order.h"
#include "engine.h"
#include "event_names.h"
#include "i18n.h"
#include "officer.h"
#include "validate.h"

#define SEARCH_LIMIT 1000 /* the broker's ceiling */
#define LABEL_COLUMNS 18

/* ---- case lists */

static void json_cases(const Sertel__CaseList *l, int64_t now)
{
    json_t j;
    json_init(&j, stdout);
    json_obj_begin(&j, NULL);
    json_arr_begin(&j, "cases");
    for (size_t i = 0; i < l->n_cases; i++)
        officer_json_case(&j, NULL, l->cases[i], now);
    json_arr_end(&j);
    json_obj_end(&j);
    json_finish(&j);
}

static const char *applicant_name(const Sertel__Case *c)
{
    return c->app && c->app->name ? c->app->name : "";
}

/* A table: column titles (N_()) and widths; the last column is not padded. */
typedef struct {
    const char *title;
    int width;
} column_t;

static void print_header(const column_t *cols, size_t n)
{
    for (size_t i = 0; i < n; i++)
        officer_pad(stdout, _(cols[i].title), i + 1 < n ? cols[i].width : 0);
    putchar('\n');
}

static const column_t inbox_columns[] = {
    {N_("CASE"), 16}, {N_("STEP"), 12}, {N_("TIME"), 26}, {N_("URGENCY LEVEL"), 15}, {N_("APPLICANT"), 0},
};

static void print_inbox(const Sertel__CaseList *l, int64_t now)
{
    if (l->n_cases == 0) {
        printf(_("Your inbox is empty.\n"));
        return;
    }
    const column_t *col = inbox_columns;
    print_header(col, sizeof inbox_columns / sizeof inbox_columns[0]);
    for (size_t i = 0; i < l->n_cases; i++) {
        const Sertel__Case *c = l->cases[i];
        char step[32], left[96];
        snprintf(step, sizeof step, _("Step %d"), c->step);
        officer_pad(stdout, c->id, col[0].width);
        officer_pad(stdout, step, col[1].width);
        officer_pad(stdout, officer_time_left(c, now, left, sizeof left), col[2].width);
        officer_pad(stdout, officer_urgency_title(c->app ? c->app->urgency : 0), col[3].width);
        printf("%s\n", applicant_name(c));
    }
}

int officer_inbox(int argc, char **argv)
{
    static const officer_spec_t spec = {
        "sertel inbox", "[--json]",
        N_("Lists the cases waiting for you, or for the pool of your role (and of an official "
           "you act for as Plt./Plh.), most pressing first, with the time left before the "
           "step's Mutu Baku in working time."),
        0, 0};
    cli_common_t common;
    int n_pos, rc = officer_parse(&spec, argc, argv, NULL, 0, &common, NULL, &n_pos);
    if (rc != OFFICER_GO)
        return rc;
    Sertel__InboxQuery q = SERTEL__INBOX_QUERY__INIT;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply;
    req.body_case = SERTEL__ENVELOPE__BODY_INBOX;
    req.inbox = &q;
    cli_t cli;
    rc = officer_request(&cli, spec.prog, &common, &req, SERTEL__ENVELOPE__BODY_CASE_LIST, &reply);
    if (rc == EXIT_DONE) {
        Sertel__CaseList *l = reply->case_list;
        int64_t now = officer_now();
        case_order_sort(l->cases, l->n_cases);
        if (common.json)
            json_cases(l, now);
        else
            print_inbox(l, now);
        sertel__envelope__free_unpacked(reply, NULL);
        if (!common.json)
            officer_print_due(&cli);
    }
    cli_close(&cli);
    return rc;
}

/* ---- find */

static const column_t find_columns[] = {
    {N_("CASE"), 16}, {N_("RECEIVED"), 24}, {N_("STATE"), 22}, {N_("STEP"), 12},
    {N_("APPLICANT"), 0},
};

static void print_found(const Sertel__CaseList *l)
{
    if (l->n_cases == 0) {
        printf(_("No case matches.\n"));
        return;
    }
    const column_t *col = find_columns;
    print_header(col, sizeof find_columns / sizeof find_columns[0]);
    for (size_t i = 0; i < l->n_cases; i++) {
        const Sertel__Case *c = l->cases[i];
        char when[64], step[32];
        snprintf(step, sizeof step, _("Step %d"), c->step);
        officer_pad(stdout, c->id, col[0].width);
        officer_pad(stdout, officer_time(c->created_at, when, sizeof when), col[1].width);
        officer_pad(stdout, case_state_title((case_state_t)c->state), col[2].width);
        officer_pad(stdout, step, col[3].width);
        printf("%s (%s)\n", applicant_name(c), c->app && c->app->nip ? c->app->nip : "");
    }
}

typedef struct {
    const char *name, *nip, *state, *from, *to;
} find_args_t;

/* The dates are days in the office's zone; --to includes its whole day. */
/* A state by its code (terbuka, menunggu, selesai, ...) or by the word
 * the lists show for it (diarsipkan), as a user would type either. */
static case_state_t state_named(const char *word)
{
    case_state_t st = case_state_from_code(word);
    for (int s = CASE_OPEN; !st && s <= CASE_WITHDRAWN; s++)
        if (strcasecmp(word, case_state_title((case_state_t)s)) == 0)
            st = (case_state_t)s;
    return st;
}

static bool find_query(const char *prog, const find_args_t *a, Sertel__SearchQuery *q)
{
    q->name = (char *)(a->name ? a->name : "");
    q->nip = (char *)(a->nip ? a->nip : "");
    q->limit = SEARCH_LIMIT;
    if (!officer_check_text(prog, "--name", a->name, NAME_MAX_LEN, false) ||
        !officer_check_nip(prog, "--nip", a->nip))
        return false;
    if (a->state && !(q->state = (Sertel__CaseState)state_named(a->state))) {
        cli_error(prog, _("%s: '%s' is not one of %s"), "--state", a->state,
                  "terbuka, menunggu, selesai, ditolak, dicabut");
        return false;
    }
    const struct {
        const char *option, *value;
        int64_t *out;
    } dates[] = {{"--from", a->from, &q->from}, {"--to", a->to, &q->to}};
    for (size_t i = 0; i < 2; i++) {
        char why[256];
        if (dates[i].value && (validate_date(dates[i].option, dates[i].value, why, sizeof why) ||
                               !cli_parse_date(dates[i].value, dates[i].out))) {
            cli_error(prog, "%s", why);
            return false;
        }
    }
    if (a->to)
        q->to += 86400;
    if (q->from && q->to && q->from >= q->to) {
        cli_error(prog, _("--from must not be later than --to"));
        return false;
    }
    return true;
}

/* The pages of one find: a search the broker stopped at its bound
 * (`truncated`) goes on past the last case it examined (`resume_after`),
 * as further requests, so other officers are served in between and no
 * later case is silently left out. At most FIND_PAGES requests. */
enum { FIND_PAGES = 256 };
typedef struct {
    Sertel__Envelope *pages[FIND_PAGES];
    size_t n_pages;
    Sertel__CaseList all; /* the pages' cases; truncated as the last page */
} found_t;

static bool found_add(found_t *f, Sertel__Envelope *page)
{
    const Sertel__CaseList *l = page->case_list;
    Sertel__Case **more = realloc(f->all.cases, (f->all.n_cases + l->n_cases + 1) * sizeof *more);
    f->pages[f->n_pages++] = page;
    if (!more)
        return false;
    if (l->n_cases)
        memcpy(more + f->all.n_cases, l->cases, l->n_cases * sizeof *more);
    f->all.cases = more;
    f->all.n_cases += l->n_cases;
    f->all.truncated = l->truncated;
    return true;
}

static void found_free(found_t *f)
{
    for (size_t i = 0; i < f->n_pages; i++)
        sertel__envelope__free_unpacked(f->pages[i], NULL);
    free(f->all.cases);
}

static int find_rest(cli_t *cli, const char *prog, Sertel__Envelope *req, found_t *f)
{
    Sertel__SearchQuery *q = req->search;
    int rc = EXIT_DONE;
    while (rc == EXIT_DONE && f->all.truncated && f->all.n_cases < SEARCH_LIMIT &&
           f->n_pages < FIND_PAGES) {
        const char *from = f->pages[f->n_pages - 1]->case_list->resume_after;
        /* No place to go on from (an older broker), or none past the last. */
        if (!from || !*from || (q->after && strcmp(from, q->after) <= 0))
            break;
        q->after = (char *)from;
        q->limit = SEARCH_LIMIT - (uint32_t)f->all.n_cases;
        Sertel__Envelope *reply;
        rc = officer_call(cli, prog, req, SERTEL__ENVELOPE__BODY_CASE_LIST, &reply);
        if (rc == EXIT_DONE && !found_add(f, reply))
            rc = EXIT_UNREACHABLE;
    }
    return rc;
}

int officer_find(int argc, char **argv)
{
    static const officer_spec_t spec = {
        "sertel find",
        "[--name TEXT] [--nip NIP] [--state terbuka|menunggu|selesai|ditolak|dicabut] "
        "[--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json]",
        N_("Finds cases by applicant (part of the name, any case; or the exact NIP), by state "
           "and by the day they were received (--from and --to included). At most 1000 cases "
           "are listed."),
        0, 0};
    find_args_t a = {0};
    const cli_opt_t opts[] = {
        {"--name", "TEXT", &a.name, NULL, NULL, N_("part of the applicant's name")},
        {"--nip", "NIP", &a.nip, NULL, NULL, N_("the applicant's NIP")},
        {"--state", "STATE", &a.state, NULL, NULL,
         N_("terbuka, menunggu, selesai, ditolak or dicabut")},
        {"--from", "YYYY-MM-DD", &a.from, NULL, NULL, N_("received on or after this day")},
        {"--to", "YYYY-MM-DD", &a.to, NULL, NULL, N_("received on or before this day")},
    };
    cli_common_t common;
    int n_pos, rc = officer_parse(&spec, argc, argv, opts, sizeof opts / sizeof opts[0], &common,
                                  NULL, &n_pos);
    if (rc != OFFICER_GO)
        return rc;
    Sertel__SearchQuery q = SERTEL__SEARCH_QUERY__INIT;
    if (!find_query(spec.prog, &a, &q))
        return EXIT_USAGE;
    /* Checked above in any zone; the days are the office's. */
    if ((a.from || a.to) && ((rc = cli_calendar_ensure(spec.prog, &common)) != EXIT_DONE ||
                             !find_query(spec.prog, &a, &q)))
        return rc != EXIT_DONE ? rc : EXIT_USAGE;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply;
    req.body_case = SERTEL__ENVELOPE__BODY_SEARCH;
    req.search = &q;
    cli_t cli;
    found_t f = {0};
    rc = officer_request(&cli, spec.prog, &common, &req, SERTEL__ENVELOPE__BODY_CASE_LIST, &reply);
    if (rc == EXIT_DONE && found_add(&f, reply))
        rc = find_rest(&cli, spec.prog, &req, &f);
    else if (rc == EXIT_DONE)
        rc = EXIT_UNREACHABLE;
    if (rc == EXIT_DONE) {
        if (common.json)
            json_cases(&f.all, officer_now());
        else
            print_found(&f.all);
        if (f.all.n_cases >= SEARCH_LIMIT)
            cli_error(spec.prog, _("only the first %d matches are listed; narrow the search"),
                      SEARCH_LIMIT);
        else if (f.all.truncated)
            cli_error(spec.prog, _("the search stopped after %d pages of the broker's bounded "
                                   "searches: later cases may match too; narrow the search with "
                                   "--nip or --state"),
                      FIND_PAGES);
    }
    found_free(&f);
    cli_close(&cli);
    return rc;
}

/* ---- show */

/* A value of several lines (an instruction typed with line breaks) keeps
 * its lines under the value column. */
static void kv(const char *label, const char *value)
{
    fputs("  ", stdout);
    officer_pad(stdout, label, LABEL_COLUMNS);
    fputs(": ", stdout);
    if (!value || !*value)
        value = "-";
    for (const char *p = value; *p; p++) {
        if (*p == '\r')
            continue;
        putchar(*p);
        if (*p == '\n' && p[1])
            printf("%*s", LABEL_COLUMNS + 6, "");
    }
    if (value[strlen(value) - 1] != '\n')
        putchar('\n');
}

static void show_state(const Sertel__Case *c, const officer_names_t *names, int64_t now)
{
    char buf[512], place[256], when[64], left[96];
    printf(_("Case %s (SOP %s)\n"), c->id, c->sop_code);
    bool open = c->state == SERTEL__CASE_STATE__STATE_OPEN ||
                c->state == SERTEL__CASE_STATE__STATE_WAITING;
    if (open)
        snprintf(buf, sizeof buf, "%s, %s", case_state_title((case_state_t)c->state),
                 officer_place(names, c->step, c->pool_role, c->pool_quals, c->assignee, place,
                               sizeof place));
    else
        snprintf(buf, sizeof buf, _("%s at step %d, %s"), case_state_title((case_state_t)c->state),
                 c->step, officer_time(c->closed_at, when, sizeof when));
    kv(_("State"), buf);
    if (c->closed_reason && c->closed_reason[0])
        kv(_("Reason"), c->closed_reason);
    if (open) {
        kv(_("Instruction"), c->instruction);
        if (c->n_boxes)
            kv(_("Boxes ticked"), officer_boxes(c->boxes, c->n_boxes, buf, sizeof buf));
        if (c->note && c->note[0])
            kv(_("Catatan"), c->note);
        if (c->deadline)
            kv(_("Batas waktu"), officer_time(c->deadline, when, sizeof when));
        if (c->urgency && c->app && c->urgency != c->app->urgency)
            kv(_("Urgency now"), officer_urgency_title(c->urgency));
        snprintf(buf, sizeof buf, _("%s (due %s)"), officer_time_left(c, now, left, sizeof left),
                 officer_time(c->due_at, when, sizeof when));
        kv(_("Time"), c->due_at ? buf : left);
    }
    snprintf(buf, sizeof buf, _("%s by %s"), officer_time(c->created_at, when, sizeof when),
             officer_name(names, c->received_by));
    kv(_("Received"), buf);
}

static void show_application(const Sertel__Application *a)
{
    char buf[256];
    if (!a)
        return;
    printf(_("Applicant\n"));
    kv(_("Name"), a->name);
    kv("NIP", a->nip);
    kv("NIK", a->nik);
    kv(_("Work unit"), a->unit);
    kv(_("Position"), a->position);
    kv(_("E-mail"), a->email);
    kv(_("Phone"), a->phone);
    printf(_("Letter\n"));
    kv(_("Number"), a->letter_no);
    kv(_("Date"), a->letter_date);
    snprintf(buf, sizeof buf, "%s, %s", a->received_date && a->received_date[0] ? a->received_date : "-",
             officer_channel_title(a->channel));
    kv(_("Arrived"), buf);
    if (a->agenda_no && a->agenda_no[0])
        kv(_("Office agenda no."), a->agenda_no);
    if (a->srikandi_no && a->srikandi_no[0])
        kv(_("SRIKANDI number"), a->srikandi_no);
    kv(_("Subject"), a->subject);
    kv(_("Sifat"), officer_classification_title(a->classification));
    kv(_("Urgency level"), officer_urgency_title(a->urgency));
}

static void show_attachments(const Sertel__Case *c)
{
    printf(_("Attachments\n"));
    if (c->n_attachments == 0)
        printf("  -\n");
    for (size_t i = 0; i < c->n_attachments; i++) {
        const Sertel__Attachment *a = c->attachments[i];
        printf(_("  %zu. %s, %llu bytes, step %d\n      sha256 %s\n"), i + 1, a->name,
               (unsigned long long)a->size, a->step, a->hash);
    }
}

static void show_certificate(const Sertel__Case *c)
{
    char until[64];
    printf(_("Certificate\n"));
    if (!c->cert_serial || !c->cert_serial[0]) {
        printf(_("  not recorded yet\n"));
        return;
    }
    kv(_("Serial number"), c->cert_serial);
    kv(_("Valid until"), officer_time(c->cert_not_after, until, sizeof until));
}

/* The lembar disposisi: who sent the case where, with what instruction. */
static bool is_disposition(const Sertel__Event *ev)
{
    return ev->kind == SERTEL__EVENT_KIND__EV_RECEIVED ||
           ev->kind == SERTEL__EVENT_KIND__EV_DISPOSED ||
           ev->kind == SERTEL__EVENT_KIND__EV_ARCHIVED;
}

static void show_dispositions(const Sertel__CaseDetail *d, const officer_names_t *names)
{
    printf(_("Lembar disposisi\n"));
    for (size_t i = 0; i < d->n_history; i++) {
        const Sertel__Event *ev = d->history[i];
        if (!is_disposition(ev))
            continue;
        char when[64], who[256], what[2048];
        printf("  %s  %s, %s", officer_time(ev->at, when, sizeof when),
               event_name_title(ev->kind),
               officer_actor(names, ev->actor, ev->actor_role, ev->acting, who, sizeof who));
        officer_event_what(ev, names, what, sizeof what);
        printf("%s%s\n", what[0] ? "  " : "", what);
    }
}

static void show_text(const Sertel__CaseDetail *d, const officer_names_t *names, int64_t now)
{
    const Sertel__Case *c = d->case_;
    show_state(c, names, now);
    show_application(c->app);
    show_attachments(c);
    show_certificate(c);
    show_dispositions(d, names);
    printf(_("History\n"));
    for (size_t i = 0; i < d->n_history; i++) {
        fputs("  ", stdout);
        officer_print_event(stdout, d->history[i], names, false);
    }
}

static void show_json(const Sertel__CaseDetail *d, int64_t now)
{
    json_t j;
    json_init(&j, stdout);
    json_obj_begin(&j, NULL);
    officer_json_case(&j, "case", d->case_, now);
    json_arr_begin(&j, "history");
    for (size_t i = 0; i < d->n_history; i++)
        officer_json_event(&j, NULL, d->history[i]);
    json_arr_end(&j);
    json_obj_end(&j);
    json_finish(&j);
}

int officer_show(int argc, char **argv)
{
    static const officer_spec_t spec = {
        "sertel show", "CASE [--json]",
        N_("Shows a case: its state and step, the applicant and the letter, the attachments "
           "with their SHA-256 hashes, the certificate, the lembar disposisi and the full "
           "history."),
        1, 1};
    const char *pos[1];
    cli_common_t common;
    int rc = officer_parse_case(&spec, argc, argv, NULL, 0, &common, pos);
    if (rc != OFFICER_GO)
        return rc;
    Sertel__CaseQuery q = SERTEL__CASE_QUERY__INIT;
    q.case_id = (char *)pos[0];
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply;
    req.body_case = SERTEL__ENVELOPE__BODY_CASE_QUERY;
    req.case_query = &q;
    cli_t cli;
    rc = officer_request(&cli, spec.prog, &common, &req, SERTEL__ENVELOPE__BODY_CASE_DETAIL,
                         &reply);
    if (rc == EXIT_DONE && !reply->case_detail->case_) {
        cli_error(spec.prog, _("%s: the broker's answer was not understood"),
                  conn_endpoint(cli.conn));
        rc = EXIT_UNREACHABLE;
    } else if (rc == EXIT_DONE && common.json) {
        show_json(reply->case_detail, officer_now());
    } else if (rc == EXIT_DONE) {
        officer_names_t names;
        officer_names_load(&cli, &names);
        show_text(reply->case_detail, &names, officer_now());
        officer_names_free(&names);
    }
    if (reply)
        sertel__envelope__free_unpacked(reply, NULL);
    cli_close(&cli);
    return rc;
}

/* ---- attachment: save one attachment of a case */

/* Writes data to path, never over an existing file. */
static int save_file(const char *prog, const char *path, const uint8_t *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) {
        cli_error(prog, "%s: %s", path, strerror(errno));
        return EXIT_USAGE;
    }
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    if (close(fd) != 0 || done != len) {
        cli_error(prog, "%s: %s", path, strerror(errno));
        unlink(path);
        return EXIT_USAGE;
    }
    return EXIT_DONE;
}

/* The attachment's own name, without any directory part it may carry. */
static const char *plain_name(const char *name)
{
    const char *slash = strrchr(name, '/');
    const char *base = slash ? slash + 1 : name;
    return *base && strcmp(base, ".") != 0 && strcmp(base, "..") != 0 ? base : "lampiran";
}

static int fetch_attachment(cli_t *cli, const char *prog, const Sertel__Case *c, long n,
                            const char *out)
{
    if (n < 1 || (size_t)n > c->n_attachments) {
        cli_error(prog, _("case %s has %zu attachments; N must be 1 to %zu"), c->id,
                  c->n_attachments, c->n_attachments);
        return EXIT_USAGE;
    }
    const Sertel__Attachment *a = c->attachments[n - 1];
    const char *path = out ? out : plain_name(a->name);
    if (access(path, F_OK) == 0) {
        cli_error(prog, _("%s already exists; name another file with --out"), path);
        return EXIT_USAGE;
    }
    Sertel__AttachmentQuery q = SERTEL__ATTACHMENT_QUERY__INIT;
    q.case_id = c->id;
    q.hash = a->hash;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply = NULL;
    req.body_case = SERTEL__ENVELOPE__BODY_ATTACHMENT_QUERY;
    req.attachment_query = &q;
    int rc = cli_call(cli, &req, &reply);
    if (rc == EXIT_DONE && reply->body_case != SERTEL__ENVELOPE__BODY_ATTACHMENT) {
        cli_error(prog, _("%s: the broker's answer was not understood"), conn_endpoint(cli->conn));
        rc = EXIT_UNREACHABLE;
    }
    if (rc == EXIT_DONE)
        rc = save_file(prog, path, reply->attachment->content.data, reply->attachment->content.len);
    if (rc == EXIT_DONE)
        printf("%s\n", path);
    if (reply)
        sertel__envelope__free_unpacked(reply, NULL);
    return rc;
}

int officer_attachment(int argc, char **argv)
{
    static const char *out;
    static const cli_opt_t opts[] = {
        {"--out", "FILE", &out, NULL, NULL, N_("where to save it (default: its own name, here)")},
    };
    static const officer_spec_t spec = {
        "sertel attachment", "CASE N [--out FILE]",
        N_("Saves attachment N of a case (numbered as `sertel show` lists them: the letter, "
           "the report) to a file, never over an existing one, and prints the file's name."),
        2, 2};
    const char *pos[2];
    cli_common_t common;
    int n_pos, rc = officer_parse(&spec, argc, argv, opts, sizeof opts / sizeof opts[0], &common,
                                  pos, &n_pos);
    if (rc != OFFICER_GO)
        return rc;
    char *end;
    long n = strtol(pos[1], &end, 10);
    if (!officer_check_text(spec.prog, "CASE", pos[0], CASE_ID_MAX, true) || *end || end == pos[1]) {
        if (*end || end == pos[1])
            cli_error(spec.prog, _("N must be the attachment's number, as `sertel show` lists it"));
        return EXIT_USAGE;
    }
    Sertel__CaseQuery q = SERTEL__CASE_QUERY__INIT;
    q.case_id = (char *)pos[0];
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply = NULL;
    req.body_case = SERTEL__ENVELOPE__BODY_CASE_QUERY;
    req.case_query = &q;
    cli_t cli;
    rc = officer_request(&cli, spec.prog, &common, &req, SERTEL__ENVELOPE__BODY_CASE_DETAIL,
                         &reply);
    if (rc == EXIT_DONE && reply->case_detail->case_)
        rc = fetch_attachment(&cli, spec.prog, reply->case_detail->case_, n, out);
    if (reply)
        sertel__envelope__free_unpacked(reply, NULL);
    cli_close(&cli);
    return rc;
}
