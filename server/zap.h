/* ZAP (ZeroMQ RFC 27): which CURVE keys may connect. */
#ifndef SERTEL_ZAP_H
#define SERTEL_ZAP_H

#include "state.h"

/* Answers one pending request on b->zap. */
void zap_handle(broker_t *b);

#endif
