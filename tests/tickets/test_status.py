"""Ticket lifecycle and what a customer reply does."""

import pytest

from appliance.tickets import (
    ALLOWED_TRANSITIONS,
    ReplyAction,
    TicketStatus,
    TransitionError,
    can_move,
    is_open_work,
    move,
    on_customer_reply,
)

S = TicketStatus


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (S.NEW, S.OPEN),
        (S.OPEN, S.PENDING),
        (S.PENDING, S.OPEN),
        (S.PENDING, S.RESOLVED),
        (S.OPEN, S.RESOLVED),
        (S.RESOLVED, S.OPEN),
        (S.RESOLVED, S.CLOSED),
    ],
)
def test_allowed_moves(old: TicketStatus, new: TicketStatus) -> None:
    assert move(old, new) is new


@pytest.mark.parametrize(
    ("old", "new"),
    [(S.CLOSED, S.OPEN), (S.CLOSED, S.NEW), (S.OPEN, S.NEW), (S.RESOLVED, S.PENDING)],
)
def test_refused_moves_name_both_states(old: TicketStatus, new: TicketStatus) -> None:
    assert not can_move(old, new)
    with pytest.raises(TransitionError, match=f"a {old} ticket cannot become {new}"):
        move(old, new)


def test_every_status_has_a_row_and_closed_is_final() -> None:
    assert set(ALLOWED_TRANSITIONS) == set(S)
    assert ALLOWED_TRANSITIONS[S.CLOSED] == frozenset()
    assert all(status not in targets for status, targets in ALLOWED_TRANSITIONS.items())


@pytest.mark.parametrize("status", [S.PENDING, S.RESOLVED])
def test_customer_reply_reopens(status: TicketStatus) -> None:
    decision = on_customer_reply(status)
    assert decision.action is ReplyAction.REOPEN and decision.status is S.OPEN
    assert can_move(status, decision.status)


def test_customer_reply_to_closed_makes_a_new_ticket() -> None:
    decision = on_customer_reply(S.CLOSED)
    assert decision.action is ReplyAction.NEW_TICKET and decision.status is S.CLOSED


@pytest.mark.parametrize("status", [S.NEW, S.OPEN])
def test_customer_reply_to_live_ticket_keeps_it(status: TicketStatus) -> None:
    assert on_customer_reply(status).action is ReplyAction.KEEP


def test_open_work_statuses() -> None:
    assert [s for s in S if is_open_work(s)] == [S.NEW, S.OPEN, S.PENDING]
