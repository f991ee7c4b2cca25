#!/usr/bin/env python3
"""A real SMTP server on 127.0.0.1 (aiosmtpd) that records every message it
accepts as one JSON line: envelope recipients, Subject (decoded),
Message-ID and X-Sertel-Case. A recipient whose address holds "tolak" is
refused with 550 (a permanently bad address). Each accepted message takes
DELAY seconds, so that a test can stop the sender in the middle of a run.

Usage: smtp_recorder.py PORT_FILE LOG_FILE [DELAY]
The chosen port is written to PORT_FILE once the server accepts; it runs
until SIGTERM."""
import asyncio
import email
import email.header
import json
import signal
import socket
import sys

from aiosmtpd.controller import Controller


def decoded(value):
    return str(email.header.make_header(email.header.decode_header(value or "")))


class Recorder:
    def __init__(self, log, delay):
        self.log, self.delay = log, delay

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if "tolak" in address:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        msg = email.message_from_bytes(envelope.content)
        line = {
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "subject": decoded(msg["Subject"]),
            "message_id": msg["Message-ID"],
            "case": msg["X-Sertel-Case"],
            "body": msg.get_payload(decode=True).decode("utf-8"),
        }
        with open(self.log, "a", encoding="utf-8") as f:
            f.write(json.dumps(line) + "\n")
        return "250 Message accepted"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    port_file, log = sys.argv[1], sys.argv[2]
    delay = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    port = free_port()
    controller = Controller(Recorder(log, delay), hostname="127.0.0.1", port=port)
    controller.start()
    with open(port_file + ".tmp", "w") as f:
        f.write(str(port))
    import os
    os.rename(port_file + ".tmp", port_file)
    signal.signal(signal.SIGTERM, lambda *_: None)
    signal.sigwait([signal.SIGTERM, signal.SIGINT]) if hasattr(signal, "sigwait") else signal.pause()
    controller.stop()


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM, signal.SIGINT])
    main()
