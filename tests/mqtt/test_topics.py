"""Topic names: fixed words and escaped levels only; no user text reaches the tree."""

from __future__ import annotations

import pytest

from appliance.mqtt.topics import Topics, topic_level


@pytest.mark.parametrize("text", ["gsm/0", "a+b", "#", "tuki@yritys.fi", "Åström", "", " ",
                                  "../x", "line\x00"])
def test_escaped_levels_hold_no_separator_or_wildcard(text: str) -> None:
    level = topic_level(text)
    assert level
    assert not set(level) & {"/", "+", "#", "\x00", " "}
    assert level == level.lower()


def test_different_names_stay_different() -> None:
    assert topic_level("SIM 1") != topic_level("sim 1")
    assert topic_level("a/b") != topic_level("a_2fb")  # '_' itself is escaped


def test_topics_of_a_box() -> None:
    topics = Topics("aspa", "box1")
    assert topics.status == "aspa/box1/status"
    assert topics.state("callers_waiting") == "aspa/box1/state/callers_waiting"
    assert topics.event("call-offered") == "aspa/box1/event/call-offered"
    assert topics.daily_summary == "aspa/box1/summary/daily"
    assert topics.line_state("gsm/0", "signal") == "aspa/box1/state/line/gsm_2f0/signal"
    with pytest.raises(ValueError):
        topics.event("call/#")
    long_a, long_b = topic_level("x" * 100 + "a"), topic_level("x" * 100 + "b")
    assert len(long_a) <= 64 and long_a != long_b
