"""Callbacks taken by agents, run on a free line: the pure callback flow's commands executed.

It lives inside the exchange and runs in the exchange's one task (the exchange
routes line events for its legs here), so calls and callbacks never act on
the same line at once without seeing each other.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from appliance.calls.call_records import write_call
from appliance.calls.callback_records import (
    callback_target,
    pending_retries,
    save_retry,
)
from appliance.ports.line import Line
from appliance.ports.line_faults import LegRefused, LineFault
from appliance.presence.channel import Channel
from appliance.presence.offer_rules import may_take, refusal
from appliance.queue import callback_flow as rules
from appliance.queue.call_commands import (
    AgentFree,
    AgentOnCall,
    Command,
    DialAgent,
    DialCustomer,
    Finished,
    HandOver,
    HangUp,
    HoldCaller,
    Learn,
    Outcome,
    ScheduleRetry,
)
from appliance.queue.call_setup import Caller
from appliance.queue.callback_flow import CallbackFlow, CallbackSetup, CallbackStep
from appliance.spine.events import CallEnded, CallRecorded, CallStateChanged
from appliance.store.errors import StoreError
from appliance.store.tickets import MessageDraft
from appliance.tickets.errors import TransitionError

if TYPE_CHECKING:
    from appliance.calls.exchange import Exchange

log = logging.getLogger("aspa.calls.callbacks")

Input = Callable[[], Awaitable[None]]
CUSTOMER, AGENT = "customer", "agent"


class CallbackUnavailable(Exception):
    """A callback cannot be started now; the message says why and what to do."""


@dataclass
class _Attempt:
    line: Line
    ticket_id: int
    customer_id: int | None
    number: str
    customer_leg: str | None = None
    agent_leg: str | None = None


class Callbacks:
    """Starts callbacks, follows their legs, records them and schedules the retries."""

    def __init__(self, exchange: Exchange) -> None:
        self.exchange = exchange
        self.flows: dict[str, CallbackFlow] = {}
        self._attempts: dict[str, _Attempt] = {}
        self._legs: dict[str, tuple[str, str]] = {}  # leg id -> (flow id, CUSTOMER / AGENT)
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._reopen_timers: list[asyncio.TimerHandle] = []

    def stop(self) -> None:
        """Cancel the timers (retries stay remembered in the store)."""
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        for handle in self._reopen_timers:
            handle.cancel()
        self._reopen_timers.clear()

    def owns(self, call_id: str) -> bool:
        """True when the call is a leg of a callback."""
        return call_id in self._legs

    # --- starting -------------------------------------------------------------------------

    async def take(self, agent_id: int, ticket_id: int) -> str:
        """`agent_id` takes callback ticket `ticket_id`: dial the customer now; the flow id."""
        exchange = self.exchange
        state = exchange.board.agent(agent_id)
        if state is None or not may_take(state, Channel.CALLBACK, exchange.clock.now()):
            why = refusal(state, exchange.clock.now()) if state is not None else "unknown"
            raise CallbackUnavailable(f"no callback is handed to an agent who is "
                                      f"{(why or 'unknown').replace('_', ' ')}")
        if not exchange.plan.reach(dials_sip=True).get(agent_id):
            raise CallbackUnavailable(f"agent {agent_id} has no phone number to ring")
        line = next((ln for ln in exchange.lines.values() if ln.is_up and ln.is_idle
                     and exchange.plan.reach(dials_sip=ln.capabilities.dials_sip).get(agent_id)),
                    None)
        if line is None:
            raise CallbackUnavailable("no line is free; try again when a call has ended")
        number = exchange.plan.reach(dials_sip=line.capabilities.dials_sip)[agent_id]
        try:
            target = await exchange.store.call(callback_target, ticket_id)
        except StoreError as error:
            raise CallbackUnavailable(str(error)) from error
        attempt = target.attempts + 1
        flow_id = f"callback-{ticket_id}-{attempt}"
        group = exchange.groups.get(exchange.plan.first_group or "")
        setup = CallbackSetup(
            flow_id=flow_id, ticket_id=ticket_id, customer_number=target.number,
            agent_id=agent_id, agent_number=number, attempt=attempt,
            method=line.knowledge.best, retry_minutes=exchange.plan.callback_retry_minutes,
            ring_timeout_s=exchange.plan.callback_ring_timeout_s,
            wrap_up_s=group.wrap_up_s if group is not None else 0.0,
            assumed_talk_s=exchange.plan.rules.assumed_talk_s,
        )
        self._attempts[flow_id] = _Attempt(line, ticket_id, target.customer_id, target.number)
        await self._forget_retry(ticket_id)
        await self._run(rules.start_callback(setup, exchange.clock.now()))
        return flow_id

    async def restore(self) -> None:
        """Schedule the retries remembered in the store (after a restart)."""
        for ticket_id, at in (await self.exchange.store.call(pending_retries)).items():
            self._schedule_reopen(ticket_id, at)

    # --- line events --------------------------------------------------------------------

    async def state_changed(self, event: CallStateChanged) -> None:
        found = self._legs.get(event.call_id)
        if found is None or event.state != "active":
            return
        flow_id, kind = found
        handler = rules.on_customer_answered if kind == CUSTOMER else rules.on_agent_answered
        await self._apply(flow_id, handler)

    async def ended(self, event: CallEnded) -> None:
        found = self._legs.pop(event.call_id, None)
        if found is None or event.outcome == "transferred":
            return
        flow_id, _kind = found
        flow = self.flows.get(flow_id)
        if flow is None:
            return
        if event.outcome == "interrupted":
            await self._apply(flow_id, rules.on_line_lost)
        elif event.outcome in ("busy", "no_answer", "failed"):
            await self._apply(flow_id, rules.on_leg_failed, busy=event.outcome == "busy")
        else:
            await self._apply(flow_id, rules.on_hung_up)

    async def timer(self, flow_id: str) -> None:
        self._timers.pop(flow_id, None)
        await self._apply(flow_id, rules.on_timer)

    # --- running ------------------------------------------------------------------------

    async def _apply(
        self, flow_id: str, handler: Callable[..., CallbackStep], *args: object, **kw: object
    ) -> None:
        flow = self.flows.get(flow_id)
        if flow is None:
            return
        await self._run(handler(flow, *args, self.exchange.clock.now(), **kw))

    async def _run(self, step: CallbackStep) -> None:
        flow, commands = step
        flow_id = flow.setup.flow_id
        self.flows[flow_id] = flow
        follow_ups: list[Input] = []
        for command in commands:
            try:
                follow_up = await self._execute(flow, command)
            except LineFault as error:
                log.warning("callback %s: %s failed: %s", flow_id, type(command).__name__, error)
                follow_up = None
            if follow_up is not None:
                follow_ups.append(follow_up)
        self._set_timer(self.flows[flow_id])
        if self.flows[flow_id].is_over and not follow_ups:
            self._forget(flow_id)
        for follow_up in follow_ups:
            await follow_up()

    def _set_timer(self, flow: CallbackFlow) -> None:
        flow_id = flow.setup.flow_id
        old = self._timers.pop(flow_id, None)
        if old is not None:
            old.cancel()
        if flow.wake_at is None or flow.is_over:
            return
        delay = max((flow.wake_at - self.exchange.clock.now()).total_seconds(), 0.0)
        self._timers[flow_id] = asyncio.get_running_loop().call_later(
            delay, lambda: self.exchange.post(lambda: self.timer(flow_id)))

    def _forget(self, flow_id: str) -> None:
        self.flows.pop(flow_id, None)
        attempt = self._attempts.pop(flow_id, None)
        if attempt is not None:
            for leg in (attempt.customer_leg, attempt.agent_leg):
                if leg is not None:
                    self._legs.pop(leg, None)
        timer = self._timers.pop(flow_id, None)
        if timer is not None:
            timer.cancel()

    async def _execute(self, flow: CallbackFlow, command: Command) -> Input | None:
        exchange = self.exchange
        flow_id = flow.setup.flow_id
        attempt = self._attempts[flow_id]
        line = attempt.line
        if isinstance(command, AgentOnCall | AgentFree):
            exchange.apply_presence(flow_id, command)
        elif isinstance(command, DialCustomer | DialAgent):
            kind = CUSTOMER if isinstance(command, DialCustomer) else AGENT
            try:
                leg = await line.dial(command.number)
            except LegRefused as error:
                busy = error.result == "BUSY"
                return lambda: self._apply(flow_id, rules.on_leg_failed, busy=busy)
            self._legs[leg] = (flow_id, kind)
            if kind == CUSTOMER:
                attempt.customer_leg = leg
            else:
                attempt.agent_leg = leg
        elif isinstance(command, HoldCaller):
            if attempt.customer_leg is not None:
                await line.hold(attempt.customer_leg)
        elif isinstance(command, HandOver):
            customer, agent = attempt.customer_leg, attempt.agent_leg
            ok = customer is not None and agent is not None and await line.hand_over(
                command.method, customer, agent)
            return lambda: self._apply(flow_id, rules.on_hand_over_result, ok)
        elif isinstance(command, HangUp):
            legs = [leg for leg in (attempt.customer_leg, attempt.agent_leg) if leg is not None]
            for leg in legs:
                self._legs.pop(leg, None)
            if legs:
                await line.hang_up(legs[0], legs[1] if len(legs) > 1 else None)
        elif isinstance(command, Learn):
            await exchange.learn(line, command)
        elif isinstance(command, Finished):
            await self._finish(flow, attempt, command)
        elif isinstance(command, ScheduleRetry):
            await self._retry(flow, attempt, command)
        return None

    async def _finish(self, flow: CallbackFlow, attempt: _Attempt, command: Finished) -> None:
        exchange = self.exchange
        record = command.record
        caller = Caller(attempt.number, customer_id=attempt.customer_id)
        await exchange.store.call(write_call, flow.setup.flow_id, attempt.line.name, caller,
                                  "valid", record, attempt.ticket_id, "out")
        exchange.bus.publish(CallRecorded(
            at=record.ended_at, call_id=flow.setup.flow_id, line=attempt.line.name,
            number=attempt.number, outcome=record.outcome.value, reason=record.reason,
            wait_seconds=record.wait_s, talk_seconds=record.talk_s,
            method=record.method.value if record.method is not None else None,
            customer_id=attempt.customer_id, agent_id=record.agent_id,
            ticket_id=attempt.ticket_id))
        if record.outcome is Outcome.ANSWERED:
            await self._set_status(attempt.ticket_id, "resolved", record.agent_id)

    async def _retry(self, flow: CallbackFlow, attempt: _Attempt, command: ScheduleRetry) -> None:
        exchange = self.exchange
        setup = flow.setup
        at = rules.retry_at(command.attempt, setup.retry_minutes, exchange.clock.now(),
                            exchange.plan.calendar)
        if at is None:
            note = (f"Callback try {command.attempt} did not reach the customer; "
                    f"no more automatic tries: please call {attempt.number} yourself.")
            await self._note(attempt.ticket_id, note)
            await self._set_status(attempt.ticket_id, "open", None)
            return
        note = (f"Callback try {command.attempt} did not reach the customer; "
                f"next try {at:%Y-%m-%d %H:%M} UTC.")
        await self._note(attempt.ticket_id, note)
        await self._set_status(attempt.ticket_id, "pending", None)
        await exchange.store.call(save_retry, attempt.ticket_id, at)
        self._schedule_reopen(attempt.ticket_id, at)

    def _schedule_reopen(self, ticket_id: int, at: datetime) -> None:
        delay = max((at - self.exchange.clock.now()).total_seconds(), 0.0)
        self._reopen_timers.append(asyncio.get_running_loop().call_later(
            delay, lambda: self.exchange.post(lambda: self._reopen(ticket_id))))

    async def _reopen(self, ticket_id: int) -> None:
        """The retry is due: the callback is open work again, offered like any other."""
        if ticket_id not in await self.exchange.store.call(pending_retries):
            return  # brought back already (the customer called again) or taken meanwhile
        await self._forget_retry(ticket_id)
        await self._set_status(ticket_id, "open", None)

    async def _forget_retry(self, ticket_id: int) -> None:
        await self.exchange.store.call(save_retry, ticket_id, None)

    async def _note(self, ticket_id: int, text: str) -> None:
        draft = MessageDraft(channel="note", direction="internal", body_text=text)
        await self.exchange.tickets.add_message(ticket_id, draft)

    async def _set_status(self, ticket_id: int, status: str, by: int | None) -> None:
        try:
            await self.exchange.tickets.change_status(ticket_id, status, by=by)
        except (TransitionError, StoreError) as error:
            log.info("callback ticket %s stays as it is (%s)", ticket_id, error)
