"""Service debt per local day: open at start + new − resolved."""

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appliance.tickets import (
    DayFigure,
    TicketError,
    TicketSpan,
    next_day_figure,
    service_debt_series,
)

HEL = ZoneInfo("Europe/Helsinki")


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, sec: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, sec, tzinfo=HEL).astimezone(UTC)


def test_series_carries_debt_from_day_to_day() -> None:
    tickets = [
        TicketSpan(local(2026, 3, 1, 10), None),  # open before the range
        TicketSpan(local(2026, 3, 1, 11), local(2026, 3, 2, 9)),  # before, resolved on day 1
        TicketSpan(local(2026, 2, 1, 11), local(2026, 2, 2, 9)),  # over before the range
        TicketSpan(local(2026, 3, 2, 8), None),
        TicketSpan(local(2026, 3, 2, 9), local(2026, 3, 3, 12)),
        TicketSpan(local(2026, 3, 3, 9), local(2026, 3, 3, 10)),
        TicketSpan(local(2026, 3, 9, 9), None),  # after the range
    ]
    series = service_debt_series(tickets, date(2026, 3, 2), date(2026, 3, 4), HEL)
    assert series == [
        DayFigure(date(2026, 3, 2), open_at_start=2, new=2, resolved=1),
        DayFigure(date(2026, 3, 3), open_at_start=3, new=1, resolved=2),
        DayFigure(date(2026, 3, 4), open_at_start=2, new=0, resolved=0),
    ]
    assert [f.debt for f in series] == [3, 2, 2]


def test_days_are_local_days() -> None:
    # 23:30 UTC on 1 March is 01:30 on 2 March in Helsinki.
    late = TicketSpan(datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
    series = service_debt_series([late], date(2026, 3, 2), date(2026, 3, 2), HEL)
    assert series == [DayFigure(date(2026, 3, 2), 0, 1, 0)]


def test_next_day_figure_starts_from_previous_debt() -> None:
    today = DayFigure(date(2026, 3, 2), 5, 3, 4)
    tomorrow = next_day_figure(today, new=2, resolved=0)
    assert tomorrow == DayFigure(date(2026, 3, 3), 4, 2, 0)
    assert tomorrow.debt == 6


def test_bad_input_is_refused() -> None:
    with pytest.raises(TicketError, match="before it was created"):
        TicketSpan(local(2026, 3, 2, 10), local(2026, 3, 2, 9))
    with pytest.raises(TicketError, match="before first day"):
        service_debt_series([], date(2026, 3, 2), date(2026, 3, 1), HEL)


_start = datetime(2026, 3, 1, tzinfo=UTC)
_spans = st.builds(
    lambda created, resolved_after: TicketSpan(
        _start + timedelta(minutes=created),
        None if resolved_after is None else _start + timedelta(minutes=created + resolved_after),
    ),
    st.integers(min_value=0, max_value=60 * 24 * 40),
    st.none() | st.integers(min_value=0, max_value=60 * 24 * 10),
)


@given(tickets=st.lists(_spans, max_size=60), offset=st.integers(0, 20), length=st.integers(0, 15))
def test_debt_is_the_count_of_open_tickets_at_each_day_end(
    tickets: list[TicketSpan], offset: int, length: int
) -> None:
    first = date(2026, 3, 1) + timedelta(days=offset)
    series = service_debt_series(tickets, first, first + timedelta(days=length), HEL)
    for before, after in pairwise(series):
        assert after.open_at_start == before.debt
    for figure in series:
        day_end = datetime.combine(figure.day + timedelta(days=1), datetime.min.time(), HEL)
        still_open = sum(
            1
            for t in tickets
            if t.created_at < day_end and (t.resolved_at is None or t.resolved_at >= day_end)
        )
        assert figure.debt == still_open
