"""Which way a notice goes, now, after the quiet hours, or not at all."""

from datetime import UTC, datetime, time

from appliance.queue.notice_rules import (
    NoticeChoices,
    NoticeKind,
    NoticeWay,
    Outcome,
    QuietHours,
    deliver,
)
from appliance.tickets.business_calendar import BusinessCalendar
from appliance.tickets.mentions import mentioned

OFFICE = BusinessCalendar.from_hours("Europe/Helsinki",
                                     {d: [(time(8), time(16))] for d in range(5)})
MONDAY_NOON = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)  # 12:00 in Helsinki
FRIDAY_NIGHT = datetime(2026, 1, 9, 20, 0, tzinfo=UTC)  # 22:00 in Helsinki
MAIL = NoticeChoices({k: NoticeWay.EMAIL for k in NoticeKind})


def test_the_page_only_when_chosen_or_while_it_is_open() -> None:
    page = deliver(NoticeKind.MENTION, NoticeChoices(), page_open=False, calendar=OFFICE,
                   now=MONDAY_NOON)
    assert (page.outcome, page.way) == (Outcome.PAGE, NoticeWay.PAGE)
    open_page = deliver(NoticeKind.MENTION, MAIL, page_open=True, calendar=OFFICE,
                        now=FRIDAY_NIGHT)
    assert (open_page.outcome, open_page.way) == (Outcome.PAGE, NoticeWay.PAGE)
    sent = deliver(NoticeKind.MENTION, MAIL, page_open=False, calendar=OFFICE, now=MONDAY_NOON)
    assert (sent.outcome, sent.way, sent.at) == (Outcome.SEND, NoticeWay.EMAIL, MONDAY_NOON)


def test_quiet_hours_default_to_the_office_closed_and_hold_until_it_opens() -> None:
    held = deliver(NoticeKind.SLA_BREACH, MAIL, page_open=False, calendar=OFFICE,
                   now=FRIDAY_NIGHT)
    monday_eight = datetime(2026, 1, 12, 6, 0, tzinfo=UTC)
    assert (held.outcome, held.at) == (Outcome.HOLD, monday_eight)
    dropped = deliver(NoticeKind.SLA_WARNING, MAIL, page_open=False, calendar=OFFICE,
                      now=FRIDAY_NIGHT)
    assert dropped.outcome is Outcome.DROP


def test_own_quiet_hours_across_midnight_and_an_empty_span() -> None:
    night = QuietHours(time(21), time(7))
    assert night.until(OFFICE, FRIDAY_NIGHT) == datetime(2026, 1, 10, 5, 0, tzinfo=UTC)
    after_midnight = datetime(2026, 1, 9, 23, 30, tzinfo=UTC)  # 01:30 Saturday
    assert night.until(OFFICE, after_midnight) == datetime(2026, 1, 10, 5, 0, tzinfo=UTC)
    assert night.until(OFFICE, MONDAY_NOON) is None
    assert QuietHours(time(0), time(0)).until(OFFICE, FRIDAY_NIGHT) is None  # never quiet
    lunch = QuietHours(time(11, 30), time(12, 30))
    assert lunch.until(OFFICE, MONDAY_NOON) == datetime(2026, 1, 5, 10, 30, tzinfo=UTC)


def test_mentions_by_login_full_name_or_a_first_name_no_one_shares() -> None:
    agents = {1: ("avirtanen", "Anna Virtanen"), 2: ("pekka", "Pekka Lahti"),
              3: ("anna.k", "Anna Korhonen")}
    assert mentioned("@pekka katso tämä", agents) == {2}
    assert mentioned("Kiitos @Pekka.", agents) == {2}
    assert mentioned("@Anna Virtanen ja @anna.k, hoidatteko", agents) == {1, 3}
    assert mentioned("@avirtanen", agents) == {1}
    assert mentioned("@Anna hoitaa", agents) == set()  # two Annas: say which
    assert mentioned("posti anna@asiakas.fi", agents) == set()
    assert mentioned("@pekkala ei ole kukaan", agents) == set()
