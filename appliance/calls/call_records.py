"""The store side of a call: who is calling, the Call row, the callback ticket's text.

These are blocking calls: on the event loop run them through `StoreWorker`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from appliance.queue.call_commands import CallRecord
from appliance.queue.call_setup import Caller
from appliance.store.customers import CustomerDirectory
from appliance.store.errors import InvalidInput
from appliance.store.models import Attachment, Call, Customer, Message

if TYPE_CHECKING:
    from appliance.calls.call_voice import SavedMessage


def find_caller(directory: CustomerDirectory, number: str | None) -> Caller:
    """The caller as a known customer, read only; unknown and withheld callers have no id yet."""
    if not number:
        return Caller(None)
    try:
        customer: Customer | None = directory.find_by_phone(number)
    except InvalidInput:
        return Caller(number)  # a number the store cannot normalise: still route and call back
    if customer is None:
        return Caller(number)
    return _caller(number, customer)


def ensure_customer(directory: CustomerDirectory, number: str) -> int | None:
    """The id of the customer with this number, made on first contact; None if unusable."""
    try:
        return int(directory.find_or_create_by_phone(number).id)
    except InvalidInput:
        return None


def _caller(number: str, customer: Customer) -> Caller:
    return Caller(
        number,
        customer_id=customer.id,
        vip=bool(customer.vip),
        account_manager_id=customer.account_manager_id,
        language=customer.language,
    )


def write_call(
    call_ref: str,
    line: str,
    caller: Caller,
    number_status: str,
    record: CallRecord,
    ticket_id: int | None,
    direction: str = "in",
) -> int:
    """Store the finished call as one Call row; returns its id."""
    row = Call.create(
        call_ref=call_ref,
        line=line,
        direction=direction,
        number=caller.number,
        number_status=number_status,
        customer=caller.customer_id,
        agent=record.agent_id,
        ticket=ticket_id,
        offered_at=record.arrived_at,
        answered_at=record.answered_at,
        ended_at=record.ended_at,
        outcome=record.outcome.value,
        wait_seconds=record.wait_s,
        ring_seconds=record.ring_s,
        talk_seconds=record.talk_s,
        method=record.method.value if record.method is not None else None,
    )
    return int(row.id)


_REASONS = {
    "fi": {
        "closed": "soitti aukioloaikojen ulkopuolella",
        "max_wait": "odotti enimmäisajan",
        "nobody_available": "ketään ei ollut paikalla",
        "abandoned": "katkaisi puhelun jonossa",
        "line_busy": "linja oli varattu",
        "line_lost": "puhelu katkesi (linja menetettiin)",
        "hand_over_refused": "verkko ei sallinut puhelun siirtoa",
        "no_hand_over_method": "linja ei osaa siirtää puheluita",
        "no_reachable_member": "soittoryhmässä ei ole tavoitettavaa jäsentä",
        "caller_chose_callback": "pyysi takaisinsoittoa näppäimellä 1",
        "caller_left_message": "jätti viestin",
        "voicemail": "jätti viestin",
        "silent_message": "ei sanonut viestiin mitään",
        "audio_lost": "puhelun ääniyhteys katkesi",
        "bridge_failed": "asiakaspalvelijaa ei saatu yhdistettyä toisen linjan kautta",
        "bridge_lost": "yhteys asiakaspalvelijaan katkesi kesken puhelun",
    },
    "en": {
        "closed": "called outside business hours",
        "max_wait": "waited the maximum time",
        "nobody_available": "nobody was available",
        "abandoned": "hung up while waiting",
        "line_busy": "the line was busy",
        "line_lost": "the call was cut off (line lost)",
        "hand_over_refused": "the network refused to connect the agent",
        "no_hand_over_method": "the line cannot connect calls to agents",
        "no_reachable_member": "nobody in the ring group can be rung",
        "caller_chose_callback": "pressed 1 for a callback",
        "caller_left_message": "left a message",
        "voicemail": "left a message",
        "silent_message": "said nothing in the message",
        "audio_lost": "the call's sound was lost",
        "bridge_failed": "the agent could not be connected through the other line",
        "bridge_lost": "the line to the agent was lost during the call",
    },
}


def callback_subject(caller: Caller, reason: str, language: str = "fi") -> str:
    """The callback ticket's subject, e.g. 'Soita takaisin: +358401234567 (odotti ...)'."""
    why = callback_reason(reason, language)
    who = caller.number or ("salainen numero" if language == "fi" else "withheld number")
    lead = "Soita takaisin" if language == "fi" else "Call back"
    return f"{lead}: {who} ({why})"


def callback_reason(reason: str, language: str = "fi") -> str:
    """Why a call became a callback, in words ('odotti enimmäisajan')."""
    return _REASONS.get(language, _REASONS["en"]).get(reason, reason)


def called_again_note(reason: str, at: datetime, language: str = "fi") -> str:
    """The note an open callback gets when the same number's next call is missed too."""
    why = callback_reason(reason, language)
    if language == "fi":
        return f"Soitti uudelleen {at:%Y-%m-%d %H:%M} UTC ({why}); sama takaisinsoitto kattaa sen."
    return f"Called again at {at:%Y-%m-%d %H:%M} UTC ({why}); this callback covers it."


def attach_recording(ticket_id: int, message: SavedMessage,
                     message_id: int | None = None) -> None:
    """Attach a voicemail (already among the attachment files) to a message of the ticket:
    `message_id`, or else the ticket's first message."""
    if message_id is None:
        first = (Message.select(Message.id).where(Message.ticket == ticket_id)
                 .order_by(Message.id).first())
        if first is None:
            raise ValueError(f"ticket {ticket_id} has no message to attach the recording to")
        message_id = int(first.id)
    with Attachment._meta.database.atomic():
        Attachment.create(message=message_id, filename=message.filename,
                          content_type="audio/ogg", size=message.size, sha256=message.sha256)
