"""After-call items: what an agent writes when a call they answered ends. Blocking.

One item per answered call, opened by the call log when the call ends and owned by the agent
who took it: it is never queue work. Saving keeps the notes, the outcome and the follow-up
date; the follow-up itself is a ticket pending until then (`appliance.web.calls`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import peewee as pw

from appliance.store.errors import InvalidInput, NotFound
from appliance.store.models import AfterCall, Call, Customer

OUTCOMES = ("solved", "follow_up", "wrong_number", "other")
NOTES_MAX_CHARS = 4000  # a call's summary; a longer text belongs in a ticket's note


@dataclass(frozen=True, slots=True)
class AfterCallItem:
    """One after-call item as the pages show it."""

    id: int
    call_ref: str
    agent_id: int | None
    customer_id: int | None
    customer_name: str
    number: str
    opened_at: datetime
    saved_at: datetime | None
    notes: str
    outcome: str
    follow_up_at: datetime | None
    follow_up_ticket_id: int | None

    def json(self) -> dict[str, Any]:
        def iso(moment: datetime | None) -> str | None:
            return moment.isoformat() if moment else None

        return {"id": self.id, "call_id": self.call_ref, "agent_id": self.agent_id,
                "customer_id": self.customer_id, "customer": self.customer_name,
                "number": self.number, "opened_at": iso(self.opened_at),
                "saved_at": iso(self.saved_at), "notes": self.notes, "outcome": self.outcome,
                "follow_up_at": iso(self.follow_up_at)}


_COLUMNS = (AfterCall.id, AfterCall.call_ref, AfterCall.agent, AfterCall.customer, Customer.name,
            AfterCall.number, AfterCall.opened_at, AfterCall.saved_at, AfterCall.notes,
            AfterCall.outcome, AfterCall.follow_up_at, AfterCall.follow_up_ticket)


def _items(condition: pw.Expression, order: Sequence[pw.Ordering],
           limit: int | None = None) -> list[AfterCallItem]:
    rows = cast(Iterable[tuple[Any, ...]], (
        AfterCall.select(*_COLUMNS)
        .join(Customer, pw.JOIN.LEFT_OUTER, on=(AfterCall.customer == Customer.id))
        .where(condition).order_by(*order).limit(limit).tuples()))
    return [AfterCallItem(
        id=r[0], call_ref=r[1], agent_id=r[2], customer_id=r[3], customer_name=r[4] or "",
        number=r[5] or "", opened_at=AfterCall.opened_at.python_value(r[6]),
        saved_at=AfterCall.saved_at.python_value(r[7]), notes=r[8] or "", outcome=r[9] or "",
        follow_up_at=AfterCall.follow_up_at.python_value(r[10]), follow_up_ticket_id=r[11])
        for r in rows]


def open_after_call(call: Call, at: datetime) -> int | None:
    """The item for this ended call, if an agent took it and it has none yet; its id."""
    if call.agent_id is None or call.answered_at is None:
        return None
    if AfterCall.select().where(AfterCall.call_ref == call.call_ref).exists():
        return None  # a replayed end changes nothing
    row = AfterCall.create(call_ref=call.call_ref, agent=call.agent_id, customer=call.customer_id,
                           number=call.number, opened_at=at)
    return int(row.id)


def open_after_calls(agent_id: int) -> list[AfterCallItem]:
    """The agent's items still to fill, oldest first."""
    return _items((AfterCall.agent == agent_id) & AfterCall.saved_at.is_null(),
                  [AfterCall.opened_at.asc(), AfterCall.id.asc()])


def after_call(item_id: int) -> AfterCallItem:
    """One item, or NotFound."""
    found = _items(AfterCall.id == item_id, [AfterCall.id.asc()], 1)
    if not found:
        raise NotFound(f"after-call item {item_id} does not exist")
    return found[0]


def saved_for_customer(customer_id: int, limit: int) -> list[AfterCallItem]:
    """The customer's saved items, newest first."""
    return _items((AfterCall.customer == customer_id) & AfterCall.saved_at.is_null(False),
                  [AfterCall.saved_at.desc()], limit)


def check_outcome(outcome: str) -> str:
    """The outcome if it is one of OUTCOMES; InvalidInput otherwise."""
    if outcome not in OUTCOMES:
        raise InvalidInput(f"outcome must be one of {', '.join(OUTCOMES)}")
    return outcome


def save_after_call(item_id: int, agent_id: int, *, notes: str, outcome: str,
                    follow_up_at: datetime | None, follow_up_ticket_id: int | None,
                    now: datetime) -> AfterCallItem:
    """Keep what the agent wrote. Only the agent who took the call saves it, once."""
    check_outcome(outcome)
    if len(notes) > NOTES_MAX_CHARS:
        raise InvalidInput(f"notes are too long: at most {NOTES_MAX_CHARS} characters")
    with AfterCall._meta.database.atomic():
        row = AfterCall.get_or_none(AfterCall.id == item_id)
        if row is None:
            raise NotFound(f"after-call item {item_id} does not exist")
        if row.agent_id != agent_id:
            raise NotFound(f"after-call item {item_id} is another agent's")
        if row.saved_at is not None:
            raise InvalidInput("this after-call item is already saved")
        row.notes, row.outcome, row.saved_at = notes, outcome, now
        row.follow_up_at, row.follow_up_ticket_id = follow_up_at, follow_up_ticket_id
        row.save()
    return after_call(item_id)

