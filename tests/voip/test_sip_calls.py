"""Who is calling (from the SIP URI) and how a call ended (from baresip's reason)."""

from __future__ import annotations

import pytest

from appliance.voip.sip_calls import caller_number, closing_outcome


@pytest.mark.parametrize(("uri", "expected"), [
    ("sip:+358401234567@sip.operaattori.example", ("+358401234567", "valid")),
    ("sip:0401234567@10.0.0.1:5060;user=phone", ("0401234567", "valid")),
    ("sip:anonymous@anonymous.invalid", (None, "withheld")),
    ("sip:liisa@pbx.esimerkki.example", ("sip:liisa@pbx.esimerkki.example", "valid")),
])
def test_caller_number(uri: str, expected: tuple[str | None, str]) -> None:
    assert caller_number(uri) == expected


@pytest.mark.parametrize(("reason", "incoming", "answered", "outcome"), [
    ("Connection reset by peer", True, True, "answered"),
    ("Connection reset by peer", True, False, "missed"),
    ("486 Busy Here", False, False, "busy"),
    ("603 Decline", False, False, "busy"),
    ("480 Temporarily Unavailable", False, False, "no_answer"),
    ("408 Request Timeout", False, False, "no_answer"),
    ("404 Not Found", False, False, "failed"),
    ("Connection refused", False, False, "failed"),
])
def test_closing_outcome(reason: str, incoming: bool, answered: bool, outcome: str) -> None:
    assert closing_outcome(reason, incoming=incoming, answered=answered) == outcome
