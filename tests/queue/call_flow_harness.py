"""Drives one pure call flow the way the executor does, on a ManualClock, recording commands."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from appliance.presence import AgentState, Presence, set_presence
from appliance.queue import RingGroup, RingHistory, RingStrategy
from appliance.queue.call_commands import Command
from appliance.queue.call_flow import (
    on_agent_answered,
    on_agent_failed,
    on_agent_hung_up,
    on_agents_changed,
    on_audio_lost,
    on_bridge_failed,
    on_caller_hung_up,
    on_hand_over_result,
    on_key,
    on_line_free,
    on_line_lost,
    on_prompt_done,
    on_timer,
    start_call,
)
from appliance.queue.call_flow_state import CallFlow, FlowStep, Moment
from appliance.queue.call_setup import Caller, CallSetup, FlowRules, LineTraits, group_for_line
from appliance.queue.connect_methods import ConnectMethod
from appliance.queue.presence_commands import apply_presence
from appliance.spine.clock import ManualClock

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning
NUMBERS = {1: "+358501000001", 2: "+358501000002", 3: "+358501000003"}
CALLER = "+358401234567"


def support(strategy: RingStrategy = RingStrategy.LINEAR, **options: object) -> RingGroup:
    """Members 1, 2, 3; 15 s each, no pause between rounds, 120 s maximum wait."""
    settings: dict[str, object] = {
        "ring_timeout_s": 15, "retry_s": 0, "max_wait_s": 120, "wrap_up_s": 10,
    }
    settings.update(options)
    return RingGroup("support", (1, 2, 3), strategy, **settings)  # type: ignore[arg-type]


class FlowHarness:
    """One call at a time through the flow, with agents whose presence follows the commands."""

    def __init__(self, *, missed_limit: int = 3, agents: tuple[int, ...] = (1, 2, 3)) -> None:
        self.clock = ManualClock(START)
        self.agents: dict[int, AgentState] = {
            a: set_presence(AgentState(a), Presence.AVAILABLE, START) for a in agents
        }
        self.history = RingHistory()
        self.missed_limit = missed_limit
        self.paused: list[int] = []
        self.flow: CallFlow | None = None
        self.commands: list[Command] = []
        self.bridge_lines: tuple[str, ...] = ()  # other lines free for a bridge

    def moment(self) -> Moment:
        return Moment(self.clock.now(), dict(self.agents), self.history, self.bridge_lines)

    def offer(
        self,
        group: RingGroup | None = None,
        *,
        caller: Caller | None = None,
        line: LineTraits | None = None,
        rules: FlowRules | None = None,
        open_now: bool = True,
        line_busy: bool = False,
        numbers: dict[int, str] | None = None,
        overflow_groups: dict[str, RingGroup] | None = None,
        call_id: str = "c1",
    ) -> list[Command]:
        numbers = NUMBERS if numbers is None else numbers
        chosen = support() if group is None else group
        traits = line or LineTraits("gsm0")
        how = {"rings_parallel": traits.rings_parallel, "dials_sip": traits.rings_parallel}
        extra: dict[str, RingGroup] = {}
        for name, other in (overflow_groups or {}).items():
            adapted = group_for_line(other, numbers, **how)
            if adapted is not None:
                extra[name] = adapted
        setup = CallSetup(
            call_id=call_id,
            caller=caller or Caller(CALLER, customer_id=7),
            line=traits,
            group=group_for_line(chosen, numbers, **how),
            numbers=numbers,
            overflow_groups=extra,
            rules=rules or FlowRules(),
            open_now=open_now,
            line_busy=line_busy,
        )
        return self._apply(start_call(setup, self.moment()))

    def _apply(self, step: FlowStep) -> list[Command]:
        self.flow = step.flow
        self.history = step.history
        assert self.flow is not None
        for command in step.commands:
            update = apply_presence(
                self.agents, command, self.flow.call_id, self.clock.now(), self.missed_limit
            )
            self.agents.update(update.changed)
            self.paused.extend(update.paused)
        self.commands.extend(step.commands)
        return list(step.commands)

    def _do(self, handler: Callable[..., FlowStep], *args: object, **kw: object) -> list[Command]:
        assert self.flow is not None
        return self._apply(handler(self.flow, *args, self.moment(), **kw))

    def after(self, seconds: float) -> list[Command]:
        """Let time pass and fire the flow's timer if it is due."""
        self.clock.advance(seconds)
        return self._do(on_timer)

    def until_wake(self) -> list[Command]:
        """Move the clock to the flow's wake time and fire the timer."""
        assert self.flow is not None and self.flow.wake_at is not None
        self.clock.set(self.flow.wake_at)
        return self._do(on_timer)

    def prompt_done(self) -> list[Command]:
        return self._do(on_prompt_done)

    def agent_answers(self, agent_id: int, after_s: float = 0.0) -> list[Command]:
        self.clock.advance(after_s)
        return self._apply(on_agent_answered(self.flow, agent_id, self.moment()))  # type: ignore[arg-type]

    def agent_fails(self, agent_id: int, *, missed: bool, after_s: float = 0.0) -> list[Command]:
        self.clock.advance(after_s)
        assert self.flow is not None
        return self._apply(on_agent_failed(self.flow, agent_id, self.moment(), missed=missed))

    def hand_over(self, ok: bool, *, caller_kept: bool = True) -> list[Command]:
        return self._do(on_hand_over_result, ok, caller_kept=caller_kept)

    def caller_hangs_up(self, after_s: float = 0.0) -> list[Command]:
        self.clock.advance(after_s)
        return self._do(on_caller_hung_up)

    def agent_hangs_up(self, after_s: float = 0.0) -> list[Command]:
        self.clock.advance(after_s)
        return self._do(on_agent_hung_up)

    def line_lost(self, after_s: float = 0.0) -> list[Command]:
        self.clock.advance(after_s)
        return self._do(on_line_lost)

    def key(self, digit: str, after_s: float = 0.0) -> list[Command]:
        """The caller presses a key."""
        self.clock.advance(after_s)
        return self._do(on_key, digit)

    def audio_lost(self) -> list[Command]:
        return self._do(on_audio_lost)

    def bridge_failed(self, after_s: float = 0.0) -> list[Command]:
        """The other line of a bridge failed (its dial, the agent's leg on it, its sound)."""
        self.clock.advance(after_s)
        return self._do(on_bridge_failed)

    def line_free(self) -> list[Command]:
        return self._do(on_line_free)

    def set_presence(self, agent_id: int, presence: Presence) -> list[Command]:
        self.agents[agent_id] = set_presence(self.agents[agent_id], presence, self.clock.now())
        return self._do(on_agents_changed)

    def busy_on_call(self, agent_id: int) -> None:
        """The agent is on another call (not offered anything)."""
        from appliance.presence import call_started

        self.agents[agent_id] = call_started(self.agents[agent_id], self.clock.now())

    def method(self, method: ConnectMethod) -> LineTraits:
        return replace(LineTraits("gsm0"), connect=method)
