/* The seal of a printed document: which case, at which journal sequence,
 * and a digest of the case's events up to it, so that `sertel verify`
 * can tell whether the paper still matches the journal. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"

#define SEAL_TAG "SERTEL1"

uint64_t doc_case_seq(const Sertel__CaseDetail *d, int64_t *at)
{
    uint64_t seq = 0;
    if (at)
        *at = 0;
    for (size_t i = 0; i < d->n_history; i++)
        if (d->history[i]->seq > seq) {
            seq = d->history[i]->seq;
            if (at)
                *at = d->history[i]->at;
        }
    return seq;
}

/* One field as "length:bytes", so that no text can pass for another. */
static void feed(EVP_MD_CTX *md, const char *s)
{
    char len[24];
    size_t n = s ? strlen(s) : 0;
    snprintf(len, sizeof len, "%zu:", n);
    EVP_DigestUpdate(md, len, strlen(len));
    if (n)
        EVP_DigestUpdate(md, s, n);
}

static void feed_int(EVP_MD_CTX *md, long long v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", v);
    feed(md, buf);
}

/* What an event says that a document shows: who did what, when, to whom,
 * with which words. Fields the protocol adds later do not change it. */
static void feed_event(EVP_MD_CTX *md, const Sertel__Event *ev)
{
    feed_int(md, (long long)ev->seq);
    feed_int(md, ev->kind);
    feed(md, ev->case_id);
    feed_int(md, ev->at);
    feed_int(md, ev->step);
    feed(md, ev->actor);
    feed_int(md, ev->actor_role);
    feed_int(md, ev->acting);
    feed(md, ev->acting_for);
    feed_int(md, ev->next_step);
    feed(md, ev->assignee);
    feed_int(md, ev->assignee_role);
    feed(md, ev->text);
    feed(md, ev->note);
    feed_int(md, ev->work);
    feed_int(md, (long long)ev->n_boxes);
    for (size_t i = 0; i < ev->n_boxes; i++)
        feed(md, ev->boxes[i]);
    feed_int(md, ev->deadline);
    feed_int(md, ev->urgency);
}

void doc_case_digest(const Sertel__CaseDetail *d, uint64_t upto, char out[DOC_DIGEST_HEX + 1])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char h[32];
    unsigned n = 0;
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    feed(md, SEAL_TAG);
    feed(md, d->case_ ? d->case_->id : "");
    for (size_t i = 0; i < d->n_history; i++)
        if (d->history[i]->seq <= upto)
            feed_event(md, d->history[i]);
    EVP_DigestFinal_ex(md, h, &n);
    EVP_MD_CTX_free(md);
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
}

void doc_seal_format(const doc_seal_t *s, char *buf, size_t len)
{
    snprintf(buf, len, "%s;%s;%s;%llu;%s%s%s", SEAL_TAG, s->kind, s->case_id,
             (unsigned long long)s->seq, s->digest, s->chain[0] ? ";" : "", s->chain);
}

static bool is_hex64(const char *s, size_t n)
{
    if (n != DOC_DIGEST_HEX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

/* Copies the next ';'-separated field of at most max bytes. */
static bool field(const char **p, const char *end, char *out, size_t max)
{
    const char *semi = memchr(*p, ';', (size_t)(end - *p));
    size_t n = (size_t)((semi ? semi : end) - *p);
    if (n == 0 || n >= max)
        return false;
    memcpy(out, *p, n);
    out[n] = '\0';
    *p = semi ? semi + 1 : end;
    return true;
}

bool doc_seal_parse(const char *text, doc_seal_t *out)
{
    memset(out, 0, sizeof *out);
    while (*text == ' ' || *text == '\n' || *text == '\t' || *text == '\r')
        text++;
    const char *end = text + strlen(text);
    while (end > text && (end[-1] == ' ' || end[-1] == '\n' || end[-1] == '\t' || end[-1] == '\r'))
        end--;
    char tag[16], seq[24];
    const char *p = text;
    if (!field(&p, end, tag, sizeof tag) || strcmp(tag, SEAL_TAG) != 0 ||
        !field(&p, end, out->kind, sizeof out->kind) ||
        !field(&p, end, out->case_id, sizeof out->case_id) || !field(&p, end, seq, sizeof seq) ||
        !field(&p, end, out->digest, sizeof out->digest))
        return false;
    if (p < end && !field(&p, end, out->chain, sizeof out->chain))
        return false;
    char *stop;
    unsigned long long v = strtoull(seq, &stop, 10);
    if (*stop || seq[0] < '0' || seq[0] > '9' || v == 0 || p != end ||
        !is_hex64(out->digest, strlen(out->digest)) ||
        (out->chain[0] && !is_hex64(out->chain, strlen(out->chain))))
        return false;
    out->seq = v;
    return true;
}

bool doc_seal_from_pdf(const uint8_t *pdf, size_t len, doc_seal_t *out)
{
    /* cairo writes ASCII metadata as a literal string: /Keywords (SERTEL1;...) */
    static const char key[] = "/Keywords (";
    for (size_t i = 0; i + sizeof key - 1 < len; i++) {
        if (memcmp(pdf + i, key, sizeof key - 1) != 0)
            continue;
        const uint8_t *start = pdf + i + sizeof key - 1;
        const uint8_t *close = memchr(start, ')', len - (size_t)(start - pdf));
        if (!close || close - start >= DOC_SEAL_MAX)
            return false;
        char text[DOC_SEAL_MAX];
        memcpy(text, start, (size_t)(close - start));
        text[close - start] = '\0';
        return doc_seal_parse(text, out);
    }
    return false;
}
