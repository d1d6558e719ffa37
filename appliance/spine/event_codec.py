"""Events to and from their recorded form, the JSON-ready payload of `Event.payload()`.

The change feed carries events that another process (the command line) raised
to the running daemon, which publishes them again on its own bus.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from appliance.spine import events
from appliance.spine.events import Event


class UnknownEvent(ValueError):
    """A payload names no event kind this version knows, or does not fit its kind."""


def _kinds() -> dict[str, type[Event]]:
    # The module's own names: a slots dataclass is a new class, and the one it replaced
    # still shows among Event.__subclasses__().
    return {value.kind: value for value in vars(events).values()
            if isinstance(value, type) and issubclass(value, Event) and value is not Event}


_KINDS = _kinds()


def _revive(value: Any, annotation: str) -> Any:
    """A payload value back in the type its field declares (the annotation is a string)."""
    if value is None:
        return None
    if "datetime" in annotation and isinstance(value, str):
        return datetime.fromisoformat(value)
    if annotation.startswith("tuple") and isinstance(value, list):
        inner = annotation[len("tuple["):-1]
        element = inner[:-len(", ...")] if inner.endswith(", ...") else inner
        return tuple(_revive(item, element) for item in value)
    return value


def event_from_payload(data: Mapping[str, Any]) -> Event:
    """The event a payload describes; UnknownEvent when it cannot be read back."""
    cls = _KINDS.get(str(data.get("kind", "")))
    if cls is None or cls is Event:
        raise UnknownEvent(f"unknown event kind {data.get('kind')!r}")
    values = {}
    for f in dataclasses.fields(cls):
        if f.name in data:
            values[f.name] = _revive(data[f.name], str(f.type))
    try:
        return cls(**values)
    except TypeError as error:
        raise UnknownEvent(f"{cls.kind}: {error}") from error
