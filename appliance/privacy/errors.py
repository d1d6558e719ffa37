"""Privacy errors: one base class, each message saying what happened and what to do."""

from __future__ import annotations


class PrivacyError(Exception):
    """A privacy request could not be carried out; the message tells the user why."""


class CustomerUnknown(PrivacyError, LookupError):
    """No customer has this id."""


class AlreadyErased(PrivacyError):
    """The customer's personal data was erased before."""


class ExportFailed(PrivacyError, OSError):
    """The export archive could not be written; nothing was left behind."""
