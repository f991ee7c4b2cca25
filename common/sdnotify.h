/* Tells systemd how a Type=notify service is doing: "READY=1" once it
 * serves, "STOPPING=1" when it begins to stop. The protocol is one
 * datagram to the AF_UNIX socket named by $NOTIFY_SOCKET (sd_notify(3)).
 * It is written here rather than linked from libsystemd: a dozen lines,
 * and the daemons then build and run the same where systemd is absent
 * (containers, other init systems, the test machines). */
#ifndef SERTEL_SDNOTIFY_H
#define SERTEL_SDNOTIFY_H

#include <stdbool.h>

/* Sends state; true when sent or when there is no $NOTIFY_SOCKET (not
 * started by systemd), false with errno when the send failed. */
bool sdnotify(const char *state);

#endif
