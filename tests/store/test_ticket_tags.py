"""Tags on tickets: normalised, capped, one row per tag, filtered and counted by tag."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import peewee as pw
import pytest

from appliance.store.errors import NotFound
from appliance.store.models import Ticket, TicketTag
from appliance.store.ticket_lists import TicketListing, list_tickets
from appliance.store.ticket_tags import (
    TAG_MAX_CHARS,
    TAGS_PER_TICKET_MAX,
    BadTag,
    add_tag,
    known_tags,
    normalise_tag,
    remove_tag,
    tag_report,
    tags_of,
)

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def ticket(number: int, created: datetime = NOW, resolved: datetime | None = None) -> Ticket:
    return Ticket.create(number=number, channel="email", subject=f"asia {number}",
                         status="resolved" if resolved else "open", created_at=created,
                         updated_at=created, resolved_at=resolved)


@pytest.mark.parametrize(("typed", "kept"), [
    ("Invoice", "invoice"), ("  LASKUTUS  ", "laskutus"), ("vip   asiakas", "vip asiakas"),
    ("Ｆｕｌｌ", "full"), ("tab\there", "tab here"), ("Äänekoski", "äänekoski"),
])
def test_a_tag_is_kept_normalised(typed: str, kept: str) -> None:
    assert normalise_tag(typed) == kept


@pytest.mark.parametrize("typed", ["", "   ", "x" * (TAG_MAX_CHARS + 1), "bell\x07", "rtl\u202e"])
def test_unusable_tags_are_refused(typed: str) -> None:
    with pytest.raises(BadTag):
        normalise_tag(typed)


def test_tags_are_added_once_and_removed(db: pw.Database) -> None:
    ticket(1001)
    assert add_tag(1001, "Invoice", NOW) == ["invoice"]
    assert add_tag(1001, " INVOICE ", NOW) == ["invoice"]
    assert add_tag(1001, "<script>alert(1)</script>", NOW) == [
        "<script>alert(1)</script>", "invoice"]
    assert TicketTag.select().count() == 2
    assert remove_tag(1001, "invoice") == ["<script>alert(1)</script>"]
    assert remove_tag(1001, "never had it") == ["<script>alert(1)</script>"]
    with pytest.raises(NotFound):
        add_tag(9999, "x", NOW)


def test_a_ticket_has_a_limited_number_of_tags(db: pw.Database) -> None:
    ticket(1001)
    for i in range(TAGS_PER_TICKET_MAX):
        add_tag(1001, f"t{i}", NOW)
    with pytest.raises(BadTag):
        add_tag(1001, "one more", NOW)
    assert len(tags_of(Ticket.get(Ticket.number == 1001).id)) == TAGS_PER_TICKET_MAX


def test_the_list_filters_by_tag_and_shows_the_tags(db: pw.Database) -> None:
    ticket(1001)
    ticket(1002)
    ticket(1003)
    add_tag(1001, "invoice", NOW)
    add_tag(1003, "invoice", NOW)
    add_tag(1003, "urgent", NOW)
    page = list_tickets(TicketListing(tag="  Invoice"))
    assert [(r.number, r.tags) for r in page.rows] == [(1003, ["invoice", "urgent"]),
                                                       (1001, ["invoice"])]
    assert page.total == 2
    assert list_tickets(TicketListing(tag="nobody uses this")).total == 0
    assert known_tags() == ["invoice", "urgent"]
    with pytest.raises(BadTag):
        TicketListing(tag="x" * 100)


def test_the_report_counts_opened_and_resolved_per_tag(db: pw.Database) -> None:
    before = NOW - timedelta(days=10)
    ticket(1001, created=NOW)  # opened in the period
    ticket(1002, created=before, resolved=NOW + timedelta(hours=1))  # resolved in it
    ticket(1003, created=NOW, resolved=NOW + timedelta(hours=2))  # both
    ticket(1004, created=before)  # neither
    for number in (1001, 1002, 1003, 1004):
        add_tag(number, "invoice", NOW)
    add_tag(1003, "return", NOW)
    report = tag_report(NOW - timedelta(days=1), NOW + timedelta(days=1))
    assert [f.json() for f in report] == [
        {"tag": "invoice", "opened": 2, "resolved": 2},
        {"tag": "return", "opened": 1, "resolved": 1},
    ]
