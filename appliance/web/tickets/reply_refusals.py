"""Why a reply was not sent, in the person's language: which file, which address, what cap."""

from __future__ import annotations

from appliance.store.errors import InvalidInput
from appliance.tickets.reply_copies import CopyAddressRefused
from appliance.tickets.reply_files import ReplyFileRefused
from appliance.web.frame.errors import FieldError
from appliance.web.frame.i18n import Translate
from appliance.web.frame.problem_text import field_error_text
from appliance.web.tickets.ticket_actions import SMS_CARRIES_NO_FILES

_FILE_REASONS = {
    "program": "{name}: files that run programs or scripts (such as .exe, .bat or .js) "
               "cannot be sent.",
    "too_large": "{name} is too large: one file may be at most {limit} MB.",
    "too_large_total": "The files are too large together: one reply may carry at most "
                       "{limit} MB ({name} went over).",
    "too_many": "At most {limit} files can go with one reply.",
    "empty": "{name} is empty.",
}
REFUSAL_TEXTS = (*_FILE_REASONS.values(), "Not an email address in CC: {wrong}",
                 "At most {limit} addresses in CC.",
                 "An SMS carries neither copies nor files: send by email, or empty those "
                 "fields.")


def refusal_text(error: Exception, t: Translate) -> str:
    """The refusal as the page shows it."""
    if isinstance(error, ReplyFileRefused):
        return t(_FILE_REASONS[error.reason], name=error.name, limit=f"{error.limit:g}")
    if isinstance(error, CopyAddressRefused):
        if error.limit:
            return t("At most {limit} addresses in CC.", limit=error.limit)
        return t("Not an email address in CC: {wrong}", wrong=", ".join(error.wrong))
    if isinstance(error, FieldError):
        return field_error_text(error, t)
    if isinstance(error, InvalidInput) and str(error) == SMS_CARRIES_NO_FILES:
        return t("An SMS carries neither copies nor files: send by email, or empty those "
                 "fields.")
    return str(error)
