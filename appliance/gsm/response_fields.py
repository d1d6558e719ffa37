"""Parse the fields of AT information lines and URCs (+CLIP, +CLCC, +CREG, +CSQ, +COPS, ...)."""

from __future__ import annotations

from dataclasses import dataclass


def split_fields(text: str) -> list[str]:
    """Comma-separated fields, honouring quotes; quotes are removed."""
    out: list[str] = []
    current: list[str] = []
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            out.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    out.append("".join(current).strip())
    return out


def _int(value: str, default: int = -1) -> int:
    try:
        return int(value)
    except ValueError:
        return default


def after_colon(line: str) -> str:
    """The text after the first `:` of a result line."""
    return line.split(":", 1)[1].strip() if ":" in line else ""


@dataclass(frozen=True, slots=True)
class CallerId:
    """+CLIP / +CCWA caller identity (TS 27.007 §7.6, §7.12)."""

    number: str | None
    status: str  # valid / withheld / unavailable
    name: str = ""


_VALIDITY = {0: "valid", 1: "withheld", 2: "unavailable"}


def parse_clip(line: str) -> CallerId:
    """+CLIP: <number>,<type>[,<subaddr>,<satype>[,<alpha>[,<CLI validity>]]]."""
    fields = split_fields(after_colon(line))
    number = fields[0] if fields else ""
    validity = _int(fields[5], 0) if len(fields) > 5 and fields[5] else 0
    name = fields[4] if len(fields) > 4 else ""
    return _caller(number, validity, name)


def parse_ccwa(line: str) -> CallerId:
    """+CCWA: <number>,<type>,<class>[,<alpha>][,<CLI validity>]."""
    fields = split_fields(after_colon(line))
    number = fields[0] if fields else ""
    name = fields[3] if len(fields) > 3 else ""
    validity = _int(fields[4], 0) if len(fields) > 4 and fields[4] else 0
    return _caller(number, validity, name)


def _caller(number: str, validity: int, name: str) -> CallerId:
    status = _VALIDITY.get(validity, "unavailable")
    if status == "valid" and not number:
        status = "unavailable"
    return CallerId(number if status == "valid" else None, status, name)


@dataclass(frozen=True, slots=True)
class CallListEntry:
    """One +CLCC line (TS 27.007 §7.18)."""

    index: int
    incoming: bool
    stat: int  # 0 active 1 held 2 dialing 3 alerting 4 incoming 5 waiting 6 released (vendor)
    multiparty: bool
    number: str | None


def parse_clcc_fields(text: str) -> CallListEntry | None:
    """<id>,<dir>,<stat>,<mode>,<mpty>[,<number>,<type>[,<alpha>]]; None if malformed."""
    fields = split_fields(text)
    if len(fields) < 5:
        return None
    index, direction, stat = _int(fields[0], -2), _int(fields[1]), _int(fields[2], -2)
    if index < 0 or direction not in (0, 1) or not -1 <= stat <= 7:
        return None
    if stat in (-1, 7):
        stat = 6  # Quectel ccinfo says -1 for a call that has ended (chan_quectel at_parse.c)
    number = fields[5] if len(fields) > 5 and fields[5] else None
    return CallListEntry(index, direction == 1, stat, fields[4] == "1", number)


def parse_dsci(text: str) -> CallListEntry | None:
    """^DSCI: <id>,<dir>,<stat>,<type>,<number>,<num_type> (Huawei/Quectel; stat 6 = ended)."""
    fields = split_fields(text)
    if len(fields) < 3:
        return None
    index, direction, stat = _int(fields[0]), _int(fields[1]), _int(fields[2])
    if index < 0 or direction not in (0, 1):
        return None
    number = fields[4] if len(fields) > 4 and fields[4] else None
    return CallListEntry(index, direction == 1, stat, False, number)


def parse_registration(line: str, *, query: bool) -> int | None:
    """<stat> of +CREG/+CEREG: a query answer is `<n>,<stat>[,...]`, a URC `<stat>[,...]`."""
    fields = split_fields(after_colon(line))
    position = 1 if query else 0
    stat = _int(fields[position]) if len(fields) > position else -1
    return stat if stat >= 0 else None


def parse_csq(line: str) -> int | None:
    """<rssi> of +CSQ (0..31, None for 99 = unknown)."""
    fields = split_fields(after_colon(line))
    rssi = _int(fields[0]) if fields else -1
    return rssi if 0 <= rssi <= 31 else None


def parse_cops(line: str) -> str | None:
    """The operator name of `+COPS: <mode>,<format>,<oper>[,<AcT>]`, None when not registered."""
    fields = split_fields(after_colon(line))
    return fields[2] if len(fields) > 2 and fields[2] else None
