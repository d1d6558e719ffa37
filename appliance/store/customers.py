"""Customers by their phone numbers and email addresses; merging two into one.

These are blocking calls: on the event loop run them through `StoreWorker`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

import peewee as pw

from appliance.spine.clock import Clock, SystemClock
from appliance.store.contact_normalising import normalise_email, normalise_phone
from appliance.store.errors import InvalidInput, NotFound
from appliance.store.models import AfterCall, Call, ContactPoint, Customer, HistoryEntry, Ticket

PHONE = "phone"
EMAIL = "email"
CREATE_ATTEMPTS = 3  # a concurrent writer may add the same address between look-up and insert


class CustomerDirectory:
    """Find, create and merge customers; contact points are stored normalised."""

    def __init__(
        self,
        db: pw.Database,
        *,
        default_country_code: str | int | None = "358",
        clock: Clock | None = None,
    ) -> None:
        self.db = db
        # box.country_code in aspa.toml is a number (358); national numbers take it
        self.default_country_code = None if default_country_code is None else str(
            default_country_code)
        self.clock = clock or SystemClock()

    def normalise(self, kind: str, raw: str) -> str:
        """The stored form of a phone number or email address."""
        if kind == PHONE:
            return normalise_phone(raw, self.default_country_code)
        if kind == EMAIL:
            return normalise_email(raw)
        raise InvalidInput(f"contact kind must be {PHONE} or {EMAIL}, not {kind!r}")

    def find(self, kind: str, raw: str) -> Customer | None:
        """The customer owning this number or address, if any."""
        value = self.normalise(kind, raw)
        found: Customer | None = (
            Customer.select()
            .join(ContactPoint)
            .where((ContactPoint.kind == kind) & (ContactPoint.value == value))
            .first()
        )
        return found

    def find_by_phone(self, raw: str) -> Customer | None:
        return self.find(PHONE, raw)

    def find_by_email(self, raw: str) -> Customer | None:
        return self.find(EMAIL, raw)

    def find_or_create(self, kind: str, raw: str, *, name: str = "") -> tuple[Customer, bool]:
        """The customer with this contact point, made if unknown; (customer, created)."""
        value = self.normalise(kind, raw)
        for _ in range(CREATE_ATTEMPTS):
            found = self.find(kind, value)
            if found is not None:
                if name and not found.name:
                    found.name = name
                    found.save(only=[Customer.name])
                return found, False
            try:
                with self.db.atomic():
                    customer = Customer.create(name=name)
                    ContactPoint.create(customer=customer, kind=kind, value=value)
                return customer, True
            except pw.IntegrityError:
                continue  # someone else stored it first: look again
        raise InvalidInput(f"could not store {kind} {value!r}: it keeps conflicting")

    def find_or_create_by_phone(self, raw: str, *, name: str = "") -> Customer:
        return self.find_or_create(PHONE, raw, name=name)[0]

    def find_or_create_by_email(self, raw: str, *, name: str = "") -> Customer:
        return self.find_or_create(EMAIL, raw, name=name)[0]

    def add_contact(self, customer_id: int, kind: str, raw: str) -> ContactPoint:
        """Give a customer another number or address; refused if it is someone else's."""
        value = self.normalise(kind, raw)
        owner = self.find(kind, value)
        if owner is not None:
            if owner.id == customer_id:
                return ContactPoint.get(kind=kind, value=value)
            raise InvalidInput(
                f"{kind} {value} belongs to customer {owner.id}: merge the customers instead"
            )
        try:
            with self.db.atomic():
                return ContactPoint.create(customer=customer_id, kind=kind, value=value)
        except pw.IntegrityError as error:
            raise InvalidInput(f"{kind} {value} could not be added: {error}") from error

    def contacts(self, customer_id: int) -> list[tuple[str, str]]:
        """A customer's (kind, value) pairs, phones first."""
        rows = (
            ContactPoint.select(ContactPoint.kind, ContactPoint.value)
            .where(ContactPoint.customer == customer_id)
            .order_by(ContactPoint.kind.desc(), ContactPoint.id)
            .tuples()
        )
        return [(kind, value) for kind, value in cast(Iterable[tuple[str, str]], rows)]

    def merge(self, keep_id: int, gone_id: int) -> Customer:
        """Move everything of customer `gone_id` to `keep_id`, then delete `gone_id`."""
        if keep_id == gone_id:
            raise InvalidInput("cannot merge a customer with itself")
        with self.db.atomic():
            keep = Customer.get_or_none(Customer.id == keep_id)
            gone = Customer.get_or_none(Customer.id == gone_id)
            if keep is None or gone is None:
                missing = keep_id if keep is None else gone_id
                raise NotFound(f"customer {missing} does not exist")
            for model in (ContactPoint, Ticket, Call, HistoryEntry, AfterCall):
                field = model.customer
                model.update({field: keep_id}).where(field == gone_id).execute()
            keep.vip = keep.vip or gone.vip
            keep.name = keep.name or gone.name
            if keep.account_manager_id is None:
                keep.account_manager_id = gone.account_manager_id
            if keep.language is None:
                keep.language = gone.language
            if gone.notes:
                keep.notes = f"{keep.notes}\n{gone.notes}".strip()
            keep.save()
            gone.delete_instance()
        return keep

    def erase(self, customer_id: int) -> None:
        """Erase a customer's personal data on request; tickets stay, nameless."""
        with self.db.atomic():
            updated = (
                Customer.update(name="", notes="", erased_at=self.clock.now())
                .where(Customer.id == customer_id)
                .execute()
            )
            if not updated:
                raise NotFound(f"customer {customer_id} does not exist")
            ContactPoint.delete().where(ContactPoint.customer == customer_id).execute()
