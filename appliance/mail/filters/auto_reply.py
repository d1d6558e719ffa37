"""Recognise automatic replies and bulk mail, which get no acknowledgement and reopen nothing."""

from __future__ import annotations

from appliance.mail.intake_context import IntakeContext
from appliance.mail.parsed_mail import ParsedMail

# RFC 3834 §5: Auto-Submitted other than "no" marks an automatic mail.
# Precedence (RFC 2076 §3.9, de-facto) and the vendor headers below are what
# vacation responders and mailing lists actually send.
_BULK_PRECEDENCE = {"bulk", "list", "junk"}
_AUTO_PRECEDENCE = {"auto_reply", "auto-reply"}
_MS_SUPPRESS = {"all", "oof", "autoreply", "dr", "rn", "nrn"}
# Outlook's own prefixes; "Auto:" alone is not one of them ("auto" is Finnish for car).
_AUTO_SUBJECT_PREFIXES = ("automatic reply:", "automaattinen vastaus:")


def run(mail: ParsedMail, ctx: IntakeContext) -> None:
    """Set is_auto_reply / is_bulk from the headers that say so."""
    auto_submitted = mail.header("Auto-Submitted").strip().lower()
    precedence = mail.header("Precedence").strip().lower()
    suppress = {v.strip().lower() for v in mail.header("X-Auto-Response-Suppress").split(",")}
    if auto_submitted and not auto_submitted.startswith("no"):
        mail.is_auto_reply = True
    if precedence in _AUTO_PRECEDENCE:
        mail.is_auto_reply = True
    if mail.header("X-Autoreply") or mail.header("X-Autorespond"):
        mail.is_auto_reply = True
    if suppress & _MS_SUPPRESS:
        # Exchange sets this on its own out-of-office and receipt mails.
        mail.is_auto_reply = True
    if mail.subject.lower().startswith(_AUTO_SUBJECT_PREFIXES) and auto_submitted != "no":
        mail.is_auto_reply = True
    if precedence in _BULK_PRECEDENCE:
        mail.is_bulk = True
    if mail.header("List-Id") or mail.header("List-Unsubscribe"):
        mail.is_bulk = True
