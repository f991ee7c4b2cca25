/* Registering an application from the UI (step 1): the form is the one
 * of `sertel receive`, built from its field table (officer_intake_fields:
 * the same labels, limits, required marks and checks), plus the letter's
 * file. A duplicate of an open case is refused by the broker with its
 * reason; registering it anyway (--force) stays a command-line act. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "tui_internal.h"

#define MAX_CHOICES 8

/* Where each form field's value goes: an index of officer_intake_fields,
 * or -1 for the letter's file (the last field). */
static int field_of[32];

/* Short labels for the form, by option; the command's help words are
 * for a line of --help, too long for a form's label column. --reason
 * goes with --force only, and is not offered. */
static const struct {
    const char *option, *label;
} labels[] = {
    {"--name", N_("Applicant's name")}, {"--nip", N_("NIP (18 digits)")},
    {"--nik", N_("NIK (16 digits)")},   {"--unit", N_("Work unit")},
    {"--position", N_("Position")},     {"--email", N_("E-mail")},
    {"--phone", N_("Phone")},           {"--channel", N_("Came by")},
    {"--letter-no", N_("Letter no.")},  {"--letter-date", N_("Letter date")},
    {"--subject", N_("Subject")},       {"--urgency", N_("Urgency level")},
    {"--sifat", N_("Sifat (classification)")}, {"--agenda-no", N_("Agenda no. (office's)")},
    {"--srikandi-no", N_("SRIKANDI no.")}, {"--received", N_("Received on")},
};

static const char *label_of(const officer_intake_field_t *fd)
{
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(labels[i].option, fd->option) == 0)
            return _(labels[i].label);
    return NULL;
}

/* "surat|telp|fax|email" as a choice list. */
static void add_choice(tui_form_t *f, const char *label, bool required, const char *arg)
{
    char copy[128], *v[MAX_CHOICES];
    snprintf(copy, sizeof copy, "%s", arg);
    int n = 0;
    for (char *p = copy, *bar; p && n < MAX_CHOICES; p = bar ? bar + 1 : NULL) {
        bar = strchr(p, '|');
        if (bar)
            *bar = '\0';
        v[n++] = p;
    }
    tui_form_add_list(f, label, required, (const char *const *)v, (const char *const *)v, n);
}

void tui_intake_open(tui_t *t)
{
    tui_form_destroy(&t->form);
    tui_form_t *f = tui_form_new(_("Register an application (step 1)"), ACT_INTAKE, "");
    if (!f)
        return;
    int n = 0;
    for (size_t i = 0; i < officer_n_intake_fields && n < 31; i++) {
        const officer_intake_field_t *fd = &officer_intake_fields[i];
        if (!label_of(fd))
            continue;
        char label[200];
        if (strcmp(fd->arg, "YYYY-MM-DD") == 0)
            snprintf(label, sizeof label, "%s (%s)", label_of(fd), _("YYYY-MM-DD"));
        else
            snprintf(label, sizeof label, "%s", label_of(fd));
        if (strchr(fd->arg, '|'))
            add_choice(f, label, fd->required, fd->arg);
        else
            tui_form_add(f, FIELD_TEXT, label, fd->required, fd->max, NULL);
        field_of[n++] = (int)i;
    }
    tui_form_add(f, FIELD_TEXT, _("Letter file (path)"), false, 4000, NULL);
    field_of[n] = -1;
    t->form = f;
}

/* Each value given is checked with the command's own check, named by its
 * label here (the officer typed no --option); the field is focused. */
static bool check_fields(tui_t *t, tui_form_t *f)
{
    for (int i = 0; field_of[i] >= 0; i++) {
        const officer_intake_field_t *fd = &officer_intake_fields[field_of[i]];
        const char *v = tui_form_value(f, i);
        char why[TUI_STATUS_MAX];
        if (*v && !fd->check(label_of(fd), v, fd->max, why, sizeof why)) {
            tui_status(t, true, "%s", why);
            tui_form_focus(f, i);
            return false;
        }
    }
    return true;
}

bool tui_intake_send(tui_t *t)
{
    tui_form_t *f = t->form;
    if (!check_fields(t, f))
        return false;
    officer_intake_t a;
    memset(&a, 0, sizeof a);
    const char *letter = "";
    for (int i = 0; i < 32; i++) {
        const char *v = tui_form_value(f, i);
        if (field_of[i] < 0) {
            letter = v;
            break;
        }
        /* An empty optional field is one not given, as on the command line. */
        *(const char **)((char *)&a + officer_intake_fields[field_of[i]].offset) = *v ? v : NULL;
    }
    officer_files_t files = {.n = 0};
    if (!tui_read_files(t, letter, &files)) {
        officer_files_free(&files);
        return false;
    }
    Sertel__Application app;
    officer_intake_fill(&a, &app);
    Sertel__Intake in = SERTEL__INTAKE__INIT;
    in.app = &app;
    in.force_reason = "";
    in.attachments = files.ptr;
    in.n_attachments = files.n;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply;
    req.body_case = SERTEL__ENVELOPE__BODY_INTAKE;
    req.intake = &in;
    tui_status(t, false, "%s", _("sending…"));
    bool sent = tui_call(t, &req, &reply, _("register"));
    officer_files_free(&files);
    if (!sent)
        return false;
    tui_status(t, false, _("%s: registered (step 1)"),
               reply->done && reply->done->case_id ? reply->done->case_id : "");
    sertel__envelope__free_unpacked(reply, NULL);
    tui_form_destroy(&t->form);
    t->inbox_stale = true;
    return true;
}
