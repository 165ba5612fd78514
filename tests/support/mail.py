"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd), and a stand-in for GOV.UK Notify's
API (a plain HTTP server that keeps each request), each on a free port, in a thread."""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

#: QA_BASE_URL while a test's emails go to `smtp_server`
BASE_URL = "http://qa.council.example"


def link_in(text: str) -> str:
    """The first address in an email's text."""
    found = re.search(r"(https?://\S+)", text)
    assert found, text
    return found.group(1)


def path_of(link: str) -> str:
    """The path of a link in an email, which must start with QA_BASE_URL."""
    assert link.startswith(BASE_URL + "/"), link
    return link[len(BASE_URL) :]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Mailbox:
    """What the SMTP server received: each message with its envelope's recipients."""

    port: int
    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for recipients, message in self.messages if address in recipients]


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    mailbox = Mailbox(free_port())
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


@dataclass
class NotifyRequest:
    path: str
    headers: dict[str, str]
    body: dict


@contextmanager
def notify_stand_in(status: int = 201) -> Iterator[tuple[str, list[NotifyRequest]]]:
    """An HTTP server answering as Notify's `POST /v2/notifications/email` does; yields its
    base URL and the list of requests it received."""
    received: list[NotifyRequest] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            received.append(
                NotifyRequest(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            reply = json.dumps(
                {"id": "740e5834-3a29-46b4-9a6f-16142fde533a", "reference": body.get("reference")}
                if status < 400
                else {"errors": [{"error": "BadRequestError", "message": "Can't send"}]}
            ).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", received
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
