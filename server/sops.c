/* SOPs and the calendar, cached parsed: commands look them up per
 * request, the store is read only at start and after an SOP is loaded. */
#include "sops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "log.h"

const sop_t *broker_sop(broker_t *b, const char *code)
{
    if (!code || !*code)
        code = b->default_sop;
    for (int i = 0; i < b->n_sops; i++)
        if (strcmp(b->sops[i]->code, code) == 0)
            return b->sops[i];
    return NULL;
}

sertel_err_t broker_sop_install(broker_t *b, const char *text, const char *name,
                                char *err, size_t errlen)
{
    sop_t *sop = sop_parse(text, name, err, errlen);
    if (!sop)
        return SERTEL_E_INVALID;
    for (int i = 0; i < b->n_sops; i++)
        if (strcmp(b->sops[i]->code, sop->code) == 0) {
            sop_destroy(&b->sops[i]);
            b->sops[i] = sop;
            return SERTEL_OK;
        }
    if (b->n_sops == MAX_SOPS) {
        sop_destroy(&sop);
        return SERTEL_E_FULL;
    }
    b->sops[b->n_sops++] = sop;
    if (!b->default_sop[0])
        snprintf(b->default_sop, sizeof b->default_sop, "%s", sop->code);
    return SERTEL_OK;
}

/* An SOP that no longer installs (a format grown stricter, a full cache)
 * is logged and skipped: one bad text must not keep the broker down. */
static int install_stored_sop(const char *name, const char *text, void *arg)
{
    char err[512] = "";
    if (broker_sop_install(arg, text, name, err, sizeof err) != SERTEL_OK)
        log_msg(LOG_ERROR, _("SOP %s not loaded: %s"), name, err);
    return 0;
}

/* A calendar replaced over the protocol runs from the next command on;
 * one that no longer parses (it was checked before it was stored) keeps
 * the one in use. */
static void reload_calendar(broker_t *b, store_txn_t *t)
{
    char *text = NULL, err[512] = "";
    if (store_text_get(t, "calendar", "default", &text) != SERTEL_OK)
        return;
    calendar_t *cal = calendar_parse(text, "kalender-kerja.conf", err, sizeof err);
    free(text);
    if (!cal) {
        log_msg(LOG_ERROR, _("calendar not reloaded: %s"), err);
        return;
    }
    calendar_destroy(&b->cal);
    b->cal = cal;
}

void sops_reload(broker_t *b)
{
    store_txn_t *t;
    if (store_begin(b->store, NULL, false, &t) == SERTEL_OK) {
        store_texts(t, "sop", install_stored_sop, b);
        reload_calendar(b, t);
        store_abort(&t);
    }
}

sertel_err_t sops_load(broker_t *b, store_txn_t *t, char *err, size_t errlen)
{
    char *text = NULL;
    if (store_text_get(t, "config", "default_sop", &text) == SERTEL_OK)
        snprintf(b->default_sop, sizeof b->default_sop, "%s", text);
    free(text);
    text = NULL;
    if (store_text_get(t, "calendar", "default", &text) == SERTEL_OK)
        b->cal = calendar_parse(text, "kalender-kerja.conf", err, errlen);
    else
        b->cal = calendar_default();
    free(text);
    if (!b->cal)
        return SERTEL_E_INVALID;
    return store_texts(t, "sop", install_stored_sop, b);
}

void sops_free(broker_t *b)
{
    for (int i = 0; i < b->n_sops; i++)
        sop_destroy(&b->sops[i]);
    b->n_sops = 0;
    calendar_destroy(&b->cal);
}
