"""Folder names in IMAP's modified UTF-7 (RFC 3501 §5.1.3), so "Käsitelty" is a valid name."""

from __future__ import annotations

import base64


def encode_folder(name: str) -> str:
    """Encode a folder name: printable ASCII stays, '&' becomes '&-', the rest '&...-'."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            raw = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(raw).decode().rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)
