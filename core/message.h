/* Names of the outbox's channels and states, for the broker, the
 * notifier and the clients alike: codes (stable, in JSON and on command
 * lines) and titles (translated). */
#ifndef SERTEL_MESSAGE_H
#define SERTEL_MESSAGE_H

#include "sertel.pb-c.h"

const char *message_channel_code(Sertel__MessageChannel ch); /* "email", "whatsapp", "sms"; "" */
Sertel__MessageChannel message_channel_from_code(const char *code); /* NONE when unknown */
const char *message_state_code(Sertel__MessageState st); /* "diantrekan", "dikirim", ... */
const char *message_state_title(Sertel__MessageState st); /* translated */

#endif
