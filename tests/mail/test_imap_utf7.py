"""Folder names in modified UTF-7 (RFC 3501 §5.1.3)."""

from __future__ import annotations

import pytest

from appliance.mail.imap_utf7 import encode_folder


@pytest.mark.parametrize(("name", "wire"), [
    ("INBOX", "INBOX"),
    ("Käsitelty", "K&AOQ-sitelty"),
    ("Tom & Jerry", "Tom &- Jerry"),
    ("日本語", "&ZeVnLIqe-"),  # the RFC's own example
    ("Asiakkaat/Äänet", "Asiakkaat/&AMQA5A-net"),
])
def test_encode_folder(name: str, wire: str) -> None:
    assert encode_folder(name) == wire
