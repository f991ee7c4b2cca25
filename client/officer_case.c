/* The officer's write commands: receive an application, complete a step,
 * return / resume / reject / withdraw, log a contact, record the renewed
 * certificate. Everything is checked here first with the same rules as
 * the broker (validate.h), so that a typo costs nothing and sends
 * nothing; what the workflow allows is the broker's to decide. */
#include <dirent.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "case.h"
#include "codec.h"
#include "filetype.h"
#include "paths.h"
#include "sop.h"
#include "clockfile.h"
#include "i18n.h"
#include "officer.h"
#include "requests.h"
#include "validate.h"

#define ATTACH_MAX_BYTES (4u * 1024 * 1024)
/* All attachments of one request travel in one frame; the rest of the
 * request needs far less than the margin. */
#define ATTACH_TOTAL_MAX (FRAME_MAX - 512u * 1024)

/* ---- attachments */

void officer_files_free(officer_files_t *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->msg[i].content.data);
    f->n = 0;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The types a letter may be, from the SOP files this client reads
 * (paths_sop_dir): those allowed by any SOP whose step 1 asks for the
 * letter; 0 when no SOP file is at hand (the broker decides alone). */
static unsigned letter_types(void)
{
    unsigned types = 0;
    const char *dir = paths_sop_dir();
    DIR *d = dir && *dir ? opendir(dir) : NULL;
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".sop") != 0)
            continue;
        char path[4096], err[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        sop_t *sop = sop_load(path, err, sizeof err);
        const sop_step_t *first = sop ? sop_step(sop, 1) : NULL;
        if (first && (first->requires & REQ_SURAT))
            types |= sop_file_types(sop);
        sop_destroy(&sop);
    }
    if (d)
        closedir(d);
    return types;
}

/* Judged by content as the broker judges it: a PDF cut short is refused
 * anywhere; a letter must also be of a type the SOP takes. */
static bool file_type_ok(const char *prog, const char *path, const Sertel__Attachment *a,
                         unsigned want)
{
    const char *broken = NULL;
    unsigned type = filetype_detect(a->content.data, a->content.len, &broken);
    char list[64];
    if (broken)
        cli_error(prog, _("%s: starts as a PDF but is damaged or cut short: %s"), path, _(broken));
    else if (want && !(type & want))
        cli_error(prog, _("%s: the letter must be %s by its content (whatever its name says), "
                          "and this file is not"),
                  path, filetype_list(want, list, sizeof list));
    else
        return true;
    return false;
}

/* Reads every file; want: the types they must be (0: any but a broken PDF). */
static bool files_read(const char *prog, const cli_multi_t *paths, officer_files_t *f,
                       unsigned want)
{
    size_t total = 0;
    f->n = 0;
    for (int i = 0; i < paths->n; i++) {
        const char *name = base_name(paths->v[i]);
        if (!officer_check_text(prog, "--attach", name, FILE_NAME_MAX, true))
            return false;
        Sertel__Attachment *a = &f->msg[f->n];
        sertel__attachment__init(a);
        a->content.data = cli_read_file(prog, paths->v[i], ATTACH_MAX_BYTES, &a->content.len);
        if (!a->content.data)
            return false;
        f->ptr[f->n++] = a;
        a->name = (char *)name;
        a->size = a->content.len;
        total += a->content.len;
        if (a->content.len == 0) {
            cli_error(prog, _("%s: the file is empty"), paths->v[i]);
            return false;
        }
        if (!file_type_ok(prog, paths->v[i], a, want))
            return false;
    }
    if (total > ATTACH_TOTAL_MAX) {
        cli_error(prog, _("the attachments add up to %zu bytes; one request carries at most %u"),
                  total, ATTACH_TOTAL_MAX);
        return false;
    }
    return true;
}

bool officer_files_read(const char *prog, const cli_multi_t *paths, officer_files_t *f)
{
    return files_read(prog, paths, f, 0);
}

bool officer_letter_read(const char *prog, const cli_multi_t *paths, officer_files_t *f)
{
    return files_read(prog, paths, f, paths->n ? letter_types() : 0);
}

/* ---- sending a write and saying what happened */

/* Prints the one-line confirmation from the broker's answer. */
typedef void (*confirm_fn)(const Sertel__Case *c, const officer_names_t *names, const void *arg);

static void print_done_json(const Sertel__Done *done)
{
    json_t j;
    json_init(&j, stdout);
    json_obj_begin(&j, NULL);
    json_str(&j, "case_id", done->case_id);
    json_uint(&j, "seq", done->seq);
    if (done->case_)
        officer_json_case(&j, "case", done->case_, officer_now());
    json_obj_end(&j);
    json_finish(&j);
}

static int send_write(const char *prog, const cli_common_t *common, Sertel__Envelope *req,
                      confirm_fn confirm, const void *arg)
{
    cli_t cli;
    Sertel__Envelope *reply;
    int rc = officer_request(&cli, prog, common, req, SERTEL__ENVELOPE__BODY_DONE, &reply);
    if (rc == EXIT_DONE && common->json) {
        print_done_json(reply->done);
    } else if (rc == EXIT_DONE && reply->done->case_) {
        officer_names_t names;
        officer_names_load(&cli, &names);
        confirm(reply->done->case_, &names, arg);
        officer_names_free(&names);
    } else if (rc == EXIT_DONE) {
        printf("%s\n", reply->done->case_id);
    }
    if (reply)
        sertel__envelope__free_unpacked(reply, NULL);
    cli_close(&cli);
    return rc;
}

static const char *place_of(const Sertel__Case *c, const officer_names_t *names, char *buf,
                            size_t len)
{
    return officer_place(names, c->step, c->pool_role, c->pool_quals, c->assignee, buf, len);
}

/* ---- receive */

/* Each check (officer_officer_field_check_fn) writes the whole reason, naming the
 * option: it is the name the user typed. */
static bool named(sertel_err_t e, const char *option, char *why, size_t len)
{
    if (e != SERTEL_OK) {
        char reason[256];
        snprintf(reason, sizeof reason, "%s", why);
        snprintf(why, len, "%s: %s", option, reason);
    }
    return e == SERTEL_OK;
}

static bool check_text(const char *o, const char *v, size_t max, char *why, size_t len)
{
    return validate_text(o, v, max, true, why, len) == SERTEL_OK;
}
static bool check_date(const char *o, const char *v, size_t max, char *why, size_t len)
{
    return (void)max, validate_date(o, v, why, len) == SERTEL_OK;
}
static bool check_nip(const char *o, const char *v, size_t max, char *why, size_t len)
{
    return (void)max, named(validate_nip(v, why, len), o, why, len);
}
static bool check_nik(const char *o, const char *v, size_t max, char *why, size_t len)
{
    return (void)max, named(validate_nik(v, why, len), o, why, len);
}
static bool check_email(const char *o, const char *v, size_t max, char *why, size_t len)
{
    return (void)max, named(validate_email(v, why, len), o, why, len);
}
static bool check_phone(const char *o, const char *v, size_t max, char *why, size_t len)
{
    return (void)max, named(validate_phone(v, why, len), o, why, len);
}
static bool check_channel(const char *o, const char *v, size_t max, char *why, size_t len)
{
    (void)max;
    snprintf(why, len, _("%s: '%s' is not one of %s"), o, v, "surat, telp, fax, email");
    return channel_from_code(v) != 0;
}
static bool check_urgency(const char *o, const char *v, size_t max, char *why, size_t len)
{
    (void)max;
    snprintf(why, len, _("%s: '%s' is not one of %s"), o, v, "biasa, segera, sangat-segera");
    return urgency_from_code(v) != 0;
}

static bool check_sifat(const char *o, const char *v, size_t max, char *why, size_t len)
{
    (void)max;
    snprintf(why, len, _("%s: '%s' is not one of %s"), o, v,
             "biasa, terbatas, rahasia, sangat-rahasia");
    return classification_from_code(v) != 0;
}
static bool check_optional(const char *o, const char *v, size_t max, char *why, size_t len)
{
    return validate_text(o, v, max, false, why, len) == SERTEL_OK;
}

#define FIELD(member) offsetof(officer_intake_t, member)

const officer_intake_field_t officer_intake_fields[] = {
    {"--name", "TEXT", N_("applicant's name"), FIELD(name), NAME_MAX_LEN, true, check_text},
    {"--nip", "NIP", N_("applicant's NIP (18 digits)"), FIELD(nip), NIP_LEN, true, check_nip},
    {"--nik", "NIK", N_("applicant's NIK (16 digits), when given"), FIELD(nik), NIK_LEN, false,
     check_nik},
    {"--unit", "TEXT", N_("applicant's work unit"), FIELD(unit), NAME_MAX_LEN, true, check_text},
    {"--position", "TEXT", N_("applicant's position"), FIELD(position), NAME_MAX_LEN, true,
     check_text},
    {"--email", "ADDRESS", N_("applicant's e-mail address"), FIELD(email), EMAIL_MAX_LEN, true,
     check_email},
    {"--phone", "NUMBER", N_("applicant's phone number"), FIELD(phone), PHONE_MAX_LEN, true,
     check_phone},
    {"--channel", "surat|telp|fax|email", N_("how the application arrived"), FIELD(channel), 0,
     true, check_channel},
    {"--letter-no", "TEXT", N_("number of the application letter"), FIELD(letter_no),
     LETTER_NO_MAX, true, check_text},
    {"--letter-date", "YYYY-MM-DD", N_("date of the application letter"), FIELD(letter_date), 10,
     true, check_date},
    {"--subject", "TEXT", N_("subject of the letter"), FIELD(subject), SUBJECT_MAX, true,
     check_text},
    {"--urgency", "biasa|segera|sangat-segera", N_("urgency (default: biasa)"), FIELD(urgency), 0,
     false, check_urgency},
    {"--sifat", "biasa|terbatas|rahasia|sangat-rahasia",
     N_("classification of the letter (default: biasa)"), FIELD(sifat), 0, false, check_sifat},
    {"--agenda-no", "TEXT", N_("the office's own agenda number, when kept"), FIELD(agenda_no),
     AGENDA_NO_MAX, false, check_optional},
    {"--srikandi-no", "TEXT", N_("the SRIKANDI number, when the letter came through SRIKANDI"),
     FIELD(srikandi_no), AGENDA_NO_MAX, false, check_optional},
    {"--received", "YYYY-MM-DD", N_("the day the letter arrived (default: today)"),
     FIELD(received), 10, false, check_date},
    {"--reason", "TEXT", N_("with --force: why the letter is registered again (journaled)"),
     FIELD(reason), TEXT_MAX, false, check_text},
};

#define N_RECEIVE_FIELDS (sizeof officer_intake_fields / sizeof officer_intake_fields[0])
const size_t officer_n_intake_fields = N_RECEIVE_FIELDS;

static bool intake_fields_check(const char *prog, const officer_intake_t *a);

static const char *field_value(const officer_intake_t *a, size_t i)
{
    return *(const char *const *)((const char *)a + officer_intake_fields[i].offset);
}

/* A letter is not dated, nor received, after today in the office's zone
 * (the calendar's, as far as this client knows it; the broker checks
 * again with its own): said here, before anything is sent. */
static bool not_after_today(const char *prog, const char *option, const char *day)
{
    char today[16];
    time_t local = (time_t)(clock_now() + calendar_utc_offset(cli_calendar()));
    struct tm tm;
    gmtime_r(&local, &tm);
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    if (!day || strcmp(day, today) <= 0)
        return true;
    cli_error(prog, _("%s %s is after today (%s)"), option, day, today);
    return false;
}

/* Every field checked with the broker's rules, and no day after today;
 * false after cli_error. */
static bool intake_check(const char *prog, const officer_intake_t *a)
{
    if (!intake_fields_check(prog, a))
        return false;
    return not_after_today(prog, "--letter-date", a->letter_date) &&
           not_after_today(prog, "--received", a->received);
}

static bool intake_fields_check(const char *prog, const officer_intake_t *a)
{
    char why[256];
    for (size_t i = 0; i < N_RECEIVE_FIELDS; i++) {
        const char *v = field_value(a, i);
        if (!v && officer_intake_fields[i].required) {
            cli_error(prog, _("option %s is required (see --help)"), officer_intake_fields[i].option);
            return false;
        }
        if (v && !officer_intake_fields[i].check(officer_intake_fields[i].option, v, officer_intake_fields[i].max,
                                          why, sizeof why)) {
            cli_error(prog, "%s", why);
            return false;
        }
    }
    return true;
}

static void receive_confirm(const Sertel__Case *c, const officer_names_t *names, const void *arg)
{
    (void)arg;
    char place[256];
    /* The number alone on stdout, for scripts; the rest is for people. */
    printf("%s\n", c->id);
    fflush(stdout);
    fprintf(stderr, _("%s: received; now at %s\n"), c->id, place_of(c, names, place, sizeof place));
}

void officer_intake_fill(const officer_intake_t *a, Sertel__Application *app)
{
    sertel__application__init(app);
    app->name = (char *)a->name;
    app->nip = (char *)a->nip;
    app->nik = (char *)(a->nik ? a->nik : "");
    app->unit = (char *)a->unit;
    app->position = (char *)a->position;
    app->email = (char *)a->email;
    app->phone = (char *)a->phone;
    app->channel = (Sertel__Channel)channel_from_code(a->channel);
    app->letter_no = (char *)a->letter_no;
    app->letter_date = (char *)a->letter_date;
    app->subject = (char *)a->subject;
    app->urgency = (Sertel__Urgency)(a->urgency ? urgency_from_code(a->urgency) : URGENCY_BIASA);
    app->classification =
        (Sertel__Classification)(a->sifat ? classification_from_code(a->sifat) : CLASS_BIASA);
    app->agenda_no = (char *)(a->agenda_no ? a->agenda_no : "");
    app->srikandi_no = (char *)(a->srikandi_no ? a->srikandi_no : "");
    app->received_date = (char *)(a->received ? a->received : "");
}

/* --force needs its reason, and a reason goes only with --force. */
static bool force_check(const char *prog, const officer_intake_t *a)
{
    if (a->force && !a->reason)
        cli_error(prog, _("--force needs --reason TEXT: why the letter is registered again"));
    else if (!a->force && a->reason)
        cli_error(prog, _("--reason goes with --force"));
    else
        return true;
    return false;
}

int officer_receive(int argc, char **argv)
{
    static const officer_spec_t spec = {
        "sertel receive", "--name TEXT --nip NIP [--nik NIK] --unit TEXT --position TEXT "
        "--email ADDRESS --phone NUMBER --channel surat|telp|fax|email --letter-no TEXT "
        "--letter-date YYYY-MM-DD --subject TEXT [--urgency biasa|segera|sangat-segera] "
        "[--sifat biasa|terbatas|rahasia|sangat-rahasia] [--agenda-no TEXT] [--srikandi-no TEXT] "
        "[--received YYYY-MM-DD] [--force --reason TEXT] [--attach FILE]...",
        N_("Registers an incoming renewal application (step 1) and prints its case number "
           "alone on standard output. Attach the application letter: step 1 cannot be "
           "completed without it."),
        0, 0};
    officer_intake_t a = {0};
    cli_opt_t opts[N_RECEIVE_FIELDS + 2];
    for (size_t i = 0; i < N_RECEIVE_FIELDS; i++)
        opts[i] = (cli_opt_t){officer_intake_fields[i].option, officer_intake_fields[i].arg,
                              (const char **)((char *)&a + officer_intake_fields[i].offset), NULL, NULL,
                              officer_intake_fields[i].help};
    opts[N_RECEIVE_FIELDS] = (cli_opt_t){"--attach", "FILE", NULL, NULL, &a.attach,
                                         N_("attach a file of at most 4 MiB; repeatable")};
    opts[N_RECEIVE_FIELDS + 1] =
        (cli_opt_t){"--force", NULL, NULL, &a.force, NULL,
                    N_("register a letter that matches an open case (same applicant and "
                       "letter number) anyway")};
    cli_common_t common;
    int n_pos, rc = officer_parse(&spec, argc, argv, opts, N_RECEIVE_FIELDS + 2, &common, NULL,
                                  &n_pos);
    if (rc != OFFICER_GO)
        return rc;
    officer_files_t files = {0};
    if (!intake_check(spec.prog, &a) || !force_check(spec.prog, &a) ||
        !officer_letter_read(spec.prog, &a.attach, &files)) {
        officer_files_free(&files);
        return EXIT_USAGE;
    }
    Sertel__Application app;
    officer_intake_fill(&a, &app);
    Sertel__Intake in = SERTEL__INTAKE__INIT;
    in.app = &app;
    in.force = a.force;
    in.force_reason = (char *)(a.reason ? a.reason : "");
    in.attachments = files.ptr;
    in.n_attachments = files.n;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_INTAKE;
    req.intake = &in;
    rc = send_write(spec.prog, &common, &req, receive_confirm, NULL);
    officer_files_free(&files);
    return rc;
}

/* ---- renew: a case from the certificate register */

int officer_renew(int argc, char **argv)
{
    static const officer_spec_t spec = {
        "sertel renew", "SERIAL [--channel surat|telp|fax|email] [--letter-no TEXT] "
        "[--letter-date YYYY-MM-DD] [--subject TEXT] [--attach FILE]...",
        N_("Opens a renewal case (step 1) for the holder of a certificate in the register, "
           "e.g. one due for renewal: the holder's data come from the register. The letter "
           "number defaults to REG-SERIAL, its date to today and the channel to email; step 1 "
           "still needs the letter attached before it is completed."),
        1, 1};
    const char *channel = "email", *letter_no = NULL, *letter_date = NULL, *subject = NULL, *pos[1];
    cli_multi_t attach = {0};
    const cli_opt_t opts[] = {
        {"--channel", "surat|telp|fax|email", &channel, NULL, NULL, N_("how the application came")},
        {"--letter-no", "TEXT", &letter_no, NULL, NULL, N_("the letter's number")},
        {"--letter-date", "YYYY-MM-DD", &letter_date, NULL, NULL, N_("the letter's date")},
        {"--subject", "TEXT", &subject, NULL, NULL, N_("the letter's subject")},
        {"--attach", "FILE", NULL, NULL, &attach, N_("attach a file of at most 4 MiB; repeatable")},
    };
    cli_common_t common;
    int n_pos, rc = officer_parse(&spec, argc, argv, opts, 5, &common, pos, &n_pos);
    if (rc != OFFICER_GO)
        return rc;
    char today[16], number[SERIAL_MAX + 16];
    time_t now = (time_t)clock_now();
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    snprintf(number, sizeof number, "REG-%s", pos[0]);
    officer_files_t files = {0};
    char why[256];
    bool date_ok = !letter_date || check_date("--letter-date", letter_date, 10, why, sizeof why);
    if (!date_ok)
        cli_error(spec.prog, "%s", why);
    if (!date_ok || !not_after_today(spec.prog, "--letter-date", letter_date) ||
        !officer_check_text(spec.prog, "SERIAL", pos[0], SERIAL_MAX, true) ||
        !channel_from_code(channel) || !officer_letter_read(spec.prog, &attach, &files)) {
        if (!channel_from_code(channel))
            cli_error(spec.prog, _("%s: '%s' is not one of %s"), "--channel", channel, "surat, telp, fax, email");
        officer_files_free(&files);
        return EXIT_USAGE;
    }
    Sertel__Application app = SERTEL__APPLICATION__INIT;
    app.channel = (Sertel__Channel)channel_from_code(channel);
    app.letter_no = (char *)(letter_no ? letter_no : number);
    app.letter_date = (char *)(letter_date ? letter_date : today);
    app.subject = (char *)(subject ? subject : "Pembaharuan sertifikat elektronik");
    app.urgency = SERTEL__URGENCY__URGENCY_BIASA;
    Sertel__CertRenew in = SERTEL__CERT_RENEW__INIT;
    in.serial = (char *)pos[0];
    in.app = &app;
    in.attachments = files.ptr;
    in.n_attachments = files.n;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_CERT_RENEW;
    req.cert_renew = &in;
    rc = send_write(spec.prog, &common, &req, receive_confirm, NULL);
    officer_files_free(&files);
    return rc;
}

/* ---- complete */

static void complete_confirm(const Sertel__Case *c, const officer_names_t *names, const void *arg)
{
    (void)arg;
    char place[256];
    if (c->state == SERTEL__CASE_STATE__STATE_DONE)
        printf(_("%s: step %d completed; the case is archived\n"), c->id, c->step);
    else
        printf(_("%s: disposed to %s\n"), c->id, place_of(c, names, place, sizeof place));
}

/* --deadline: "YYYY-MM-DD HH:MM" in the office's zone, or a day alone,
 * meaning by the end of it. */
static bool parse_deadline(const char *prog, const char *s, int64_t *out)
{
    char day[11];
    int hh = 24, mm = 0, n = 0;
    size_t len = strlen(s);
    bool shape = len == 10 || (len == 16 && s[10] == ' ' &&
                               sscanf(s + 11, "%2d:%2d%n", &hh, &mm, &n) == 2 && n == 5 &&
                               hh >= 0 && hh < 24 && mm >= 0 && mm < 60);
    if (shape) {
        memcpy(day, s, 10);
        day[10] = '\0';
    }
    if (!shape || !cli_parse_date(day, out)) {
        cli_error(prog, _("--deadline: '%s' is not a day (YYYY-MM-DD) or a day and time "
                          "(YYYY-MM-DD HH:MM)"), s);
        return false;
    }
    *out += hh * 3600 + mm * 60;
    if (*out <= officer_now()) {
        cli_error(prog, _("--deadline: %s has already passed"), s);
        return false;
    }
    return true;
}

/* --box values as they will be sent; the broker checks them against the
 * SOP's list (sertel-admin sop show lists them). */
static bool boxes_check(const char *prog, const cli_multi_t *boxes)
{
    for (int i = 0; i < boxes->n; i++)
        if (!officer_check_text(prog, "--box", boxes->v[i], BOX_MAX_LEN, true))
            return false;
    return true;
}

int officer_complete(int argc, char **argv)
{
    static const officer_spec_t spec = {
        "sertel complete",
        "CASE [--to NIP] [--instruction TEXT] [--box TEXT]... [--note TEXT] "
        "[--deadline YYYY-MM-DD[ HH:MM]] [--urgency biasa|segera|sangat-segera] [--attach FILE]...",
        N_("Completes the case's current step and disposes it to the next one: to the officer "
           "named by --to, or else to whom the SOP gives it. The lembar disposisi carries the "
           "instruction (written, or boxes ticked), the catatan and a batas waktu; a step's "
           "Kelengkapan (letter, instruction, contact, certificate, report) must be there "
           "first."),
        1, 1};
    const char *to = NULL, *instruction = NULL, *note = NULL, *deadline = NULL, *urgency = NULL,
               *pos[1];
    cli_multi_t attach = {0}, boxes = {0};
    const cli_opt_t opts[] = {
        {"--to", "NIP", &to, NULL, NULL, N_("the officer who receives the next step")},
        {"--instruction", "TEXT", &instruction, NULL, NULL, N_("the disposition's instruction")},
        {"--box", "TEXT", NULL, NULL, &boxes,
         N_("tick an instruction box of the lembar disposisi (as the SOP lists them, e.g. "
            "tanggapi); repeatable")},
        {"--note", "TEXT", &note, NULL, NULL, N_("catatan on the lembar disposisi")},
        {"--deadline", "YYYY-MM-DD[ HH:MM]", &deadline, NULL, NULL,
         N_("batas waktu for the next step, when tighter than its Mutu Baku")},
        {"--urgency", "biasa|segera|sangat-segera", &urgency, NULL, NULL,
         N_("urgency from this disposition on (default: unchanged)")},
        {"--attach", "FILE", NULL, NULL, &attach, N_("attach a file of at most 4 MiB; repeatable")},
    };
    cli_common_t common;
    int rc = officer_parse_case(&spec, argc, argv, opts, sizeof opts / sizeof opts[0], &common, pos);
    if (rc != OFFICER_GO)
        return rc;
    officer_files_t files = {0};
    Sertel__Complete in = SERTEL__COMPLETE__INIT;
    char why[256];
    if (urgency && !check_urgency("--urgency", urgency, 0, why, sizeof why)) {
        cli_error(spec.prog, "%s", why);
        return EXIT_USAGE;
    }
    if (!officer_check_nip(spec.prog, "--to", to) ||
        !officer_check_text(spec.prog, "--instruction", instruction, TEXT_MAX, false) ||
        !officer_check_text(spec.prog, "--note", note, TEXT_MAX, false) ||
        !boxes_check(spec.prog, &boxes) ||
        (deadline && !parse_deadline(spec.prog, deadline, &in.deadline)) ||
        !officer_files_read(spec.prog, &attach, &files)) {
        officer_files_free(&files);
        return EXIT_USAGE;
    }
    /* Checked above in any zone; the instant is the office's. */
    if (deadline && ((rc = cli_calendar_ensure(spec.prog, &common)) != EXIT_DONE ||
                     !parse_deadline(spec.prog, deadline, &in.deadline))) {
        officer_files_free(&files);
        return rc != EXIT_DONE ? rc : EXIT_USAGE;
    }
    in.case_id = (char *)pos[0];
    in.to_nip = (char *)(to ? to : "");
    in.instruction = (char *)(instruction ? instruction : "");
    in.note = (char *)(note ? note : "");
    in.boxes = (char **)boxes.v;
    in.n_boxes = (size_t)boxes.n;
    in.urgency = (Sertel__Urgency)(urgency ? urgency_from_code(urgency) : 0);
    in.attachments = files.ptr;
    in.n_attachments = files.n;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_COMPLETE;
    req.complete = &in;
    rc = send_write(spec.prog, &common, &req, complete_confirm, NULL);
    officer_files_free(&files);
    return rc;
}

/* ---- return, resume, reject, withdraw: a case and one text */

typedef struct {
    officer_spec_t spec;
    const char *option, *arg, *help; /* the one text option */
    bool required;
    text_fill_fn fill;
    /* Says what happened, given the case number and where the case is;
     * one function each so that the compiler checks every format. */
    void (*say)(const char *id, const char *place);
} text_cmd_t;

static void say_returned(const char *id, const char *place)
{
    printf(_("%s: returned to the applicant at %s; the officers' clock is stopped\n"), id, place);
}
static void say_resumed(const char *id, const char *place)
{
    printf(_("%s: resumed at %s; the clock runs again\n"), id, place);
}
static void say_rejected(const char *id, const char *place)
{
    printf(_("%s: rejected at %s; the case is closed\n"), id, place);
}
static void say_withdrawn(const char *id, const char *place)
{
    printf(_("%s: withdrawn at %s; the case is closed\n"), id, place);
}

static const text_cmd_t return_cmd = {
    {"sertel return", "CASE --reason TEXT",
     N_("Returns an incomplete application to the applicant. The officers' clock stops "
        "until 'sertel resume'."),
     1, 1},
    "--reason", "TEXT", N_("what the applicant must complete"), true, request_return, say_returned};

static const text_cmd_t resume_cmd = {
    {"sertel resume", "CASE [--note TEXT]",
     N_("The applicant has answered: the step goes on and its clock runs again."), 1, 1},
    "--note", "TEXT", N_("a note for the record"), false, request_resume, say_resumed};

static const text_cmd_t reject_cmd = {
    {"sertel reject", "CASE --reason TEXT", N_("Rejects the application and closes the case."), 1,
     1},
    "--reason", "TEXT", N_("why the application is rejected"), true, request_reject, say_rejected};

static const text_cmd_t withdraw_cmd = {
    {"sertel withdraw", "CASE --reason TEXT",
     N_("Records that the applicant withdrew the application and closes the case."), 1, 1},
    "--reason", "TEXT", N_("what the applicant said"), true, request_withdraw, say_withdrawn};

static void text_confirm(const Sertel__Case *c, const officer_names_t *names, const void *arg)
{
    const text_cmd_t *t = arg;
    char place[256];
    t->say(c->id, place_of(c, names, place, sizeof place));
}

static int text_command(const text_cmd_t *t, int argc, char **argv)
{
    const char *text = NULL, *pos[1];
    const cli_opt_t opts[] = {{t->option, t->arg, &text, NULL, NULL, t->help}};
    cli_common_t common;
    int rc = officer_parse_case(&t->spec, argc, argv, opts, 1, &common, pos);
    if (rc != OFFICER_GO)
        return rc;
    if (!officer_check_text(t->spec.prog, t->option, text, TEXT_MAX, t->required))
        return EXIT_USAGE;
    text_msg_t m;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    t->fill(&req, &m, (char *)pos[0], (char *)(text ? text : ""));
    return send_write(t->spec.prog, &common, &req, text_confirm, t);
}

int officer_return(int argc, char **argv)
{
    return text_command(&return_cmd, argc, argv);
}

int officer_resume(int argc, char **argv)
{
    return text_command(&resume_cmd, argc, argv);
}

int officer_reject(int argc, char **argv)
{
    return text_command(&reject_cmd, argc, argv);
}

int officer_withdraw(int argc, char **argv)
{
    return text_command(&withdraw_cmd, argc, argv);
}

/* ---- contact */

static void contact_confirm(const Sertel__Case *c, const officer_names_t *names, const void *arg)
{
    char place[256];
    printf(_("%s: contact with the applicant by %s recorded at %s\n"), c->id, (const char *)arg,
           place_of(c, names, place, sizeof place));
}

int officer_contact(int argc, char **argv)
{
    static const officer_spec_t spec = {
        "sertel contact", "CASE --channel email|sms|telp|whatsapp --summary TEXT",
        N_("Records a contact with the applicant (step 5: checking the application and "
           "assisting the applicant by e-mail or short message)."),
        1, 1};
    const char *channel = NULL, *summary = NULL, *pos[1];
    const cli_opt_t opts[] = {
        {"--channel", "email|sms|telp|whatsapp", &channel, NULL, NULL,
         N_("how the applicant was reached")},
        {"--summary", "TEXT", &summary, NULL, NULL, N_("what was said or asked")},
    };
    cli_common_t common;
    int rc = officer_parse_case(&spec, argc, argv, opts, 2, &common, pos);
    if (rc != OFFICER_GO)
        return rc;
    if (!officer_check_text(spec.prog, "--channel", channel, 16, true) ||
        !officer_check_text(spec.prog, "--summary", summary, TEXT_MAX, true))
        return EXIT_USAGE;
    contact_channel_t ch = contact_channel_from_code(channel);
    if (!ch) {
        cli_error(spec.prog, _("%s: '%s' is not one of %s"), "--channel", channel,
                  "email, sms, telp, whatsapp");
        return EXIT_USAGE;
    }
    Sertel__Contact in = SERTEL__CONTACT__INIT;
    in.case_id = (char *)pos[0];
    in.channel = (Sertel__ContactChannel)ch;
    in.summary = (char *)summary;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_CONTACT;
    req.contact = &in;
    return send_write(spec.prog, &common, &req, contact_confirm, channel);
}

/* ---- certificate */

static void certificate_confirm(const Sertel__Case *c, const officer_names_t *names,
                                const void *arg)
{
    (void)names, (void)arg;
    char until[64];
    printf(_("%s: certificate %s recorded, valid until %s\n"), c->id, c->cert_serial,
           officer_time(c->cert_not_after, until, sizeof until));
}

/* --not-after names a day: the certificate is valid through its end. */
static bool parse_not_after(const char *prog, const char *s, int64_t *out)
{
    if (!cli_parse_date(s, out)) {
        cli_error(prog, _("--not-after: '%s' is not a real date written as YYYY-MM-DD"), s);
        return false;
    }
    *out += 86400 - 1;
    if (*out <= officer_now()) {
        cli_error(prog, _("--not-after: the renewed certificate must be valid beyond today"));
        return false;
    }
    return true;
}

int officer_certificate(int argc, char **argv)
{
    static const officer_spec_t spec = {
        "sertel certificate", "CASE (--serial SERIAL --not-after YYYY-MM-DD | --file CERT)",
        N_("Records the renewed certificate (step 6): its serial number and last day of "
           "validity, or the certificate file itself (DER or PEM), from which the broker "
           "reads both."),
        1, 1};
    const char *serial = NULL, *not_after = NULL, *file = NULL, *pos[1];
    const cli_opt_t opts[] = {
        {"--serial", "SERIAL", &serial, NULL, NULL, N_("the certificate's serial number")},
        {"--not-after", "YYYY-MM-DD", &not_after, NULL, NULL, N_("its last day of validity")},
        {"--file", "CERT", &file, NULL, NULL, N_("the certificate, DER or PEM")},
    };
    cli_common_t common;
    int rc = officer_parse_case(&spec, argc, argv, opts, 3, &common, pos);
    if (rc != OFFICER_GO)
        return rc;
    bool by_file = file && !serial && !not_after, by_hand = !file && serial && not_after;
    if (!by_file && !by_hand) {
        cli_error(spec.prog, _("give either --serial and --not-after, or --file (see --help)"));
        return EXIT_USAGE;
    }
    Sertel__Certificate in = SERTEL__CERTIFICATE__INIT;
    in.case_id = (char *)pos[0];
    in.serial = (char *)(serial ? serial : "");
    if (by_hand && (!officer_check_text(spec.prog, "--serial", serial, SERIAL_MAX, true) ||
                    !parse_not_after(spec.prog, not_after, &in.not_after)))
        return EXIT_USAGE;
    /* Checked above in any zone; the instant is the office's. */
    if (by_hand && ((rc = cli_calendar_ensure(spec.prog, &common)) != EXIT_DONE ||
                    !parse_not_after(spec.prog, not_after, &in.not_after)))
        return rc != EXIT_DONE ? rc : EXIT_USAGE;
    if (by_file && !(in.der.data = officer_read_certificate(spec.prog, file, &in.der.len)))
        return EXIT_USAGE;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_CERTIFICATE;
    req.certificate = &in;
    rc = send_write(spec.prog, &common, &req, certificate_confirm, NULL);
    free(in.der.data);
    return rc;
}

/* ---- the pool: take, reassign */

/* "SE-…: taken; now at …": arg is what happened, N_(). */
static void moved_confirm(const Sertel__Case *c, const officer_names_t *names, const void *arg)
{
    char place[256];
    printf(_("%s: %s; now at %s\n"), c->id, _((const char *)arg),
           place_of(c, names, place, sizeof place));
}

int officer_take(int argc, char **argv)
{
    static const officer_spec_t spec = {
        "sertel take", "CASE",
        N_("Takes a case from the pool of your role (e.g. a verifier takes a case the JF "
           "disposed to the verifiers): from then on the step is yours alone and leaves the "
           "others' inboxes. Contacts, attachments and the certificate are recorded only on a "
           "taken case."),
        1, 1};
    const char *pos[1];
    cli_common_t common;
    int rc = officer_parse_case(&spec, argc, argv, NULL, 0, &common, pos);
    if (rc != OFFICER_GO)
        return rc;
    Sertel__Take in = SERTEL__TAKE__INIT;
    in.case_id = (char *)pos[0];
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_TAKE;
    req.take = &in;
    return send_write(spec.prog, &common, &req, moved_confirm, N_("taken"));
}

int officer_reassign(int argc, char **argv)
{
    static const officer_spec_t spec = {
        "sertel reassign", "CASE (--to NIP | --pool) --reason TEXT",
        N_("Gives the case's current step to another officer of its role, or back to the "
           "pool, with the reason; for a superior of the step's role (the JF or the Kepala "
           "Bidang for a verifier's step). The journal keeps who had it and why."),
        1, 1};
    const char *to = NULL, *reason = NULL, *pos[1];
    bool pool = false;
    const cli_opt_t opts[] = {
        {"--to", "NIP", &to, NULL, NULL, N_("the officer who takes over the step")},
        {"--pool", NULL, NULL, &pool, NULL, N_("put the step back in its role's pool")},
        {"--reason", "TEXT", &reason, NULL, NULL, N_("why the step changes hands")},
    };
    cli_common_t common;
    int rc = officer_parse_case(&spec, argc, argv, opts, 3, &common, pos);
    if (rc != OFFICER_GO)
        return rc;
    if (!to == !pool) {
        cli_error(spec.prog, _("give either --to NIP or --pool (see --help)"));
        return EXIT_USAGE;
    }
    if (!officer_check_nip(spec.prog, "--to", to) ||
        !officer_check_text(spec.prog, "--reason", reason, TEXT_MAX, true))
        return EXIT_USAGE;
    Sertel__Reassign in = SERTEL__REASSIGN__INIT;
    in.case_id = (char *)pos[0];
    in.to_nip = (char *)(to ? to : "");
    in.reason = (char *)reason;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_REASSIGN;
    req.reassign = &in;
    return send_write(spec.prog, &common, &req, moved_confirm, N_("reassigned"));
}
