#include "notifier_send.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"

#define RESPONSE_MAX 8192

/* ---- e-mail */

typedef struct {
    char *data;
    size_t len, pos;
} upload_t;

static size_t read_upload(char *buf, size_t size, size_t n, void *arg)
{
    upload_t *u = arg;
    size_t room = size * n, left = u->len - u->pos;
    size_t take = left < room ? left : room;
    memcpy(buf, u->data + u->pos, take);
    u->pos += take;
    return take;
}

/* RFC 2047: a UTF-8 subject as one or more base64 encoded-words. */
static void encode_subject(const char *s, char *out, size_t len)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(s), used = 0;
    out[0] = '\0';
    /* 45 bytes a word keeps each encoded word under 75 characters; a
     * UTF-8 sequence is never split between words. */
    for (size_t i = 0; i < n;) {
        size_t take = n - i < 45 ? n - i : 45;
        while (take < n - i && take > 0 && ((unsigned char)s[i + take] & 0xC0) == 0x80)
            take--;
        used += (size_t)snprintf(out + used, len > used ? len - used : 0, "%s=?UTF-8?B?", i ? "\r\n " : "");
        for (size_t j = 0; j < take && used + 5 < len; j += 3) {
            unsigned v = (unsigned char)s[i + j] << 16;
            if (j + 1 < take)
                v |= (unsigned char)s[i + j + 1] << 8;
            if (j + 2 < take)
                v |= (unsigned char)s[i + j + 2];
            out[used++] = b64[(v >> 18) & 63];
            out[used++] = b64[(v >> 12) & 63];
            out[used++] = j + 1 < take ? b64[(v >> 6) & 63] : '=';
            out[used++] = j + 2 < take ? b64[v & 63] : '=';
        }
        used += (size_t)snprintf(out + used, len > used ? len - used : 0, "?=");
        i += take;
    }
}

/* The whole message: headers, then the body with CRLF line ends. */
static char *build_mail(const ncfg_t *cfg, const Sertel__OutboxItem *item, size_t *len)
{
    char subject[2048], date[64];
    encode_subject(item->subject, subject, sizeof subject);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    /* The Message-ID's domain is the sender's ("Name <a@b>" or "a@b"). */
    const char *at = strrchr(cfg->smtp_from, '@');
    int domain_len = at ? (int)strcspn(at + 1, ">") : 6;
    size_t cap = strlen(item->body) * 2 + 4096;
    char *m = malloc(cap);
    if (!m)
        return NULL;
    /* The Message-ID is the outbox id's: a message sent again after a
     * crash is the same message to the mail system. */
    int n = snprintf(m, cap,
                     "Date: %s\r\nFrom: %s\r\nTo: <%s>\r\nSubject: %s\r\n"
                     "Message-ID: <sertel-outbox-%llu@%.*s>\r\nX-Sertel-Case: %s\r\n"
                     "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                     "Content-Transfer-Encoding: 8bit\r\n\r\n",
                     date, cfg->smtp_from, item->to, subject, (unsigned long long)item->id,
                     domain_len, at ? at + 1 : "sertel", item->case_id);
    size_t used = n > 0 ? (size_t)n : 0;
    for (const char *p = item->body; *p && used + 3 < cap; p++) {
        if (*p == '\n' && (p == item->body || p[-1] != '\r'))
            m[used++] = '\r';
        m[used++] = *p;
    }
    if (used == 0 || m[used - 1] != '\n') {
        m[used++] = '\r';
        m[used++] = '\n';
    }
    m[used] = '\0';
    *len = used;
    return m;
}

static send_result_t send_mail(const ncfg_t *cfg, const Sertel__OutboxItem *item, char *why, size_t whylen)
{
    if (!cfg->smtp_url[0]) {
        snprintf(why, whylen, "%s", _("e-mail is not configured (smtp-url)"));
        return SEND_PERMANENT;
    }
    upload_t u = {0};
    u.data = build_mail(cfg, item, &u.len);
    CURL *c = u.data ? curl_easy_init() : NULL;
    if (!c) {
        free(u.data);
        snprintf(why, whylen, "%s", _("out of memory"));
        return SEND_RETRY;
    }
    char from[NCFG_VALUE_MAX + 2], to[300];
    const char *lt = strchr(cfg->smtp_from, '<');
    snprintf(from, sizeof from, "%s", lt ? lt : cfg->smtp_from);
    snprintf(to, sizeof to, "<%s>", item->to);
    struct curl_slist *rcpt = curl_slist_append(NULL, to);
    curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    if (cfg->smtp_user[0]) {
        curl_easy_setopt(c, CURLOPT_USERNAME, cfg->smtp_user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->smtp_password);
    }
    if (strncmp(cfg->smtp_url, "smtp://", 7) == 0 && cfg->smtp_starttls)
        curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(c, CURLOPT_READDATA, &u);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)cfg->timeout);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(c);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(c);
    free(u.data);
    if (rc == CURLE_OK)
        return SEND_OK;
    if (code >= 500) {
        snprintf(why, whylen, _("the mail server refused the message (SMTP %ld)"), code);
        return SEND_PERMANENT;
    }
    if (code >= 400)
        snprintf(why, whylen, _("the mail server deferred the message (SMTP %ld)"), code);
    else
        snprintf(why, whylen, _("mail server unreachable: %s"), curl_easy_strerror(rc));
    return SEND_RETRY;
}

/* ---- gateways */

typedef struct {
    char data[RESPONSE_MAX + 1];
    size_t len;
} response_t;

static size_t keep_response(char *buf, size_t size, size_t n, void *arg)
{
    response_t *r = arg;
    size_t take = size * n;
    size_t room = RESPONSE_MAX - r->len;
    memcpy(r->data + r->len, buf, take < room ? take : room);
    r->len += take < room ? take : room;
    r->data[r->len] = '\0';
    return size * n;
}

/* "json:KEY=VALUE": the answer holds "KEY": VALUE, quoted or not. */
static bool json_says(const char *body, const char *rule)
{
    const char *eq = strchr(rule, '=');
    char key[64], value[64];
    snprintf(key, sizeof key, "\"%.*s\"", (int)(eq - rule - 5), rule + 5);
    snprintf(value, sizeof value, "%s", eq + 1);
    for (const char *p = strstr(body, key); p; p = strstr(p + 1, key)) {
        const char *v = p + strlen(key);
        v += strspn(v, " \t\r\n");
        if (*v++ != ':')
            continue;
        v += strspn(v, " \t\r\n");
        bool quoted = *v == '"';
        v += quoted;
        size_t n = strlen(value);
        if (strncmp(v, value, n) == 0 && (quoted ? v[n] == '"' : !isalnum((unsigned char)v[n])))
            return true;
    }
    return false;
}

static void add_field(CURL *c, char *out, size_t len, const char *name, const char *value)
{
    if (!name[0])
        return;
    char *n = curl_easy_escape(c, name, 0), *v = curl_easy_escape(c, value, 0);
    size_t used = strlen(out);
    if (n && v)
        snprintf(out + used, len - used, "%s%s=%s", used ? "&" : "", n, v);
    curl_free(n);
    curl_free(v);
}

static send_result_t judge_http(const ncfg_gateway_t *g, CURLcode rc, long code, const response_t *r,
                                char *why, size_t whylen)
{
    if (rc != CURLE_OK) {
        snprintf(why, whylen, _("gateway unreachable: %s"), curl_easy_strerror(rc));
        return SEND_RETRY;
    }
    if (code == 408 || code == 429 || code >= 500) {
        snprintf(why, whylen, _("the gateway is busy or failing (HTTP %ld)"), code);
        return SEND_RETRY;
    }
    if (code < 200 || code >= 300) {
        snprintf(why, whylen, _("the gateway refused the request (HTTP %ld)"), code);
        return SEND_PERMANENT;
    }
    if (strcmp(g->success, "http") == 0 || json_says(r->data, g->success))
        return SEND_OK;
    /* Its answer may echo the number: it is not copied into the reason. */
    snprintf(why, whylen, _("the gateway's answer does not say sent (%s)"), g->success);
    return SEND_RETRY;
}

static send_result_t send_gateway(const ncfg_t *cfg, const ncfg_gateway_t *g,
                                  const Sertel__OutboxItem *item, char *why, size_t whylen)
{
    if (!g->profile[0]) {
        snprintf(why, whylen, _("%s is not configured"),
                 item->channel == SERTEL__MESSAGE_CHANNEL__MSG_WHATSAPP ? "WhatsApp" : "SMS");
        return SEND_PERMANENT;
    }
    CURL *c = curl_easy_init();
    size_t flen = strlen(item->body) * 3 + 4 * NCFG_VALUE_MAX;
    char *form = malloc(flen);
    if (!c || !form) {
        curl_easy_cleanup(c);
        free(form);
        snprintf(why, whylen, "%s", _("out of memory"));
        return SEND_RETRY;
    }
    form[0] = '\0';
    add_field(c, form, flen, g->number_field, item->to);
    add_field(c, form, flen, g->text_field, item->body);
    add_field(c, form, flen, g->user_field, g->user);
    add_field(c, form, flen, g->key_field, g->key);
    struct curl_slist *h = NULL;
    char line[NCFG_VALUE_MAX + 128];
    if (g->token_header[0] && g->token[0]) {
        snprintf(line, sizeof line, "%s: %s", g->token_header, g->token);
        h = curl_slist_append(h, line);
    }
    if (g->idempotency_header[0]) {
        snprintf(line, sizeof line, "%s: sertel-outbox-%llu", g->idempotency_header,
                 (unsigned long long)item->id);
        h = curl_slist_append(h, line);
    }
    char *url = NULL;
    if (strcmp(g->method, "GET") == 0 && (url = malloc(strlen(g->url) + strlen(form) + 2)))
        sprintf(url, "%s%c%s", g->url, strchr(g->url, '?') ? '&' : '?', form);
    curl_easy_setopt(c, CURLOPT_URL, url ? url : g->url);
    if (!url)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    response_t r = {.len = 0};
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_response);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)cfg->timeout);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    CURLcode rc = curl_easy_perform(c);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    explicit_bzero(form, strlen(form));
    free(form);
    free(url);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return judge_http(g, rc, code, &r, why, whylen);
}

send_result_t notifier_send(const ncfg_t *cfg, const Sertel__OutboxItem *item, char *why, size_t whylen)
{
    why[0] = '\0';
    switch (item->channel) {
    case SERTEL__MESSAGE_CHANNEL__MSG_EMAIL:
        return send_mail(cfg, item, why, whylen);
    case SERTEL__MESSAGE_CHANNEL__MSG_WHATSAPP:
        return send_gateway(cfg, &cfg->whatsapp, item, why, whylen);
    case SERTEL__MESSAGE_CHANNEL__MSG_SMS:
        return send_gateway(cfg, &cfg->sms, item, why, whylen);
    default:
        snprintf(why, whylen, "%s", _("unknown channel"));
        return SEND_PERMANENT;
    }
}

bool notifier_channel_dedups(const ncfg_t *cfg, Sertel__MessageChannel ch)
{
    if (ch == SERTEL__MESSAGE_CHANNEL__MSG_WHATSAPP)
        return cfg->whatsapp.idempotency_header[0] != '\0';
    if (ch == SERTEL__MESSAGE_CHANNEL__MSG_SMS)
        return cfg->sms.idempotency_header[0] != '\0';
    return false;
}
