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
    from collections.abc import Awaitable, Callable

    from appliance.calls.adapter import ExchangeAdapter
    from appliance.config.aspa_toml import Config
    from appliance.gsm.line import GsmLine
    from appliance.media.media_engine import MediaEngine
    from appliance.ports.line import Line
    from appliance.ports.lines import LinesPort
    from appliance.ports.notices import NoticeSender
    from appliance.queue.notice_rules import NoticeWay
    from appliance.runtime.daemon import Daemon


@dataclass
class Wired:
    """The adapters in start order, and the lines port the others were given."""

    adapters: list[Adapter] = field(default_factory=list)
    lines: LinesPort | None = None
    # the exchange's: an announcement the office changed on the web page is heard next
    announcements: Callable[[str, str], Awaitable[None]] | None = None
    exchange: ExchangeAdapter | None = None  # its SMS outbox carries agents' SMS notices


def configured_adapters(daemon: Daemon) -> list[Adapter]:
    """The adapters `daemon.config` switches on, in start order (they stop in reverse)."""
    config = daemon.config
    wired = Wired(adapters=[*box_parts(daemon), _pending_returns(daemon)])
    if config.gsm.enabled or config.voip.enabled:
        _lines(daemon, wired)
    wired.adapters.extend(mail_parts(daemon))
    wired.adapters.extend(mqtt_parts(daemon))
    wired.adapters.extend(desk_parts(daemon))
    wired.adapters.extend(gpio_parts(daemon))
    if config.web.enabled:
        wired.adapters.append(_web(daemon, wired))
    wired.adapters.extend(_notices_and_escalation(daemon, wired))
    wired.adapters.extend(retention_parts(daemon))
    return wired.adapters


def part_modules(config: Config) -> list[str]:
    """The modules configured_adapters() imports for `config`, the largest first.

    The daemon imports them while the store's file is checked (daemon.py): the check runs
    in SQLite, without the GIL, so the two overlap. A module left off only starts later.
    """
    names: list[str] = []
    if config.web.enabled:
        names += ["appliance.web.adapter", "appliance.web.frame.store_backend",
                  "appliance.web.frame.privacy_parts", "appliance.web.frame.secret_key",
                  "appliance.mail.mail_desk"]
    if config.gpio.enabled:
        names.append("appliance.gpio.adapter")
    if config.mail.mailboxes or config.mail.smtp.host:
        names.append("appliance.mail.intake")
    if config.mail.smtp.host and config.mail.smtp.from_address:
        names.append("appliance.mail.notice_mail")
    if config.gsm.enabled or config.voip.enabled:
        names += ["appliance.calls.adapter", "appliance.calls.exchange_config",
                  "appliance.gsm.line", "appliance.gsm.line_set"]
    if config.gsm.enabled:
        names += ["appliance.gsm.pin_guard", "appliance.switchboard.sms_filing",
                  "appliance.calls.notice_sms"]
    if config.voip.enabled:
        names.append("appliance.voip.adapter")
    if (config.gsm.enabled or config.voip.enabled) and _carries_sound(config):
        names.append("appliance.media.media_engine")
    if config.mqtt.enabled:
        names.append("appliance.mqtt.adapter")
    if config.desk_units:
        names.append("appliance.desk.adapter")
    if any(days for _, days in config.retention.policy()):
        names += ["appliance.privacy.nightly", "appliance.store.attachment_folder"]
    names += ["appliance.switchboard.notifier", "appliance.runtime.escalation_watch",
              "appliance.config.service_terms", "appliance.runtime.box_watch",
              "appliance.runtime.pending_returns"]
    return names


# Parts the settings pages restart on their own (live_config.py): each builder gives the
# adapters the daemon's current configuration asks for, under these names.
MAIL_PARTS = ("mail", "mail-outbox")
MQTT_PARTS = ("mqtt",)
DESK_PARTS = ("desk-units",)
RETENTION_PARTS = ("retention",)
BOX_PARTS = ("box",)
GPIO_PARTS = ("gpio",)


def mail_parts(daemon: Daemon) -> list[Adapter]:
    """The mail intake with its sender, or the sender alone when only [mail.smtp] is set."""
    config = daemon.config
    if not (config.mail.mailboxes or config.mail.smtp.host):
        return []
    from appliance.config.service_terms import business_calendar, sla_policy
    from appliance.mail.intake import mail_adapters

    return mail_adapters(config.mail, daemon.bus, config.data_path, daemon.clock,
                         policy=sla_policy(config), calendar=business_calendar(config))


def mqtt_parts(daemon: Daemon) -> list[Adapter]:
    """The MQTT publisher, when [mqtt] is enabled."""
    return [_mqtt(daemon)] if daemon.config.mqtt.enabled else []


def desk_parts(daemon: Daemon) -> list[Adapter]:
    """The desk units' link, when some are paired."""
    return [_desk_units(daemon)] if daemon.config.desk_units else []


def retention_parts(daemon: Daemon) -> list[Adapter]:
    """The nightly retention run, when some data has a time limit."""
    policy = daemon.config.retention.policy()
    return [_retention(daemon)] if any(days for _, days in policy) else []


def gpio_parts(daemon: Daemon) -> list[Adapter]:
    """The desk buttons and LEDs on the box's own pins, when [gpio] is enabled."""
    return [_gpio(daemon)] if daemon.config.gpio.enabled else []


def box_parts(daemon: Daemon) -> list[Adapter]:
    """The watch over the data disk and the backups."""
    return [_box_watch(daemon)]


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
    engine = _media_engine(config)  # one for every line whose calls' sound is the box's
    if config.gsm.enabled:
        from appliance.gsm.pin_guard import PinMemory
        from appliance.switchboard.sms_filing import SmsIntake

        pins = PinMemory(config.data_path / "sim-pin.json")  # a refused PIN stays refused

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

        voip = VoipLineAdapter(config.voip, daemon.bus, daemon.clock, config.data_path / "voip",
                               engine=engine)
        wired.adapters.append(voip)
        lines.append(voip.line)
    exchange = ExchangeAdapter(config, db=store.db, store=store, bus=daemon.bus,
                               clock=daemon.clock, board=board, tickets=tickets,
                               lines=lambda: lines)
    wired.adapters.append(exchange)
    wired.announcements = exchange.announcement_changed
    wired.exchange = exchange


def _carries_sound(config: Config) -> bool:
    """True when the box itself carries calls' sound: some modem's voice port, or VoIP's."""
    voip_sound = config.voip.enabled and config.voip.call_sound == "box"
    return voip_sound or any(modem.voice_device for modem in config.gsm.modems)


def _media_engine(config: Config) -> MediaEngine | None:
    """The engine that carries calls' sound: some modem's voice port, or the VoIP line's."""
    if not _carries_sound(config):
        return None  # no numpy, no audio threads on a box without a voice port
    from appliance.media.media_engine import MediaEngine

    return MediaEngine()


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


def _web(daemon: Daemon, wired: Wired) -> Adapter:
    from zoneinfo import ZoneInfo

    from appliance.mail.mail_desk import MailDeskService
    from appliance.web.adapter import WebAdapter
    from appliance.web.frame.privacy_parts import PrivacyParts
    from appliance.web.frame.secret_key import load_or_create_secret
    from appliance.web.frame.store_backend import SESSION_CHECK_S, StoreWebBackend

    config = daemon.config
    assert daemon.store is not None and daemon.switchboard is not None
    assert daemon.tickets is not None
    lines = wired.lines
    privacy = PrivacyParts(data_dir=config.data_path, country_code=str(config.box.country_code),
                           box_name=config.box.name, policy=tuple(config.retention.policy()),
                           lines=lines, retention=lambda: daemon.supervisor.named("retention"))
    backend = StoreWebBackend(
        daemon.store, daemon.switchboard, daemon.clock, ZoneInfo(config.time_zone),
        bus=daemon.bus, tickets=daemon.tickets, smtp=config.mail.smtp,
        data_dir=config.data_path, health=daemon.supervisor.health, config=config,
        session_check_s=SESSION_CHECK_S, lines=lines, privacy=privacy,
        mail=MailDeskService(daemon.store, daemon.bus, daemon.clock, config.mail.smtp,
                             config.data_path, sla_from=daemon.tickets.records),
        config_path=daemon.config_path, live=daemon.live)
    backend.announcement_changed = wired.announcements
    backend.open_pages = daemon.open_pages
    key = load_or_create_secret(config.data_path)
    return WebAdapter(config.web, backend, secret_key=key, clock=daemon.clock)


def notice_senders(daemon: Daemon,
                   exchange: ExchangeAdapter | None) -> dict[NoticeWay, NoticeSender]:
    """The ways `daemon.config` lets notices go beside the page: email, SMS, the desk LED."""
    from appliance.ports.notices import AgentNotice
    from appliance.queue.notice_rules import NoticeWay

    config = daemon.config
    store = daemon.store
    assert store is not None
    senders: dict[NoticeWay, NoticeSender] = {}
    if config.mail.smtp.host and config.mail.smtp.from_address:
        from appliance.mail.notice_mail import NoticeMail

        senders[NoticeWay.EMAIL] = NoticeMail(config.mail.smtp, store, daemon.clock)
    if config.gsm.enabled and exchange is not None:
        from appliance.calls.notice_sms import NoticeSms

        def wake() -> None:
            if exchange.exchange is not None:
                exchange.exchange.outbox.wake()

        senders[NoticeWay.SMS] = NoticeSms(store, daemon.clock, wake)
    if config.desk_units or (config.gpio.enabled and config.gpio.desks):

        async def on_the_bus(notice: AgentNotice) -> None:
            del notice  # the desk and GPIO adapters blink on the AgentNotified event

        senders[NoticeWay.LED] = on_the_bus
    return senders


def _notices_and_escalation(daemon: Daemon, wired: Wired) -> list[Adapter]:
    """The notices to agents, each by the ways this box has; the timed SLA and offer checks."""
    from appliance.config.service_terms import office_hours
    from appliance.runtime.escalation_watch import EscalationWatch
    from appliance.switchboard.notifier import Notifier

    config = daemon.config
    store, board = daemon.store, daemon.switchboard
    assert store is not None and board is not None
    notifier = Notifier(store, daemon.bus, daemon.clock, office_hours(config),
                        senders=notice_senders(daemon, wired.exchange),
                        page_open=daemon.open_pages.has_open, language=config.calls.language,
                        queue_url=_queue_url(config))

    async def release_offers() -> None:
        board.release_offers()

    # the round's SLA notices go together, once recorded; the first round (at start) also
    # sends what a stop left unsent
    watch = EscalationWatch([release_offers, board.escalate, notifier.send_due],
                            float(config.escalation.check_seconds), after=daemon.running.wait)
    return [notifier, watch]


def _queue_url(config: Config) -> str:
    """The queue page's address as agents' phones on the LAN reach it; empty without a page."""
    import socket

    if not config.web.enabled:
        return ""
    host = config.web.host
    if host in ("", "0.0.0.0", "::"):
        host = f"{socket.gethostname()}.local"  # the box answers to its name by mDNS
    elif host in ("127.0.0.1", "::1", "localhost"):
        return ""  # only the box itself reaches that page
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{config.web.port}/"


def _retention(daemon: Daemon) -> Adapter:
    from zoneinfo import ZoneInfo

    from appliance.privacy.nightly import NightlyRetention
    from appliance.store.attachment_folder import attachments_dir

    assert daemon.store is not None
    config = daemon.config
    return NightlyRetention(daemon.store, config.retention, ZoneInfo(config.time_zone),
                            attachments_dir(config.data_path), daemon.clock, bus=daemon.bus)
