"""Which adapters a configuration asks for, each handed the narrow ports it needs.

The only place that knows every part: an adapter never sees the daemon, only
the presence, work, routing, tickets and lines ports given here. Each part is
imported only when it is configured: memory is a feature on a 512 MB box, so
a part that is switched off costs no import, no thread and no socket.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from appliance.ports.adapter import Adapter

if TYPE_CHECKING:
    from appliance.config.aspa_toml import Config
    from appliance.gsm.line import GsmLine
    from appliance.media.media_engine import MediaEngine
    from appliance.ports.line import Line
    from appliance.ports.lines import LinesPort
    from appliance.runtime.daemon import Daemon


@dataclass
class Wired:
    """The adapters in start order, and the lines port the others were given."""

    adapters: list[Adapter] = field(default_factory=list)
    lines: LinesPort | None = None


def configured_adapters(daemon: Daemon) -> list[Adapter]:
    """The adapters `daemon.config` switches on, in start order (they stop in reverse)."""
    config = daemon.config
    wired = Wired(adapters=[_box_watch(daemon), _pending_returns(daemon)])
    if config.gsm.enabled or config.voip.enabled:
        _lines(daemon, wired)
    if config.mail.mailboxes:
        wired.adapters.append(_mail_intake(daemon))
    if config.mqtt.enabled:
        wired.adapters.append(_mqtt(daemon))
    if config.desk_units:
        wired.adapters.append(_desk_units(daemon))
    if config.gpio.enabled:
        wired.adapters.append(_gpio(daemon))
    retention = _retention(daemon) if any(days for _, days in config.retention.policy()) else None
    if config.web.enabled:
        wired.adapters.append(_web(daemon, wired.lines, retention))
    if retention is not None:
        wired.adapters.append(retention)
    return wired.adapters


def _pending_returns(daemon: Daemon) -> Adapter:
    from appliance.runtime.pending_returns import PendingReturns

    assert daemon.switchboard is not None
    return PendingReturns(daemon.switchboard.return_due_pending)


def _box_watch(daemon: Daemon) -> Adapter:
    from appliance.runtime.box_watch import BoxWatch

    return BoxWatch(daemon.config, daemon.bus, daemon.clock)


def _lines(daemon: Daemon, wired: Wired) -> None:
    """A line per modem and the VoIP line, then the exchange that answers them all."""
    from appliance.calls.adapter import ExchangeAdapter
    from appliance.calls.exchange_config import line_prompts
    from appliance.gsm.line import GsmLine
    from appliance.gsm.line_set import GsmLineSet

    config = daemon.config
    store, board, tickets = daemon.store, daemon.switchboard, daemon.tickets
    assert store is not None and board is not None and tickets is not None
    gsm_lines: list[GsmLine] = []
    if config.gsm.enabled:
        from appliance.gsm.pin_guard import PinMemory
        from appliance.switchboard.sms_filing import SmsIntake

        pins = PinMemory(config.data_path / "sim-pin.json")  # a refused PIN stays refused
        engine = _media_engine(config)

        intake = SmsIntake(store.db, daemon.bus, daemon.clock, store, tickets,
                           country_code=str(config.box.country_code))
        gsm_lines = [GsmLine.for_modem(modem, daemon.bus, daemon.clock, sms_sink=intake,
                                       prompts=line_prompts(config.calls, modem.name),
                                       pin_memory=pins, engine=engine)
                     for modem in config.gsm.modems]
        wired.lines = GsmLineSet(gsm_lines)
    lines: list[Line] = [*gsm_lines]
    wired.adapters.extend(gsm_lines)
    if config.voip.enabled:
        from appliance.voip.adapter import VoipLineAdapter

        voip = VoipLineAdapter(config.voip, daemon.bus, daemon.clock, config.data_path / "voip")
        wired.adapters.append(voip)
        lines.append(voip.line)
    wired.adapters.append(ExchangeAdapter(config, db=store.db, store=store, bus=daemon.bus,
                                          clock=daemon.clock, board=board, tickets=tickets,
                                          lines=lambda: lines))


def _media_engine(config: Config) -> MediaEngine | None:
    """The engine that carries calls' sound, when some modem's voice port is configured."""
    if not any(modem.voice_device for modem in config.gsm.modems):
        return None  # no numpy, no audio threads on a box without a voice port
    from appliance.media.media_engine import MediaEngine

    return MediaEngine()


def _mail_intake(daemon: Daemon) -> Adapter:
    from appliance.mail.intake import MailIntake

    return MailIntake(daemon.config.mail, daemon.bus, daemon.config.data_path, daemon.clock)


def _mqtt(daemon: Daemon) -> Adapter:
    from appliance.mqtt.adapter import MqttAdapter

    assert daemon.store is not None
    config = daemon.config
    return MqttAdapter(config.mqtt, config.box.name, config.time_zone, bus=daemon.bus,
                       store=daemon.store, clock=daemon.clock, board=daemon.switchboard,
                       service_level_s=float(config.calls.service_level_seconds))


def _desk_units(daemon: Daemon) -> Adapter:
    from appliance.desk.adapter import DeskUnitsAdapter

    assert daemon.switchboard is not None
    config = daemon.config
    return DeskUnitsAdapter(config.mqtt, config.box.name, config.desk_units, daemon.switchboard,
                            bus=daemon.bus, clock=daemon.clock)


def _gpio(daemon: Daemon) -> Adapter:
    from appliance.gpio.adapter import GpioAdapter

    board = daemon.switchboard
    assert board is not None
    return GpioAdapter(daemon.config.gpio, board, board, bus=daemon.bus, clock=daemon.clock)


def _web(daemon: Daemon, lines: LinesPort | None, retention: Adapter | None) -> Adapter:
    from zoneinfo import ZoneInfo

    from appliance.mail.mail_desk import MailDeskService
    from appliance.web.adapter import WebAdapter
    from appliance.web.frame.privacy_parts import PrivacyParts
    from appliance.web.frame.secret_key import load_or_create_secret
    from appliance.web.frame.store_backend import SESSION_CHECK_S, StoreWebBackend

    config = daemon.config
    assert daemon.store is not None and daemon.switchboard is not None
    assert daemon.tickets is not None
    privacy = PrivacyParts(data_dir=config.data_path, country_code=str(config.box.country_code),
                           box_name=config.box.name, policy=tuple(config.retention.policy()),
                           lines=lines, retention=lambda: retention)
    backend = StoreWebBackend(
        daemon.store, daemon.switchboard, daemon.clock, ZoneInfo(config.time_zone),
        bus=daemon.bus, tickets=daemon.tickets, smtp=config.mail.smtp,
        data_dir=config.data_path, health=daemon.supervisor.health, config=config,
        session_check_s=SESSION_CHECK_S, lines=lines, privacy=privacy,
        mail=MailDeskService(daemon.store, daemon.bus, daemon.clock, config.mail.smtp,
                             config.data_path),
        config_path=daemon.config_path)
    key = load_or_create_secret(config.data_path)
    return WebAdapter(config.web, backend, secret_key=key, clock=daemon.clock)


def _retention(daemon: Daemon) -> Adapter:
    from zoneinfo import ZoneInfo

    from appliance.privacy.nightly import NightlyRetention
    from appliance.store.attachment_folder import attachments_dir

    assert daemon.store is not None
    config = daemon.config
    return NightlyRetention(daemon.store, config.retention, ZoneInfo(config.time_zone),
                            attachments_dir(config.data_path), daemon.clock, bus=daemon.bus)
