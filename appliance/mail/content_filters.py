"""The filters that read only the mail itself, and running a list of filters without raising.

These need no database, so they may run in another process (see parse_pool);
the filters that look at the store run where the mail is written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from appliance.mail.filters import auto_reply, bounce, html_body, own_loop, parse, size_cap
from appliance.mail.intake_context import IntakeContext
from appliance.mail.parsed_mail import ParsedMail

log = logging.getLogger("aspa.mail.pipeline")

Filter = Callable[[ParsedMail, IntakeContext], None]

# Order matters: parse before anything reads headers, bounce before own_loop (a bounce
# carries our own mail inside).
CONTENT_FILTERS: list[tuple[str, Filter]] = [
    ("size_cap", size_cap.run),
    ("parse", parse.run),
    ("html_body", html_body.run),
    ("auto_reply", auto_reply.run),
    ("bounce", bounce.run),
    ("own_loop", own_loop.run),
]


def run_filter_list(mail: ParsedMail, ctx: IntakeContext,
                    filters: list[tuple[str, Filter]]) -> ParsedMail:
    """Run filters in order; a failing filter or a refusal sets quarantine_reason and stops."""
    for name, step in filters:
        if mail.quarantine_reason:
            break
        try:
            step(mail, ctx)
        except Exception as error:  # one broken mail must never stop the intake
            log.warning("mail filter %s failed on %s: %r", name, mail.source, error)
            mail.quarantine_reason = f"{name}: {type(error).__name__}: {error}"[:2000]
    return mail
