/* The applicant's outbox as both clients print it: one line per message
 * (or a JSON document, docs/cli.md). */
#ifndef SERTEL_OUTBOX_VIEW_H
#define SERTEL_OUTBOX_VIEW_H

#include <stdbool.h>
#include <stdio.h>

#include "sertel.pb-c.h"

void outbox_view_print(FILE *out, const Sertel__OutboxList *l, bool json);

#endif
