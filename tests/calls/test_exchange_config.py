"""aspa.toml's ring groups, hours and [calls] become the exchange's plan; no bad part is silent."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from appliance.calls.exchange_config import exchange_plan, line_prompts
from appliance.config.aspa_toml import config_from_mapping
from appliance.config.schema import ConfigError
from appliance.queue import OverflowKind, RingStrategy
from appliance.queue.call_commands import Prompt
from appliance.queue.call_setup import WaitingCallMode

AGENTS = {"anna": (1, "+358501000001"), "ben": (2, "+358501000002"), "cia": (3, None)}


def _config(tmp_path: Path, **extra: object) -> object:
    data: dict[str, object] = {
        "agents": [
            {"login": "anna", "name": "Anna", "phone": "+358501000001"},
            {"login": "ben", "name": "Ben", "phone": "+358501000002"},
        ],
        "ring_groups": [
            {"name": "tuki", "members": ["ben", "anna"], "strategy": "rrmemory",
             "ring_timeout": 15, "max_wait": 60, "overflow": "group:myynti"},
            {"name": "myynti", "members": ["anna"], "overflow": "voicemail"},
        ],
        "business_hours": {"time_zone": "Europe/Helsinki", "holidays": ["2026-12-24"]},
        "calls": {"waiting_calls": "busy", "missed_offers_pause": 2, "language": "en",
                  "announcements": [{"line": "gsm0", "greeting": "C:/g.amr"}]},
    }
    data.update(extra)
    return config_from_mapping(data, tmp_path)


def test_the_plan_follows_the_configuration(tmp_path: Path) -> None:
    config = _config(tmp_path)
    plan = exchange_plan(config, AGENTS)  # type: ignore[arg-type]
    tuki = plan.groups["tuki"]
    assert (tuki.members, tuki.strategy, tuki.ring_timeout_s, tuki.max_wait_s) == (
        (2, 1), RingStrategy.RRMEMORY, 15.0, 60.0)
    assert (tuki.overflow.kind, tuki.overflow.group) == (OverflowKind.GROUP, "myynti")
    assert plan.groups["myynti"].overflow.kind is OverflowKind.VOICEMAIL
    assert plan.first_group == "tuki"
    assert plan.numbers == {1: "+358501000001", 2: "+358501000002"}
    assert (plan.missed_limit, plan.rules.waiting_calls, plan.rules.language) == (
        2, WaitingCallMode.BUSY, "en")
    christmas_noon = datetime(2026, 12, 24, 10, tzinfo=UTC)
    monday_noon = datetime(2026, 12, 21, 10, tzinfo=UTC)
    assert not plan.calendar.is_open(christmas_noon)
    assert plan.calendar.is_open(monday_noon)
    assert line_prompts(config.calls, "gsm0") == {Prompt.GREETING: "C:/g.amr"}  # type: ignore[attr-defined]
    assert line_prompts(config.calls, "gsm1") == {}  # type: ignore[attr-defined]


def test_calls_follow_yearly_holidays_and_half_days(tmp_path: Path) -> None:
    config = _config(tmp_path, business_hours={
        "time_zone": "Europe/Helsinki", "holidays": ["12-24"], "half_days": ["12-23 08:00-12:00"]})
    calendar = exchange_plan(config, AGENTS).calendar  # type: ignore[arg-type]
    # a caller on Christmas Eve of any year hears the closed announcement
    assert not calendar.is_open(datetime(2027, 12, 24, 10, tzinfo=UTC))
    assert calendar.is_open(datetime(2027, 12, 23, 9, tzinfo=UTC))  # 11:00 in Helsinki
    assert not calendar.is_open(datetime(2027, 12, 23, 11, tzinfo=UTC))  # 13:00: closed early


def test_at_run_time_a_group_with_nobody_known_is_dropped_and_its_calls_become_callbacks(
        tmp_path: Path) -> None:
    plan = exchange_plan(_config(tmp_path), {"ben": (2, "+358501000002")})  # type: ignore[arg-type]
    assert "myynti" not in plan.groups
    assert plan.groups["tuki"].members == (2,)
    no_numbers = exchange_plan(_config(tmp_path), {"anna": (1, None)})  # type: ignore[arg-type]
    assert no_numbers.line_groups() == {}


@pytest.mark.parametrize(("calls", "key"), [
    ({"waiting_calls": "maybe"}, "calls.waiting_calls"),
    ({"callback_retry_minutes": [60, 15]}, "calls.callback_retry_minutes"),
    ({"announcements": [{"line": "gsm0"}, {"line": "gsm0"}]}, "calls.announcements[1].line"),
    ({"missed_offers_pause": -1}, "calls.missed_offers_pause"),
])
def test_config_check_names_the_bad_key(tmp_path: Path, calls: dict[str, object],
                                        key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _config(tmp_path, calls=calls)
    assert any(p.startswith(key) for p in caught.value.problems), caught.value.problems


def test_config_check_rejects_unreachable_members_empty_groups_and_repeated_holidays(
        tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        _config(
            tmp_path,
            agents=[{"login": "anna", "name": "Anna"}],
            ring_groups=[{"name": "tuki", "members": ["anna"]}, {"name": "tyhja", "members": []}],
            business_hours={"holidays": ["2026-12-24", "2026-12-24"]},
        )
    problems = "\n".join(caught.value.problems)
    assert "agents[0].phone" in problems
    assert "ring_groups[1].members" in problems
    assert "business_hours.holidays[1]" in problems
