"""IndexedMessage.get answers as Message.get does, also after the header list changes."""

from __future__ import annotations

from email.message import Message

from appliance.mail.indexed_message import IndexedMessage

FIELDS = [("From", "a@example.com"), ("Content-Type", "text/plain; charset=utf-8"),
          ("X-Twice", "first"), ("x-twice", "second"), ("Subject", "T\udce4st")]


def _pair() -> tuple[IndexedMessage, Message]:
    fast, slow = IndexedMessage(), Message()
    for name, value in FIELDS:
        fast.set_raw(name, value)
        slow.set_raw(name, value)
    return fast, slow


def _same(fast: IndexedMessage, slow: Message) -> None:
    for name in ("from", "CONTENT-TYPE", "x-twice", "subject", "missing", "X-New"):
        assert str(fast.get(name, "none")) == str(slow.get(name, "none"))
        assert type(fast.get(name)) is type(slow.get(name))
        assert fast[name] == slow[name] or str(fast[name]) == str(slow[name])


def test_get_reads_as_the_stdlib() -> None:
    _same(*_pair())


def test_changes_to_the_fields_are_seen() -> None:
    fast, slow = _pair()
    _same(fast, slow)
    for msg in (fast, slow):
        msg.replace_header("Content-Type", "text/html")
        msg["X-New"] = "added"
    _same(fast, slow)
    for msg in (fast, slow):
        del msg["X-Twice"]
        msg.set_param("charset", "latin-1")
    _same(fast, slow)
    for msg in (fast, slow):
        msg.set_type("multipart/mixed")
        msg.set_boundary("b1")
        del msg["From"]
    _same(fast, slow)
    assert fast.get_boundary() == slow.get_boundary() == "b1"


def test_a_body_set_as_bytes_reads_as_the_parser_would_have_set_it() -> None:
    body = "Hyvää päivää\r\n".encode() + b"\xff\r\n"
    fast, slow = IndexedMessage(), Message()
    fast.set_body(body)
    slow.set_payload(body.decode("ascii", "surrogateescape"))
    assert fast._body is not None and not fast.is_multipart()
    assert fast._body is not None  # asking is_multipart decoded nothing
    assert fast.get_payload() == slow.get_payload()
    assert fast.get_payload(decode=True) == slow.get_payload(decode=True) == body
    assert fast.as_bytes() == slow.as_bytes()
    fast.set_payload("uusi")
    assert fast.get_payload() == "uusi"
    fast.set_payload([Message()])
    assert fast.is_multipart()
