"""Netstrings (`<length>:<bytes>,`), the framing of baresip's ctrl_tcp messages.

ctrl_tcp wraps each JSON object in a netstring (D. J. Bernstein's format,
https://cr.yp.to/proto/netstrings.txt): decimal length, colon, the bytes, comma.
"""

from __future__ import annotations

import json
from typing import Any, Final

from appliance.voip.errors import ProtocolError

MAX_MESSAGE_BYTES: Final = 1_000_000  # a call list of a busy line is a few KB; more is garbage
_MAX_LENGTH_DIGITS: Final = len(str(MAX_MESSAGE_BYTES))


def encode(message: dict[str, Any]) -> bytes:
    """One JSON object as a netstring."""
    body = json.dumps(message, separators=(",", ":")).encode()
    return b"%d:%s," % (len(body), body)


class NetstringReader:
    """Feed it bytes as they come; it returns the complete JSON objects seen."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[dict[str, Any]]:
        """Add bytes; return each complete message in order; raise ProtocolError on garbage."""
        self._buf += data
        out: list[dict[str, Any]] = []
        while True:
            colon = self._buf.find(b":")
            if colon < 0:
                if len(self._buf) > _MAX_LENGTH_DIGITS:
                    raise ProtocolError(f"no netstring length in {bytes(self._buf[:20])!r}")
                return out
            digits = bytes(self._buf[:colon])
            if not digits.isdigit() or colon > _MAX_LENGTH_DIGITS:
                raise ProtocolError(f"bad netstring length {digits[:20]!r}")
            length = int(digits)
            if length > MAX_MESSAGE_BYTES:
                raise ProtocolError(f"netstring of {length} bytes is too long")
            end = colon + 1 + length
            if len(self._buf) < end + 1:
                return out
            if self._buf[end] != ord(","):
                raise ProtocolError("netstring does not end with ','")
            body = bytes(self._buf[colon + 1 : end])
            del self._buf[: end + 1]
            try:
                message = json.loads(body)
            except ValueError as error:
                raise ProtocolError(f"netstring is not JSON: {error}") from error
            if not isinstance(message, dict):
                raise ProtocolError("netstring holds JSON that is not an object")
            out.append(message)
