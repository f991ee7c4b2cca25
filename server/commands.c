/* The command table: every request the broker understands, who may send
 * it (by role; the workflow's own rules are the engine's) and whether it
 * writes. The one place a command is admitted. */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

#define R(role) (1u << (role))
/* ANY: every officer, never the notifier, which is no officer: it may
 * only say Hello, ping and report on the outbox (NOTIFIER). */
#define ANY 0u
#define NOTIFIER R(ROLE_NOTIFIER)
#define EVERYONE (~0u)
#define VERIFIERS (R(ROLE_STAF) | R(ROLE_ADMIN))
#define ADMIN R(ROLE_ADMIN)
#define LEADERS (R(ROLE_ADMIN) | R(ROLE_KADIS) | R(ROLE_KABID))

static const command_def_t commands[] = {
    {SERTEL__ENVELOPE__BODY_HELLO, "hello", EVERYONE, false, cmd_hello},
    {SERTEL__ENVELOPE__BODY_PING, "ping", EVERYONE, false, cmd_ping},
    {SERTEL__ENVELOPE__BODY_INTAKE, "receive", ANY, true, cmd_intake},
    {SERTEL__ENVELOPE__BODY_COMPLETE, "complete", ANY, true, cmd_complete},
    {SERTEL__ENVELOPE__BODY_RETURN, "return", ANY, true, cmd_return},
    {SERTEL__ENVELOPE__BODY_RESUME, "resume", ANY, true, cmd_resume},
    {SERTEL__ENVELOPE__BODY_REJECT, "reject", ANY, true, cmd_reject},
    {SERTEL__ENVELOPE__BODY_WITHDRAW, "withdraw", ANY, true, cmd_withdraw},
    {SERTEL__ENVELOPE__BODY_ATTACH, "attach", ANY, true, cmd_attach},
    {SERTEL__ENVELOPE__BODY_CONTACT, "contact", ANY, true, cmd_contact},
    {SERTEL__ENVELOPE__BODY_CERTIFICATE, "certificate", ANY, true, cmd_certificate},
    {SERTEL__ENVELOPE__BODY_INBOX, "inbox", ANY, false, cmd_inbox},
    {SERTEL__ENVELOPE__BODY_CASE_QUERY, "show", ANY, false, cmd_case_query},
    {SERTEL__ENVELOPE__BODY_SEARCH, "find", ANY, false, cmd_search},
    {SERTEL__ENVELOPE__BODY_OFFICER_ADD, "officer add", ADMIN, true, cmd_officer_add},
    {SERTEL__ENVELOPE__BODY_OFFICER_LIST, "officer list", ANY, false, cmd_officer_list},
    {SERTEL__ENVELOPE__BODY_OFFICER_DISABLE, "officer disable", ADMIN, true, cmd_officer_disable},
    {SERTEL__ENVELOPE__BODY_OFFICER_ROLE, "officer role", ADMIN, true, cmd_officer_role},
    {SERTEL__ENVELOPE__BODY_OFFICER_REKEY, "officer rekey", ADMIN, true, cmd_officer_rekey},
    {SERTEL__ENVELOPE__BODY_OFFICER_ENABLE, "officer enable", ADMIN, true, cmd_officer_enable},
    {SERTEL__ENVELOPE__BODY_OFFICER_EDIT, "officer edit", ADMIN, true, cmd_officer_edit},
    {SERTEL__ENVELOPE__BODY_ACTING_ADD, "acting add", ADMIN, true, cmd_acting_add},
    {SERTEL__ENVELOPE__BODY_ACTING_LIST, "acting list", ANY, false, cmd_acting_list},
    {SERTEL__ENVELOPE__BODY_ACTING_END, "acting end", ADMIN, true, cmd_acting_end},
    {SERTEL__ENVELOPE__BODY_SOP_LOAD, "sop load", ADMIN, true, cmd_sop_load},
    {SERTEL__ENVELOPE__BODY_STATS, "stats", LEADERS, false, cmd_stats},
    {SERTEL__ENVELOPE__BODY_BACKUP, "backup", ADMIN, false, cmd_backup},
    {SERTEL__ENVELOPE__BODY_JOURNAL, "journal", LEADERS, false, cmd_journal},
    {SERTEL__ENVELOPE__BODY_ATTACHMENT_QUERY, "attachment", ANY, false, cmd_attachment},
    {SERTEL__ENVELOPE__BODY_TAKE, "take", ANY, true, cmd_take},
    {SERTEL__ENVELOPE__BODY_REASSIGN, "reassign", ANY, true, cmd_reassign},
    {SERTEL__ENVELOPE__BODY_CALENDAR_QUERY, "calendar", ANY, false, cmd_calendar_query},
    {SERTEL__ENVELOPE__BODY_CALENDAR_LOAD, "calendar load", ADMIN, true, cmd_calendar_load},
    {SERTEL__ENVELOPE__BODY_OFFICE_QUERY, "office show", ANY, false, cmd_office_query},
    {SERTEL__ENVELOPE__BODY_OFFICE_LOAD, "office load", ADMIN, true, cmd_office_load},
    {SERTEL__ENVELOPE__BODY_CHAIN_QUERY, "chain", ANY, false, cmd_chain_query},
    {SERTEL__ENVELOPE__BODY_NOTIFY, "notify", VERIFIERS, true, cmd_notify},
    {SERTEL__ENVELOPE__BODY_MESSAGE_REPORT, "message report", NOTIFIER, true, cmd_message_report},
    {SERTEL__ENVELOPE__BODY_OUTBOX_QUERY, "outbox", ANY, false, cmd_outbox_query},
    {SERTEL__ENVELOPE__BODY_CERT_IMPORT, "certs import", ADMIN, true, cmd_cert_import},
    {SERTEL__ENVELOPE__BODY_CERT_QUERY, "certs", ANY, false, cmd_cert_query},
    {SERTEL__ENVELOPE__BODY_CERT_RENEW, "renew", R(ROLE_STAF), true, cmd_cert_renew},
    {SERTEL__ENVELOPE__BODY_JOURNAL_VERIFY, "journal verify", LEADERS, false, cmd_journal_verify},
};

void session_scope(cmd_ctx_t *ctx, const officer_t *o, push_scope_t *scope)
{
    session_scope_of(ctx->txn, ctx->now, o, scope);
}

/* Requests that may take long (scans, replays, copies): the receive
 * stage takes one of them per key and batch, so that a key pipelining
 * them cannot hold the loop from the others. */
static const Sertel__Envelope__BodyCase heavy[] = {
    SERTEL__ENVELOPE__BODY_HELLO,  SERTEL__ENVELOPE__BODY_SEARCH,
    SERTEL__ENVELOPE__BODY_STATS,  SERTEL__ENVELOPE__BODY_BACKUP,
    SERTEL__ENVELOPE__BODY_JOURNAL,
};

bool command_heavy(Sertel__Envelope__BodyCase body)
{
    for (size_t i = 0; i < sizeof heavy / sizeof heavy[0]; i++)
        if (heavy[i] == body)
            return true;
    return false;
}

const command_def_t *command_find(Sertel__Envelope__BodyCase body)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (commands[i].body == body)
            return &commands[i];
    return NULL;
}

/* ---- the reply arena */

typedef struct cmd_deferred {
    void (*fn)(void *);
    void *ptr;
} deferred_t;

static bool track(cmd_ctx_t *ctx, void (*fn)(void *), void *ptr)
{
    if (ctx->n_allocs == ctx->cap_allocs) {
        int cap = ctx->cap_allocs ? ctx->cap_allocs * 2 : 16;
        deferred_t *grown = realloc(ctx->allocs, (size_t)cap * sizeof *grown);
        if (!grown)
            return false;
        ctx->allocs = grown;
        ctx->cap_allocs = cap;
    }
    ctx->allocs[ctx->n_allocs++] = (deferred_t){fn, ptr};
    return true;
}

sertel_err_t cmd_walk_failed(sertel_err_t store_e, sertel_err_t walk_e, const void *part)
{
    if (store_e != SERTEL_OK)
        return store_e;
    if (walk_e != SERTEL_OK)
        return walk_e;
    return part ? SERTEL_OK : SERTEL_E_NOMEM;
}

/* Memory freed with the request; zeroed or not. */
static void *alloc_tracked(cmd_ctx_t *ctx, size_t size, bool zero)
{
    void *p = zero ? calloc(1, size ? size : 1) : malloc(size ? size : 1);
    if (p && !track(ctx, free, p)) {
        free(p);
        return NULL;
    }
    return p;
}

void *cmd_alloc(cmd_ctx_t *ctx, size_t size)
{
    return alloc_tracked(ctx, size, true);
}

void *cmd_alloc_raw(cmd_ctx_t *ctx, size_t size)
{
    return alloc_tracked(ctx, size, false);
}

bool cmd_defer(cmd_ctx_t *ctx, void (*fn)(void *), void *ptr)
{
    return track(ctx, fn, ptr);
}

char *cmd_strdup(cmd_ctx_t *ctx, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = cmd_alloc(ctx, n);
    if (p)
        memcpy(p, s, n);
    return p;
}

bool cmd_append(cmd_ctx_t *ctx, cmd_list_t *l, void *item)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        void **grown = cmd_alloc(ctx, cap * sizeof *grown);
        if (!grown)
            return false;
        if (l->n)
            memcpy(grown, l->items, l->n * sizeof *grown);
        l->items = grown;
        l->cap = cap;
    }
    l->items[l->n++] = item;
    return true;
}

void cmd_ctx_free(cmd_ctx_t *ctx)
{
    deferred_t *d = ctx->allocs;
    /* Last in, first out: a message is released before its parts. */
    for (int i = ctx->n_allocs - 1; i >= 0; i--)
        d[i].fn(d[i].ptr);
    free(ctx->allocs);
    ctx->allocs = NULL;
    ctx->n_allocs = ctx->cap_allocs = 0;
}
