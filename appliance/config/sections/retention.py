"""The `[retention]` section: how long each kind of customer data is kept (0 = for ever)."""

from __future__ import annotations

from dataclasses import dataclass, fields

from appliance.config.schema import in_range, setting

DAYS_MAX = 36_500  # a hundred years: anything longer is a typo


def _days(default: int, what: str) -> int:
    result: int = setting(default, f"Days {what} are kept; 0 = for ever",
                          check=in_range(0, DAYS_MAX))
    return result


@dataclass(frozen=True)
class RetentionSettings:
    """How long closed tickets, call records, SMS, attachments, quarantine and audit are kept."""

    closed_tickets_days: int = _days(
        730, "after closing, tickets (with their messages, attachments and history)")
    call_records_days: int = _days(
        365, "callers' numbers in call records (the call's times and outcome stay for the "
        "figures)")
    sms_days: int = _days(365, "SMS texts and senders' numbers (the message's time stays)")
    attachments_days: int = _days(365, "mail attachments (the files and their names)")
    quarantine_days: int = _days(30, "quarantined mail and SMS (kept raw)")
    audit_days: int = _days(730, "audit trail entries (who viewed, exported, changed or erased)")

    def policy(self) -> list[tuple[str, int]]:
        """Each kept kind of data with its days, in the order the admin page lists them."""
        return [(f.name.removesuffix("_days"), int(getattr(self, f.name))) for f in fields(self)]
