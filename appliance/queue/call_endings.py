"""How a call that no agent takes is ended: announcement or busy, callback, SMS, record."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from appliance.queue.call_commands import (
    Answer,
    CallRecord,
    Command,
    CreateCallback,
    Finished,
    HangUp,
    HoldMusic,
    Outcome,
    PlayPrompt,
    Prompt,
    Reject,
    ResumeCaller,
    SendSms,
)
from appliance.queue.call_flow_state import CallFlow, Phase

CLOSING_LIMIT_S = 120.0  # a last announcement longer than this is cut off with a hang-up


def record(flow: CallFlow, now: datetime, outcome: Outcome, reason: str) -> Finished:
    """The call's record as it ends now."""
    answered_at = flow.answered_at
    took = answered_at is not None or outcome.reached_agent
    talk = (now - flow.talk_from).total_seconds() if flow.talk_from is not None else 0.0
    return Finished(
        CallRecord(
            outcome=outcome,
            arrived_at=flow.arrived_at,
            ended_at=now,
            answered_at=answered_at,
            agent_id=flow.agent_id if took else None,
            wait_s=max(((answered_at or now) - flow.arrived_at).total_seconds(), 0.0),
            ring_s=flow.ring_s,
            talk_s=max(talk, 0.0),
            reason=reason,
            method=flow.method if took else None,
        )
    )


def give_up(
    flow: CallFlow,
    now: datetime,
    outcome: Outcome,
    reason: str,
    *,
    closed: bool = False,
    assignee: int | None = None,
    caller_gone: bool = False,
    sms: bool = True,
    silent: bool = False,
) -> tuple[list[Command], CallFlow]:
    """End the call without an agent: it becomes a callback work item, and nothing is lost.

    The caller hears the closed / callback announcement where the line can
    play it, else a busy signal or the end of the call; they get an SMS
    when the number is known and the configuration asks for it. `silent`: nothing can
    be played to the caller any more (the call's audio is lost): the call just ends.
    """

    setup = flow.setup
    rules = setup.rules
    commands: list[Command] = [HoldMusic(False)] if flow.music else []
    phase, wake_at = Phase.ENDED, None
    prompt = Prompt.CLOSED if closed else Prompt.CALLBACK
    if not caller_gone:
        audible = not silent and flow.phase is not Phase.WAITING_FOR_LINE
        if audible and setup.can_play(prompt):
            if not flow.answered:
                commands.append(Answer())
            elif flow.held:
                commands.append(ResumeCaller())
            commands.append(PlayPrompt(prompt))
            phase, wake_at = Phase.CLOSING, now + timedelta(seconds=CLOSING_LIMIT_S)
        else:
            commands.append(HangUp() if flow.answered else Reject())
    commands.append(CreateCallback(reason, assignee))
    wants_sms = rules.sms_when_closed if closed else rules.sms_on_callback
    if sms and wants_sms and setup.caller.number:
        commands.append(SendSms(setup.caller.number, rules.sms_text(setup.caller, closed=closed)))
    commands.append(record(flow, now, outcome, reason))
    ended = replace(flow, phase=phase, wake_at=wake_at, held=False, answered=True, music=False,
                    announce_at=None)
    return commands, ended
