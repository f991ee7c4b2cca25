#include "certs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "log.h"
#include "outbox.h"
#include "validate.h"

#define REMIND_EVERY_S 60
#define REMIND_MAX 4096 /* certificates looked at in one sweep */
#define DAY_S 86400

/* When the register was last looked at for reminders (one broker, one
 * loop); 0 after the register changed, so the next sweep looks again. */
static int64_t next_check;

void certs_wake(void)
{
    next_check = 0;
}

/* ---- certificates recorded at step 6 */

typedef struct {
    cmd_ctx_t *ctx;
    const char *nip, *serial, *case_id;
    char (*older)[SERIAL_MAX + 1];
    int n;
} supersede_t;

static int note_older(const Sertel__CertRecord *r, void *arg)
{
    supersede_t *s = arg;
    if (s->n < 64 && strcmp(r->nip, s->nip) == 0 && strcmp(r->serial, s->serial) != 0 &&
        !r->renewal_case[0])
        snprintf(s->older[s->n++], SERIAL_MAX + 1, "%s", r->serial);
    return 0;
}

/* The holder's other certificates are renewed by case_id: no more
 * reminders for them. */
static sertel_err_t supersede(cmd_ctx_t *ctx, const char *nip, const char *serial, const char *case_id)
{
    char older[64][SERIAL_MAX + 1];
    supersede_t s = {ctx, nip, serial, case_id, older, 0};
    sertel_err_t e = store_certs(ctx->txn, note_older, &s);
    for (int i = 0; e == SERTEL_OK && i < s.n; i++) {
        Sertel__CertRecord *r;
        if (store_cert_get(ctx->txn, older[i], &r) != SERTEL_OK)
            continue;
        char *saved = r->renewal_case;
        r->renewal_case = (char *)case_id;
        e = store_cert_put(ctx->txn, r);
        r->renewal_case = saved;
        sertel__cert_record__free_unpacked(r, NULL);
    }
    return e;
}

sertel_err_t certs_after_event(cmd_ctx_t *ctx, const event_t *ev, const case_t *c)
{
    if (ev->kind != EV_CERTIFIED || !c->cert_serial[0])
        return SERTEL_OK;
    char phone[PHONE_MAX_LEN + 1];
    phone_normalise(c->app.phone, phone, sizeof phone);
    Sertel__CertRecord r = SERTEL__CERT_RECORD__INIT;
    r.serial = (char *)c->cert_serial;
    r.nip = (char *)c->app.nip;
    r.nik = (char *)c->app.nik;
    r.name = (char *)c->app.name;
    r.unit = (char *)c->app.unit;
    r.email = (char *)c->app.email;
    r.phone = phone;
    r.not_after = c->cert_not_after;
    r.case_id = (char *)c->id;
    r.position = (char *)c->app.position;
    sertel_err_t e = store_cert_put(ctx->txn, &r);
    certs_wake();
    return e == SERTEL_OK ? supersede(ctx, c->app.nip, c->cert_serial, c->id) : e;
}

/* ---- an import row */

static bool is_hex(const char *s)
{
    return *s && strspn(s, "0123456789abcdefABCDEF") == strlen(s);
}

sertel_err_t certs_check(cmd_ctx_t *ctx, Sertel__CertRecord *r, char *phone, size_t phone_len)
{
    char *why = ctx->why;
    size_t wl = sizeof ctx->why;
    if (!r->serial || !is_hex(r->serial) || strlen(r->serial) > SERIAL_MAX)
        return cmd_fail(ctx, SERTEL_E_INVALID, _("the serial number must be hexadecimal (at most %d digits)"),
                        SERIAL_MAX);
    sertel_err_t e = validate_nip(r->nip, why, wl);
    if (e == SERTEL_OK && r->nik && *r->nik)
        e = validate_nik(r->nik, why, wl);
    if (e == SERTEL_OK)
        e = validate_text(_("name"), r->name, NAME_MAX_LEN, true, why, wl);
    if (e == SERTEL_OK)
        e = validate_text(_("unit"), r->unit, NAME_MAX_LEN, false, why, wl);
    if (e == SERTEL_OK)
        e = validate_text(_("position"), r->position, NAME_MAX_LEN, false, why, wl);
    if (e == SERTEL_OK && r->email && *r->email)
        e = validate_email(r->email, why, wl);
    if (e == SERTEL_OK && r->phone && *r->phone && !phone_normalise(r->phone, phone, phone_len))
        e = validate_phone(r->phone, why, wl);
    if (e == SERTEL_OK && r->not_after <= 0)
        e = cmd_fail(ctx, SERTEL_E_INVALID, "%s", _("the expiry date is missing"));
    if (e == SERTEL_OK && !(r->email && *r->email) && !(r->phone && *r->phone))
        e = cmd_fail(ctx, SERTEL_E_INVALID, "%s", _("an e-mail address or a phone number is needed"));
    return e;
}

/* ---- reminders */

typedef struct {
    char serial[SERIAL_MAX + 1];
    int64_t not_after;
} due_t;

typedef struct {
    int64_t now;
    int max_days;
    due_t *v;
    int n;
} due_list_t;

static int collect_due(const Sertel__CertRecord *r, void *arg)
{
    due_list_t *l = arg;
    if (!r->renewal_case[0] && r->not_after > 0 && r->not_after - l->now <= (int64_t)l->max_days * DAY_S &&
        strlen(r->serial) <= SERIAL_MAX) {
        snprintf(l->v[l->n].serial, sizeof l->v[l->n].serial, "%s", r->serial);
        l->v[l->n++].not_after = r->not_after;
    }
    return l->n == REMIND_MAX;
}

/* Whole days left (rounded up), negative once expired. */
static int days_left(int64_t not_after, int64_t now)
{
    int64_t s = not_after - now;
    return (int)(s >= 0 ? (s + DAY_S - 1) / DAY_S : -((-s) / DAY_S));
}

static sertel_err_t journal_due(cmd_ctx_t *ctx, const Sertel__CertRecord *r, int days)
{
    Sertel__Event ev = SERTEL__EVENT__INIT;
    char note[NAME_MAX_LEN + 64];
    snprintf(note, sizeof note, "%s (NIP %s), %d", r->name, r->nip, days);
    ev.kind = SERTEL__EVENT_KIND__EV_CERT_DUE;
    ev.at = ctx->now;
    ev.text = r->serial;
    ev.note = note;
    ev.deadline = r->not_after;
    push_targets_t tg = {.n_pools = 1, .pools = {push_pool(ROLE_STAF, QUAL_VERIFIKATOR)}};
    return broker_record_pb(ctx, &ev, &tg, NULL);
}

/* The holder's messages from the reminder template, on its channels. */
static sertel_err_t queue_reminder(cmd_ctx_t *ctx, const template_t *t, const Sertel__CertRecord *r,
                                   int days)
{
    char valid[64], cause[32], to[EMAIL_MAX_LEN + 1];
    template_values_t v = {.v = {[FIELD_NAME] = r->name,
                                 [FIELD_VALID] = calendar_format_time(ctx->b->cal, r->not_after, valid,
                                                                      sizeof valid)}};
    snprintf(cause, sizeof cause, "pengingat-%d", days);
    sertel_err_t e = SERTEL_OK;
    for (int ch = SERTEL__MESSAGE_CHANNEL__MSG_EMAIL; e == SERTEL_OK && ch <= SERTEL__MESSAGE_CHANNEL__MSG_SMS; ch++) {
        if (!(template_auto(t) & (1u << ch)) ||
            !outbox_address((Sertel__MessageChannel)ch, r->email, r->phone, to, sizeof to))
            continue;
        char *subject = template_subject(t, &v), *body = template_body(t, &v);
        Sertel__OutboxItem item = SERTEL__OUTBOX_ITEM__INIT;
        item.channel = (Sertel__MessageChannel)ch;
        item.to = to;
        item.subject = ch == SERTEL__MESSAGE_CHANNEL__MSG_EMAIL && subject ? subject : (char *)"";
        item.body = body;
        item.cause = cause;
        item.template_ = "pengingat";
        e = subject && body ? outbox_queue(ctx, &item) : SERTEL_E_NOMEM;
        free(subject);
        free(body);
    }
    return e == SERTEL_OK ? journal_due(ctx, r, days) : e;
}

/* The thresholds crossed and not yet reminded are marked; one reminder
 * goes out for the nearest of them (a certificate imported 5 days before
 * its expiry gets one reminder, not three). */
static sertel_err_t remind_one(cmd_ctx_t *ctx, const template_t *t, const due_t *d, bool *sent)
{
    int days[TEMPLATE_MAX_DAYS], n = template_days(t, days), left = days_left(d->not_after, ctx->now);
    int nearest = 0;
    sertel_err_t e = SERTEL_OK;
    for (int i = 0; e == SERTEL_OK && i < n; i++) {
        if (left > days[i] || store_reminder_done(ctx->txn, d->serial, days[i]))
            continue;
        e = store_reminder_mark(ctx->txn, d->serial, days[i]);
        nearest = days[i];
    }
    *sent = e == SERTEL_OK && nearest;
    Sertel__CertRecord *r = NULL;
    if (*sent && (e = store_cert_get(ctx->txn, d->serial, &r)) == SERTEL_OK) {
        e = queue_reminder(ctx, t, r, nearest);
        sertel__cert_record__free_unpacked(r, NULL);
    }
    return e;
}

int certs_remind(cmd_ctx_t *ctx, sertel_err_t *e)
{
    *e = SERTEL_OK;
    /* A clock set back (by more than the interval) looks again too. */
    if (ctx->now < next_check && next_check - ctx->now <= REMIND_EVERY_S)
        return 0;
    next_check = ctx->now + REMIND_EVERY_S;
    const template_t *t = outbox_template(ctx, "pengingat");
    if (!t) {
        log_msg(LOG_WARN, _("certificate reminders not sent: %s"), ctx->why);
        return 0;
    }
    int days[TEMPLATE_MAX_DAYS];
    template_days(t, days);
    static due_t v[REMIND_MAX];
    due_list_t l = {ctx->now, days[0], v, 0};
    int reminded = 0;
    *e = store_certs(ctx->txn, collect_due, &l);
    for (int i = 0; *e == SERTEL_OK && i < l.n; i++) {
        bool sent = false;
        *e = remind_one(ctx, t, &v[i], &sent);
        reminded += sent;
    }
    return *e == SERTEL_OK ? reminded : -1;
}

int certs_days(cmd_ctx_t *ctx, int days[TEMPLATE_MAX_DAYS])
{
    char saved[sizeof ctx->why];
    memcpy(saved, ctx->why, sizeof saved);
    const template_t *t = outbox_template(ctx, "pengingat");
    memcpy(ctx->why, saved, sizeof saved);
    return t ? template_days(t, days) : 0;
}

uint32_t certs_reminded(cmd_ctx_t *ctx, const char *serial, const int *days, int n)
{
    uint32_t bits = 0;
    for (int i = 0; i < n; i++)
        if (store_reminder_done(ctx->txn, serial, days[i]))
            bits |= 1u << i;
    return bits;
}
