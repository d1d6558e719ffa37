"""Service-centre time stamps and validity periods (3GPP TS 23.040 §9.2.3.11, §9.2.3.12)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from appliance.gsm.pdu_error import PduError

TIMESTAMP_OCTETS = 7
_QUARTER_HOUR = timedelta(minutes=15)
_SIGN_BIT = 0x08
# Two-digit years: SMS began in 1992, so 90-99 are the 1990s and the rest this century.
_CENTURY_PIVOT = 90


def _swapped_decimal(octet: int, field: str) -> int:
    low, high = octet & 0x0F, octet >> 4
    if low > 9 or high > 9:
        raise PduError(f"{field}: octet 0x{octet:02X} is not two decimal semi-octets")
    return low * 10 + high


def _swap(value: int) -> int:
    return (value % 10) << 4 | (value // 10)


def decode_timestamp(raw: bytes, field: str = "time stamp") -> datetime:
    """Seven semi-octet octets (YYMMDDhhmmss + zone in quarter hours) -> aware datetime."""
    if len(raw) != TIMESTAMP_OCTETS:
        raise PduError(f"{field}: needs {TIMESTAMP_OCTETS} octets, got {len(raw)}")
    year, month, day, hour, minute, second = (_swapped_decimal(o, field) for o in raw[:6])
    zone = raw[6]
    # TS 23.040 §9.2.3.11: bit 3 of the zone octet is the sign; the rest is swapped BCD.
    quarters = _swapped_decimal(zone & ~_SIGN_BIT, field)
    offset = _QUARTER_HOUR * quarters * (-1 if zone & _SIGN_BIT else 1)
    century = 1900 if year >= _CENTURY_PIVOT else 2000
    try:
        return datetime(
            century + year, month, day, hour, minute, second, tzinfo=timezone(offset)
        )
    except ValueError as error:
        raise PduError(f"{field}: not a real time: {raw.hex().upper()} ({error})") from error


def encode_timestamp(moment: datetime) -> bytes:
    """Aware datetime -> seven semi-octet octets, in its own time zone."""
    offset = moment.utcoffset()
    if offset is None:
        raise PduError("a time stamp needs an aware datetime")
    quarters, rest = divmod(abs(offset), _QUARTER_HOUR)
    if rest or quarters > 79:
        raise PduError(f"time zone offset {offset} is not a whole number of quarter hours")
    if not 1990 <= moment.year <= 2089:
        raise PduError(f"year {moment.year} does not fit a two-digit time stamp")
    parts = (moment.year % 100, moment.month, moment.day, moment.hour, moment.minute, moment.second)
    zone = _swap(int(quarters)) | (_SIGN_BIT if offset < timedelta(0) else 0)
    return bytes(_swap(part) for part in parts) + bytes([zone])


def decode_relative_validity(octet: int) -> timedelta:
    """TP-VP relative format (TS 23.040 §9.2.3.12.1) -> how long the centre keeps trying."""
    if not 0 <= octet <= 255:
        raise PduError(f"relative validity period must be one octet, not {octet}")
    if octet <= 143:
        return timedelta(minutes=5 * (octet + 1))
    if octet <= 167:
        return timedelta(hours=12, minutes=30 * (octet - 143))
    if octet <= 196:
        return timedelta(days=octet - 166)
    return timedelta(weeks=octet - 192)


def encode_relative_validity(period: timedelta) -> int:
    """The smallest TP-VP octet that keeps the message at least `period` (5 min to 63 weeks)."""
    for octet in range(256):
        if decode_relative_validity(octet) >= period:
            return octet
    raise PduError(f"validity period {period} is longer than 63 weeks")
