"""A plain-text rendering of an HTML mail body, for search, previews and quoting."""

from __future__ import annotations

import html
import re

_BLOCK_END = re.compile(r"<\s*(br|/p|/div|/tr|/li|/h[1-6]|/blockquote|/table)\b[^>]*>", re.I)
_HIDDEN = {"script", "style", "head", "title"}
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_SPACES = re.compile(r"[ \t\u00a0]+")


def html_to_text(markup: str) -> str:
    """Strip tags, keep line breaks where blocks end, decode entities."""
    import nh3  # 1.5 MB, here rather than at start: the daemon may idle all day without HTML mail

    with_breaks = _BLOCK_END.sub("\n", markup)
    stripped = nh3.clean(with_breaks, tags=set(), clean_content_tags=_HIDDEN, attributes={})
    text = html.unescape(stripped)
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
