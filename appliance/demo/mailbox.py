"""The demo's sample mailbox: customers' mails arrive in a Maildir and go through the real intake.

The demo has no mail server, so the mailbox is a Maildir under the demo's
data directory. Every few seconds one sample mail (shipped in
`appliance/demo/mail_samples/`) is delivered into `new/`, taken in by the
same filter pipeline and writer as the IMAP intake, and moved to `cur/`
flagged seen, as a mail client would. The events it makes go on the bus, so
the queue page shows the new ticket at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import mailbox
from importlib import resources
from typing import TYPE_CHECKING

from appliance.ports.adapter import AdapterHealth

if TYPE_CHECKING:
    from appliance.mail.article_writer import WriteOutcome
    from appliance.mail.processing import MailProcessor
    from appliance.runtime.daemon import Daemon

log = logging.getLogger("aspa.demo")

FIRST_MAIL_AFTER_S = 2.0
MAIL_EVERY_S = 9.0
SOURCE = "mail:demo"


def sample_mails() -> list[bytes]:
    """The sample mails, in the order customers send them."""
    folder = resources.files("appliance.demo") / "mail_samples"
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".eml")), key=lambda f: f.name)
    return [f.read_bytes() for f in files]


class DemoMailbox:
    """An input adapter for the demo: sample mails arrive and are taken in."""

    name = "demo-mailbox"

    def __init__(self, *, first_after_s: float = FIRST_MAIL_AFTER_S,
                 every_s: float = MAIL_EVERY_S) -> None:
        self._daemon: Daemon | None = None
        self._first_after_s = first_after_s
        self._every_s = every_s
        self._maildir: mailbox.Maildir | None = None
        self._processor: MailProcessor | None = None
        self._task: asyncio.Task[None] | None = None
        self.outcomes: list[str] = []

    def attach(self, daemon: Daemon) -> None:
        """The daemon whose store takes the mail in and whose bus carries the events."""
        self._daemon = daemon

    async def start(self) -> None:
        from appliance.mail.intake_context import IntakeContext
        from appliance.mail.processing import MailProcessor
        from appliance.store.attachment_folder import attachments_dir

        if self._daemon is None:
            raise RuntimeError("demo mailbox started before attach(daemon)")
        data = self._daemon.config.data_path
        self._maildir = mailbox.Maildir(data / "demo-mailbox", create=True)
        self._processor = MailProcessor(
            IntakeContext(attachments_dir=attachments_dir(data), clock=self._daemon.clock))
        self._task = asyncio.create_task(self._deliver(), name="demo-mailbox")

    async def _deliver(self) -> None:
        await asyncio.sleep(self._first_after_s)
        for raw in sample_mails():
            await self.deliver(raw)
            await asyncio.sleep(self._every_s)

    async def deliver(self, raw: bytes) -> WriteOutcome:
        """One mail arrives in the mailbox and is taken in; its events go on the bus."""
        assert self._maildir is not None
        assert self._daemon is not None and self._daemon.store is not None
        tickets = self._daemon.tickets
        if tickets is not None and self._processor is not None:
            # the ticket book's SLA targets and hours, as saved now: the demo's page may change them
            self._processor.use_terms(tickets.records.policy, tickets.records.calendar)
        key = self._maildir.add(raw)
        outcome = await self._daemon.store.call(self._take_in, key)
        for event in outcome.events:
            self._daemon.bus.publish(event)
        self.outcomes.append(outcome.kind)
        log.info("demo mailbox: a mail arrived and was %s", outcome.kind)
        return outcome

    def _take_in(self, key: str) -> WriteOutcome:
        """Blocking, in the store's thread: the intake commits, then the mail is marked seen."""
        assert self._maildir is not None and self._processor is not None
        outcome = self._processor.process(self._maildir.get_bytes(key), SOURCE)
        message = self._maildir.get_message(key)
        message.set_subdir("cur")
        message.add_flag("S")
        self._maildir[key] = message
        return outcome

    async def stop_input(self) -> None:
        """No more mail."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def stop(self) -> None:
        await self.stop_input()

    def health(self) -> AdapterHealth:
        return AdapterHealth(ok=self._maildir is not None,
                             detail=f"{len(self.outcomes)} sample mails taken in")
