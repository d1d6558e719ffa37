"""Who a waiting caller is: the customer their number belongs to. Blocking."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from appliance.store.contact_normalising import normalise_phone
from appliance.store.errors import InvalidInput
from appliance.store.models import ContactPoint, Customer


def customers_by_number(numbers: Iterable[str],
                        country_code: str | None = "358") -> dict[str, tuple[int, str]]:
    """Each number (as the line gave it) that a customer owns → (customer id, name).

    Erased customers are left out: their name is gone, and a call is no reason to show it.
    """
    stored: dict[str, str] = {}
    for number in numbers:
        try:
            stored[normalise_phone(number, country_code)] = number
        except InvalidInput:
            continue
    if not stored:
        return {}
    rows = (ContactPoint.select(ContactPoint.value, Customer.id, Customer.name)
            .join(Customer, on=(ContactPoint.customer == Customer.id))
            .where((ContactPoint.kind == "phone") & ContactPoint.value.in_(list(stored))
                   & Customer.erased_at.is_null()).tuples())
    return {stored[value]: (customer_id, name)
            for value, customer_id, name in cast(Iterable[tuple[str, int, str]], rows)}
