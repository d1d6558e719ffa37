"""Settings saved on the web page put to work in the running daemon, part by part.

Each section of aspa.toml is read by known parts. A saved change restarts only
those (the mail intake for a new mailbox, one modem's line for its SIM PIN, the
MQTT link for the broker) or hands the new values to a part that can take them
while it runs (the exchange's ring groups and hours: calls in hand go on; the
switchboard's routing by customer and escalation; the SLA targets of the ticket book
and the mail intake; the notices' hours and ways). A few sections are read once at
start (the data folder, the database, the web page itself; the VoIP line switched on
or off, renamed or its call sound moved; the calls' announcements; the box's country
code, which national numbers are read in): the page says a restart is needed and offers
one.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from appliance.config.routing_rules import customer_rules, escalation_rules
from appliance.config.service_terms import business_calendar, office_hours, sla_policy
from appliance.ports.live_settings import Applied
from appliance.runtime import wiring
from appliance.runtime.escalation_watch import EscalationWatch
from appliance.runtime.log_level import use_log_level

if TYPE_CHECKING:
    from appliance.calls.adapter import ExchangeAdapter
    from appliance.config.aspa_toml import Config
    from appliance.ports.adapter import Adapter
    from appliance.runtime.daemon import Daemon

log = logging.getLogger("aspa.settings")

# Not a section: the office's time zone (business_hours.time_zone, else box.time_zone) moved.
TIME_ZONE = "time_zone"
# Read once at start: a change waits for the daemon's restart.
AT_START_ONLY = frozenset({"data_dir", "database", "web"})
# What of [calls] the exchange's voice is built on at start: the announcements (their speech
# and files). The callers' language and the voicemail's length it takes while it runs.
CALL_VOICE = ("speech", "announcements")
# What of [voip] the wiring is built on: the exchange holds the line, the media engine its sound.
VOIP_WIRED = ("enabled", "name", "call_sound")
# What of [box] the SMS intake, the customer lookups and the privacy tools are built on.
BOX_WIRED = ("country_code",)
# The exchange's plan: ring groups, their members' numbers, hours and call rules. A new
# box.time_zone changes business_hours too (the loader gives the hours the box's zone).
CALL_PLAN = frozenset({"ring_groups", "agents", "business_hours", "calls", "queue", "sla",
                       TIME_ZONE})
# The switchboard's routing by customer and escalation, and the escalation watch's period.
SERVICE_RULES = frozenset({"routing", "escalation"})
# The notices' office hours (closed is quiet by default), their ways and their language.
NOTICES = frozenset({"business_hours", TIME_ZONE, "mail", "gsm", "desk_units", "gpio", "calls"})
Builder = Callable[["Daemon"], list["Adapter"]]
# section(s) → the adapters that read them, rebuilt from the new configuration
REBUILT: tuple[tuple[frozenset[str], tuple[str, ...], Builder], ...] = (
    (frozenset({"mail"}), wiring.MAIL_PARTS, wiring.mail_parts),
    (frozenset({"mqtt", "box", "calls", TIME_ZONE}), wiring.MQTT_PARTS, wiring.mqtt_parts),
    (frozenset({"mqtt", "box", "desk_units"}), wiring.DESK_PARTS, wiring.desk_parts),
    (frozenset({"retention", "business_hours", "box", TIME_ZONE}), wiring.RETENTION_PARTS,
     wiring.retention_parts),
    # the backup check knows the box's archives by its name
    (frozenset({"backup", "data_dir", "box"}), wiring.BOX_PARTS, wiring.box_parts),
    (frozenset({"gpio"}), wiring.GPIO_PARTS, wiring.gpio_parts),
)


def _agent_ids(logins: list[str]) -> list[int]:
    """The store ids of these logins. Blocking."""
    from appliance.store.models import Agent

    return [int(a.id) for a in Agent.select(Agent.id).where(Agent.login.in_(logins))]


def changed_sections(old: Config, new: Config) -> set[str]:
    """The top-level keys of aspa.toml whose values differ, and TIME_ZONE when the office's
    time zone moved (from either of the two keys that set it)."""
    changed = {f.name for f in dataclasses.fields(old)
               if getattr(old, f.name) != getattr(new, f.name)}
    if old.time_zone != new.time_zone:
        changed.add(TIME_ZONE)
    return changed


class LiveConfig:
    """The daemon's side of the settings pages (appliance.ports.live_settings)."""

    def __init__(self, daemon: Daemon) -> None:
        self._daemon = daemon
        self._lock = asyncio.Lock()  # two saves at once: one applied after the other
        self._waiting: set[str] = set()  # saved sections only a restart applies, so far

    async def apply(self, config: Config) -> Applied:
        """Restart only what the change concerns; name what waits for a restart."""
        async with self._lock:
            daemon = self._daemon
            old = daemon.config
            changed = changed_sections(old, config)
            if not changed:
                return Applied(needs_restart=tuple(sorted(self._waiting)))
            daemon.config = config
            restarted: list[str] = []
            needs_restart = sorted(changed & AT_START_ONLY)
            if "agents" in changed:
                await self._sync_agents()
            if changed & CALL_PLAN:
                restarted.extend(await self._new_plan(config))
                needs_restart.extend(self._call_voice(old, config))
            if changed & SERVICE_RULES:
                restarted.extend(await self._new_rules(config))
            needs_restart.extend(f"box.{key}" for key in BOX_WIRED
                                 if getattr(old.box, key) != getattr(config.box, key))
            if "gsm" in changed:
                lines, waiting = await self._modems(old, config)
                restarted.extend(lines)
                needs_restart.extend(waiting)
            if "voip" in changed:
                lines, waiting = await self._voip(old, config)
                restarted.extend(lines)
                needs_restart.extend(waiting)
            for sections, names, build in REBUILT:
                if changed & sections:
                    adapters = build(daemon)
                    await daemon.supervisor.replace(names, adapters)
                    restarted.extend(a.name for a in adapters)
            if changed & NOTICES:
                restarted.extend(self._notices(config))
            if "log" in changed:
                use_log_level(config.log.level)
            log.info("settings saved: %s changed; restarted %s%s", ", ".join(sorted(changed)),
                     ", ".join(restarted) or "nothing",
                     f"; waiting for a restart: {', '.join(needs_restart)}"
                     if needs_restart else "")
            self._waiting.update(needs_restart)
            return Applied(restarted=tuple(dict.fromkeys(restarted)),
                           needs_restart=tuple(sorted(self._waiting)))

    async def _sync_agents(self) -> None:
        """[[agents]] into the store, then the switchboard reads its roster again."""
        daemon = self._daemon
        if daemon.store is None or daemon.switchboard is None:
            return
        from appliance.store.agent_roster import sync_agents

        changes = await daemon.store.call(sync_agents, daemon.store.db, daemon.config.agents)
        logins = [*changes.added, *changes.updated]
        ids = await daemon.store.call(_agent_ids, logins) if logins else []
        for agent_id in ids:
            await daemon.switchboard.roster_changed(agent_id, "changed in aspa.toml")

    async def _new_plan(self, config: Config) -> list[str]:
        """Ring groups, hours and SLA terms to the exchange, the ticket book and the mail
        intake (the tickets it opens), live."""
        daemon = self._daemon
        policy, calendar = sla_policy(config), business_calendar(config)
        if daemon.tickets is not None:
            records = daemon.tickets.records
            records.policy = policy
            records.calendar = calendar
        use_terms = getattr(daemon.supervisor.named("mail"), "use_terms", None)
        if use_terms is not None:
            use_terms(policy, calendar)
        exchange = daemon.supervisor.named("calls")
        use_config = getattr(exchange, "use_config", None)
        if use_config is None:
            return []
        await use_config(config)
        return ["calls"]

    def _call_voice(self, old: Config, new: Config) -> list[str]:
        """The exchange takes the new plan live; its announcements wait for a restart."""
        if self._daemon.supervisor.named("calls") is None:  # no lines: nothing speaks
            return []
        if all(getattr(old.calls, key) == getattr(new.calls, key) for key in CALL_VOICE):
            return []
        return ["calls"]

    async def _new_rules(self, config: Config) -> list[str]:
        """Routing by customer and escalation to the switchboard, and the escalation watch's
        period, live: open work held for an account manager follows the new rules at once."""
        daemon = self._daemon
        if daemon.switchboard is None:
            return []
        refiled = daemon.switchboard.use_rules(customer_rules(config), escalation_rules(config))
        if refiled:
            log.info("routing by customer: %d open items held or let go anew", len(refiled))
        taken = ["switchboard"]
        watch = daemon.supervisor.named("escalation")
        every_s = float(config.escalation.check_seconds)
        if isinstance(watch, EscalationWatch) and watch.every_s != every_s:
            await watch.use_period(every_s)
            taken.append("escalation")
        return taken

    def _notices(self, config: Config) -> list[str]:
        """The office's hours, the ways notices can go and their language to the notifier:
        the next notice is held to the new closed hours, or sent by a way set up just now."""
        from appliance.switchboard.notifier import Notifier

        notifier = self._daemon.supervisor.named("notices")
        if not isinstance(notifier, Notifier):
            return []
        exchange: ExchangeAdapter | None = None
        if self._daemon.supervisor.named("calls") is not None:  # a box with lines
            from appliance.calls.adapter import ExchangeAdapter

            named = self._daemon.supervisor.named("calls")
            exchange = named if isinstance(named, ExchangeAdapter) else None
        notifier.use_settings(office_hours(config),
                              senders=wiring.notice_senders(self._daemon, exchange),
                              language=config.calls.language)
        return ["notices"]

    async def _modems(self, old: Config, new: Config) -> tuple[list[str], list[str]]:
        """A modem whose settings changed (its SIM PIN) restarts alone; another set of
        modems, or GSM switched on or off, waits for the daemon's restart."""
        before = {m.name: m for m in old.gsm.modems}
        after = {m.name: m for m in new.gsm.modems}
        if old.gsm.enabled != new.gsm.enabled or before.keys() != after.keys():
            return [], ["gsm"]
        restarted = []
        for name, modem in after.items():
            line = self._daemon.supervisor.named(name)
            use_settings = getattr(line, "use_settings", None)
            if modem == before[name] or use_settings is None:
                continue
            use_settings(modem)
            await self._daemon.supervisor.restart(name)
            restarted.append(name)
        return restarted, []

    async def _voip(self, old: Config, new: Config) -> tuple[list[str], list[str]]:
        """The SIP account, its ports and announcements: the VoIP line restarts alone (its
        calls end as interrupted, as at a baresip restart); what the wiring is built on
        waits for the daemon's restart."""
        if any(getattr(old.voip, key) != getattr(new.voip, key) for key in VOIP_WIRED):
            return [], ["voip"]
        name = new.voip.name
        line = self._daemon.supervisor.named(name)
        use_settings = getattr(line, "use_settings", None)
        if use_settings is None:  # switched off, or the lines did not start
            return [], []
        use_settings(new.voip)
        await self._daemon.supervisor.restart(name)
        return [name], []

    def restart_daemon(self) -> None:
        """Stop cleanly with the exit code systemd restarts the service on."""
        self._daemon.request_restart("asked on the settings page")
