#include "authorise.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "log.h"
#include "zap.h"

/* Role check from the command table. The workflow's own rules (step,
 * assignee, Plt/Plh) are the engine's. */
static bool role_allowed(const command_def_t *def, const officer_t *o)
{
    /* 0 is every officer, and the notifier is no officer: it may only do
     * what names it. */
    if (def->roles == 0)
        return o->role != ROLE_NOTIFIER;
    return (def->roles & (1u << o->role)) != 0;
}

/* A Hello on a new connection of a key that has as many as it may: the
 * key's sessions whose peers are gone are dropped first (a restarted
 * client leaves one behind), so only live ones count. */
static bool connection_allowed(broker_t *b, item_t *it)
{
    int max = b->cfg.limits.connections;
    if (max <= 0 || session_find(b, zmq_msg_data(&it->rid), zmq_msg_size(&it->rid)))
        return true;
    return session_count(b, it->nip, false) < max || session_count(b, it->nip, true) < max;
}

/* SERTEL_OK when admitted, else the refusal (its reason in why). */
static sertel_err_t check(broker_t *b, store_txn_t *t, item_t *it, int64_t now, char *why,
                          size_t len)
{
    if (!it->def) {
        snprintf(why, len, "%s", _("unknown request"));
        return SERTEL_E_PROTOCOL;
    }
    uint8_t key[32];
    char tag[ZAP_TAG_LEN + 1];
    sertel_err_t e = store_officer_get(t, it->nip, &it->officer, key);
    /* A store that cannot be read says nothing about the key: the officer
     * is not cut off for it, and hears that the storage failed. */
    if (e != SERTEL_OK && e != SERTEL_E_NOT_FOUND) {
        snprintf(why, len, "%s", _("the broker cannot read its store"));
        return e;
    }
    if (e != SERTEL_OK || !it->officer.active) {
        session_cut_off(b, it->nip);
        snprintf(why, len, "%s", _("your key is not (or no longer) enrolled"));
        return SERTEL_E_DENIED;
    }
    /* A connection opened with a key since replaced: its sessions were
     * cut off with the change; the new key's are left alone. */
    if (strcmp(it->key_tag, zap_key_tag(key, tag)) != 0) {
        snprintf(why, len, "%s", _("your key has been replaced; use your new key file"));
        return SERTEL_E_DENIED;
    }
    if (!role_allowed(it->def, &it->officer)) {
        snprintf(why, len, _("'%s' is not for the role %s"), it->def->name,
                 role_title(it->officer.role));
        return SERTEL_E_DENIED;
    }
    const broker_limits_t *lim = &b->cfg.limits;
    if (it->def->write && !limits_take_write(it->key, lim->writes_per_minute, now)) {
        snprintf(why, len,
                 _("your key has made %d changes in the last minute, the most allowed; "
                   "try again in %d s"),
                 lim->writes_per_minute, limits_write_wait(it->key, lim->writes_per_minute));
        return SERTEL_E_LIMIT;
    }
    const uint8_t *rid = zmq_msg_data(&it->rid);
    size_t rid_len = zmq_msg_size(&it->rid);
    session_touch(b, rid, rid_len, now);
    if (it->def->body != SERTEL__ENVELOPE__BODY_HELLO)
        return SERTEL_OK;
    if (!connection_allowed(b, it)) {
        snprintf(why, len,
                 _("your key already has %d live connections, the most allowed; "
                   "close one (sertel watch, the terminal UI) and try again"),
                 lim->connections);
        return SERTEL_E_LIMIT;
    }
    if (!session_open(b, rid, rid_len, it->nip, now)) {
        snprintf(why, len, "%s",
                 _("the broker serves as many live clients as it can; try again later"));
        return SERTEL_E_FULL;
    }
    return SERTEL_OK;
}

static void authorise_item(broker_t *b, store_txn_t *t, item_t *it, int64_t now)
{
    char why[512] = "";
    i18n_use(it->req->lang);
    sertel_err_t e = check(b, t, it, now, why, sizeof why);
    it->admitted = e == SERTEL_OK;
    if (!it->admitted) {
        log_msg(LOG_DEBUG, "%s %s: %s", it->def ? it->def->name : "?", it->nip, why);
        item_refuse(it, e, why);
    }
    i18n_use(NULL);
}

void authorise_batch(broker_t *b, batch_t *batch, int64_t now)
{
    store_txn_t *t;
    sertel_err_t e = store_begin(b->store, NULL, false, &t);
    for (int i = 0; i < batch->n; i++) {
        item_t *it = batch->items[i];
        if (it->reply) /* refused on receipt */
            continue;
        if (e == SERTEL_OK)
            authorise_item(b, t, it, now);
        else
            item_refuse(it, e, NULL);
    }
    store_abort(&t);
}
