/* The lembar disposisi of a case as the office prints it: the letter's
 * particulars, where it was sent, the instruction boxes, notes and the
 * deadline, then every disposition of the chain with who made it (as
 * what, on whose behalf), when and with which words; the seal last. */
#include <stdio.h>
#include <string.h>

#include "case.h"
#include "doc_case.h"
#include "i18n.h"
#include "role.h"

#define LIST_MAX 2048
#define BOX 8.0

static bool is_disposition(const Sertel__Event *ev)
{
    return ev->kind == SERTEL__EVENT_KIND__EV_RECEIVED ||
           ev->kind == SERTEL__EVENT_KIND__EV_DISPOSED ||
           ev->kind == SERTEL__EVENT_KIND__EV_ARCHIVED;
}

static const char *urgency_title(int u)
{
    static const char *const titles[] = {"-", N_("Normal"), N_("Urgent"), N_("Very urgent")};
    return u >= 1 && u <= 3 ? _(titles[u]) : "-";
}

/* Sifat: not given reads as biasa. */
static const char *classification_title(int c)
{
    static const char *const titles[] = {N_("Ordinary"), N_("Ordinary"), N_("Restricted"),
                                         N_("Confidential"), N_("Secret")};
    return c >= 0 && c <= 4 ? _(titles[c]) : "-";
}

/* The day the letter arrived: as the register has it, else the day it
 * was registered. */
static const char *received_on(const doc_case_t *c, char *buf, size_t len)
{
    const Sertel__Case *k = c->detail->case_;
    if (k->app->received_date && *k->app->received_date)
        return doc_date_text(k->app->received_date, buf, len);
    return doc_datetime(k->created_at, c->cal, buf, len);
}

/* The letter: from whom, its number and date; received, agenda, sifat. */
static void particulars(doc_t *d, const doc_case_t *c)
{
    const Sertel__Case *k = c->detail->case_;
    const Sertel__Application *a = k->app;
    char from[512], dated[64], received[96], number[160];
    snprintf(from, sizeof from, "%s, %s, %s (NIP %s)", a->name, a->position, a->unit, a->nip);
    snprintf(number, sizeof number, "%s%s%s", k->id,
             a->srikandi_no && *a->srikandi_no ? _("; SRIKANDI ") : "",
             a->srikandi_no ? a->srikandi_no : "");
    static const doc_col_t cols[] = {
        {NULL, 0.17, DOC_LEFT}, {NULL, 0.38, DOC_LEFT}, {NULL, 0.17, DOC_LEFT}, {NULL, 0.28, DOC_LEFT}};
    doc_table_t *t = doc_table_begin(d, cols, 4);
    const char *r1[] = {_("Letter from"), from, _("Received on"),
                        received_on(c, received, sizeof received)};
    const char *r2[] = {_("Letter number"), a->letter_no, _("Agenda number"),
                        a->agenda_no && *a->agenda_no ? a->agenda_no : k->id};
    const char *r3[] = {_("Letter date"), doc_date_text(a->letter_date, dated, sizeof dated),
                        _("Classification"), classification_title(a->classification)};
    const char *r4[] = {_("Case number"), number, _("Degree of urgency"),
                        urgency_title(k->urgency ? (int)k->urgency : (int)a->urgency)};
    doc_table_row(t, r1, 0);
    doc_table_row(t, r2, 0);
    doc_table_row(t, r3, 0);
    doc_table_row(t, r4, 0);
    doc_table_end(&t);
    static const doc_col_t wide[] = {{NULL, 0.17, DOC_LEFT}, {NULL, 0.83, DOC_LEFT}};
    t = doc_table_begin(d, wide, 2);
    const char *r5[] = {_("Subject"), a->subject};
    doc_table_row(t, r5, 0);
    doc_table_end(&t);
}

/* "1. Kepala Bidang ...\n2. ...": everyone the chain sent the case to. */
static void recipients(const doc_case_t *c, char *buf, size_t len)
{
    size_t at = 0;
    int n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < c->detail->n_history && at < len; i++) {
        const Sertel__Event *ev = c->detail->history[i];
        if (ev->kind != SERTEL__EVENT_KIND__EV_DISPOSED)
            continue;
        char who[300];
        int w = snprintf(buf + at, len - at, "%s%d. %s", n ? "\n" : "", n + 1,
                         doc_case_target(c, ev, who, sizeof who));
        at += w > 0 ? (size_t)w : 0;
        n++;
    }
    if (!n)
        snprintf(buf, len, "-");
}

/* Box names compare as the SOP compares them: case, spaces and '-'
 * ignored. */
static bool same_box(const char *a, const char *b)
{
    for (;;) {
        while (*a == ' ' || *a == '-')
            a++;
        while (*b == ' ' || *b == '-')
            b++;
        char x = (*a >= 'A' && *a <= 'Z') ? (char)(*a + 32) : *a;
        char y = (*b >= 'A' && *b <= 'Z') ? (char)(*b + 32) : *b;
        if (x != y)
            return false;
        if (!x)
            return true;
        a++, b++;
    }
}

static bool box_ticked(const doc_case_t *c, const char *box)
{
    for (size_t i = 0; i < c->detail->n_history; i++) {
        const Sertel__Event *ev = c->detail->history[i];
        for (size_t b = 0; is_disposition(ev) && b < ev->n_boxes; b++)
            if (same_box(ev->boxes[b], box))
                return true;
    }
    return false;
}

/* The office's printed boxes, then any box a disposition ticked that the
 * office's sheet does not print. */
typedef struct {
    const char *name[OFFICE_MAX_BOXES * 2];
    int n;
} box_list_t;

static void add_box(box_list_t *l, const char *name)
{
    for (int i = 0; i < l->n; i++)
        if (same_box(l->name[i], name))
            return;
    if (l->n < (int)(sizeof l->name / sizeof l->name[0]))
        l->name[l->n++] = name;
}

static void boxes_of(const doc_case_t *c, box_list_t *l)
{
    l->n = 0;
    for (int i = 0; i < c->office->n_boxes; i++)
        add_box(l, c->office->boxes[i]);
    for (size_t i = 0; i < c->detail->n_history; i++) {
        const Sertel__Event *ev = c->detail->history[i];
        for (size_t b = 0; is_disposition(ev) && b < ev->n_boxes; b++)
            add_box(l, ev->boxes[b]);
    }
}

/* The instruction boxes, ticked as the chain ticked them, beside the
 * recipients. */
static void routing(doc_t *d, const doc_case_t *c)
{
    char list[LIST_MAX];
    recipients(c, list, sizeof list);
    box_list_t boxes;
    boxes_of(c, &boxes);
    double half = doc_width() / 2, pad = 4;
    double left_h = doc_text_height(d, half - 2 * pad, list, &DOC_CELL) + 16;
    double right_h = 16 + boxes.n * (BOX + 5);
    double h = (left_h > right_h ? left_h : right_h) + 2 * pad;
    doc_need(d, h);
    double y = doc_y(d), x = doc_left();
    doc_box(d, x, y, half, h, 0.6);
    doc_box(d, x + half, y, half, h, 0.6);
    doc_style_t label = DOC_CELL;
    label.bold = true;
    doc_text_at(d, x + pad, y + pad, half - 2 * pad, _("Forwarded to:"), &label);
    doc_text_at(d, x + pad, y + pad + 14, half - 2 * pad, list, &DOC_CELL);
    doc_text_at(d, x + half + pad, y + pad, half - 2 * pad, _("Respectfully, please:"), &label);
    for (int i = 0; i < boxes.n; i++) {
        double by = y + pad + 16 + i * (BOX + 5);
        doc_checkbox(d, x + half + pad, by, BOX, box_ticked(c, boxes.name[i]));
        doc_text_at(d, x + half + pad + BOX + 5, by - 1.5, half - 3 * pad - BOX, boxes.name[i],
                    &DOC_CELL);
    }
    doc_set_y(d, y + h);
}

/* Catatan (the last note written on the chain) and the batas waktu. */
static void note_and_deadline(doc_t *d, const doc_case_t *c)
{
    const Sertel__Case *k = c->detail->case_;
    const char *note = "";
    for (size_t i = 0; i < c->detail->n_history; i++) {
        const Sertel__Event *ev = c->detail->history[i];
        if (is_disposition(ev) && ev->note && *ev->note)
            note = ev->note;
    }
    char due[160], when[96];
    /* The tighter of the disposing officer's batas waktu and the Mutu
     * Baku holds; the broker's due time already is that one. */
    int64_t until = k->deadline && (!k->due_at || k->deadline < k->due_at) ? k->deadline : k->due_at;
    if (k->state == SERTEL__CASE_STATE__STATE_OPEN && until)
        snprintf(due, sizeof due, _("step %d: %s"), k->step,
                 doc_datetime(until, c->cal, when, sizeof when));
    else
        snprintf(due, sizeof due, "-");
    static const doc_col_t cols[] = {
        {NULL, 0.17, DOC_LEFT}, {NULL, 0.38, DOC_LEFT}, {NULL, 0.17, DOC_LEFT}, {NULL, 0.28, DOC_LEFT}};
    doc_table_t *t = doc_table_begin(d, cols, 4);
    const char *r[] = {_("Notes"), *note ? note : "-", _("Deadline"), due};
    doc_table_row(t, r, 28);
    doc_table_end(&t);
}

/* One disposition's words: the boxes it ticked, the instruction, the
 * catatan, the batas waktu it set. */
static void instruction(const doc_case_t *c, const Sertel__Event *ev, const char *text, char *buf,
                        size_t len)
{
    size_t at = 0;
#define PUT(...)                                                          \
    do {                                                                  \
        int w_ = snprintf(buf + at, len - at, __VA_ARGS__);               \
        at = w_ < 0 ? at : (size_t)w_ >= len - at ? len - 1 : at + (size_t)w_; \
    } while (0)
    buf[0] = '\0';
    if (ev->kind == SERTEL__EVENT_KIND__EV_RECEIVED)
        PUT("%s", _("Received and registered."));
    for (size_t b = 0; b < ev->n_boxes; b++)
        PUT("%s%s", at ? (b ? ", " : "\n") : (b ? ", " : ""), ev->boxes[b]);
    if (*text)
        PUT("%s%s", at ? "\n" : "", text);
    if (ev->note && *ev->note)
        PUT("%s%s %s", at ? "\n" : "", _("Notes:"), ev->note);
    if (ev->deadline) {
        char when[96];
        PUT("%s%s %s", at ? "\n" : "", _("Deadline:"),
            doc_datetime(ev->deadline, c->cal, when, sizeof when));
    }
#undef PUT
}

static void chain(doc_t *d, const doc_case_t *c)
{
    doc_skip(d, 10);
    doc_style_t h = DOC_BODY;
    h.bold = true;
    doc_para(d, _("Disposition chain"), &h);
    doc_skip(d, 3);
    static const doc_col_t cols[] = {
        {N_("No."), 0.05, DOC_CENTER},        {N_("Date and time"), 0.15, DOC_LEFT},
        {N_("From"), 0.24, DOC_LEFT},         {N_("To"), 0.2, DOC_LEFT},
        {N_("Instruction"), 0.26, DOC_LEFT},  {N_("Journal"), 0.1, DOC_CENTER},
    };
    doc_col_t tr[6];
    for (int i = 0; i < 6; i++) {
        tr[i] = cols[i];
        tr[i].title = _(cols[i].title);
    }
    doc_table_t *t = doc_table_begin(d, tr, 6);
    int n = 0;
    for (size_t i = 0; i < c->detail->n_history; i++) {
        const Sertel__Event *ev = c->detail->history[i];
        if (!is_disposition(ev))
            continue;
        char no[16], when[96], who[400], to[300], what[1200], seq[32];
        snprintf(no, sizeof no, "%d", ++n);
        snprintf(seq, sizeof seq, "#%llu", (unsigned long long)ev->seq);
        const char *text = ev->text && *ev->text ? ev->text : "";
        if (ev->kind == SERTEL__EVENT_KIND__EV_ARCHIVED)
            snprintf(to, sizeof to, "%s", _("Archive"));
        else
            doc_case_target(c, ev, to, sizeof to);
        instruction(c, ev, text, what, sizeof what);
        const char *row[] = {no, doc_datetime(ev->at, c->cal, when, sizeof when),
                             doc_case_actor(c, ev, who, sizeof who), to, what, seq};
        doc_table_row(t, row, 26);
    }
    doc_table_end(&t);
}

sertel_err_t doc_lembar(const char *path, const doc_case_t *c, char *err, size_t errlen)
{
    if (!c->detail->case_ || !c->detail->case_->app) {
        snprintf(err, errlen, "%s", _("the case has no application to print"));
        return SERTEL_E_INVALID;
    }
    doc_t *d = doc_case_open(path, c, _("LEMBAR DISPOSISI"), err, errlen);
    if (!d)
        return SERTEL_E_IO;
    particulars(d, c);
    routing(d, c);
    note_and_deadline(d, c);
    chain(d, c);
    doc_case_seal(d, c);
    return doc_finish(&d, err, errlen);
}
