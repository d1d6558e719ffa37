"""Caller on one line, agent on another: the box carries the sound between them.

Where the network refuses ECT and the box has a second line whose call sound
also goes through it, the call flow dials the agent there (issue 15, item 6;
the decisions are in appliance/queue/bridge_flow.py). This keeps what the
exchange needs for it: which line each such call's agent leg is on, the
leg's own sound once the agent answers, the join of the two sounds (a jitter
buffer each way, appliance.media.media_engine.bridge) and a watch on the
other line's sound, so that a port that fails mid-call ends in a callback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from appliance.ports.call_sound import CallSound, SoundStopped
from appliance.ports.line import Line
from appliance.ports.line_faults import LineFault

if TYPE_CHECKING:  # the media part loads numpy: only where a line has call sound
    from appliance.media.media_engine import Bridge

log = logging.getLogger("aspa.calls.bridge")


@dataclass
class BridgedLeg:
    """The agent's leg of one call, on another line of the box."""

    line: Line
    leg_id: str | None = None  # once dialled
    sound: CallSound | None = None  # once the agent answered and its sound is open
    joined: Bridge | None = None
    watch: asyncio.Future[None] | None = None


class LineBridges:
    """The calls whose agent is on another line, and the sound joined between the two."""

    def __init__(self, lines: Callable[[], Iterable[Line]], *, carries_sound: bool) -> None:
        self._lines = lines
        self.carries_sound = carries_sound  # the exchange speaks through the box at all
        self._legs: dict[str, BridgedLeg] = {}  # the caller's call id -> their agent's leg

    def free_lines(self) -> tuple[str, ...]:
        """Lines that can carry an agent's leg for a bridge now: sound, up, idle, not taken."""
        if not self.carries_sound:
            return ()
        taken = {leg.line.name for leg in self._legs.values()}
        return tuple(line.name for line in self._lines()
                     if line.name not in taken and _can_carry(line))

    def take(self, call_id: str, name: str) -> Line | None:
        """Line `name` for this call's agent leg, when it can carry it now; else None."""
        held = self._legs.get(call_id)
        if held is not None and held.leg_id is not None:
            return None  # one agent leg at a time
        line = next((line for line in self._lines() if line.name == name), None)
        taken = any(leg.line is line for c, leg in self._legs.items() if c != call_id)
        if line is None or taken or not _can_carry(line):
            self._legs.pop(call_id, None)
            return None
        self._legs[call_id] = BridgedLeg(line)
        return line

    def dialled(self, call_id: str, leg_id: str) -> None:
        """The agent's leg is ringing on the taken line."""
        held = self._legs.get(call_id)
        if held is not None:
            held.leg_id = leg_id

    def holds(self, call_id: str, leg_id: str) -> bool:
        """True when `leg_id` is this call's agent leg on another line."""
        held = self._legs.get(call_id)
        return held is not None and held.leg_id == leg_id

    def line_of(self, call_id: str) -> Line | None:
        """The other line this call's agent leg is on, if any."""
        held = self._legs.get(call_id)
        return held.line if held is not None else None

    def joined(self, call_id: str) -> Bridge | None:
        """The join of the two sounds, while it lasts (its figures: delay, underruns)."""
        held = self._legs.get(call_id)
        return held.joined if held is not None else None

    async def join(self, call_id: str, caller: CallSound | None,
                   on_lost: Callable[[], None]) -> bool:
        """Open the answered agent leg's sound and join it to the caller's; False if it cannot.

        What the caller was hearing (music, announcements) stops for good first. Once
        joined, `on_lost` is called if the other line's sound fails.
        """
        held = self._legs.get(call_id)
        if held is None or held.leg_id is None or caller is None or caller.failed.is_set():
            return False
        try:
            sound = await held.line.open_audio(held.leg_id)
        except LineFault as error:
            log.warning("%s: no sound for the agent's leg of %s: %s", held.line.name, call_id,
                        error)
            return False
        if sound is None:
            return False
        held.sound = sound
        try:
            held.joined = _join(caller, sound)
        except (ValueError, RuntimeError) as error:  # BridgeError, ChannelBusy, SoundStopped
            log.warning("%s: the sounds of %s could not be joined: %s", held.line.name,
                        call_id, error)
            await self._close_sound(held)
            return False
        held.watch = asyncio.ensure_future(_watch(sound, on_lost))
        log.info("%s: %s joined to the agent's leg %s", held.line.name, call_id, held.leg_id)
        return True

    async def end(self, call_id: str) -> str | None:
        """Part the sounds, hang up the agent's leg if it is still there, forget it.

        Returns the leg's id (the exchange forgets it too). Safe when the leg or the
        line has gone meanwhile.
        """
        held = self._legs.pop(call_id, None)
        if held is None:
            return None
        await self._close_sound(held)
        if held.leg_id is not None:
            try:
                await held.line.hang_up_leg(held.leg_id)
            except LineFault as error:
                log.info("%s: hanging up the agent's leg of %s: %s", held.line.name, call_id,
                         error)
        return held.leg_id

    def forget(self, call_id: str) -> None:
        """The leg was never dialled (or its dial failed): the line is free for others."""
        held = self._legs.get(call_id)
        if held is not None and held.sound is None:
            del self._legs[call_id]

    async def close_all(self) -> None:
        """Part every bridge and give the sounds back (shutdown: the calls stay with the lines)."""
        for held in list(self._legs.values()):
            await self._close_sound(held)
        self._legs.clear()

    async def _close_sound(self, held: BridgedLeg) -> None:
        if held.watch is not None:
            held.watch.cancel()
            held.watch = None
        joined, held.joined = held.joined, None
        if joined is not None:
            from appliance.media.media_engine import unbridge

            with contextlib.suppress(RuntimeError):  # a channel too busy: it stops next
                unbridge(joined)
        sound, held.sound = held.sound, None
        if sound is not None and held.leg_id is not None:
            try:
                await held.line.close_audio(held.leg_id)
            except LineFault as error:
                log.info("%s: closing the sound of %s: %s", held.line.name, held.leg_id, error)


def _can_carry(line: Line) -> bool:
    return line.capabilities.has_audio and line.is_up and line.is_idle


def _join(caller: CallSound, agent: CallSound) -> Bridge:
    """Join two calls' sound through the media engine (both are its CallAudio)."""
    from appliance.media.call_audio import CallAudio
    from appliance.media.media_engine import BridgeError, bridge

    if not isinstance(caller, CallAudio) or not isinstance(agent, CallAudio):
        raise BridgeError("only sounds of the box's media engine can be joined")
    caller.cancel_announcements()
    with contextlib.suppress(SoundStopped):
        caller.stop_music()
    return bridge(caller, agent)


async def _watch(sound: CallSound, on_lost: Callable[[], None]) -> None:
    await sound.failed.wait()
    log.warning("the agent's sound failed: %s", sound.failure)
    on_lost()
