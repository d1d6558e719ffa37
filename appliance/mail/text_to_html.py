"""A reply's HTML part made from its plain text: escaped, in paragraphs, with links.

Never from HTML someone typed: every character of the text is escaped first, then
only the box's own tags are added (p, br, a, blockquote).
"""

from __future__ import annotations

import html
import re

# http(s) and www. links as people type them; a closing bracket or sentence end stays out.
_LINK = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)\]}]", re.IGNORECASE)
_MAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")
_PARAGRAPHS = re.compile(r"\n[ \t]*\n+")
STYLE = "font-family: sans-serif; font-size: 14px; line-height: 1.4"
QUOTE_STYLE = "margin: 0 0 0 0.8ex; border-left: 2px solid #ccc; padding-left: 1ex; color: #555"


def _linked(line: str) -> str:
    """One line escaped, its web and mail addresses made links."""
    out: list[str] = []
    position = 0
    spans = sorted([(m.start(), m.end(), "web") for m in _LINK.finditer(line)]
                   + [(m.start(), m.end(), "mail") for m in _MAIL.finditer(line)])
    for start, end, kind in spans:
        if start < position:
            continue  # an address inside a link already made
        out.append(html.escape(line[position:start]))
        text = line[start:end]
        if kind == "mail":
            target = "mailto:" + text
        else:
            target = text if "://" in text else "https://" + text
        out.append(f'<a href="{html.escape(target)}">{html.escape(text)}</a>')
        position = end
    out.append(html.escape(line[position:]))
    return "".join(out)


def _block(lines: list[str]) -> str:
    return "<p>" + "<br>\n".join(_linked(line) for line in lines) + "</p>"


def _paragraph(chunk: str) -> str:
    """A paragraph; its lines quoted with "> " become a blockquote of their own."""
    lines = chunk.split("\n")
    parts: list[str] = []
    plain: list[str] = []
    quoted: list[str] = []
    for line in lines:
        if line.startswith(">"):
            if plain:
                parts.append(_block(plain))
                plain = []
            quoted.append(line[1:].removeprefix(" "))
        else:
            if quoted:
                parts.append(_quote_block(quoted))
                quoted = []
            plain.append(line)
    if plain:
        parts.append(_block(plain))
    if quoted:
        parts.append(_quote_block(quoted))
    return "\n".join(parts)


def _quote_block(lines: list[str]) -> str:
    return f'<blockquote style="{QUOTE_STYLE}">{_paragraphs(chr(10).join(lines))}</blockquote>'



def _paragraphs(text: str) -> str:
    return "\n".join(_paragraph(chunk) for chunk in _PARAGRAPHS.split(text.strip("\n"))
                     if chunk.strip())


def html_from_text(text: str, language: str) -> str:
    """A whole HTML document showing `text` as it reads in plain text."""
    normal = text.replace("\r\n", "\n").replace("\r", "\n")
    return (f'<!DOCTYPE html>\n<html lang="{html.escape(language)}"><head>'
            '<meta charset="utf-8"></head>\n'
            f'<body><div style="{STYLE}">\n{_paragraphs(normal)}\n</div></body></html>\n')
