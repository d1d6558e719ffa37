"""mime_params: the same parameters, charsets, file names and boundaries as compat32's Message,
and the body bytes the parser keeps equal to get_payload(decode=True)."""

from __future__ import annotations

import email
from email.message import Message
from pathlib import Path

import pytest

from appliance.mail import mime_params
from appliance.mail.filters import parse
from bench.mail_corpus import generate

CORPUS = Path(__file__).resolve().parent.parent / "corpus"

VALUES = [
    "text/plain", "text/plain; charset=utf-8", 'text/plain; charset="UTF-8"',
    "text/plain;charset=iso-8859-15;format=flowed", "text/plain; charset=", "text/plain;;",
    "text/plain; CHARSET = utf-8 ; Charset=latin-1", "text/plain; charset",
    'text/plain; charset="utf-8', 'text/plain; charset=ut"f-8"', "text/plain; charset=<x>",
    'application/pdf; name="a;b.pdf"', 'application/pdf; name="a=b.pdf"',
    "application/pdf; name*=utf-8''%C3%A4.pdf", 'application/pdf; name="a\\"b.pdf"',
    'attachment; filename="liite.pdf"', "attachment; filename=liite.pdf; size=12",
    "attachment; filename=\"=?utf-8?b?w6Q=?=\"", "inline", "attachment; filename=",
    'multipart/mixed; boundary="----=_Part_1"', "multipart/alternative; boundary=abc ",
    'multipart/mixed; boundary=" x "', "charset=utf-8", "text/plain; charset=\udce4",
    'text/plain; charset="a"b"', "text/plain; charset=\"\"", "text/plain; ;charset=x",
]


def _message(header: str, value: str) -> Message:
    msg = Message()
    msg[header] = value
    return msg


@pytest.mark.parametrize("value", VALUES)
def test_parameters_equal_the_stdlib(value: str) -> None:
    ctype = _message("Content-Type", value)
    disposition = _message("Content-Disposition", value)
    assert mime_params.content_charset(ctype) == ctype.get_content_charset()
    assert mime_params.boundary(ctype) == ctype.get_boundary()
    assert mime_params.filename(ctype) == ctype.get_filename()
    assert mime_params.filename(disposition) == disposition.get_filename()
    for name in ("charset", "name", "filename", "boundary", "size", "format", "text/plain"):
        assert mime_params.get_param(ctype, name) == ctype.get_param(name)
        assert (mime_params.get_param(disposition, name, "content-disposition")
                == disposition.get_param(name, None, "content-disposition"))


def test_missing_headers_read_as_the_stdlib_reads_them() -> None:
    msg = Message()
    assert mime_params.content_charset(msg) is None
    assert mime_params.boundary(msg) is None
    assert mime_params.filename(msg) is None
    assert mime_params.get_param(msg, "charset") is None


def _mails() -> list[bytes]:
    return [p.read_bytes() for p in sorted(CORPUS.glob("*.eml"))] + generate(600, seed=7)


def test_every_part_of_the_corpus_and_generated_mail_reads_the_same() -> None:
    for raw in _mails():
        bodies: parse.Bodies = {}
        for part in parse.message_from_bytes(raw, bodies).walk():
            assert mime_params.content_charset(part) == part.get_content_charset()
            assert mime_params.filename(part) == part.get_filename()
            assert mime_params.boundary(part) == part.get_boundary()
            if id(part) in bodies:
                assert bodies[id(part)] == part.get_payload(decode=True) or (
                    str(part.get("content-transfer-encoding", "")).lower()
                    in parse._DECODED_CTES)


def test_parsed_mail_is_the_same_as_through_the_stdlib_alone() -> None:
    for raw in _mails():
        fast = parse.message_from_bytes(raw, {})
        slow = email.message_from_bytes(raw)
        texts = [(p.get_content_type(), p.get_payload(decode=True)) for p in fast.walk()]
        assert texts == [(p.get_content_type(), p.get_payload(decode=True)) for p in slow.walk()]


def test_a_fallback_to_the_full_parser_keeps_no_body_bytes() -> None:
    raw = (b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n"
           b"--x\r\nContent-Type: text/plain\r\n\r\nno close delimiter\r\n")
    bodies: parse.Bodies = {}
    parse.message_from_bytes(raw, bodies)
    assert bodies == {}
