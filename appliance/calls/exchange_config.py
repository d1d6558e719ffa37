"""Turn aspa.toml's ring groups, business hours and [calls] into the exchange's plan.

`aspa config check` has rejected the bad cases already (a member who is no
agent or has no number, an empty group, overlapping hours); at run time the
same cases still leave the exchange working: such a member is skipped, such a
group is dropped, and a call that then has nobody to ring ends as a callback.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from appliance.calls.exchange_plan import ExchangePlan
from appliance.config.service_terms import office_hours
from appliance.queue.call_commands import Prompt
from appliance.queue.call_setup import FlowRules, WaitingCallMode
from appliance.queue.errors import RingGroupError
from appliance.queue.ring_group import OverflowKind, OverflowTarget, RingGroup
from appliance.queue.ring_strategies import RingStrategy

if TYPE_CHECKING:
    from appliance.config.aspa_toml import Config
    from appliance.config.sections.calls import CallDeskSettings
    from appliance.config.sections.ring_groups import RingGroupSettings

log = logging.getLogger("aspa.calls.config")


def ring_group(entry: RingGroupSettings, agent_ids: Mapping[str, int]) -> RingGroup | None:
    """One [[ring_groups]] table with logins as agent ids; None when nobody in it is known."""
    members = tuple(agent_ids[login] for login in entry.members if login in agent_ids)
    target = entry.overflow_group
    if target is not None:
        overflow = OverflowTarget(OverflowKind.GROUP, target)
    else:
        overflow = OverflowTarget(OverflowKind(entry.overflow))
    try:
        return RingGroup(
            entry.name, tuple(dict.fromkeys(members)), RingStrategy(entry.strategy),
            ring_timeout_s=float(entry.ring_timeout), wrap_up_s=float(entry.wrap_up),
            max_wait_s=float(entry.max_wait), overflow=overflow,
        )
    except RingGroupError as error:
        log.error("ring_groups %r is not usable (%s); its calls become callbacks", entry.name,
                  error)
        return None


def flow_rules(calls: CallDeskSettings) -> FlowRules:
    """The per-call rules from [calls]."""
    return FlowRules(
        language=calls.language,
        sms_texts={"fi": calls.sms_fi, "en": calls.sms_en},
        closed_sms_texts={"fi": calls.closed_sms_fi, "en": calls.closed_sms_en},
        sms_when_closed=calls.sms_when_closed,
        sms_on_callback=calls.sms_on_callback,
        waiting_calls=WaitingCallMode(calls.waiting_calls),
        assumed_talk_s=float(calls.assumed_talk_seconds),
        announce_every_s=float(calls.announce_every_seconds),
        keypad_menu=calls.keypad_menu,
        choice_timeout_s=float(calls.choice_timeout_seconds),
    )


def line_prompts(calls: CallDeskSettings, line: str) -> dict[Prompt, str]:
    """The announcement files configured for `line`."""
    return {Prompt(key): path for key, path in calls.prompts_for(line).items()}


def exchange_plan(config: Config, agents: Mapping[str, tuple[int, str | None]]) -> ExchangePlan:
    """The plan from the configuration; `agents` maps login -> (store id, phone)."""
    ids = {login: agent_id for login, (agent_id, _phone) in agents.items()}
    numbers = {agent_id: phone for agent_id, phone in agents.values() if phone}
    groups: dict[str, RingGroup] = {}
    for entry in config.ring_groups:
        group = ring_group(entry, ids)
        if group is not None:
            groups[group.name] = group
    return ExchangePlan(
        groups=groups,
        numbers=numbers,
        default_group=config.queue.default_group,
        rules=flow_rules(config.calls),
        calendar=office_hours(config),
        missed_limit=config.calls.missed_offers_pause,
        service_level_s=float(config.calls.service_level_seconds),
        callback_retry_minutes=tuple(config.calls.callback_retry_minutes),
    )
