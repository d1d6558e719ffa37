"""Recognise mail Aspa itself sent coming back, so a loop cannot start."""

from __future__ import annotations

from appliance.mail.intake_context import IntakeContext
from appliance.mail.parsed_mail import ParsedMail

# Every mail Aspa sends carries this header (see smtp_sender / outgoing_message).
LOOP_HEADER = "X-Aspa-Loop"


def run(mail: ParsedMail, ctx: IntakeContext) -> None:
    """Mark a mail as our own when it carries our loop header or our Message-ID domain."""
    if mail.header(LOOP_HEADER):
        mail.is_own_loop = True
    elif not mail.message_id_synthesised and ctx.own_domains:
        domain = mail.message_id.rpartition("@")[2].lower()
        mail.is_own_loop = domain in ctx.own_domains
    if mail.is_own_loop and not mail.is_bounce:
        mail.quarantine_reason = "mail sent by Aspa came back (mail loop); not taken in"
