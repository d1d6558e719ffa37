"""The one line interface the exchange drives: a GSM modem and a SIP trunk alike.

Every command names its call: a modem has one active and one held call,
but a SIP trunk carries many callers and agent legs at once. What a line
can do (ring several phones at once, play prompts, record, which hand-over
methods in which order) is in its `capabilities`; the pure call flow reads
those, never the line's type.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from appliance.ports.call_sound import CallSound
from appliance.queue.call_commands import Prompt
from appliance.queue.connect_methods import PREFERENCE, ConnectKnowledge, ConnectMethod


@dataclass(frozen=True, slots=True)
class LineCapabilities:
    """What one line can do."""

    rings_parallel: bool = False  # several agent legs ringing at once (ring all)
    dials_sip: bool = False  # reaches members by SIP address (desk and soft phones)
    plays_prompts: bool = False  # announcements to the caller (files are configured)
    records_voicemail: bool = False
    has_audio: bool = False  # the call's sound goes through the box (call_sound.CallSound)
    # held while an agent's phone rings, the caller stays in the box's sound (music): a trunk
    # whose agent leg is another call, not the held call's own voice port
    hold_keeps_sound: bool = False
    prompt_files: str | None = None  # "amr"/"wav": plays prompt files put on it (put_prompt)
    sends_sms: bool = True
    # its methods, in the order it prefers; a bridge only where the call's sound is the box's
    hand_over: tuple[ConnectMethod, ...] = tuple(m for m in PREFERENCE if m.one_line)


@runtime_checkable
class Line(Protocol):
    """One line (a modem or a SIP account) as the exchange drives it."""

    knowledge: ConnectKnowledge

    @property
    def prompts(self) -> Mapping[Prompt, str | Path]:
        """The announcement file of each prompt the line can play."""

    @property
    def name(self) -> str:
        """The line's name (gsm0, voip0...)."""

    @property
    def is_up(self) -> bool:
        """True while the line can carry calls."""

    @property
    def capabilities(self) -> LineCapabilities:
        """What the line can do now."""

    @property
    def is_idle(self) -> bool:
        """True when the line carries no call (a callback may start on it)."""

    def owns(self, call_id: str) -> bool:
        """True when the call is one of this line's live calls."""

    def is_waiting(self, call_id: str) -> bool:
        """True when the call waits for the line (call waiting on a busy modem)."""

    def is_busy_besides(self, call_id: str) -> bool:
        """True when another call keeps the line from taking this one now."""

    def learn(self, method: ConnectMethod, ok: bool) -> None:
        """Remember whether a hand-over method worked."""

    def restore(self, knowledge: ConnectKnowledge) -> None:
        """Take back what the line learned before a restart."""

    async def answer(self, call_id: str) -> None:
        """Answer the caller."""

    async def hold(self, call_id: str) -> None:
        """Keep the caller waiting while agents are rung."""

    async def resume(self, call_id: str) -> None:
        """Take the waiting caller back (e.g. for an announcement)."""

    async def dial(self, target: str) -> str:
        """Ring one agent (number or SIP URI); the new leg's id."""

    async def ring_parallel(self, targets: Sequence[str]) -> tuple[str, ...]:
        """Ring several agents at once (only when `rings_parallel`); legs' ids in order."""

    async def hang_up_leg(self, leg_id: str) -> None:
        """Release one agent leg; the caller stays."""

    async def hand_over(self, method: ConnectMethod, call_id: str, leg_id: str) -> bool:
        """Join the caller to the agent's leg; False when the network or far end refused."""

    async def deflect(self, call_id: str, target: str) -> bool:
        """Send the caller on to the agent; False when refused."""

    async def hang_up(self, call_id: str, leg_id: str | None = None) -> None:
        """End the caller's call and its agent leg."""

    async def reject(self, call_id: str) -> None:
        """Refuse a ringing or waiting call."""

    async def play(self, call_id: str, prompt: Prompt) -> None:
        """Play an announcement to the caller and wait until it has played."""

    async def send_sms(self, number: str, text: str) -> tuple[int, ...]:
        """Text a number; the network's references of its parts, for the delivery reports
        (empty when the line has none). Lines without SMS raise a LineFault."""

    async def put_prompt(self, prompt: Prompt, data: bytes) -> None:
        """Store an announcement on the line itself (a modem's flash) and play it from there."""

    async def open_audio(self, call_id: str) -> CallSound | None:
        """The answered call's sound through the box; None on a line without (LineFault)."""

    async def close_audio(self, call_id: str) -> None:
        """Give the call's sound back to the line (before a hold, at the end); safe twice."""


def groups_key(capabilities: LineCapabilities) -> tuple[bool, bool]:
    """What decides how a line rings a group: parallel ring, and SIP addresses."""
    return capabilities.rings_parallel, capabilities.dials_sip


def line_order(capabilities: LineCapabilities) -> tuple[ConnectMethod, ...]:
    """The line's hand-over methods, with the callback that always remains at the end."""
    methods = tuple(m for m in capabilities.hand_over if m is not ConnectMethod.CALLBACK)
    return (*methods, ConnectMethod.CALLBACK)
