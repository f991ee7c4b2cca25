/* Shared by the documents about one case: see doc_case.h. */
#include <stdio.h>
#include <string.h>

#include "case.h"
#include "doc_case.h"
#include "i18n.h"
#include "role.h"

#define QR_SIZE 92.0

const char *doc_case_name(const doc_case_t *c, const char *nip)
{
    return c->name ? c->name(c->name_arg, nip) : nip;
}

const char *doc_case_applicant(const doc_case_t *c)
{
    const Sertel__Case *k = c->detail->case_;
    return k->app && k->app->name ? k->app->name : "";
}

doc_t *doc_case_open(const char *path, const doc_case_t *c, const char *title, char *err,
                     size_t errlen)
{
    const Sertel__Case *k = c->detail->case_;
    char subject[256];
    snprintf(subject, sizeof subject, "%s %s: %s", title, k->id, doc_case_applicant(c));
    doc_meta_t meta = {title, subject, c->seal, c->office->agency, c->made_at,
                       calendar_utc_offset(c->cal)};
    doc_t *d = doc_new(path, &meta, err, errlen);
    if (!d)
        return NULL;
    char footer[160];
    snprintf(footer, sizeof footer, _("Sertel · %s · %s"), title, k->id);
    doc_footer(d, footer);
    doc_kop(d, c->office, c->logo, c->logo_len);
    doc_para(d, title, &DOC_TITLE);
    doc_skip(d, 8);
    return d;
}

const char *doc_case_actor(const doc_case_t *c, const Sertel__Event *ev, char *buf, size_t len)
{
    const char *title = role_title((role_t)ev->actor_role);
    const char *who = doc_case_name(c, ev->actor);
    if (ev->acting == SERTEL__ACTING_KIND__ACTING_PLT || ev->acting == SERTEL__ACTING_KIND__ACTING_PLH) {
        /* An acting official writes on the holder's behalf: "a.n.". */
        const char *kind = ev->acting == SERTEL__ACTING_KIND__ACTING_PLT ? "Plt." : "Plh.";
        if (ev->acting_for && *ev->acting_for)
            snprintf(buf, len, _("%s, %s %s, a.n. %s"), who, kind, title,
                     doc_case_name(c, ev->acting_for));
        else
            snprintf(buf, len, "%s, %s %s", who, kind, title);
    } else if (title[0]) {
        snprintf(buf, len, "%s, %s", who, title);
    } else {
        snprintf(buf, len, "%s", who);
    }
    return buf;
}

const char *doc_case_target(const doc_case_t *c, const Sertel__Event *ev, char *buf, size_t len)
{
    const char *title = role_title((role_t)ev->assignee_role);
    char pool[160];
    snprintf(pool, sizeof pool, "%s%s%s", title,
             ev->assignee_quals & QUAL_VERIFIKATOR ? " " : "",
             ev->assignee_quals & QUAL_VERIFIKATOR ? _("(verifier)") : "");
    if (ev->assignee && *ev->assignee)
        snprintf(buf, len, "%s, %s", doc_case_name(c, ev->assignee), pool);
    else
        snprintf(buf, len, "%s", pool);
    return buf;
}

void doc_case_seal(doc_t *d, const doc_case_t *c)
{
    doc_need(d, QR_SIZE + 10);
    doc_skip(d, 6);
    double y = doc_y(d), x = doc_left() + QR_SIZE + 10, w = doc_width() - QR_SIZE - 10;
    doc_qr(doc_cairo(d), doc_left(), y, QR_SIZE, c->seal);
    char when[96], text[768];
    snprintf(text, sizeof text,
             _("Made by Sertel from the journal as it stood at sequence %llu (%s). To check that "
               "this document still matches the journal and see what happened since, scan the "
               "code or give its text to `sertel verify`:"),
             (unsigned long long)c->seq, doc_datetime(c->made_at, c->cal, when, sizeof when));
    double h = doc_text_at(d, x, y + 4, w, text, &DOC_SMALL);
    /* The seal on one line, so that it can be read off and typed. */
    doc_style_t mono = {5.6, false, false, DOC_LEFT, DOC_MONO};
    h += doc_text_at(d, x, y + 10 + h, w, c->seal, &mono) + 6;
    doc_set_y(d, y + (h > QR_SIZE ? h : QR_SIZE) + 4);
}
