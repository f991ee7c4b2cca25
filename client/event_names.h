/* What every event kind is called where a client shows it: the engine's
 * kinds (core/engine.c) and the broker's administrative ones, which the
 * engine does not name. One table for both clients. */
#ifndef SERTEL_EVENT_NAMES_H
#define SERTEL_EVENT_NAMES_H

/* The kind's code ("didisposisikan", "kalender", ...); "" when unknown. */
const char *event_name_code(int kind);
/* Its translated title; "unknown event" when unknown. */
const char *event_name_title(int kind);

#endif
