"""What the call flow tells a line and the presence board to do (it does nothing itself).

Line commands name the caller's call by the flow's call id; the agent's leg
is the one call the line dialled for this flow. Presence commands name
agents; the executor applies the matching pure transition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from appliance.queue.connect_methods import ConnectMethod


class Prompt(StrEnum):
    """The announcements a line can play (files per line in the configuration)."""

    GREETING = "greeting"  # "welcome, you are connected shortly"
    CLOSED = "closed"  # outside business hours
    CALLBACK = "callback"  # "we will call you back"
    VOICEMAIL = "voicemail"  # "leave a message after the tone"
    MENU = "menu"  # "press 1 for a callback, 2 to leave a message" (lines with call audio)
    STILL_BUSY = "still_busy"  # after the longest wait: "still busy: press 1 ..., 2 ..."


class Outcome(StrEnum):
    """How a call ended, as the queue sees it (the Call row's outcome)."""

    ANSWERED = "answered"
    DEFLECTED = "deflected"  # sent on to the agent by the network; the box lost sight of it
    MISSED = "missed"  # the line dropped it before the queue could act (rang too briefly)
    ABANDONED = "abandoned"  # the caller hung up while waiting
    OVERFLOWED = "overflowed"  # maximum wait passed, or nobody in the group could be rung
    CLOSED = "closed"  # outside business hours
    REFUSED = "refused"  # the line was busy and configured to refuse a second caller
    UNCONNECTED = "unconnected"  # an agent answered but the network refused every hand-over
    INTERRUPTED = "interrupted"  # the line was lost (modem unplugged, coverage gone)
    NO_ANSWER = "no_answer"  # a callback: the customer did not answer
    BUSY = "busy"  # a callback: the customer's line was busy

    @property
    def reached_agent(self) -> bool:
        """True when an agent took the call."""
        return self in (Outcome.ANSWERED, Outcome.DEFLECTED)


# --- line commands -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Answer:
    """Answer the caller (ATA)."""


@dataclass(frozen=True, slots=True)
class PlayPrompt:
    """Play an announcement to the caller; the executor reports when it has finished."""

    prompt: Prompt


@dataclass(frozen=True, slots=True)
class HoldCaller:
    """Put the caller on hold so another call can be dialled (AT+CHLD=2)."""


@dataclass(frozen=True, slots=True)
class ResumeCaller:
    """Take the held caller back (AT+CHLD=2 with only a held call), e.g. for an announcement."""


@dataclass(frozen=True, slots=True)
class AnnounceQueue:
    """Tell the waiting caller their place in the queue and the expected wait (call audio)."""


@dataclass(frozen=True, slots=True)
class HoldMusic:
    """Hold music on or off between announcements (call audio)."""

    on: bool


@dataclass(frozen=True, slots=True)
class DialAgent:
    """Dial the agent's phone (ATD<number>;), on the caller's line or, for a bridge, on `via`."""

    agent_id: int
    number: str
    via: str | None = None  # another line of the box (its name); None: the caller's line


@dataclass(frozen=True, slots=True)
class DialAgents:
    """Ring several agents' phones at once (ring all on a line that can, e.g. a SIP trunk)."""

    dials: tuple[DialAgent, ...]


@dataclass(frozen=True, slots=True)
class DialCustomer:
    """Dial the customer for a callback (ATD<number>;)."""

    number: str


@dataclass(frozen=True, slots=True)
class HangUpAgent:
    """Release the agent's leg only (AT+CHLD=1x); the caller stays."""

    agent_id: int


@dataclass(frozen=True, slots=True)
class HandOver:
    """Join the caller to the agent who answered: ECT (AT+CHLD=4) or conference (AT+CHLD=3).

    On a SIP line the conference is a bridge through the box (RFC 3261 has no
    "join"; baresip relays the audio of both dialogs). A bridge joins the sound
    of the caller's call and of the agent's call on another line in the box.
    """

    method: ConnectMethod
    agent_id: int


@dataclass(frozen=True, slots=True)
class Deflect:
    """Send the caller to the agent's number: AT+CTFR, or a blind transfer (REFER, RFC 3515)."""

    agent_id: int
    number: str


@dataclass(frozen=True, slots=True)
class HangUp:
    """End the caller's call (and any agent leg of it)."""


@dataclass(frozen=True, slots=True)
class Reject:
    """Refuse a ringing or waiting call; the caller hears busy (AT+CHUP / AT+CHLD=0)."""


@dataclass(frozen=True, slots=True)
class TakeVoicemail:
    """Record the caller's message (lines that can record)."""


@dataclass(frozen=True, slots=True)
class SendSms:
    """Text the caller (any working line may send it)."""

    number: str
    text: str


@dataclass(frozen=True, slots=True)
class CreateCallback:
    """Owe the customer a call: a callback work item."""

    reason: str
    assignee_id: int | None = None  # e.g. the agent who answered but could not be connected


@dataclass(frozen=True, slots=True)
class ScheduleRetry:
    """A callback attempt failed: offer it again after the schedule's next delay, if any."""

    attempt: int  # the attempt that just failed (1 = the first)


@dataclass(frozen=True, slots=True)
class Learn:
    """The line found out whether a hand-over method works; remember it."""

    method: ConnectMethod
    ok: bool


# --- presence commands -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RingAgents:
    """These agents' phones are ringing for this call (presence: ringing)."""

    agent_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class StopRinging:
    """These phones stopped ringing; `missed` let their whole ring time pass (auto-pause)."""

    agent_ids: tuple[int, ...]
    missed: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class AgentOnCall:
    """The agent answered (presence: on a call)."""

    agent_id: int


@dataclass(frozen=True, slots=True)
class AgentFree:
    """The agent's call is over as far as the box knows; wrap-up follows."""

    agent_id: int
    wrap_up_s: float


# --- the record --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CallRecord:
    """The finished call, for the Call row, the customer's history and the figures."""

    outcome: Outcome
    arrived_at: datetime
    ended_at: datetime
    answered_at: datetime | None
    agent_id: int | None
    wait_s: float  # arrival to an agent's answer (or to the end, unanswered)
    ring_s: float  # time agents' phones rang for it
    talk_s: float  # agent's answer to the end (0 when the box lost sight: ECT, deflection)
    reason: str = ""
    method: ConnectMethod | None = None


@dataclass(frozen=True, slots=True)
class Finished:
    """The call is over for the queue; store its record."""

    record: CallRecord


Command = (
    Answer
    | PlayPrompt
    | HoldCaller
    | ResumeCaller
    | AnnounceQueue
    | HoldMusic
    | DialAgent
    | DialAgents
    | DialCustomer
    | HangUpAgent
    | HandOver
    | Deflect
    | HangUp
    | Reject
    | TakeVoicemail
    | SendSms
    | CreateCallback
    | ScheduleRetry
    | Learn
    | RingAgents
    | StopRinging
    | AgentOnCall
    | AgentFree
    | Finished
)
