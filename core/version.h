/* What every binary's --version prints: its name, the release and the
 * protocol version it speaks (docs/protocol.md), so that an administrator
 * can tell at a glance whether a client and a broker can talk. */
#ifndef SERTEL_VERSION_H
#define SERTEL_VERSION_H

/* "sertel 0.1.0 (protokol 1)" on stdout; returns 0 (the exit code). */
int version_print(const char *prog);

#endif
