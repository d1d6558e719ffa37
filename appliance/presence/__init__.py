"""Agent presence: what agents said about themselves, what they are doing, what they may take."""

from appliance.presence.channel import Channel
from appliance.presence.errors import PresenceError
from appliance.presence.missed_offers import (
    AUTO_PAUSE_REASON,
    MissedOffer,
    record_answered,
    record_missed,
)
from appliance.presence.offer_rules import may_ring, may_take, refusal
from appliance.presence.states import Activity, AgentState, Presence
from appliance.presence.transitions import (
    call_ended,
    call_started,
    end_wrap_up,
    set_presence,
    start_ringing,
    stop_ringing,
)

__all__ = [
    "AUTO_PAUSE_REASON",
    "Activity",
    "AgentState",
    "Channel",
    "MissedOffer",
    "Presence",
    "PresenceError",
    "call_ended",
    "call_started",
    "end_wrap_up",
    "may_ring",
    "may_take",
    "record_answered",
    "record_missed",
    "refusal",
    "set_presence",
    "start_ringing",
    "stop_ringing",
]
