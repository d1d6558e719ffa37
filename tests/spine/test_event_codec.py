"""Every event kind comes back from its recorded payload as the same event."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest

from appliance.spine import events
from appliance.spine.event_codec import UnknownEvent, event_from_payload
from appliance.spine.events import Event

KINDS = sorted((value for value in vars(events).values()
                if isinstance(value, type) and issubclass(value, Event) and value is not Event),
               key=lambda cls: cls.kind)
AT = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)


def _sample(annotation: str) -> Any:
    if annotation.startswith("tuple[tuple"):
        return (("tickets", 3), ("calls", 1))
    if annotation.startswith("tuple[int"):
        return (1, 2)
    if annotation.startswith("tuple[str"):
        return ("vip", "name")
    if "datetime" in annotation:
        return AT
    if annotation.startswith("int"):
        return 7
    if annotation.startswith("float"):
        return 1.5
    if annotation.startswith("bool"):
        return True
    return "text"


@pytest.mark.parametrize("cls", KINDS, ids=lambda cls: cls.kind)
def test_an_event_round_trips_through_its_payload(cls: type[Event]) -> None:
    values = {f.name: _sample(str(f.type)) for f in dataclasses.fields(cls)
              if f.name != "event_id"}
    event = cls(**values)
    again = event_from_payload(event.payload())
    assert type(again) is cls
    assert again == event


def test_unknown_or_broken_payloads_are_named_errors() -> None:
    with pytest.raises(UnknownEvent, match="unknown event kind"):
        event_from_payload({"kind": "no.such.kind"})
    with pytest.raises(UnknownEvent, match=r"ticket\.created"):
        event_from_payload({"kind": "ticket.created", "at": AT.isoformat()})  # fields missing
