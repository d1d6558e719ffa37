"""The tickets of notices about to be sent, as the notice rules need them. Blocking; run in the
store thread."""

from __future__ import annotations

from collections.abc import Iterable

from appliance.queue.notice_batches import TicketNow
from appliance.store.models import Ticket
from appliance.store.work_items import QUEUED_STATUSES, next_sla_due
from appliance.tickets.status import TicketStatus

_OPEN = (*QUEUED_STATUSES, TicketStatus.PENDING.value)
_IN_BATCH = 500


def tickets_now(ticket_ids: Iterable[int]) -> dict[int, TicketNow]:
    """Each ticket's number, whether it is open and its running SLA due time; gone ones left out."""
    ids = sorted(set(ticket_ids))
    found: dict[int, TicketNow] = {}
    for start in range(0, len(ids), _IN_BATCH):
        rows = (Ticket.select(Ticket.id, Ticket.number, Ticket.status, Ticket.merged_into,
                              Ticket.first_response_due, Ticket.first_responded_at,
                              Ticket.resolution_due)
                .where(Ticket.id.in_(ids[start:start + _IN_BATCH])).tuples().iterator())
        for ticket_id, number, status, merged_into, first_due, responded, resolution_due in rows:
            is_open = status in _OPEN and merged_into is None
            running = status in QUEUED_STATUSES and merged_into is None  # pending: paused
            due = next_sla_due(first_due, responded, resolution_due) if running else None
            found[int(ticket_id)] = TicketNow(int(number), is_open, due)
    return found
