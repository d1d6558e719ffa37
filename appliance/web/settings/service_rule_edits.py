"""The admin's service rules: how soon each priority is answered ([sla]), routing by customer
([routing]) and what a missed due time does ([escalation]).

Saved, they apply at once (runtime/live_config.py): the switchboard takes the new routing
and escalation rules, the ticket book and the mail intake the new targets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from appliance.config.sections.routing import POOL
from appliance.config.sections.sla import PRIORITIES, SlaSettings
from appliance.config.shown_value import shown
from appliance.web.frame import forms
from appliance.web.frame.app_keys import BACKEND
from appliance.web.frame.errors import WebInputError
from appliance.web.settings import setting_fields
from appliance.web.settings.agent_logins import active_logins
from appliance.web.settings.config_edit import Change
from appliance.web.settings.settings_answer import apply, refusal
from appliance.web.settings.settings_views import Refused
from appliance.web.settings.toml_values import section_change, set_value, table

if TYPE_CHECKING:
    from tomlkit.toml_document import TOMLDocument

SLA_MINUTES = ("first_response_minutes", "resolution_minutes")
CHOICE_MAX = 64  # a priority, a rule or a login; the loader names what it does not know
ROUTING = {"vip_priority": "choice", "account_manager": "choice",
           "offer_first_minutes": "number", "managers_for_vips_only": "flag"}
ESCALATION = {"warn_at_percent": "number", "breach_priority": "choice",
              "breach_reassign": "choice", "breach_tell_team": "flag"}


def _sla_change(targets: dict[str, dict[str, Any]], flags: dict[str, Any]) -> Change:
    def change(document: TOMLDocument) -> None:
        sla = table(document, "sla")
        for key, value in flags.items():
            set_value(sla, key, value)
        for priority, minutes in targets.items():
            if priority not in sla:  # a new table needs both keys: the other keeps its default
                default = getattr(SlaSettings(), priority)
                minutes = {key: getattr(default, key) for key in SLA_MINUTES} | minutes
            target = table(sla, priority)
            for key, value in minutes.items():
                set_value(target, key, value)
    return change



def _read(fields: forms.Fields, kinds: dict[str, str]) -> dict[str, Any]:
    """The given fields as aspa.toml values; a bad one is left for the loader to name."""
    changes: dict[str, Any] = {}
    for name, kind in kinds.items():
        if name not in fields:
            continue
        if kind == "number":
            changes[name] = setting_fields.number(fields, name)
        elif kind == "flag":
            changes[name] = setting_fields.flag(fields, name)
        else:
            changes[name] = forms.text(fields, name, max_chars=CHOICE_MAX, required=False)
    if not changes:
        raise WebInputError(f"give one of {', '.join(kinds)}")
    return changes


def _typed(fields: forms.Fields, changes: dict[str, Any], kinds: dict[str, str]) -> dict[str, Any]:
    return {name: changes[name] is True if kinds[name] == "flag"
            else setting_fields.typed_text(fields, name) for name in changes}


async def sla_settings(request: web.Request) -> web.StreamResponse:
    """POST /admin/settings/sla: `urgent.first_response_minutes`, `urgent.resolution_minutes`,
    … for each priority (low, normal, high, urgent), and `business_hours_only`."""
    fields = await forms.submitted(request)
    targets: dict[str, dict[str, Any]] = {}
    typed: dict[str, Any] = {}
    for priority in PRIORITIES:
        for key in SLA_MINUTES:
            name = f"{priority}.{key}"
            if name in fields:
                targets.setdefault(priority, {})[key] = setting_fields.number(fields, name)
                typed[name] = setting_fields.typed_text(fields, name)
    flags = _read(fields, {"business_hours_only": "flag"}) if "business_hours_only" in fields \
        else {}
    if not targets and not flags:
        raise WebInputError("give business_hours_only or a priority's minutes, as "
                            "urgent.first_response_minutes")
    typed.update({key: value is True for key, value in flags.items()})
    return await apply(request, _sla_change(targets, flags), section="sla", typed=typed)


async def routing_settings(request: web.Request) -> web.StreamResponse:
    """POST /admin/settings/routing: `vip_priority` ('' = as any other), `account_manager`
    (offer, assign, off), `offer_first_minutes`, `managers_for_vips_only`."""
    fields = await forms.submitted(request)
    changes = _read(fields, ROUTING)
    return await apply(request, section_change("routing", changes), section="routing",
                       typed=_typed(fields, changes, ROUTING))


async def escalation_settings(request: web.Request) -> web.StreamResponse:
    """POST /admin/settings/escalation: `warn_at_percent`, `breach_priority` ('' = keep),
    `breach_reassign` (an active agent's login, 'pool' = everyone, '' = keep),
    `breach_tell_team`."""
    fields = await forms.submitted(request)
    changes = _read(fields, ESCALATION)
    typed = _typed(fields, changes, ESCALATION)
    login = changes.get("breach_reassign", "")
    if login not in ("", POOL):
        logins = await request.app[BACKEND].store.call(active_logins)
        if login not in logins:
            problem = f"escalation.breach_reassign: no active agent has the login {shown(login)}"
            return await refusal(request, Refused("escalation", typed, [problem]))
    return await apply(request, section_change("escalation", changes), section="escalation",
                       typed=typed)
