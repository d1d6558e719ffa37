"""Placeholders in saved replies: filled in one pass, nothing else read, nothing run."""

from __future__ import annotations

from datetime import time

from hypothesis import given
from hypothesis import strategies as st

from appliance.tickets.opening_hours_text import opening_hours_text
from appliance.tickets.reply_placeholders import (
    PLACEHOLDERS,
    fill_placeholders,
    unknown_placeholders,
)

VALUES: dict[str, str | None] = {"customer_name": "Maija Meikäläinen", "ticket_number": "1001",
                                 "agent_name": "Anna Agent", "opening_hours": "ma–pe 8.00–16.00"}


def test_every_placeholder_is_filled_in() -> None:
    text = ("Hei {customer_name}, tiketti {ticket_number}. Olemme auki {opening_hours}. "
            "T. {agent_name}")
    assert fill_placeholders(text, VALUES) == (
        "Hei Maija Meikäläinen, tiketti 1001. Olemme auki ma–pe 8.00–16.00. T. Anna Agent")


def test_an_unknown_placeholder_stays_as_written() -> None:
    text = "Dear {customer}, {Customer_Name} {customer_name} { customer_name }"
    assert fill_placeholders(text, VALUES) == (
        "Dear {customer}, {Customer_Name} Maija Meikäläinen { customer_name }")


def test_a_placeholder_without_a_value_stays_visible() -> None:
    assert fill_placeholders("Hei {customer_name}!", {**VALUES, "customer_name": None}) == (
        "Hei {customer_name}!")
    assert fill_placeholders("Hei {customer_name}!", {**VALUES, "customer_name": ""}) == (
        "Hei {customer_name}!")


def test_format_string_tricks_are_plain_text() -> None:
    hostile = ("{0} {} {customer_name.__class__} {customer_name!r} {customer_name:>999999999} "
               "{ticket_number.__init__.__globals__} %s %(customer_name)s {{agent_name}}")
    assert fill_placeholders(hostile, VALUES) == (
        "{0} {} {customer_name.__class__} {customer_name!r} {customer_name:>999999999} "
        "{ticket_number.__init__.__globals__} %s %(customer_name)s {Anna Agent}")


def test_braces_alone_stay_as_they_are() -> None:
    for text in ("{", "}", "}{", "{{", "a { b } c", "{customer_name", "customer_name}", "{}"):
        assert fill_placeholders(text, VALUES) == text


def test_a_value_is_never_read_for_placeholders_again() -> None:
    sneaky = {**VALUES, "customer_name": "{agent_name} {opening_hours}"}
    assert fill_placeholders("Hei {customer_name}", sneaky) == "Hei {agent_name} {opening_hours}"


def test_html_in_a_value_is_kept_as_text_for_the_template_to_escape() -> None:
    values = {**VALUES, "customer_name": "<script>alert(1)</script>"}
    assert fill_placeholders("{customer_name}", values) == "<script>alert(1)</script>"


@given(st.text(max_size=300))
def test_text_without_our_placeholders_is_returned_unchanged(text: str) -> None:
    for name in PLACEHOLDERS:
        text = text.replace("{" + name + "}", "")
    assert fill_placeholders(text, VALUES) == text


def test_unknown_placeholders_are_named_each_once() -> None:
    text = ("Hei {customer_name}, {customer} ja {customer}; { agent_name } {0.__class__} "
            "{ticket_number} {opening_hours.x}")
    assert unknown_placeholders(text) == ["{customer}", "{ agent_name }", "{0.__class__}",
                                           "{opening_hours.x}"]
    assert unknown_placeholders("Hei {customer_name}, {} { } {{ }} {-}") == []
    assert unknown_placeholders("{customer_name!r} {x:>9}") == ["{customer_name!r}", "{x:>9}"]


def test_opening_hours_in_english_and_in_finnish() -> None:
    weekly = {d: [(time(8), time(16))] for d in range(5)}
    weekly[5] = [(time(10), time(14))]
    english = opening_hours_text(weekly, ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
                                 lambda t: t.strftime("%H:%M"))
    assert english == "Mon–Fri 08:00–16:00, Sat 10:00–14:00"
    finnish = opening_hours_text(weekly, ["ma", "ti", "ke", "to", "pe", "la", "su"],
                                 lambda t: f"{t.hour}.{t.minute:02d}")
    assert finnish == "ma–pe 8.00–16.00, la 10.00–14.00"


def test_opening_hours_split_days_lunch_breaks_and_midnight() -> None:
    names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    weekly = {0: [(time(8), time(11)), (time(12), time(16))], 2: [(time(8), time(11)),
              (time(12), time(16))], 6: [(time(18), time(0))]}
    assert opening_hours_text(weekly, names, lambda t: t.strftime("%H:%M")) == (
        "Mon 08:00–11:00, 12:00–16:00, Wed 08:00–11:00, 12:00–16:00, Sun 18:00–24:00")
    assert opening_hours_text({}, names, str) is None
