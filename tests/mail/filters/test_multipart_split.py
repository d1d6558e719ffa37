"""parse.message_from_bytes: its own multipart split builds the tree the stdlib parser builds."""

from __future__ import annotations

import email
from email.message import Message
from pathlib import Path

import pytest

from appliance.mail.filters import parse

CORPUS = Path(__file__).resolve().parent.parent / "corpus"

NESTED = (
    b"From: a@example.com\r\nSubject: t\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="outer"\r\n\r\n'
    b"This is a preamble.\r\n"
    b"--outer\r\n"
    b'Content-Type: multipart/alternative; boundary="inner"\r\n\r\n'
    b"--inner\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHei\r\n\r\n"
    b"--inner  \r\nContent-Type: text/html\r\n\r\n<p>Hei</p>\r\n--inner--\r\n"
    b"--outer\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
    b'Content-Disposition: attachment; filename="a.pdf"\r\n\r\nJVBERi0=\r\n'
    b"--outerish\r\n"
    b"--outer--\r\n"
)


def tree(msg: Message) -> list[tuple[object, ...]]:
    """What the intake reads of a message tree, part by part."""
    return [(p.get_content_type(), p.is_multipart(), list(p.items()), p.preamble,
             None if p.is_multipart() else p.get_payload()) for p in msg.walk()]


@pytest.mark.parametrize("raw", [
    NESTED,
    NESTED.replace(b"\r\n", b"\n"),
    NESTED.replace(b"This is a preamble.\r\n", b""),
    NESTED.replace(b"--outer--\r\n", b"--outer--\r\n\r\n"),
], ids=["crlf", "lf", "no-preamble", "blank-after-close"])
def test_split_tree_equals_the_stdlib_tree(raw: bytes) -> None:
    assert parse._quick_parse(raw, 0, {}) is not None  # the fast path really ran
    assert tree(parse.message_from_bytes(raw)) == tree(email.message_from_bytes(raw))


@pytest.mark.parametrize("raw", [
    NESTED.replace(b"--outer--\r\n", b""),  # no close delimiter
    NESTED.replace(b"--outer--\r\n", b"--outer--\r\nan epilogue\r\n"),
    NESTED.replace(b"Hei\r\n\r\n", b"Hei\r\r\n"),  # a bare CR may end a line
    NESTED.replace(b"--outer\r\nContent-Type: application/pdf", b"--outer\r\n\r\nx"),
], ids=["unclosed", "epilogue", "bare-cr", "part-without-headers"])
def test_unusual_multipart_goes_to_the_stdlib_parser(raw: bytes) -> None:
    assert parse._quick_parse(raw, 0, {}) is None
    assert tree(parse.message_from_bytes(raw)) == tree(email.message_from_bytes(raw))


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.eml")), ids=lambda p: p.name)
def test_corpus_trees_equal_the_stdlib_trees(path: Path) -> None:
    raw = path.read_bytes()
    assert tree(parse.message_from_bytes(raw)) == tree(email.message_from_bytes(raw))
