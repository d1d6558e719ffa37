"""Customers found again by any spelling of their number or address; merging two into one."""

from __future__ import annotations

import peewee as pw
import pytest

from appliance.store.contact_normalising import normalise_email, normalise_phone
from appliance.store.customers import CustomerDirectory
from appliance.store.errors import InvalidInput, NotFound
from appliance.store.models import Agent, Call, ContactPoint, Customer, HistoryEntry, Ticket


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("040 123 4567", "+358401234567"),
        ("040-1234567", "+358401234567"),
        ("+358 40 123 4567", "+358401234567"),
        ("+358 (0)40 123 4567", "+358401234567"),
        ("00358401234567", "+358401234567"),
        ("(09) 123 456", "+3589123456"),
        ("+46 70 123 45 67", "+46701234567"),
        ("112", "112"),  # emergency and short numbers have no international form
        ("16100", "16100"),
        ("Posti", "Posti"),  # an alphanumeric SMS sender stays as written
        ("+1234567890123456", "1234567890123456"),  # too long for E.164: digits only
    ],
)
def test_phone_numbers_normalise_to_e164_where_possible(raw: str, expected: str) -> None:
    assert normalise_phone(raw, "358") == expected


def test_without_a_default_country_national_numbers_stay_digits() -> None:
    assert normalise_phone("040 1234567", None) == "0401234567"
    with pytest.raises(InvalidInput):
        normalise_phone("   ", "358")


def test_email_addresses_lower_cased_and_trimmed() -> None:
    assert normalise_email("  <Matti.Meikalainen@Example.FI> ") == "matti.meikalainen@example.fi"
    assert normalise_email("mailto:info@example.fi") == "info@example.fi"
    for bad in ("", "matti", "a@b", "a b@c.fi", "a@@b.fi"):
        with pytest.raises(InvalidInput):
            normalise_email(bad)


def test_find_or_create_by_any_spelling_gives_one_customer(db: pw.Database) -> None:
    directory = CustomerDirectory(db, default_country_code=358)  # as box.country_code gives it
    first, created = directory.find_or_create("phone", "040 123 4567", name="Matti")
    again, created_again = directory.find_or_create("phone", "+358401234567")
    assert created and not created_again and again.id == first.id
    assert directory.find_or_create_by_email("Matti@Example.fi").id != first.id
    directory.add_contact(first.id, "email", "matti@firma.fi")
    assert directory.find_by_email("MATTI@firma.fi ").id == first.id  # type: ignore[union-attr]
    assert directory.find_or_create_by_email("matti@firma.fi").id == first.id
    assert directory.contacts(first.id) == [("phone", "+358401234567"),
                                            ("email", "matti@firma.fi")]
    assert Customer.select().count() == 2


def test_a_number_cannot_belong_to_two_customers(db: pw.Database) -> None:
    directory = CustomerDirectory(db)
    one = directory.find_or_create_by_phone("0401234567")
    other = directory.find_or_create_by_phone("0501234567")
    with pytest.raises(InvalidInput, match="merge"):
        directory.add_contact(other.id, "phone", "+358 40 1234567")
    assert directory.find_by_phone("0401234567").id == one.id  # type: ignore[union-attr]


def test_a_name_fills_in_only_when_missing(db: pw.Database) -> None:
    directory = CustomerDirectory(db)
    directory.find_or_create_by_phone("0401234567")
    named = directory.find_or_create_by_phone("0401234567", name="Liisa")
    renamed = directory.find_or_create_by_phone("0401234567", name="Someone Else")
    assert named.name == renamed.name == "Liisa"


def test_merge_moves_contacts_tickets_calls_and_history(db: pw.Database) -> None:
    directory = CustomerDirectory(db)
    manager = Agent.create(name="Aino", login="aino")
    keep = directory.find_or_create_by_email("matti@firma.fi", name="Matti")
    gone = directory.find_or_create_by_phone("0401234567")
    gone.vip, gone.account_manager_id, gone.notes = True, manager.id, "soittaa aamuisin"
    gone.save()
    ticket = Ticket.create(number=1001, channel="sms", customer=gone.id)
    call = Call.create(call_ref="c1", line="gsm0", number="+358401234567", customer=gone.id)
    HistoryEntry.create(at=ticket.created_at, kind="call.offered", event_id="a" * 32,
                        customer=gone.id, data={})

    merged = directory.merge(keep.id, gone.id)

    assert Customer.get_or_none(Customer.id == gone.id) is None
    assert merged.vip and merged.account_manager_id == manager.id
    assert merged.name == "Matti" and merged.notes == "soittaa aamuisin"
    assert directory.find_by_phone("040 1234567").id == keep.id  # type: ignore[union-attr]
    assert Ticket.get_by_id(ticket.id).customer_id == keep.id
    assert Call.get_by_id(call.id).customer_id == keep.id
    assert HistoryEntry.get().customer_id == keep.id
    assert ContactPoint.select().where(ContactPoint.customer == keep.id).count() == 2


def test_merge_refuses_nonsense(db: pw.Database) -> None:
    directory = CustomerDirectory(db)
    one = directory.find_or_create_by_phone("0401234567")
    with pytest.raises(InvalidInput):
        directory.merge(one.id, one.id)
    with pytest.raises(NotFound):
        directory.merge(one.id, 9999)
    assert Customer.select().count() == 1


def test_erase_removes_personal_data_but_keeps_tickets(db: pw.Database) -> None:
    directory = CustomerDirectory(db)
    customer = directory.find_or_create_by_phone("0401234567", name="Matti")
    Ticket.create(number=1001, channel="sms", customer=customer.id)
    directory.erase(customer.id)
    erased = Customer.get_by_id(customer.id)
    assert erased.name == "" and erased.erased_at is not None
    assert directory.find_by_phone("0401234567") is None
    assert Ticket.get().customer_id == customer.id
