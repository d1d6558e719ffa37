"""A real SMTP server (aiosmtpd) on a free loopback port that records what it receives."""

from __future__ import annotations

import asyncio
import email
import email.policy
import errno
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, Literal

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.peers.free_port import LOOPBACK, free_port

Stage = Literal["MAIL", "RCPT", "DATA"]
WAIT_TIMEOUT_S = 10.0
# Reply texts with RFC 3463 enhanced status codes, by the basic code a test asks for.
_DEFAULT_REFUSAL_TEXT = {
    421: "4.3.2 Service shutting down (test refusal)",
    450: "4.2.1 Mailbox busy (test refusal)",
    451: "4.3.0 Temporary failure (test refusal)",
    452: "4.3.1 Insufficient storage (test refusal)",
    550: "5.7.1 Rejected (test refusal)",
    552: "5.3.4 Message too big (test refusal)",
    554: "5.6.0 Transaction failed (test refusal)",
}


@dataclass(frozen=True)
class ReceivedMail:
    """One message the server accepted: envelope, raw bytes and who logged in."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    login: str | None

    def parsed(self) -> EmailMessage:
        """Parse the raw bytes with the standard library's modern policy."""
        return email.message_from_bytes(self.raw, policy=email.policy.default)


@dataclass
class Refusal:
    """The reply the server gives instead of 250 at one stage, for a number of times."""

    code: int
    text: str
    stage: Stage
    remaining: int | None  # None: refuse until accept() is called


@dataclass
class _Record:
    """What the server thread writes and the test reads, under one condition variable."""

    changed: threading.Condition = field(default_factory=threading.Condition)
    messages: list[ReceivedMail] = field(default_factory=list)
    refused: list[tuple[Stage, int]] = field(default_factory=list)
    attempts: int = 0
    refusal: Refusal | None = None


class _RecordingHandler:
    """aiosmtpd hooks: refuse when told to, otherwise record the message."""

    def __init__(self, record: _Record, username: str | None) -> None:
        self._record = record
        self._username = username

    def _refusal_at(self, stage: Stage) -> str | None:
        """Return the reply if the configured refusal applies now, counting it down."""
        record = self._record
        with record.changed:
            refusal = record.refusal
            if refusal is None or refusal.stage != stage:
                return None
            if refusal.remaining is not None:
                refusal.remaining -= 1
                if refusal.remaining <= 0:
                    record.refusal = None
            record.refused.append((stage, refusal.code))
            record.changed.notify_all()
            return f"{refusal.code} {refusal.text}"

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        """Count the attempt; insist on AUTH when the server has an account (RFC 4954 §6)."""
        with self._record.changed:
            self._record.attempts += 1
        if self._username is not None and not session.authenticated:
            return "530 5.7.0 Authentication required"
        refused = self._refusal_at("MAIL")
        if refused:
            return refused
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        """Accept each recipient unless refusing at RCPT."""
        refused = self._refusal_at("RCPT")
        if refused:
            return refused
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Record the message unless refusing at DATA."""
        refused = self._refusal_at("DATA")
        if refused:
            return refused
        raw = envelope.original_content or b""
        auth = session.auth_data
        login = auth.login.decode() if isinstance(auth, LoginPassword) else None
        mail = ReceivedMail(str(envelope.mail_from), tuple(envelope.rcpt_tos), raw, login)
        with self._record.changed:
            self._record.messages.append(mail)
            self._record.changed.notify_all()
        return "250 2.0.0 Message accepted"


class SmtpServer:
    """A test's SMTP server: address, optional account, what it received, how it refuses."""

    def __init__(self, username: str | None = None, password: str | None = None) -> None:
        if (username is None) != (password is None):
            raise ValueError("give both username and password, or neither")
        self.host = LOOPBACK
        self.port = 0
        self.username = username
        self.password = password
        self._record = _Record()
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[ReceivedMail]:
        """Every message accepted so far, oldest first (a copy)."""
        with self._record.changed:
            return list(self._record.messages)

    @property
    def refused(self) -> list[tuple[Stage, int]]:
        """Every refusal given so far as (stage, code)."""
        with self._record.changed:
            return list(self._record.refused)

    @property
    def attempts(self) -> int:
        """How many transactions were begun (MAIL FROM commands received)."""
        with self._record.changed:
            return self._record.attempts

    def refuse(
        self, code: int, text: str | None = None, stage: Stage = "DATA", times: int | None = None
    ) -> None:
        """Answer code instead of 250 at stage, always or for the next `times` transactions."""
        if not 400 <= code <= 599:
            raise ValueError(f"refusal code {code} is not a 4xx or 5xx SMTP reply")
        text = text or _DEFAULT_REFUSAL_TEXT.get(code, "Refused (test refusal)")
        with self._record.changed:
            self._record.refusal = Refusal(code, text, stage, times)

    def accept(self) -> None:
        """Stop refusing: from now on messages are accepted."""
        with self._record.changed:
            self._record.refusal = None

    def wait_for_messages(
        self, count: int, timeout_s: float = WAIT_TIMEOUT_S
    ) -> list[ReceivedMail]:
        """Block until at least count messages arrived; raise TimeoutError otherwise."""
        record = self._record
        with record.changed:
            if not record.changed.wait_for(lambda: len(record.messages) >= count, timeout_s):
                raise TimeoutError(
                    f"{len(record.messages)} of {count} messages arrived in {timeout_s} s"
                )
            return list(record.messages)

    async def messages_arrived(
        self, count: int, timeout_s: float = WAIT_TIMEOUT_S
    ) -> list[ReceivedMail]:
        """Wait for count messages without blocking the event loop."""
        return await asyncio.to_thread(self.wait_for_messages, count, timeout_s)

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        """Check LOGIN/PLAIN credentials against the one account (RFC 4954)."""
        ok = (
            isinstance(data, LoginPassword)
            and self.username is not None
            and self.password is not None
            and data.login == self.username.encode()
            and data.password == self.password.encode()
        )
        return AuthResult(success=ok, handled=False, auth_data=data if ok else None)

    @property
    def is_running(self) -> bool:
        """Tell whether the server listens."""
        return self._controller is not None

    def start(self) -> None:
        """Listen: first on a fresh free port (one retry if taken), later on the same one."""
        if self._controller is not None:
            return
        if self.port:
            self._run()
            return
        for attempt in (1, 2):
            self.port = free_port(self.host)
            try:
                self._run()
                return
            except OSError as error:
                if error.errno != errno.EADDRINUSE or attempt == 2:
                    raise

    def _run(self) -> None:
        """Start an aiosmtpd controller thread on the current port."""
        handler = _RecordingHandler(self._record, self.username)
        auth: dict[str, Any] = {}
        if self.username is not None:
            # Plain AUTH without TLS is acceptable on loopback in a test; mail clients under
            # test still have to log in, as handle_MAIL refuses unauthenticated senders.
            auth = {"authenticator": self._authenticate, "auth_require_tls": False}
        controller = Controller(
            handler, hostname=self.host, port=self.port, server_hostname="smtp.test", **auth
        )
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        """Stop listening; connections are refused until start()."""
        controller, self._controller = self._controller, None
        if controller is not None:
            # The controller closes its listening socket before its thread ends.
            controller.stop()


class SmtpFactory:
    """Starts SMTP servers for one test and stops them all when it ends."""

    def __init__(self) -> None:
        self.servers: list[SmtpServer] = []

    def __call__(self, username: str | None = None, password: str | None = None) -> SmtpServer:
        """Start a server, with an account when username and password are given."""
        server = SmtpServer(username, password)
        self.servers.append(server)
        server.start()
        return server

    def stop_all(self) -> None:
        """Stop every server this factory started."""
        for server in self.servers:
            server.stop()


@pytest.fixture
def make_smtp_server() -> Iterator[SmtpFactory]:
    """Give a test a factory of SMTP servers, all stopped when the test ends."""
    factory = SmtpFactory()
    try:
        yield factory
    finally:
        factory.stop_all()


@pytest.fixture
def smtp_server(make_smtp_server: SmtpFactory) -> SmtpServer:
    """Give a test a running SMTP server without AUTH that accepts and records everything."""
    return make_smtp_server()
