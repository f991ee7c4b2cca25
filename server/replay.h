/* Part of stage 5 (fan out): the catch-up a Hello asked for, sent before
 * its Welcome, one bounded round at a time. */
#ifndef SERTEL_REPLAY_H
#define SERTEL_REPLAY_H

#include "state.h"

/* Events in one EventBatch message at most (Hello.batch asks for fewer),
 * and its size: a batch is closed before its events pass 1 MiB. */
#define REPLAY_BATCH_MAX 256
#define REPLAY_BATCH_BYTES (1024 * 1024)

typedef struct {
    int count;           /* events sent */
    uint64_t last;       /* the seq of the last one sent (since: none) */
    bool more;           /* events are left for another round */
    sertel_err_t failed; /* a journal record could not be read: stopped there */
} replay_result_t;

/* How many events a message of s's round from since may carry, for a
 * Hello that asked for batch. A batch counts as one message in the send
 * queue (--send-queue), so batches go only to a connection that has read
 * its last round (this Hello goes on from that round's end): a client
 * that does not read has at most one round of batches queued beside the
 * queue's single messages. */
unsigned replay_batch(const session_t *s, uint64_t since, unsigned batch);

/* Sends s, as pushes (batch > 1: in EventBatch messages of up to batch
 * events), the journal events after since (up to upto) that concern its
 * officer, one round: fewer when the client's queue fills up first. s
 * may be closed on the way (its peer gone): find it again after. */
void replay_round(broker_t *b, session_t *s, uint64_t since, uint64_t upto, unsigned batch,
                  replay_result_t *out);

/* Notes the end of a round that sent events on s (still open): its last
 * event and where its Welcome says to go on. */
void replay_done(session_t *s, const replay_result_t *r, uint64_t upto);

#endif
