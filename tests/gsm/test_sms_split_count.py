"""The part count an agent sees before an SMS goes: the same split the modem sends."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appliance.gsm.gsm7 import BASIC_TABLE, ESCAPE, EXTENSION_TABLE
from appliance.gsm.sms_dcs import Alphabet
from appliance.gsm.sms_split import part_count, split_text

SCRIPT = Path(__file__).resolve().parents[2] / "appliance" / "web" / "static" / "sms_parts.js"


@pytest.mark.parametrize(("text", "expected"), [
    ("", (Alphabet.GSM7, 0, 0)),
    ("a" * 160, (Alphabet.GSM7, 1, 160)),
    ("a" * 161, (Alphabet.GSM7, 2, 161)),
    ("a" * 306, (Alphabet.GSM7, 2, 306)),
    ("a" * 307, (Alphabet.GSM7, 3, 307)),
    ("€" * 80, (Alphabet.GSM7, 1, 160)),  # an extension character is two septets
    ("a" * 152 + "€", (Alphabet.GSM7, 1, 154)),
    ("Hyvää päivää", (Alphabet.GSM7, 1, 12)),  # ä and ö are in the GSM alphabet
    ("š" * 70, (Alphabet.UCS2, 1, 70)),
    ("š" * 71, (Alphabet.UCS2, 2, 71)),
    ("š" * 134, (Alphabet.UCS2, 2, 134)),
    ("š" * 135, (Alphabet.UCS2, 3, 135)),
    ("🙂" * 35, (Alphabet.UCS2, 1, 70)),  # a surrogate pair is two units
])
def test_counts(text: str, expected: tuple[Alphabet, int, int]) -> None:
    assert part_count(text) == expected


@given(st.text(alphabet=st.sampled_from("aä€š🙂{ \n"), max_size=600))
def test_the_count_is_the_split(text: str) -> None:
    alphabet, parts, _ = part_count(text)
    if text:
        split = split_text(text)
        assert (split.alphabet, len(split.bodies)) == (alphabet, parts)


def _js_string(script: str, name: str) -> str:
    """The value of `const NAME = "..." + "...";` in the page's script."""
    found = re.search(rf"const {name} = (.*?);\n", script, re.DOTALL)
    assert found, name
    escapes = {"n": "\n", "r": "\r", "f": "\f", "\\": "\\", '"': '"', "'": "'"}
    out: list[str] = []
    for literal in re.findall(r'"((?:[^"\\]|\\.)*)"', found.group(1)):
        out.append(re.sub(r"\\(.)", lambda m: escapes[m.group(1)], literal))
    return "".join(out)


def test_the_page_counts_with_the_same_alphabet() -> None:
    script = SCRIPT.read_text(encoding="utf-8")
    basic = "".join(c for i, c in enumerate(BASIC_TABLE) if i != ESCAPE)
    assert sorted(_js_string(script, "GSM7_BASIC")) == sorted(basic)
    assert sorted(_js_string(script, "GSM7_EXTENSION")) == sorted(EXTENSION_TABLE.values())
