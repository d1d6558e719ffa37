"""The open tickets as work items, read at start from raw rows: the same times and fields as
the models give, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import peewee as pw

from appliance.presence import Channel
from appliance.store.models import Agent, Customer, Ticket
from appliance.store.work_items import load_open_tickets, read_open_items, ticket_item_id
from appliance.tickets import Priority

CREATED = datetime(2026, 12, 7, 9, 15, 30, 123456, tzinfo=UTC)
ON_THE_SECOND = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # stored without microseconds


def test_open_tickets_load_with_their_times_aware_and_the_rest_left_out(db: pw.Database) -> None:
    manager = Agent.create(login="anna", name="Anna")
    vip = Customer.create(name="Oy Iso Ab", vip=True, account_manager=manager)
    waiting = Ticket.create(number=1001, channel="sms", status="new", priority="urgent",
                            customer=vip, created_at=CREATED, updated_at=CREATED,
                            first_response_due=ON_THE_SECOND,
                            resolution_due=CREATED + timedelta(days=2))
    answered = Ticket.create(number=1002, channel="call", status="open", priority="odd",
                             created_at=ON_THE_SECOND, updated_at=ON_THE_SECOND,
                             first_response_due=ON_THE_SECOND,
                             first_responded_at=ON_THE_SECOND + timedelta(minutes=5),
                             resolution_due=ON_THE_SECOND + timedelta(days=1))
    Ticket.create(number=1003, channel="email", status="open", created_at=CREATED,
                  updated_at=CREATED, merged_into=waiting)
    Ticket.create(number=1004, channel="email", status="resolved", created_at=CREATED,
                  updated_at=CREATED)

    queue = load_open_tickets()

    assert sorted(item.id for item in queue) == [ticket_item_id(waiting.id),
                                                  ticket_item_id(answered.id)]
    first = queue.get(ticket_item_id(waiting.id))
    assert (first.kind, first.priority, first.vip) == (Channel.SMS, Priority.URGENT, True)
    assert (first.customer_id, first.account_manager_id) == (vip.id, manager.id)
    assert first.created_at == CREATED and first.created_at.tzinfo is not None
    assert first.sla_due == ON_THE_SECOND  # the first response comes due first
    second = queue.get(ticket_item_id(answered.id))
    assert (second.kind, second.priority, second.vip) == (Channel.CALLBACK, Priority.NORMAL,
                                                          False)
    assert second.created_at == ON_THE_SECOND
    assert second.sla_due == ON_THE_SECOND + timedelta(days=1)  # answered: resolution next
    # the same as the models read them
    stored = Ticket.get_by_id(waiting.id)
    assert (first.created_at, stored.created_at.tzinfo) == (stored.created_at, UTC)
    assert read_open_items([waiting.id, answered.id]) == {waiting.id: first,
                                                          answered.id: second}
