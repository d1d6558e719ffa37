"""The mail desk: the mail part's operations for the web page, behind appliance.ports.mail_desk.

Each operation imports what it needs when first used: a box that never replays or
replies by mail does not load the intake or the composer.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from appliance.config.sections.mail import MailboxSettings, SmtpSettings
from appliance.ports.mail_desk import Replayed, ReplyDraft
from appliance.spine.bus import EventBus
from appliance.spine.clock import Clock
from appliance.spine.events import MessageAdded
from appliance.store.attachment_folder import attachments_dir
from appliance.store.ticket_records import TicketRecords
from appliance.store.worker import StoreWorker


class MailDeskService:
    """Mailbox checks, quarantine replay and replies, run in the store thread where they write."""

    def __init__(self, store: StoreWorker, bus: EventBus, clock: Clock,
                 smtp: SmtpSettings | None, data_dir: Path, *,
                 sla_from: TicketRecords | None = None) -> None:
        self._store = store
        # the ticket book's records: a replayed mail's new ticket gets its SLA targets and
        # hours as they are now, a reply stops its first-response clock in those hours
        # (None: the built-in targets, always open)
        self._sla_from = sla_from
        self._bus = bus
        self._clock = clock
        self.smtp = smtp or SmtpSettings()  # the outgoing server; settings pages may replace it
        self._data_dir = data_dir

    @property
    def sends_mail(self) -> bool:
        return bool(self.smtp.from_address)  # the outbox waits for the server if need be

    async def test_mailbox(self, settings: MailboxSettings, password: str) -> str:
        from appliance.mail.connection_check import async_check_mailbox

        return await async_check_mailbox(settings, password)

    async def send_test_mail(self, settings: SmtpSettings, to: str) -> str:
        from appliance.mail.smtp_probe import async_send_test_mail

        return await async_send_test_mail(settings, to, self._clock.now())

    def use_smtp(self, settings: SmtpSettings) -> None:
        self.smtp = settings

    async def replay(self, quarantine_id: int) -> Replayed:
        from appliance.mail.intake import own_domains
        from appliance.mail.intake_context import IntakeContext
        from appliance.mail.replay import replay

        ctx = IntakeContext(attachments_dir=attachments_dir(self._data_dir),
                            own_domains=own_domains(self.smtp), clock=self._clock)
        if self._sla_from is not None:
            ctx.sla_policy, ctx.calendar = self._sla_from.policy, self._sla_from.calendar
        outcome = await self._store.call(replay, quarantine_id, ctx)
        for event in outcome.events:
            self._bus.publish(event)  # the switchboard files the ticket, pages hear of it
        return Replayed(outcome.kind, outcome.ticket_id)

    async def queue_reply(self, ticket_id: int, draft: ReplyDraft) -> tuple[int, str]:
        """Read in the store thread, compose and write the files beside it (a reply with
        10 MB of files takes a second or two), then store and queue in one transaction."""
        from appliance.mail.replies import compose_reply, plan_reply, record_reply
        from appliance.store.message_files import store_blobs

        settings = self.smtp
        plan = await self._store.call(plan_reply, ticket_id, draft, settings)
        reply = await asyncio.to_thread(compose_reply, plan, draft, settings, self._clock.now())
        blobs = await asyncio.to_thread(store_blobs, attachments_dir(self._data_dir),
                                        draft.files)

        def store_and_queue() -> tuple[int, str]:
            outgoing = record_reply(plan, draft, reply, settings=settings, clock=self._clock,
                                    blobs=blobs, terms=self._sla_from)
            assert outgoing.message is not None  # record_reply always links the stored reply
            return int(outgoing.message.id), str(outgoing.recipients)

        message_id, recipients = await self._store.call(store_and_queue)
        self._bus.publish(MessageAdded(at=self._clock.now(), message_id=message_id,
                                       channel="email", direction="out", ticket_id=ticket_id,
                                       agent_id=draft.author_id))
        return message_id, recipients
