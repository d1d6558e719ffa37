"""Which recorded notices go together, which no longer matter, and when a failed one is tried
again: the pure rules, without a store or a sender."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from appliance.queue.notice_batches import (
    RETRY_MAX,
    TicketNow,
    batch_key,
    is_stale,
    retry_at,
)
from appliance.queue.notice_rules import NoticeKind, NoticeWay

NOW = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
OPEN = TicketNow(1042, is_open=True, sla_due=NOW + timedelta(minutes=20))


def test_sla_notices_go_together_per_agent_and_way_the_others_alone() -> None:
    breach = batch_key(1, 7, NoticeKind.SLA_BREACH, NoticeWay.SMS)
    assert batch_key(2, 7, NoticeKind.SLA_WARNING, NoticeWay.SMS) == breach
    assert batch_key(3, 7, NoticeKind.SLA_BREACH, NoticeWay.EMAIL) != breach
    assert batch_key(4, 8, NoticeKind.SLA_BREACH, NoticeWay.SMS) != breach
    assert (batch_key(5, 7, NoticeKind.ASSIGNED, NoticeWay.SMS)
            != batch_key(6, 7, NoticeKind.ASSIGNED, NoticeWay.SMS))


def test_a_warning_is_stale_once_breached_or_closed_a_breach_once_resolved() -> None:
    assert not is_stale(NoticeKind.SLA_WARNING, OPEN, NOW)
    assert is_stale(NoticeKind.SLA_WARNING, OPEN, NOW + timedelta(minutes=20))
    paused = TicketNow(1042, is_open=True, sla_due=None)  # pending: the clock stands
    assert is_stale(NoticeKind.SLA_WARNING, paused, NOW)
    assert not is_stale(NoticeKind.SLA_BREACH, OPEN, NOW + timedelta(days=2))
    assert not is_stale(NoticeKind.SLA_BREACH, paused, NOW)
    resolved = TicketNow(1042, is_open=False, sla_due=None)
    assert is_stale(NoticeKind.SLA_BREACH, resolved, NOW)
    assert is_stale(NoticeKind.SLA_BREACH, None, NOW)  # the ticket is gone
    # the other kinds are told whatever became of the ticket
    assert not is_stale(NoticeKind.ASSIGNED, resolved, NOW)
    assert not is_stale(NoticeKind.MENTION, None, NOW)


def test_a_failed_notice_waits_longer_each_time_but_never_more_than_the_bound() -> None:
    pauses = [retry_at(tries, NOW) - NOW for tries in range(40)]
    assert pauses[:4] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert pauses == sorted(pauses)
    assert max(pauses) == RETRY_MAX == pauses[-1]
