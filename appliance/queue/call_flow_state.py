"""One incoming call's state as the pure call flow keeps it: its phase, legs and times."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from appliance.presence.states import AgentState
from appliance.queue.call_commands import Command
from appliance.queue.call_routing import CallRouting
from appliance.queue.call_setup import CallSetup
from appliance.queue.connect_methods import ConnectMethod
from appliance.queue.ring_strategies import RingHistory


class Phase(StrEnum):
    """Where the call stands."""

    WAITING_FOR_LINE = "waiting_for_line"  # a second caller on a busy line (call waiting)
    GREETING = "greeting"  # answered, the greeting plays
    QUEUED = "queued"  # waiting for an agent to become free
    DIALLING = "dialling"  # an agent's phone rings
    HANDING_OVER = "handing_over"  # ECT, bridge, conference or deflection under way
    CONFERENCE = "conference"  # caller and agent talk through the box (conference or bridge)
    CHOOSING = "choosing"  # the longest wait passed: the caller may press 1 or 2
    RECORDING = "recording"  # the caller leaves a message; the call ends when it is taken
    CLOSING = "closing"  # a last announcement plays before the hang-up
    ENDED = "ended"


@dataclass(frozen=True, slots=True)
class Moment:
    """The world a handler decides in: the time, every agent's state, the ring history."""

    now: datetime
    agents: Mapping[int, AgentState]
    history: RingHistory
    # other lines of the box, up and idle, whose call sound goes through it: where an
    # agent can be dialled for a bridge (best first)
    bridge_lines: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CallFlow:
    """One call's state."""

    setup: CallSetup
    arrived_at: datetime
    phase: Phase
    method: ConnectMethod
    routing: CallRouting | None = None
    answered: bool = False  # the box answered the caller
    held: bool = False  # the caller is on hold (an agent leg may be dialled)
    agent_id: int | None = None  # whose leg is dialled (one phone rings), or who answered
    dialled: tuple[int, ...] = ()  # agents whose legs ring now (several on a ring-all)
    leg_started_at: datetime | None = None
    ring_s: float = 0.0
    answered_at: datetime | None = None  # an agent answered
    talk_from: datetime | None = None  # joined in conference
    wake_at: datetime | None = None  # call on_timer then
    groups_tried: tuple[str, ...] = ()
    announce_at: datetime | None = None  # the next place-and-wait announcement (call audio)
    music: bool = False  # hold music plays (call audio)
    via: str | None = None  # the other line the agent is dialled on (a bridge)

    @property
    def call_id(self) -> str:
        """The caller's call id on the line."""
        return self.setup.call_id

    @property
    def next_wake(self) -> datetime | None:
        """When on_timer must run next: the earlier of the flow's two times."""
        times = [t for t in (self.wake_at, self.announce_at) if t is not None]
        return min(times) if times else None

    @property
    def is_over(self) -> bool:
        """True when the executor may forget this call."""
        return self.phase is Phase.ENDED


@dataclass(frozen=True, slots=True)
class FlowStep:
    """One handler's result."""

    flow: CallFlow
    commands: tuple[Command, ...]
    history: RingHistory
