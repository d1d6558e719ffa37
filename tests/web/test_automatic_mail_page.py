"""The agent sees on the ticket page what the intake made of an out-of-office reply and a bounce."""

from __future__ import annotations

from pathlib import Path

from aiohttp.test_utils import TestClient

from appliance.mail.intake_context import IntakeContext
from appliance.mail.processing import MailProcessor
from appliance.spine.clock import ManualClock
from appliance.store.models import Message, Ticket
from appliance.store.worker import StoreWorker
from tests.mail.conftest import CORPUS
from tests.mail.mail_factory import plain_mail
from tests.web.conftest import log_in


def take_in_with_replies(ctx: IntakeContext) -> int:
    """A customer's ticket whose two replies met a vacation responder and a dead address."""
    processor = MailProcessor(ctx)
    outcome = processor.process(plain_mail(sender="vanha.osoite@asiakas.fi",
                                           subject="Tilaus 4471"), "mail:support")
    ticket = Ticket.get_by_id(outcome.ticket_id)
    for reply_id in ("reply-1003-1@aspa.example.fi", "reply-1001-1@aspa.example.fi"):
        Message.create(ticket=ticket, channel="email", direction="out", sender="tuki@yritys.fi",
                       recipients="vanha.osoite@asiakas.fi", subject="Re: Tilaus 4471",
                       body_text="Vastaus.", message_id=reply_id)
    for name in ("postfix_dsn_headers.eml", "exchange_oof.eml"):
        assert processor.process((CORPUS / name).read_bytes(), "mail:support").kind == "threaded"
    return int(ticket.number)


async def test_the_ticket_page_says_whose_reply_bounced_and_why(
    client: TestClient, store: StoreWorker, clock: ManualClock, tmp_path: Path
) -> None:
    ctx = IntakeContext(attachments_dir=tmp_path / "attachments",
                        own_domains=frozenset({"aspa.example.fi"}), clock=clock)
    number = await store.call(lambda: take_in_with_replies(ctx))
    await log_in(client)
    page = await (await client.get(f"/tickets/{number}")).text()
    assert "[Aspa] the reply to vanha.osoite@asiakas.fi (" in page
    assert ("bounced: 550 5.1.1 &lt;vanha.osoite@asiakas.fi&gt;: Recipient address rejected"
            in page)
    assert "[Aspa] automatic reply (such as out of office)" in page
