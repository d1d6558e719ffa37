"""What a reply may carry: safe file names, no programs, size caps, checked CC addresses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appliance.tickets.reply_copies import (
    CC_MAX,
    CopyAddressRefused,
    copy_addresses,
    reply_all_copies,
)
from appliance.tickets.reply_files import (
    NAME_MAX_CHARS,
    FileCaps,
    ReplyFile,
    ReplyFileRefused,
    checked_files,
    safe_name,
)

CAPS = FileCaps(per_file_bytes=100, per_reply_bytes=150)


@pytest.mark.parametrize(("raw", "safe"), [
    ("lasku.pdf", "lasku.pdf"),
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\anna\\Desktop\\kuva.jpg", "kuva.jpg"),
    ("lasku\u202efdp.exe", "laskufdp.exe"),  # the right-to-left override is taken out
    ("a\x00b\x1fc\x7f.txt", "abc.txt"),
    ("  ..piilo.txt. ", "piilo.txt"),
    ('mitä?<>:"|*.txt', "mitä_______.txt"),
    ("CON.txt", "_CON.txt"),
    ("...", "attachment"),
    ("Cafe\u0301 menu.pdf", "Café menu.pdf"),  # NFC: one é, not e and a combining accent
])
def test_names_are_made_safe(raw: str, safe: str) -> None:
    assert safe_name(raw) == safe


def test_an_overlong_name_keeps_its_extension() -> None:
    name = safe_name("ä" * 400 + ".docx")
    assert len(name) == NAME_MAX_CHARS and name.endswith("ä.docx")


@given(st.text(max_size=300))
def test_any_name_is_safe(raw: str) -> None:
    name = safe_name(raw)
    assert 0 < len(name) <= NAME_MAX_CHARS
    assert not any(c in name for c in '/\\\x00\u202e\u2066<>:"|?*')
    assert not name.startswith((".", " ")) and not name.endswith((".", " "))


@pytest.mark.parametrize(("name", "content_type", "data"), [
    ("setup.exe", "application/octet-stream", b"x"),
    ("lasku.pdf.exe", "application/pdf", b"%PDF"),
    ("LASKU.PDF.JS", "text/plain", b"x"),
    ("run.ps1", "text/plain", b"x"),
    ("kuva.jpg", "image/jpeg", b"MZ\x90\x00"),  # a Windows program by its first bytes
    ("data", "application/octet-stream", b"\x7fELF\x02"),
    ("ohje.txt", "text/plain", b"#!/bin/sh\nrm -rf ~"),
    ("ohje.txt", "application/x-msdownload", b"x"),
])
def test_programs_and_scripts_are_refused_by_name_type_or_bytes(
    name: str, content_type: str, data: bytes
) -> None:
    with pytest.raises(ReplyFileRefused) as refused:
        checked_files([ReplyFile(name, content_type, data)], CAPS)
    assert refused.value.reason == "program" and refused.value.name == safe_name(name)


def test_caps_per_file_and_per_reply() -> None:
    small = ReplyFile("a.pdf", "application/pdf", b"x" * 80)
    with pytest.raises(ReplyFileRefused) as one:
        checked_files([ReplyFile("iso.pdf", "application/pdf", b"x" * 101)], CAPS)
    assert (one.value.reason, one.value.name) == ("too_large", "iso.pdf")
    with pytest.raises(ReplyFileRefused) as total:
        checked_files([small, ReplyFile("b.pdf", "application/pdf", b"x" * 80)], CAPS)
    assert (total.value.reason, total.value.name) == ("too_large_total", "b.pdf")
    with pytest.raises(ReplyFileRefused) as empty:
        checked_files([ReplyFile("tyhjä.txt", "text/plain", b"")], CAPS)
    assert empty.value.reason == "empty"
    [kept] = checked_files([ReplyFile("x/a.pdf", "Application/PDF; name=a", b"x" * 80)], CAPS)
    assert (kept.name, kept.content_type) == ("a.pdf", "application/pdf")
    [odd] = checked_files([ReplyFile("a.bin", "not a type", b"x")], CAPS)
    assert odd.content_type == "application/octet-stream"


def test_copies_are_read_and_each_wrong_one_named() -> None:
    assert copy_addresses("a@x.fi, Bea Berg <b@y.fi>; c@z.fi\nA@X.fi") == [
        "a@x.fi", "b@y.fi", "c@z.fi"]
    assert copy_addresses("  ") == []
    with pytest.raises(CopyAddressRefused) as refused:
        copy_addresses("ok@x.fi, pekka@, liisa at x.fi, <b@y.fi, x@localhost")
    assert refused.value.wrong == ["pekka@", "liisa at x.fi", "<b@y.fi", "x@localhost"]
    with pytest.raises(CopyAddressRefused) as many:
        copy_addresses(", ".join(f"a{n}@x.fi" for n in range(CC_MAX + 1)))
    assert many.value.limit == CC_MAX


def test_reply_to_all_leaves_out_the_customer_and_the_box() -> None:
    copies = reply_all_copies(
        ["tuki@yritys.fi", " Pekka <pekka@x.fi>", "Liisa@Asiakas.fi", "pekka@x.fi", "junk"],
        "Liisa <liisa@asiakas.fi>", {"tuki@yritys.fi"})
    assert copies == ["pekka@x.fi"]
