"""Every topic this box publishes to, built from fixed words and escaped levels only.

MQTT 5 §4.7: '+', '#' and '/' have meaning inside a topic name, and an empty
level is legal but confusing; a level made from anything that is not ours
(a line name, a mailbox name) goes through `topic_level`, so no text can
reach another part of the tree.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

_SAFE_LEVEL = re.compile(r"[a-z0-9_-]{1,64}")
_SAFE_CHAR = re.compile(r"[a-z0-9-]")
MAX_LEVEL_CHARS = 64
_KEPT_CHARS = 48  # of a level that is too long; a digest of the whole name follows


def topic_level(text: str) -> str:
    """One topic level from any text: [a-z0-9-] kept, everything else as _xx (UTF-8 hex).

    A level longer than 64 characters is cut and ends in a digest of the
    whole name, so long names stay apart and the topic stays short.
    """
    out: list[str] = []
    for char in text:
        if _SAFE_CHAR.fullmatch(char):
            out.append(char)
        else:
            out.extend(f"_{byte:02x}" for byte in char.encode("utf-8"))
    level = "".join(out)
    if not level:
        return "_"
    if len(level) > MAX_LEVEL_CHARS:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
        level = f"{level[:_KEPT_CHARS]}-{digest}"
    return level


def _fixed(word: str) -> str:
    if not _SAFE_LEVEL.fullmatch(word):
        raise ValueError(f"{word!r} is not a fixed topic word ([a-z0-9_-])")
    return word


@dataclass(frozen=True, slots=True)
class Topics:
    """The topic tree of one box: PREFIX/BOX/..."""

    prefix: str
    box: str

    @property
    def root(self) -> str:
        """PREFIX/BOX, the level every topic of this box starts with."""
        return f"{self.prefix}/{_fixed(self.box)}"

    @property
    def status(self) -> str:
        """Availability: retained `online`, and the will `offline`."""
        return f"{self.root}/status"

    def state(self, name: str) -> str:
        """A retained live figure."""
        return f"{self.root}/state/{_fixed(name)}"

    def line_state(self, line: str, name: str) -> str:
        """A retained figure of one phone line (its name escaped)."""
        return f"{self.root}/state/line/{topic_level(line)}/{_fixed(name)}"

    def mailbox_state(self, mailbox: str) -> str:
        """The retained health of one mailbox (its name escaped)."""
        return f"{self.root}/state/mailbox/{topic_level(mailbox)}/ok"

    def event(self, kind: str) -> str:
        """A non-retained QoS 1 event of one kind, e.g. call-offered."""
        return f"{self.root}/event/{_fixed(kind)}"

    @property
    def daily_summary(self) -> str:
        """The day's summary, sent once after midnight in the box's time zone."""
        return f"{self.root}/summary/daily"

    @property
    def everything(self) -> str:
        """The filter that matches all of this box's topics."""
        return f"{self.root}/#"
