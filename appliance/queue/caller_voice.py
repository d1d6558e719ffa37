"""What a waiting caller hears on a line whose call audio goes through the box.

On entering the queue: their place and the expected wait, the keypad menu
("press 1 for a callback, 2 to leave a message"), then hold music, with the
place and wait said again every `announce_every_s`. Before an agent is
dialled the music stops (on a modem the caller is then held, and the voice
port carries the agent's leg), except for a bridge: the agent rings on
another line and the caller hears the music until they answer. Pure: each
function takes the flow and returns the next one with the commands to add,
like the rest of call_flow.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from appliance.queue.call_commands import (
    AnnounceQueue,
    Answer,
    Command,
    HoldMusic,
    PlayPrompt,
    Prompt,
    ResumeCaller,
)
from appliance.queue.call_flow_state import CallFlow, Phase

MENU_KEYS = ("1", "2")  # 1: call me back, 2: leave a message
CALLBACK_KEY, MESSAGE_KEY = MENU_KEYS


def hears_the_queue(flow: CallFlow) -> bool:
    """True when this call's audio goes through the box and the caller is answered for it."""
    return flow.setup.line.has_audio and flow.method.needs_answer


def enter_queue(flow: CallFlow, now: datetime,
                commands: list[Command]) -> tuple[CallFlow, list[Command]]:
    """The caller waits for an agent: in the box's audio, they hear where they stand."""
    if not hears_the_queue(flow):
        return flow, commands
    setup = flow.setup
    every = timedelta(seconds=setup.rules.announce_every_s)
    if flow.music:  # it played on while an agent's phone rang (a bridge): place and wait again
        if flow.announce_at is None:
            return replace(flow, announce_at=now + every), commands
        return flow, commands
    if flow.held:
        commands.append(ResumeCaller())
    elif not flow.answered:
        commands.append(Answer())
    commands.append(AnnounceQueue())
    if setup.rules.keypad_menu and setup.can_play(Prompt.MENU):
        commands.append(PlayPrompt(Prompt.MENU))
    commands.append(HoldMusic(True))
    waiting = replace(flow, answered=True, held=False, music=True, announce_at=now + every)
    return waiting, commands


def music_while_ringing(flow: CallFlow,
                        commands: list[Command]) -> tuple[CallFlow, list[Command]]:
    """The caller stays on the line while the agent's phone rings on another (a bridge):
    the music plays on, the place in the queue is no longer said."""
    if flow.held:
        commands.append(ResumeCaller())
    elif not flow.answered:
        commands.append(Answer())
    if not flow.music:
        commands.append(HoldMusic(True))
    return replace(flow, answered=True, held=False, music=True, announce_at=None), commands


def leave_queue(flow: CallFlow, commands: list[Command]) -> tuple[CallFlow, list[Command]]:
    """The caller's queue sound stops (an agent is dialled, the call ends or is decided)."""
    if not flow.music:
        return flow, commands
    commands.append(HoldMusic(False))
    return replace(flow, music=False, announce_at=None), commands


def announce_if_due(flow: CallFlow, now: datetime,
                    commands: list[Command]) -> tuple[CallFlow, list[Command]]:
    """The place and wait again, when their time has come and the caller still waits."""
    due = flow.announce_at
    if due is None or now < due or flow.phase is not Phase.QUEUED:
        return flow, commands
    commands.append(AnnounceQueue())
    every = timedelta(seconds=flow.setup.rules.announce_every_s)
    return replace(flow, announce_at=now + every), commands


def offers_the_choice(flow: CallFlow) -> bool:
    """True when, after the longest wait, the caller may choose instead of being hung up on."""
    setup = flow.setup
    return (hears_the_queue(flow) and setup.rules.keypad_menu
            and setup.can_play(Prompt.STILL_BUSY))


def start_choosing(flow: CallFlow, now: datetime, closing_limit_s: float,
                   commands: list[Command]) -> tuple[CallFlow, list[Command]]:
    """"All agents are still busy: press 1 for a callback, 2 to leave a message"."""
    flow, commands = leave_queue(flow, commands)
    if flow.held:
        commands.append(ResumeCaller())
    elif not flow.answered:
        commands.append(Answer())
    commands.append(PlayPrompt(Prompt.STILL_BUSY))
    choosing = replace(flow, phase=Phase.CHOOSING, answered=True, held=False,
                       wake_at=now + timedelta(seconds=closing_limit_s))
    return choosing, commands


def choice_heard(flow: CallFlow, now: datetime) -> CallFlow:
    """The choice has been said: the caller has `choice_timeout_s` to press a key."""
    return replace(flow, wake_at=now + timedelta(seconds=flow.setup.rules.choice_timeout_s))
