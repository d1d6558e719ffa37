"""A cursor over PDU octets: running off the end is a PduError, never an IndexError."""

from __future__ import annotations

import binascii

from appliance.gsm.pdu_error import PduError


def octets_from_hex(text: str) -> bytes:
    """Turn the hex a modem prints (+CMGR, +CMT, +CDS) into octets."""
    cleaned = "".join(text.split())
    if not cleaned:
        raise PduError("empty PDU")
    if len(cleaned) % 2:
        raise PduError(f"PDU hex has an odd number of digits ({len(cleaned)})")
    try:
        return binascii.unhexlify(cleaned)
    except (binascii.Error, ValueError) as error:
        raise PduError(f"PDU is not hex: {cleaned[:40]!r}") from error


class PduReader:
    """Reads a PDU front to back, naming the field that was cut short."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._position = 0

    @property
    def position(self) -> int:
        """How many octets have been read."""
        return self._position

    @property
    def remaining(self) -> int:
        """How many octets are left."""
        return len(self._data) - self._position

    def octet(self, field: str) -> int:
        """Read one octet of the named field."""
        return self.take(1, field)[0]

    def take(self, count: int, field: str) -> bytes:
        """Read `count` octets of the named field."""
        if count < 0:
            raise PduError(f"{field}: negative length {count}")
        if count > self.remaining:
            raise PduError(
                f"PDU truncated in {field}: needs {count} octets at offset {self._position},"
                f" only {self.remaining} left"
            )
        chunk = self._data[self._position : self._position + count]
        self._position += count
        return chunk

    def rest(self) -> bytes:
        """Read everything that is left."""
        return self.take(self.remaining, "rest")
