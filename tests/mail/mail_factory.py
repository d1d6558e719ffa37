"""Build raw test mails as bytes, the way real clients lay them out."""

from __future__ import annotations

import itertools

_counter = itertools.count(1)


def plain_mail(*, sender: str = "Matti Meikäläinen <matti@asiakas.fi>",
               to: str = "tuki@yritys.fi", subject: str = "Tulostin ei toimi",
               body: str = "Hei,\n\ntulostin ei tulosta.\n\nMatti", message_id: str | None = "",
               extra_headers: str = "", date: str = "Mon, 05 Jan 2026 09:00:00 +0200") -> bytes:
    """A text/plain UTF-8 mail; message_id '' makes a unique one, None leaves it out."""
    if message_id == "":
        message_id = f"<m{next(_counter)}.{id(body)}@asiakas.fi>"
    mid_line = f"Message-ID: {message_id}\r\n" if message_id else ""
    head = (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\n{mid_line}"
        f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Transfer-Encoding: 8bit\r\n{extra_headers}\r\n"
    )
    return head.encode("utf-8") + body.replace("\n", "\r\n").encode("utf-8")
