"""parse's short cut for one plain mailbox gives getaddresses' answer, or stands aside."""

from __future__ import annotations

from email.utils import getaddresses

import pytest

from appliance.mail.filters import parse


@pytest.mark.parametrize("value", [
    "matti@asiakas.fi",
    "  Matti.Virtanen@Asiakas.FI\t",
    "Matti Virtanen <matti@asiakas.fi>",
    "Matti   Virtanen<matti@asiakas.fi> ",
    "J. Smith <j.smith@example.com>",
    '"Virtanen, Matti" <matti@asiakas.fi>',
    '"" <matti@asiakas.fi>',
    '" Matti " <matti@asiakas.fi>',
    "=?utf-8?q?J=C3=A4rvinen?= <a+b=c@x-y.fi>",
    "<matti@asiakas.fi>",
    "a..b@c",
])
def test_simple_mailbox_is_read_as_getaddresses_reads_it(value: str) -> None:
    assert parse._simple_addresses([value]) == getaddresses([value])


@pytest.mark.parametrize("values", [
    ["a@b.fi, c@d.fi"],
    ["a@b.fi", "c@d.fi"],
    ["Matti (työ) <matti@asiakas.fi>"],
    ['"Matti \\"M\\"" <matti@asiakas.fi>'],
    ["Mätti <matti@asiakas.fi>"],
    ["undisclosed-recipients:;"],
])
def test_anything_else_goes_to_getaddresses(values: list[str]) -> None:
    assert parse._simple_addresses(values) is None


def test_addresses_lower_cases_and_decodes_the_name() -> None:
    msg = parse.message_from_bytes(
        b"From: =?utf-8?q?J=C3=A4rvinen?= <Matti@Asiakas.FI>\r\n\r\nHei\r\n")
    assert parse.addresses(msg, "From") == [("Järvinen", "matti@asiakas.fi")]
