"""Relative times ("5 min ago", "2 h kuluttua") from a fixed clock, in both languages, with
the exact time on hover; and on a page, from the request's clock."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient

from appliance.spine.clock import ManualClock
from appliance.store.tickets import TicketBook
from appliance.web.frame.relative_time import relative_text, relative_texts
from appliance.web.frame.rendering import environment
from tests.web.conftest import log_in, open_sample_ticket

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
HELSINKI = ZoneInfo("Europe/Helsinki")

# (seconds from now: negative is past, English, Finnish)
CASES = [
    (0, "just now", "juuri nyt"),
    (-59, "just now", "juuri nyt"),
    (30, "just now", "juuri nyt"),
    (-60, "1 min ago", "1 min sitten"),
    (-90, "1 min ago", "1 min sitten"),  # whole minutes, cut down
    (-5 * 60, "5 min ago", "5 min sitten"),
    (-59 * 60 - 59, "59 min ago", "59 min sitten"),
    (5 * 60, "in 5 min", "5 min kuluttua"),
    (-3600, "1 h ago", "1 h sitten"),
    (-2 * 3600 - 1800, "2 h ago", "2 h sitten"),
    (2 * 3600, "in 2 h", "2 h kuluttua"),
    (-23 * 3600 - 3599, "23 h ago", "23 h sitten"),
    (-86400, "1 day ago", "1 päivä sitten"),
    (-3 * 86400, "3 days ago", "3 päivää sitten"),
    (86400, "in 1 day", "1 päivän kuluttua"),
    (3 * 86400 + 7200, "in 3 days", "3 päivän kuluttua"),
    (-60 * 86400, "60 days ago", "60 päivää sitten"),
]


@pytest.mark.parametrize(("seconds", "english", "finnish"), CASES)
def test_the_text_follows_the_distance_and_the_count(seconds: int, english: str,
                                                     finnish: str) -> None:
    moment = NOW + timedelta(seconds=seconds)
    assert relative_text(moment, NOW, "en", HELSINKI) == english
    assert relative_text(moment, NOW, "fi", HELSINKI) == finnish


def test_a_time_further_than_two_months_is_its_date_on_the_offices_calendar() -> None:
    moment = datetime(2025, 12, 31, 22, 30, tzinfo=UTC)  # already 1 January in Helsinki
    assert relative_text(moment, NOW, "en", HELSINKI) == "2026-01-01"
    assert relative_text(moment, NOW, "fi", HELSINKI) == "2026-01-01"


def test_the_browser_gets_the_same_texts_as_the_server() -> None:
    finnish = relative_texts("fi")
    assert finnish["min_ago"].format(count=5) == "5 min sitten"
    assert finnish["days_ago"].format(count=2) == "2 päivää sitten"
    assert set(finnish) == set(relative_texts("en"))
    assert relative_texts("xx") == relative_texts("en")  # an unknown language speaks English


def _render(moment: datetime | None, language: str) -> str:
    template = environment().from_string("{{ moment|relative }}")
    return template.render(moment=moment, now=NOW, lang=language, zone=HELSINKI)


def test_the_filter_writes_a_time_element_exact_on_hover() -> None:
    html = _render(NOW - timedelta(minutes=5), "fi")
    assert html == ('<time datetime="2026-03-10T11:55:00Z" title="2026-03-10 13:55"'
                    " data-relative>5 min sitten</time>")
    assert _render(NOW + timedelta(hours=2), "en").endswith(">in 2 h</time>")
    assert _render(None, "en") == ""


async def test_a_page_says_how_long_ago_by_the_requests_clock(
    client: TestClient, tickets: TicketBook, clock: ManualClock
) -> None:
    token = await log_in(client)
    number = await open_sample_ticket(tickets)
    clock.advance(timedelta(minutes=5, seconds=10))
    page = await (await client.get(f"/tickets/{number}")).text()
    assert re.search(r'<time datetime="[^"]+" title="[^"]+" data-relative>5 min ago</time>', page)
    clock.advance(timedelta(hours=3))
    await client.post("/language", data={"csrf_token": token, "language": "fi"})
    page = await (await client.get(f"/tickets/{number}")).text()
    assert "data-relative>3 h sitten</time>" in page
    assert "data-relative-texts='{" in page  # the texts aspa.js writes the times again with
