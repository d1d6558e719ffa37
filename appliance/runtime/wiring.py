"""Which adapters a configuration asks for; each is imported only when it is configured.

Memory is a feature on a 512 MB box: a part that is switched off costs no
import, no thread and no socket.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from appliance.ports.adapter import Adapter

if TYPE_CHECKING:
    from appliance.runtime.daemon import Daemon


def configured_adapters(daemon: Daemon) -> list[Adapter]:
    """The adapters `daemon.config` switches on, in start order (they stop in reverse)."""
    config = daemon.config
    adapters: list[Adapter] = [_box_watch(daemon)]
    if config.gsm.enabled or config.voip.enabled:
        adapters.extend(_lines(daemon))
    if config.mail.mailboxes:
        adapters.append(_mail_intake(daemon))
    if config.mqtt.enabled:
        adapters.append(_mqtt(daemon))
    if config.desk_units:
        adapters.append(_desk_units(daemon))
    if config.gpio.enabled:
        adapters.append(_gpio(daemon))
    if config.web.enabled:
        adapters.append(_web(daemon))
    if any(days for _, days in config.retention.policy()):
        adapters.append(_retention(daemon))
    return adapters


def _box_watch(daemon: Daemon) -> Adapter:
    from appliance.runtime.box_watch import BoxWatch

    return BoxWatch(daemon.config, daemon.bus, daemon.clock)


def _lines(daemon: Daemon) -> list[Adapter]:
    """A line adapter per modem and the VoIP line, then the call desk that answers them all."""
    from appliance.calls.adapter import CallDeskAdapter
    from appliance.gsm.line import GsmLineAdapter

    config = daemon.config
    store, core = daemon.store, daemon.core
    assert store is not None and core is not None and daemon.tickets is not None
    lines: list[GsmLineAdapter] = []
    if config.gsm.enabled:
        from appliance.switchboard.sms_filing import SmsIntake

        intake = SmsIntake(store.db, daemon.bus, daemon.clock, store, daemon.tickets,
                           country_code=str(config.box.country_code))
        lines = [GsmLineAdapter(modem, daemon.bus, daemon.clock, sms_sink=intake)
                 for modem in config.gsm.modems]
    adapters: list[Adapter] = [*lines]
    voip_lines = []
    if config.voip.enabled:
        from appliance.voip.adapter import VoipLineAdapter

        voip = VoipLineAdapter(config.voip, daemon.bus, daemon.clock, config.data_path / "voip")
        adapters.append(voip)
        voip_lines.append(voip.line)
    desk = CallDeskAdapter(config, db=store.db, store=store, bus=daemon.bus,
                           clock=daemon.clock, agents=core.agents,
                           drivers=lambda: [line.driver for line in lines],
                           voip_lines=lambda: voip_lines)
    return [*adapters, desk]


def _mail_intake(daemon: Daemon) -> Adapter:
    from appliance.mail.intake import MailIntake

    return MailIntake(daemon.config.mail, daemon.bus, daemon.config.data_path, daemon.clock)


def _mqtt(daemon: Daemon) -> Adapter:
    from appliance.mqtt.adapter import MqttAdapter

    assert daemon.store is not None
    config = daemon.config
    return MqttAdapter(config.mqtt, config.box.name, config.time_zone, bus=daemon.bus,
                       store=daemon.store, clock=daemon.clock, core=daemon.core,
                       service_level_s=float(config.calls.service_level_seconds))


def _desk_units(daemon: Daemon) -> Adapter:
    from appliance.desk.adapter import DeskUnitsAdapter
    from appliance.desk.desk_agents import DeskAgents

    config = daemon.config
    return DeskUnitsAdapter(config.mqtt, config.box.name, config.desk_units, DeskAgents(daemon))


def _gpio(daemon: Daemon) -> Adapter:
    from appliance.desk.desk_agents import DeskAgents
    from appliance.gpio.adapter import GpioAdapter

    core = daemon.core
    assert core is not None
    return GpioAdapter(daemon.config.gpio, DeskAgents(daemon), work=lambda: core.queue)


def _web(daemon: Daemon) -> Adapter:
    from appliance.web.adapter import WebAdapter
    from appliance.web.frame.secret_key import load_or_create_secret
    from appliance.web.frame.store_backend import StoreWebBackend

    backend = StoreWebBackend.for_daemon(daemon)
    key = load_or_create_secret(daemon.config.data_path)
    return WebAdapter(daemon.config.web, backend, secret_key=key, clock=daemon.clock)


def _retention(daemon: Daemon) -> Adapter:
    from zoneinfo import ZoneInfo

    from appliance.privacy.nightly import NightlyRetention
    from appliance.store.attachment_folder import attachments_dir

    assert daemon.store is not None
    config = daemon.config
    return NightlyRetention(daemon.store, config.retention, ZoneInfo(config.time_zone),
                            attachments_dir(config.data_path), daemon.clock)
