/* Commands of the certificate register: import (administrator), the
 * register and what is due (administrators, leaders, verifiers), and a
 * renewal case opened from it (a verifier). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certs.h"
#include "i18n.h"

#define IMPORT_MAX 20000
#define IMPORT_ERRORS_SHOWN 5
#define DAY_S 86400

static bool reads_register(const officer_t *o)
{
    return o->role == ROLE_ADMIN || o->role == ROLE_KADIS || o->role == ROLE_KABID ||
           o->role == ROLE_JF || (o->role == ROLE_STAF && (o->quals & QUAL_VERIFIKATOR));
}

/* Appends "line N: reason" to the refusal (the first few only). */
static void note_bad_row(cmd_ctx_t *ctx, char *all, size_t len, int *bad, uint32_t line)
{
    if ((*bad)++ >= IMPORT_ERRORS_SHOWN)
        return;
    size_t used = strlen(all);
    snprintf(all + used, len - used, _("%sline %u: %s"), used ? "; " : "", line, ctx->why);
}

static bool duplicate_serial(Sertel__CertRecord **rows, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (strcasecmp(rows[j]->serial, rows[i]->serial) == 0)
            return true;
    return false;
}

CMD(cmd_cert_import)
{
    const Sertel__CertImport *in = req->cert_import;
    if (in->n_certs == 0 || in->n_certs > IMPORT_MAX)
        return cmd_fail(ctx, SERTEL_E_INVALID, _("an import holds 1 to %d certificates"), IMPORT_MAX);
    char all[sizeof ctx->why] = "";
    int bad = 0;
    /* Every row is checked before anything is written: nothing half-loaded. */
    for (size_t i = 0; i < in->n_certs; i++) {
        char phone[PHONE_MAX_LEN + 1];
        if (certs_check(ctx, in->certs[i], phone, sizeof phone) != SERTEL_OK)
            note_bad_row(ctx, all, sizeof all, &bad, in->certs[i]->line);
        else if (duplicate_serial(in->certs, i) &&
                 cmd_fail(ctx, SERTEL_E_INVALID, _("serial %s appears twice"), in->certs[i]->serial))
            note_bad_row(ctx, all, sizeof all, &bad, in->certs[i]->line);
    }
    if (bad)
        return cmd_fail(ctx, SERTEL_E_INVALID, _("%d bad rows, nothing loaded: %s"), bad, all);
    sertel_err_t e = SERTEL_OK;
    for (size_t i = 0; e == SERTEL_OK && i < in->n_certs; i++) {
        Sertel__CertRecord r = *in->certs[i];
        char phone[PHONE_MAX_LEN + 1] = "";
        certs_check(ctx, &r, phone, sizeof phone);
        r.phone = phone;
        r.line = 0;
        r.case_id = "";
        r.renewal_case = "";
        r.reminded = 0;
        e = store_cert_put(ctx->txn, &r);
    }
    char text[128];
    snprintf(text, sizeof text, _("%zu certificates imported into the register"), in->n_certs);
    if (e == SERTEL_OK)
        e = broker_record_admin(ctx, SERTEL__EVENT_KIND__EV_CERT_REGISTERED, text);
    certs_wake();
    return e == SERTEL_OK ? cmd_ping(ctx, NULL, reply) : e;
}

typedef struct {
    cmd_ctx_t *ctx;
    const Sertel__CertQuery *q;
    cmd_list_t list;
    int days[TEMPLATE_MAX_DAYS], n_days;
    sertel_err_t e;
} cert_walk_t;

static void cert_free(void *p)
{
    sertel__cert_record__free_unpacked(p, NULL);
}

static int add_cert(const Sertel__CertRecord *r, void *arg)
{
    cert_walk_t *w = arg;
    const Sertel__CertQuery *q = w->q;
    uint32_t reminded = certs_reminded(w->ctx, r->serial, w->days, w->n_days);
    if ((q->serial && *q->serial && strcasecmp(q->serial, r->serial) != 0) ||
        (q->reminded_only && (r->renewal_case[0] || !reminded)) ||
        (q->within_days > 0 && (r->renewal_case[0] ||
                                r->not_after - w->ctx->now > (int64_t)q->within_days * DAY_S)))
        return 0;
    size_t len = protobuf_c_message_get_packed_size(&r->base);
    uint8_t *buf = malloc(len ? len : 1);
    Sertel__CertRecord *copy = NULL;
    if (buf) {
        protobuf_c_message_pack(&r->base, buf);
        copy = sertel__cert_record__unpack(NULL, len, buf);
        free(buf);
    }
    if (copy && !cmd_defer(w->ctx, cert_free, copy)) {
        cert_free(copy);
        copy = NULL;
    }
    if (!copy || !cmd_append(w->ctx, &w->list, copy)) {
        w->e = SERTEL_E_NOMEM;
        return 1;
    }
    copy->reminded = reminded;
    return 0;
}

CMD(cmd_cert_query)
{
    if (!reads_register(&ctx->officer))
        return cmd_fail(ctx, SERTEL_E_DENIED, "%s", _("the certificate register is for verifiers, leaders and administrators"));
    cert_walk_t w = {.ctx = ctx, .q = req->cert_query};
    w.n_days = certs_days(ctx, w.days);
    sertel_err_t e = store_certs(ctx->txn, add_cert, &w);
    Sertel__CertList *l = cmd_alloc(ctx, sizeof *l);
    if ((e = cmd_walk_failed(e, w.e, l)) != SERTEL_OK)
        return e;
    sertel__cert_list__init(l);
    l->certs = (Sertel__CertRecord **)w.list.items;
    l->n_certs = w.list.n;
    reply->body_case = SERTEL__ENVELOPE__BODY_CERT_LIST;
    reply->cert_list = l;
    return SERTEL_OK;
}

CMD(cmd_cert_renew)
{
    const Sertel__CertRenew *in = req->cert_renew;
    if (ctx->officer.role != ROLE_STAF || !(ctx->officer.quals & QUAL_VERIFIKATOR))
        return cmd_fail(ctx, SERTEL_E_DENIED, "%s", _("a renewal from the register is opened by a verifier"));
    Sertel__CertRecord *r = NULL;
    if (!in->serial || store_cert_get(ctx->txn, in->serial, &r) != SERTEL_OK)
        return cmd_fail(ctx, SERTEL_E_NOT_FOUND, _("certificate %s is not in the register"),
                        in->serial ? in->serial : "");
    if (!cmd_defer(ctx, cert_free, r)) {
        cert_free(r);
        return SERTEL_E_NOMEM;
    }
    if (r->renewal_case[0])
        return cmd_fail(ctx, SERTEL_E_EXISTS, _("certificate %s is already being renewed (case %s)"),
                        r->serial, r->renewal_case);
    /* The holder as the register knows them; the letter as given. */
    Sertel__Application app = SERTEL__APPLICATION__INIT;
    if (in->app)
        app = *in->app;
    app.name = r->name;
    app.nip = r->nip;
    app.nik = r->nik;
    app.unit = r->unit;
    /* The register may not know the holder's position: the request's, or a dash. */
    if (r->position && *r->position)
        app.position = r->position;
    else if (!app.position || !*app.position)
        app.position = "-";
    app.email = r->email;
    app.phone = r->phone;
    Sertel__Intake intake = SERTEL__INTAKE__INIT;
    intake.app = &app;
    intake.attachments = in->attachments;
    intake.n_attachments = in->n_attachments;
    sertel_err_t e = cmd_intake_of(ctx, &intake, reply);
    if (e != SERTEL_OK)
        return e;
    char *saved = r->renewal_case;
    r->renewal_case = reply->done->case_id;
    e = store_cert_put(ctx->txn, r);
    r->renewal_case = saved;
    return e;
}
