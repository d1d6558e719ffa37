"""A compat32 Message that finds a header through a dict instead of a scan of all its fields,
and turns its body into the parser's str payload only when something reads it.

The intake asks each MIME part for its Content-Type, Content-Disposition, transfer
encoding, charset and file name: `Message.get` lower-cases every field name on every
call, which for a mail's root (ten or more fields) cost more than reading them. And it
decodes a text part from the body's bytes itself, so the payload the parser would
make of them (ASCII with surrogateescape, twice the memory for 8-bit text) is mostly
never needed.
"""

from __future__ import annotations

from email.message import Message
from typing import Any


class IndexedMessage(Message):
    """Message.get by a lower-case name index, rebuilt whenever the header list changes.

    The index holds positions, not values: replacing a field in place (replace_header)
    keeps its position and the value is read afresh; adding or deleting fields makes a new
    list or a new length, which rebuilds the index.
    """

    _index: dict[str, int] | None = None
    _indexed: list[tuple[str, Any]] | None = None
    _indexed_len = -1
    _body: bytes | None = None  # a payload not decoded yet
    _payload_value: Any = None

    @property
    def _payload(self) -> Any:
        """Message's payload attribute, decoded from the body on first use."""
        if self._body is not None:
            self._payload_value = self._body.decode("ascii", "surrogateescape")
            self._body = None
        return self._payload_value

    @_payload.setter
    def _payload(self, value: Any) -> None:
        self._body = None
        self._payload_value = value

    def set_body(self, body: bytes) -> None:
        """Set the payload the parser would set for these body bytes, decoded when read."""
        self._payload_value = None
        self._body = body

    def is_multipart(self) -> bool:
        """As Message.is_multipart, without decoding a body to find it is not a list."""
        return self._body is None and isinstance(self._payload, list)

    def get(self, name: str, failobj: Any = None) -> Any:
        """The first value of a header (as Message.get), or failobj."""
        headers: list[tuple[str, Any]] = self._headers  # type: ignore[attr-defined]
        index = self._index
        if index is None or self._indexed is not headers or self._indexed_len != len(headers):
            index = {}
            for position, (key, _) in enumerate(headers):
                index.setdefault(key.lower(), position)
            self._index, self._indexed, self._indexed_len = index, headers, len(headers)
        found = index.get(name.lower())
        if found is None:
            return failobj
        key, value = headers[found]
        return self.policy.header_fetch_parse(key, value)
