"""Who else gets a reply: the CC field read and checked, each wrong address named."""

from __future__ import annotations

import re
from collections.abc import Iterable
from email.utils import parseaddr

from appliance.tickets.errors import TicketError

CC_MAX = 20  # addresses in one reply's CC
# RFC 5322 §3.4.1 addr-spec in the dot-atom form people type; a domain with a dot
# (RFC 1035 labels), as a mail server on the internet has.
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9\u00c0-\uffff]([A-Za-z0-9\u00c0-\uffff-]{0,61}[A-Za-z0-9\u00c0-\uffff])?"
_ADDRESS = re.compile(rf"{_LOCAL}@{_LABEL}(\.{_LABEL})+")
_SEPARATORS = re.compile(r"[,;\n]+")


class CopyAddressRefused(TicketError):
    """CC addresses that are not addresses; `wrong` lists them as typed."""

    def __init__(self, wrong: list[str], limit: int = 0) -> None:
        what = f"at most {limit} addresses" if limit else "not an address: " + ", ".join(wrong)
        super().__init__(f"cc: {what}")
        self.wrong = wrong
        self.limit = limit


def is_address(text: str) -> bool:
    """True for a plain mail address like name@example.fi."""
    return len(text) <= 254 and _ADDRESS.fullmatch(text) is not None


def copy_addresses(typed: str) -> list[str]:
    """The addresses of a typed CC field ("a@x.fi, Bea <b@y.fi>; c@z.fi"), each once, in
    order; CopyAddressRefused naming every piece that is not an address."""
    found: list[str] = []
    wrong: list[str] = []
    for piece in _SEPARATORS.split(typed):
        piece = piece.strip()
        if not piece:
            continue
        _, address = parseaddr(piece)
        if ("<" in piece) != (">" in piece) or not is_address(address):
            wrong.append(piece[:100])
        elif address.lower() not in (f.lower() for f in found):
            found.append(address)
    if wrong:
        raise CopyAddressRefused(wrong)
    if len(found) > CC_MAX:
        raise CopyAddressRefused([], CC_MAX)
    return found


def reply_all_copies(recipients: Iterable[str], customer: str,
                     own: Iterable[str]) -> list[str]:
    """The CC of "reply to all": who the customer's mail went to, less the customer and
    the box's own mailboxes."""
    skip = {parseaddr(customer)[1].lower(), *(a.lower() for a in own)}
    out: list[str] = []
    for raw in recipients:
        _, address = parseaddr(raw.strip())
        if is_address(address) and address.lower() not in skip:
            skip.add(address.lower())
            out.append(address)
    return out
