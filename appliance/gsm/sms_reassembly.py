"""Joining the parts of long messages, and giving up on lost parts without losing the rest."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from appliance.gsm.sms_address import Address
from appliance.gsm.sms_messages import SmsDeliver
from appliance.gsm.sms_user_data import UserData, body_text

# Shown in the text where a part never arrived, so that a reader sees the gap.
MISSING_PART_MARKER = "[…]"
DEFAULT_PART_TIMEOUT = timedelta(minutes=10)


@dataclass(frozen=True)
class ReassembledSms:
    """A whole message from one sender, or as much of it as arrived in time."""

    sender: Address
    text: str
    timestamp: datetime
    received_at: datetime
    parts: tuple[SmsDeliver, ...]
    missing: tuple[int, ...] = ()

    @property
    def is_complete(self) -> bool:
        """Whether every part arrived."""
        return not self.missing


def join_parts(parts: Sequence[UserData]) -> str:
    """Join part payloads; a run in one alphabet is decoded whole, mending split pairs."""
    pieces: list[str] = []
    run: list[UserData] = []
    for part in parts:
        if run and part.alphabet is not run[0].alphabet:
            pieces.append(body_text(run[0].alphabet, b"".join(p.body for p in run)))
            run = []
        run.append(part)
    if run:
        pieces.append(body_text(run[0].alphabet, b"".join(p.body for p in run)))
    return "".join(pieces)


_Key = tuple[str, int, int]


@dataclass
class _Pending:
    """The parts of one long message that have arrived so far."""

    total: int
    first_received: datetime
    parts: dict[int, SmsDeliver] = field(default_factory=dict)

    def message(self) -> ReassembledSms:
        pieces: list[str] = []
        run: list[UserData] = []
        missing: list[int] = []
        for sequence in range(1, self.total + 1):
            part = self.parts.get(sequence)
            if part is not None:
                run.append(part.user_data)
                continue
            missing.append(sequence)
            pieces.append(join_parts(run))
            pieces.append(MISSING_PART_MARKER)
            run = []
        pieces.append(join_parts(run))
        ordered = tuple(self.parts[sequence] for sequence in sorted(self.parts))
        return ReassembledSms(
            sender=ordered[0].sender,
            text="".join(pieces),
            timestamp=min(part.timestamp for part in ordered),
            received_at=self.first_received,
            parts=ordered,
            missing=tuple(missing),
        )


class SmsReassembler:
    """Collects parts keyed by (sender, reference, total); call `expire` now and then."""

    def __init__(self, part_timeout: timedelta = DEFAULT_PART_TIMEOUT) -> None:
        self._part_timeout = part_timeout
        self._pending: dict[_Key, _Pending] = {}
        # Finished messages are remembered for one timeout, so that a late
        # duplicate part does not start a phantom message of its own.
        self._finished: dict[_Key, tuple[datetime, dict[int, bytes]]] = {}

    @property
    def pending_count(self) -> int:
        """How many long messages are waiting for parts."""
        return len(self._pending)

    def add(self, message: SmsDeliver, received_at: datetime) -> list[ReassembledSms]:
        """Take one PDU; return the messages it completes (a single-part message at once)."""
        concatenation = message.concatenation
        if concatenation is None or concatenation.total == 1:
            return [_single(message, received_at)]
        key = (message.sender.value, concatenation.reference, concatenation.total)
        sequence = concatenation.sequence
        body = message.user_data.body
        finished = self._finished.get(key)
        if finished is not None and finished[1].get(sequence) == body:
            return []
        out: list[ReassembledSms] = []
        pending = self._pending.get(key)
        if pending is not None and sequence in pending.parts:
            if pending.parts[sequence].user_data.body == body:
                return []
            # Same reference, same slot, other text: the sender has wrapped its
            # reference counter. Hand over what we have and start afresh.
            out.append(pending.message())
            pending = None
        if pending is None:
            pending = _Pending(concatenation.total, received_at)
            self._pending[key] = pending
        pending.parts[sequence] = message
        if len(pending.parts) == pending.total:
            del self._pending[key]
            bodies = {seq: part.user_data.body for seq, part in pending.parts.items()}
            self._finished[key] = (received_at, bodies)
            out.append(pending.message())
        return out

    def expire(self, now: datetime) -> list[ReassembledSms]:
        """Give up on messages whose first part came `part_timeout` ago; return what arrived."""
        stale = sorted(
            (key for key, pending in self._pending.items()
             if now - pending.first_received >= self._part_timeout),
            key=lambda key: self._pending[key].first_received,
        )
        expired = [self._pending.pop(key).message() for key in stale]
        self._finished = {
            key: entry for key, entry in self._finished.items()
            if now - entry[0] < self._part_timeout
        }
        return expired


def _single(message: SmsDeliver, received_at: datetime) -> ReassembledSms:
    return ReassembledSms(
        sender=message.sender,
        text=message.text,
        timestamp=message.timestamp,
        received_at=received_at,
        parts=(message,),
    )
