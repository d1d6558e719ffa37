"""Cut the modem's byte stream into lines, and spot the SMS `> ` prompt.

V.250 frames every result as `\\r\\n<text>\\r\\n`; an echoed command ends with
`\\r` alone; the SMS prompt of 3GPP TS 27.005 §3.5.1 is `\\r\\n> ` with no line
end after it, so it must be recognised from the bytes that are there.
"""

from __future__ import annotations

import re
from typing import Final

MAX_LINE_BYTES: Final = 4096  # a longer run without a line end is garbage; cut it
_LINE_END = re.compile(rb"[\r\n]")


class Prompt:
    """The `> ` prompt asking for an SMS body."""

    def __repr__(self) -> str:
        return "PROMPT"


PROMPT: Final = Prompt()


def decode_line(raw: bytes) -> str:
    """Text of one line; bytes that are not UTF-8 become U+FFFD and mark it as garbage."""
    return raw.decode("utf-8", errors="replace").strip(" \t")


class LineSplitter:
    """Feed it bytes as they come; it returns the complete lines (and prompts) seen."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self.expect_prompt = False
        self.bare_prompt = False  # a lone `>` is the prompt too (file uploads)

    def feed(self, data: bytes) -> list[str | Prompt]:
        """Add bytes; return every complete non-empty line and any prompt, in order."""
        buf = self._buf
        buf += data
        out: list[str | Prompt] = []
        while buf:
            if self.expect_prompt and buf[0] == 0x3E:  # '>' at the start of a line
                # `> ` for SMS (TS 27.005 §3.5.1); file uploads may get a bare `>`
                if len(buf) < 2 and not self.bare_prompt:
                    break
                del buf[: 2 if buf[1:2] == b" " else 1]
                self.expect_prompt = False
                out.append(PROMPT)
                continue
            match = _LINE_END.search(buf)
            if match is None:
                if len(buf) > MAX_LINE_BYTES:
                    out.append(decode_line(bytes(buf)))
                    buf.clear()
                break
            end = match.start()
            if end:
                line = decode_line(bytes(buf[:end]))
                if line:
                    out.append(line)
            del buf[: end + 1]
        return out

    def reset(self) -> None:
        """Forget a partial line (after the port was reopened)."""
        self._buf.clear()
        self.expect_prompt = False
