"""Keep an auto-reply or bounce that answers no known ticket out of the queue.

Runs after follow_up: a robot's mail that threads onto a ticket is written there
(without reopening it, see ArticleWriter); one that threads nowhere is no new work
for anyone, so it is kept in quarantine with the reason, where it can be read or
replayed (replay takes it in as a ticket), instead of opening a ticket.
"""

from __future__ import annotations

from appliance.mail.intake_context import IntakeContext
from appliance.mail.parsed_mail import ParsedMail

# The reasons start with these, so the quarantine list and `aspa doctor` can tell them apart.
AUTO_REPLY_PREFIX = "auto-reply:"
BOUNCE_PREFIX = "bounce:"
AUTO_REPLY_REASON = f"{AUTO_REPLY_PREFIX} answers no known ticket, so no new work was queued"
BOUNCE_REASON = f"{BOUNCE_PREFIX} concerns no mail of a known ticket, so no new work was queued"


def run(mail: ParsedMail, ctx: IntakeContext) -> None:
    """Note an automatic reply on its ticket; quarantine one that follow_up found no ticket for."""
    if mail.follow_up_ticket_id is not None:
        if mail.is_auto_reply and not mail.is_bounce:
            mail.notes.append("automatic reply (such as out of office): added to the ticket, "
                              "which was left as it was")
        return
    if ctx.take_in_automatic:
        return
    if mail.is_bounce:
        mail.quarantine_reason = BOUNCE_REASON
    elif mail.auto_reply_certain:
        mail.quarantine_reason = AUTO_REPLY_REASON
    # A mail that only asks not to be answered automatically may be a person's new request:
    # it opens a ticket as usual (and gets no acknowledgement, being is_automatic).
