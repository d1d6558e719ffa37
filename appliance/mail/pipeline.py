"""The ordered intake filters, and running a mail through them without ever raising."""

from __future__ import annotations

from appliance.mail.content_filters import CONTENT_FILTERS, Filter, run_filter_list
from appliance.mail.filters import attachments, customer, follow_up, unanswered_automatic
from appliance.mail.intake_context import IntakeContext
from appliance.mail.parsed_mail import ParsedMail

__all__ = ["AFTER_PARSE_POOL_FILTERS", "FILTERS", "STORE_FILTERS", "Filter", "run_filters"]

# The filters that read the store, after the content filters: follow_up before customer and
# before unanswered_automatic (which needs to know the ticket), attachments last so that a
# quarantined mail leaves no files behind.
STORE_FILTERS: list[tuple[str, Filter]] = [
    ("follow_up", follow_up.run),
    ("unanswered_automatic", unanswered_automatic.run),
    ("customer", customer.run),
    ("attachments", attachments.run),
]

FILTERS: list[tuple[str, Filter]] = [*CONTENT_FILTERS, *STORE_FILTERS]

# What is left for the writer when the parsing process has run the rest (see parse_pool).
AFTER_PARSE_POOL_FILTERS: list[tuple[str, Filter]] = [
    ("follow_up", follow_up.run),
    ("unanswered_automatic", unanswered_automatic.run),
    ("customer", customer.run),
]


def run_filters(mail: ParsedMail, ctx: IntakeContext,
                filters: list[tuple[str, Filter]] | None = None) -> ParsedMail:
    """Run every filter in order; a failing filter or a refusal sets quarantine_reason."""
    return run_filter_list(mail, ctx, FILTERS if filters is None else filters)
