#include "history.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "clock.h"
#include "i18n.h"
#include "log.h"

static uint64_t committed_head(store_t *s)
{
    store_txn_t *t;
    if (store_begin(s, NULL, false, &t) != SERTEL_OK)
        return 0;
    uint64_t head = store_last_seq(t);
    store_abort(&t);
    return head;
}

static int year_of(int64_t now)
{
    time_t tt = (time_t)now;
    struct tm tm;
    gmtime_r(&tt, &tm);
    return tm.tm_year + 1900;
}

/* Years that gave agenda numbers, by the store and by the record, and
 * this one. */
static int numbering_years(store_txn_t *t, const identity_t *id, int year_now, int *years)
{
    int n = 0;
    store_case_years(t, years, 32, &n);
    for (int i = -1; i < id->n_years; i++) {
        int y = i < 0 ? year_now : id->years[i].year;
        bool seen = false;
        for (int j = 0; j < n; j++)
            seen |= years[j] == y;
        if (!seen)
            years[n++] = y;
    }
    return n;
}

sertel_err_t history_continue_numbering(store_t *s, const identity_t *id, int year_now,
                                        uint64_t lost, uint64_t margin, char *said,
                                        size_t saidlen)
{
    store_txn_t *t;
    sertel_err_t e = store_begin(s, NULL, true, &t);
    if (e != SERTEL_OK)
        return e;
    int years[32 + IDENTITY_MAX_YEARS + 1];
    int n = numbering_years(t, id, year_now, years);
    size_t used = 0;
    said[0] = '\0';
    for (int i = 0; e == SERTEL_OK && i < n; i++) {
        uint64_t stored = store_case_number(t, years[i]) + lost;
        uint64_t recorded = identity_cases(id, years[i]);
        uint64_t last = (stored > recorded ? stored : recorded) + margin;
        e = store_case_number_set(t, years[i], last);
        if (e == SERTEL_OK && used < saidlen)
            used += (size_t)snprintf(said + used, saidlen - used, "%sSE-%04d-%05" PRIu64,
                                     i ? ", " : "", years[i], last + 1);
    }
    if (e == SERTEL_OK)
        e = store_commit(&t);
    else
        store_abort(&t);
    return e;
}

sertel_err_t history_start(broker_t *b, char *err, size_t errlen)
{
    uint64_t head = committed_head(b->store), lost = 0;
    int64_t now = broker_now(b);
    const identity_t *id = datadir_identity(b->datadir);
    uint64_t recorded = id->head;
    if (datadir_check_head(b->datadir, head, now, &lost, err, errlen)) {
        char next[512];
        log_msg(LOG_ERROR,
                _("RESTORED DATABASE: the journal ends at event %llu but this directory had "
                  "recorded event %llu: %llu events are gone. History epoch %llu begins; "
                  "clients that saw the lost events are told so"),
                (unsigned long long)head, (unsigned long long)recorded, (unsigned long long)lost,
                (unsigned long long)identity_current(id)->number);
        sertel_err_t e = history_continue_numbering(b->store, id, year_of(now), lost,
                                                    HISTORY_CASE_MARGIN, next, sizeof next);
        if (e != SERTEL_OK)
            return err_set(e, err, errlen, _("cannot leave agenda numbers unused: %s"),
                           sertel_strerror(e));
        log_msg(LOG_WARN,
                _("agenda numbers continue after the highest this directory recorded (or the "
                  "database's plus the events lost) and a gap of %d, so none given before "
                  "the restore is given again: next %s"),
                HISTORY_CASE_MARGIN, next);
    }
    const identity_epoch_t *ep = identity_current(id);
    log_msg(LOG_INFO, _("broker %s, history epoch %llu (from event %llu), journal at event %llu"),
            id->broker_id, (unsigned long long)ep->number, (unsigned long long)ep->start,
            (unsigned long long)head);
    history_record(b);
    return SERTEL_OK;
}

void history_record(broker_t *b)
{
    store_txn_t *t;
    if (store_begin(b->store, NULL, false, &t) != SERTEL_OK)
        return;
    identity_cases_t cases[IDENTITY_MAX_YEARS];
    int years[IDENTITY_MAX_YEARS], n = 0;
    store_case_years(t, years, IDENTITY_MAX_YEARS, &n);
    for (int i = 0; i < n; i++)
        cases[i] = (identity_cases_t){.year = years[i], .last = store_case_number(t, years[i])};
    uint64_t head = store_last_seq(t);
    store_abort(&t);
    datadir_record(b->datadir, head, cases, n);
}
