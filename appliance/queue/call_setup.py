"""What the call flow is given at the start of a call: the caller, the line and the rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from appliance.queue.call_commands import Prompt
from appliance.queue.connect_methods import PREFERENCE, ConnectMethod
from appliance.queue.ring_group import RingGroup
from appliance.queue.ring_strategies import RingStrategy


class WaitingCallMode(StrEnum):
    """What a busy line does with a second caller (call waiting, TS 22.083)."""

    HOLD = "hold"  # leave them waiting (announcement where the line can play it) until free
    BUSY = "busy"  # refuse at once (busy), with a callback and an SMS


SMS_TEXTS: Mapping[str, str] = {
    "fi": "Kiitos soitostasi. Kaikki asiakaspalvelijamme olivat varattuina; "
    "soitamme sinulle takaisin mahdollisimman pian.",
    "en": "Thank you for calling. All our agents were busy; we will call you back as soon as "
    "we can.",
}
CLOSED_SMS_TEXTS: Mapping[str, str] = {
    "fi": "Kiitos soitostasi. Olemme nyt suljettu; soitamme sinulle takaisin, kun avaamme.",
    "en": "Thank you for calling. We are closed now; we will call you back when we open.",
}


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling, as the store knows them."""

    number: str | None  # None when withheld or unavailable: no SMS, callback by hand
    customer_id: int | None = None
    vip: bool = False
    account_manager_id: int | None = None
    language: str | None = None  # fi / en; None: the configured default


@dataclass(frozen=True, slots=True)
class LineTraits:
    """What the line the call came in on can do right now."""

    name: str
    plays_prompts: bool = False
    records_voicemail: bool = False
    has_audio: bool = False  # the call's audio goes through the box: position, music, keys
    connect: ConnectMethod = ConnectMethod.ECT  # the method the line has learned to use
    rings_parallel: bool = False  # rings several phones at once (a SIP trunk); else one leg
    order: tuple[ConnectMethod, ...] = PREFERENCE  # the line's hand-over methods, best first

    def joining_method(self) -> ConnectMethod:
        """The method for several phones rung at once: one that joins the answered leg.

        A blind transfer or a deflection names one target before anyone
        answers, so it cannot serve a ring-all; the next method of the
        line's order that joins an answered leg does (the learned one first).
        """
        if self.connect.needs_answer or self.connect not in self.order:
            return self.connect
        later = self.order[self.order.index(self.connect) + 1 :]
        return next((m for m in later if m.needs_answer), ConnectMethod.CALLBACK)

    def fallback(self, method: ConnectMethod, *, answered: bool) -> ConnectMethod:
        """The next method of the line's order for the same call.

        No deflection once answered; never a bridge, since by then the agent is
        dialled on this line (or the bridge itself just failed).
        """
        order = self.order if method in self.order else PREFERENCE
        for candidate in order[order.index(method) + 1 :]:
            if (candidate is ConnectMethod.DEFLECT and answered) or not candidate.one_line:
                continue
            return candidate
        return ConnectMethod.CALLBACK

    def usable(self, method: ConnectMethod) -> ConnectMethod:
        """`method`, or the next one when it cannot serve here: a bridge needs the call's sound."""
        if method is ConnectMethod.BRIDGE and not self.has_audio:
            return self.fallback(method, answered=False)
        return method


@dataclass(frozen=True, slots=True)
class FlowRules:
    """The configured behaviour that is the same for every call."""

    language: str = "fi"
    sms_texts: Mapping[str, str] = field(default_factory=lambda: dict(SMS_TEXTS))
    closed_sms_texts: Mapping[str, str] = field(default_factory=lambda: dict(CLOSED_SMS_TEXTS))
    sms_when_closed: bool = True
    sms_on_callback: bool = True
    waiting_calls: WaitingCallMode = WaitingCallMode.HOLD
    assumed_talk_s: float = 180.0  # after ECT/deflection the box cannot see the end: rest this
    prompts: frozenset[Prompt] = frozenset(Prompt)  # announcements configured for this line
    announce_every_s: float = 45.0  # a waiting caller hears place and wait again this often
    keypad_menu: bool = True  # "press 1 for a callback, 2 to leave a message"
    choice_timeout_s: float = 10.0  # after the longest wait: time to press a key

    def sms_text(self, caller: Caller, *, closed: bool = False) -> str:
        """The SMS in the caller's language, else the configured one, else English."""
        texts = self.closed_sms_texts if closed else self.sms_texts
        for language in (caller.language, self.language, "en"):
            if language and language in texts:
                return texts[language]
        return next(iter(texts.values()), "")


@dataclass(frozen=True, slots=True)
class CallSetup:
    """Everything fixed for one call: caller, line, group, agents' numbers and the rules."""

    call_id: str
    caller: Caller
    line: LineTraits
    group: RingGroup | None  # None: no usable ring group (bad configuration): callback
    numbers: Mapping[int, str]  # agent id -> number to dial
    overflow_groups: Mapping[str, RingGroup] = field(default_factory=dict)  # overflow group:NAME
    rules: FlowRules = field(default_factory=FlowRules)
    open_now: bool = True  # inside business hours when it arrived
    line_busy: bool = False  # it arrived as a waiting call (+CCWA) on a busy line

    def can_play(self, prompt: Prompt) -> bool:
        """True when the line can play this announcement."""
        return self.line.plays_prompts and prompt in self.rules.prompts


def is_sip_uri(number: str) -> bool:
    """True when a member's "number" is a SIP address (RFC 3261 §19.1), not a phone number."""
    return number.lower().startswith(("sip:", "sips:"))


def group_for_line(
    group: RingGroup,
    numbers: Mapping[int, str],
    *,
    rings_parallel: bool = False,
    dials_sip: bool = False,
) -> RingGroup | None:
    """The group as a line can ring it: reachable members only, ring-all as the line allows.

    A modem has one agent leg per call: one GSM modem holds one extra call
    (TS 22.083/22.084: one held and one active), so "ring all" rings the
    members one after another in the configured order. A line that rings in
    parallel (a SIP trunk forks as many INVITEs as it likes) keeps ring-all.
    Members reached by a SIP address only count on lines that dial SIP.
    None: nobody to ring.
    """
    members = tuple(
        m for m in group.members
        if (number := numbers.get(m)) and (dials_sip or not is_sip_uri(number))
    )
    if not members:
        return None
    timeouts = {m: t for m, t in group.member_timeouts.items() if m in members}
    strategy = group.strategy
    if strategy is RingStrategy.RINGALL and not rings_parallel:
        strategy = RingStrategy.LINEAR
    if members == group.members and strategy is group.strategy:
        return group
    return replace(group, members=members, member_timeouts=timeouts, strategy=strategy)
