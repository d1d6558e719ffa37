"""The mail intake as a daemon adapter: one worker thread per configured mailbox."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from appliance.config.sections.mail import MailboxSettings, MailSettings, SmtpSettings
from appliance.mail.acknowledgement import acknowledge
from appliance.mail.article_writer import WriteOutcome
from appliance.mail.intake_context import IntakeContext
from appliance.mail.mailbox_worker import MailboxWorker
from appliance.mail.outbox_sender import OutboxSender
from appliance.mail.parse_pool import ParsePool
from appliance.mail.parsed_mail import ParsedMail
from appliance.mail.processing import AfterWrite, MailProcessor
from appliance.ports.adapter import Adapter, AdapterHealth
from appliance.spine.bus import EventBus, Subscription
from appliance.spine.clock import Clock, SystemClock
from appliance.spine.events import Event, MessageAdded
from appliance.store.attachment_folder import attachments_dir

if TYPE_CHECKING:
    from appliance.tickets import BusinessCalendar, SlaPolicy

BYTES_PER_MB = 1024 * 1024


def own_domains(smtp: SmtpSettings) -> frozenset[str]:
    """The domains of our own Message-IDs, to recognise our mail coming back."""
    if not (smtp.from_address or smtp.domain):
        return frozenset()
    return frozenset({smtp.message_id_domain.lower()})


def context_for(mailbox: MailboxSettings, settings: MailSettings, data_dir: Path,
                clock: Clock) -> IntakeContext:
    """The filters' context for one mailbox."""
    return IntakeContext(attachments_dir=attachments_dir(data_dir),
                         own_domains=own_domains(settings.smtp),
                         size_cap_bytes=int(mailbox.size_cap_mb * BYTES_PER_MB), clock=clock)


class MailIntake:
    """Takes mail from every configured mailbox into tickets, and sends what waits to go out.

    With SMTP configured and no outbox given, it runs its own OutboxSender, so agents'
    replies and acknowledgements leave through the same adapter the daemon starts.
    """

    def __init__(self, settings: MailSettings, bus: EventBus, data_dir: Path,
                 clock: Clock | None = None, outbox: OutboxSender | None = None, *,
                 parse_process: bool = True, policy: SlaPolicy | None = None,
                 calendar: BusinessCalendar | None = None) -> None:
        self.settings = settings
        # [sla] and the hours its minutes count in: the new tickets' due times
        self.policy, self.calendar = policy, calendar
        self._processors: list[MailProcessor] = []
        # Parse in a second process while the mailbox thread writes: about twice as fast
        # through a backlog, at ~22 MB more memory (a lean interpreter, see parse_pool).
        # It starts with the first group of mails big enough to gain from it; mail
        # arriving a few at a time is parsed in the mailbox thread.
        self.parse_process = parse_process
        self.bus = bus
        self.data_dir = data_dir
        self.clock = clock or SystemClock()
        self._owns_outbox = outbox is None and bool(settings.smtp.host)
        self.outbox = outbox or (OutboxSender(settings.smtp, bus.publish, self.clock)
                                 if self._owns_outbox else None)
        self.workers: list[MailboxWorker] = []
        self._parse_pools: list[ParsePool] = []
        self._wake_on_reply: Subscription | None = None

    @property
    def name(self) -> str:
        """The adapter's name in health and logs."""
        return "mail"

    async def start(self) -> None:
        """Start one thread per mailbox; connection trouble shows as health, not as a failure."""
        loop = asyncio.get_running_loop()

        def publish(event: Event) -> None:
            loop.call_soon_threadsafe(self.bus.publish, event)

        def publish_all(events: Sequence[Event]) -> None:
            # one wake-up of the loop per committed batch, not one per event
            if events:
                loop.call_soon_threadsafe(self._publish_all, events)

        if self.outbox is not None and self._owns_outbox:
            await self.outbox.start()
            self._wake_on_reply = self.bus.subscribe(
                "mail-outbox-wake", self._on_message, [MessageAdded])
        for mailbox in self.settings.mailboxes:
            ctx = context_for(mailbox, self.settings, self.data_dir, self.clock)
            ctx.sla_policy, ctx.calendar = self.policy, self.calendar
            after_write = self._after_write(mailbox)
            processor = MailProcessor(ctx, after_write)
            self._processors.append(processor)
            pool = None
            if self.parse_process:
                pool = ParsePool(ctx)  # its process starts with the first mail to parse
                self._parse_pools.append(pool)
            worker = MailboxWorker(mailbox, processor, publish,
                                   after_commit=self.outbox.notify if after_write and self.outbox
                                   else None, parse_pool=pool, publish_all=publish_all)
            worker.start()
            self.workers.append(worker)

    def use_terms(self, policy: SlaPolicy, calendar: BusinessCalendar) -> None:
        """New SLA targets or hours (saved on the settings page): the next mail's ticket
        follows them, without reconnecting to any mailbox."""
        self.policy, self.calendar = policy, calendar
        for processor in self._processors:
            processor.use_terms(policy, calendar)

    def _publish_all(self, events: Sequence[Event]) -> None:
        for event in events:
            self.bus.publish(event)

    def _on_message(self, event: Event) -> None:
        """An agent's reply was stored: send it now rather than at the next look."""
        if (self.outbox is not None and isinstance(event, MessageAdded)
                and event.direction == "out" and event.channel == "email"):
            self.outbox.notify()

    def _after_write(self, mailbox: MailboxSettings) -> AfterWrite | None:
        """Queue acknowledgements in the article's own transaction, when the mailbox wants them."""
        smtp = self.settings.smtp
        if not (mailbox.acknowledge and smtp.host and smtp.from_address):
            return None

        def after(mail: ParsedMail, outcome: WriteOutcome) -> None:
            acknowledge(mail, outcome, smtp, self.clock)  # sent once the batch has committed

        return after

    async def stop_input(self) -> None:
        """Take in no more mail (the daemon drains the bus after this); sending goes on."""
        await asyncio.gather(*(asyncio.to_thread(w.stop) for w in self.workers))
        self.workers.clear()
        self._processors.clear()
        await asyncio.gather(*(asyncio.to_thread(p.close) for p in self._parse_pools))
        self._parse_pools.clear()

    async def stop(self) -> None:
        """Stop every worker after the mail it is handling, then the sender it owns."""
        await self.stop_input()
        if self._wake_on_reply is not None:
            self.bus.unsubscribe(self._wake_on_reply)
            self._wake_on_reply = None
        if self.outbox is not None and self._owns_outbox:
            await self.outbox.stop()

    def health(self) -> AdapterHealth:
        """OK when every mailbox is connected and sending works; otherwise say what is not."""
        bad = [f"{w.settings.name}: {w.health.detail}" for w in self.workers if not w.health.ok]
        if self.outbox is not None and self._owns_outbox and not self.outbox.health().ok:
            bad.append(f"sending: {self.outbox.health().detail}")
        if bad:
            return AdapterHealth(ok=False, detail="; ".join(bad))
        if not self.workers:
            return AdapterHealth(ok=True, detail="no mailboxes configured")
        taken = sum(w.health.taken_in for w in self.workers)
        return AdapterHealth(ok=True, detail=f"{len(self.workers)} mailbox(es), {taken} taken in")


def mail_adapters(settings: MailSettings, bus: EventBus, data_dir: Path,
                  clock: Clock | None = None, *, policy: SlaPolicy | None = None,
                  calendar: BusinessCalendar | None = None) -> list[Adapter]:
    """The mail parts the daemon runs: the intake (with its sender), or the sender alone."""
    clock = clock or SystemClock()
    if settings.mailboxes:
        return [MailIntake(settings, bus, data_dir, clock, policy=policy, calendar=calendar)]
    if settings.smtp.host:
        return [OutboxSender(settings.smtp, bus.publish, clock)]
    return []
