"""Needles: every spelling of a person's number and address, and never someone else's."""

from __future__ import annotations

from appliance.privacy.needles import Needles, semi_octets_hex


def maija() -> Needles:
    needles = Needles()
    needles.add_email("Maija@Esimerkki.FI")
    needles.add_phone("040 123 4567", "358")
    return needles


def test_a_number_in_every_stored_spelling() -> None:
    assert maija().phones == {"040 123 4567", "+358401234567", "358401234567",
                              "00358401234567", "0401234567"}
    assert maija().emails == {"maija@esimerkki.fi"}


def test_short_numbers_are_no_needles() -> None:
    needles = Needles()
    needles.add_phone("112", "358")
    assert not needles


def test_boundaries_protect_other_people() -> None:
    needles = maija()
    for theirs in ("anna.maija@esimerkki.fi", "maija@esimerkki.fin", "04012345678",
                   "+3584012345670"):
        assert not needles.found_in_text(theirs), theirs
        assert needles.blot(theirs) == theirs
    for mine in ("MAIJA@esimerkki.fi.", "<maija@esimerkki.fi>", "soita +358 40 123 4567",
                 "0401234567!", '{"number": "358401234567"}'):
        assert needles.found_in_text(mine), mine
        assert "[erased]" in needles.blot(mine)


def test_raw_bytes_and_pdu_semi_octets() -> None:
    assert semi_octets_hex("35840") == "5348F0"
    needles = maija()
    assert needles.found_in_bytes(b"From: Maija <MAIJA@ESIMERKKI.FI>\r\n")
    assert needles.found_in_bytes(b"0791534850020200040C91" + semi_octets_hex(
        "358401234567").encode() + b"0000")
    assert not needles.found_in_bytes(b"From: <anna@esimerkki.fi>")
