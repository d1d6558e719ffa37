"""What the settings forms show: values from aspa.toml as saved, secrets only as set / not set."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from appliance.config.schema import ConfigError
from appliance.config.sections.business_hours import WEEKDAYS
from appliance.config.sections.ring_groups import STRATEGIES
from appliance.config.sections.sla import PRIORITIES
from appliance.config.sections.voip import TRANSPORTS
from appliance.web.settings.caller_form import box_values, caller_values


def saved_config(running: Any, path: Path | None) -> tuple[Any, list[str]]:
    """The configuration as aspa.toml holds it now (saved changes wait for a restart).

    Falls back to the running one, with the file's problems, when the file no longer loads.
    """
    if path is None:
        return running, []
    from appliance.config.aspa_toml import load_config

    try:
        return load_config(path), []
    except ConfigError as error:
        return running, error.problems


def _set(secret: str) -> str:
    return "set" if secret else "not set"


def _mqtt(mqtt: Any) -> dict[str, Any]:
    return {"enabled": mqtt.enabled, "host": mqtt.host, "port": mqtt.port, "tls": mqtt.tls,
            "username": mqtt.username, "password": _set(mqtt.password),
            "password_file": mqtt.password_file, "topic_prefix": mqtt.topic_prefix,
            "discovery": mqtt.discovery, "discovery_prefix": mqtt.discovery_prefix}


def _voip(voip: Any) -> dict[str, Any] | None:
    """The SIP account's form, when the box answers on one ([voip] enabled)."""
    if not voip.enabled:
        return None
    return {"name": voip.name, "registrar": voip.registrar, "proxy": voip.proxy,
            "user": voip.user, "password": _set(voip.password),
            "password_file": voip.password_file, "display_name": voip.display_name,
            "transport": voip.transport, "sip_port": voip.sip_port}


def _gpio_desks(gpio: Any) -> list[dict[str, Any]]:
    """The desks wired to the box's own pins, when [gpio] is enabled."""
    if not gpio.enabled:
        return []
    return [{"number": i + 1, "agent": d.agent, "button_pin": d.button_pin,
             "green_pin": d.green_pin, "red_pin": d.red_pin} for i, d in enumerate(gpio.desks)]


def _sla(sla: Any) -> dict[str, Any]:
    """Each priority's minutes as the form's fields name them (`urgent.resolution_minutes`)."""
    minutes = {f"{p}.{key}": getattr(sla.target(p), key) for p in PRIORITIES
               for key in ("first_response_minutes", "resolution_minutes")}
    return {"business_hours_only": sla.business_hours_only, **minutes}


def _fields_of(section: Any) -> dict[str, Any]:
    return {f.name: getattr(section, f.name) for f in dataclasses.fields(section)}


def _retention(retention: Any) -> dict[str, Any]:
    return {f.name: getattr(retention, f.name) for f in dataclasses.fields(retention)}


def editable_settings(config: Any, config_path: Path | None) -> dict[str, Any]:
    """The values the admin forms start from; `writable` is False without a config file."""
    if config is None:
        return {"writable": False, "modems": [], "weekly": {}, "holidays": "", "half_days": "",
                "ring_groups": [],
                "strategies": STRATEGIES, "mqtt": None, "desk_units": [], "agents": [],
                "new_desk_unit": {"id": "", "agent": ""}, "backup": None, "retention": None,
                "voip": None, "transports": TRANSPORTS, "gpio_desks": [],
                "sla": None, "routing": None, "escalation": None, "box": None,
                "callers": None}
    modems = [{"number": i + 1, "name": m.name, "pin": _set(m.pin or m.pin_file)}
              for i, m in enumerate(config.gsm.modems)]
    weekly = {day: ", ".join(getattr(config.business_hours.weekly, day)) for day in WEEKDAYS}
    holidays = "\n".join(str(day) for day in config.business_hours.holidays)
    half_days = "\n".join(config.business_hours.half_days)
    groups = [{"number": i + 1, "name": g.name, "members": ", ".join(g.members),
               "strategy": g.strategy, "ring_timeout": g.ring_timeout}
              for i, g in enumerate(config.ring_groups)]
    units = [{"number": i + 1, "id": u.id, "agent": u.agent,
              "password": _set(u.password or u.password_file)}
             for i, u in enumerate(config.desk_units)]
    backup = {"target": config.backup.target, "at": config.backup.at,
              "keep": config.backup.keep, "require_mount": config.backup.require_mount,
              "time_zone": config.box.time_zone}
    return {"writable": config_path is not None, "modems": modems, "weekly": weekly,
            "holidays": holidays, "half_days": half_days, "ring_groups": groups,
            "strategies": STRATEGIES,
            "mqtt": _mqtt(config.mqtt), "desk_units": units,
            "agents": [a.login for a in config.agents],
            "new_desk_unit": {"id": "", "agent": ""}, "backup": backup,
            "retention": _retention(config.retention), "voip": _voip(config.voip),
            "transports": TRANSPORTS, "gpio_desks": _gpio_desks(config.gpio),
            "sla": _sla(config.sla), "routing": _fields_of(config.routing),
            "escalation": _fields_of(config.escalation),
            "box": box_values(config), "callers": caller_values(config)}


def show_typed(editable: dict[str, Any], section: str, typed: dict[str, Any]) -> None:
    """Put what the admin typed into a refused form over the saved values.

    `section` names the form: `mqtt`, `holidays`, `ring_groups/2` (by number) or
    `desk_units/desk-anna` (by unit id).
    """
    name, _, key = section.partition("/")
    target = editable.get(name)
    if isinstance(target, list):
        row_key = "id" if name == "desk_units" else "number"
        target = next((row for row in target if str(row.get(row_key)) == key), None)
    if isinstance(target, dict):
        target.update(typed)
    elif name in typed:
        editable[name] = typed[name]
