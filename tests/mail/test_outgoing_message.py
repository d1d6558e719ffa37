"""Composing outgoing mail: subject tags, references, automatic-mail markers."""

from __future__ import annotations

import email
from datetime import UTC, datetime

import pytest

from appliance.mail.outgoing_message import compose, tagged_subject

NOW = datetime(2026, 1, 8, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("subject", "expected"), [
    ("Tulostin ei toimi", "Re: [#1001] Tulostin ei toimi"),
    ("RE: Re: VS: Tulostin", "Re: [#1001] Tulostin"),
    ("Re: [#1001] Tulostin", "Re: [#1001] Tulostin"),
    ("", "Re: [#1001] (no subject)"),
])
def test_subject_gets_one_tag_and_one_prefix(subject: str, expected: str) -> None:
    assert tagged_subject(subject, 1001) == expected


def test_automatic_mail_is_marked_per_rfc_3834() -> None:
    composed = compose(ticket_number=7, from_address="tuki@yritys.fi", from_name="Tuki",
                       to=["a@b.fi"], subject="x", body_text="kuitattu", domain="y.fi", now=NOW,
                       in_reply_to="m1@b.fi", references=["m0@b.fi"], automatic=True)
    msg = email.message_from_bytes(composed.raw)
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["X-Auto-Response-Suppress"] == "All"
    assert msg["X-Aspa-Loop"] == "7"
    assert msg["References"] == "<m0@b.fi> <m1@b.fi>"
    assert composed.message_id.startswith("aspa.7.") and composed.message_id.endswith("@y.fi")
