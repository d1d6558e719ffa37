"""aspa.toml: the `Config` root section and `load_config`, which reports every problem at once.

With no file, Aspa runs on the defaults below: SQLite under the data
directory, the web page on 127.0.0.1:8080, no GSM, mail or MQTT. Each
section lives in its own small file (`config_sections/`, or the package it
belongs to, such as `appliance/gsm/settings.py`).
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appliance.config.cross_checks import cross_key_problems
from appliance.config.data_dir_check import data_dir_problem
from appliance.config.schema import ConfigError, load_section, setting
from appliance.config.secret_files import masked_repr, read_secret_files
from appliance.config.sections.agents import AgentSettings
from appliance.config.sections.backup import BackupSettings
from appliance.config.sections.box import BoxSettings
from appliance.config.sections.business_hours import BusinessHoursSettings
from appliance.config.sections.calls import CallDeskSettings
from appliance.config.sections.database import SQLITE_FILE_NAME, DatabaseSettings, database_url
from appliance.config.sections.desk_units import DeskUnitSettings
from appliance.config.sections.gpio import GpioSettings
from appliance.config.sections.gsm import GsmSettings
from appliance.config.sections.log import LogSettings
from appliance.config.sections.mail import MailSettings
from appliance.config.sections.mqtt import MqttSettings
from appliance.config.sections.retention import RetentionSettings
from appliance.config.sections.ring_groups import QueueSettings, RingGroupSettings
from appliance.config.sections.routing import EscalationSettings, RoutingSettings
from appliance.config.sections.sla import SlaSettings
from appliance.config.sections.voip import VoipSettings
from appliance.config.sections.web import WebSettings

APP_DIR_NAME = "aspa"


@dataclass(frozen=True)
class Config:
    """The whole of aspa.toml."""

    data_dir: str = setting(
        "",
        "Folder for the SQLite database, attachments and state; a relative path is read from "
        "the folder of aspa.toml; empty = $STATE_DIRECTORY (systemd StateDirectory=, "
        "/var/lib/aspa on the box), else $XDG_DATA_HOME/aspa or ~/.local/share/aspa",
    )
    box: BoxSettings = setting(doc="This box", factory=BoxSettings)
    database: DatabaseSettings = setting(doc="The store", factory=DatabaseSettings)
    web: WebSettings = setting(doc="The LAN web page", factory=WebSettings)
    log: LogSettings = setting(doc="Logging", factory=LogSettings)
    business_hours: BusinessHoursSettings = setting(
        doc="Opening hours and holidays", factory=BusinessHoursSettings)
    sla: SlaSettings = setting(doc="Service-level targets per priority", factory=SlaSettings)
    queue: QueueSettings = setting(doc="The call queue", factory=QueueSettings)
    routing: RoutingSettings = setting(
        doc="Routing of email, SMS and callbacks by customer", factory=RoutingSettings)
    escalation: EscalationSettings = setting(
        doc="SLA warnings and what a breach does", factory=EscalationSettings)
    calls: CallDeskSettings = setting(
        doc="Answering, hand-over, SMS and callbacks of incoming calls", factory=CallDeskSettings)
    ring_groups: list[RingGroupSettings] = setting(
        doc="One [[ring_groups]] table per ring group", factory=list)
    agents: list[AgentSettings] = setting(
        doc="One [[agents]] table per agent, kept in sync with the store", factory=list)
    gsm: GsmSettings = setting(doc="The GSM line", factory=GsmSettings)
    voip: VoipSettings = setting(doc="The VoIP line (a SIP account, through baresip)",
                                 factory=VoipSettings)
    mail: MailSettings = setting(doc="Mailboxes and outgoing mail", factory=MailSettings)
    mqtt: MqttSettings = setting(doc="The MQTT broker", factory=MqttSettings)
    gpio: GpioSettings = setting(doc="Status LEDs and desk buttons", factory=GpioSettings)
    desk_units: list[DeskUnitSettings] = setting(
        doc="One [[desk_units]] table per Pico W desk unit paired to an agent", factory=list)
    backup: BackupSettings = setting(doc="Scheduled backups", factory=BackupSettings)
    retention: RetentionSettings = setting(
        doc="How long customers' data is kept (docs/privacy.md)", factory=RetentionSettings)

    __repr__ = masked_repr  # whole sections may be logged: no password, PIN or URL in them

    @property
    def data_path(self) -> Path:
        """The data directory, with the default applied."""
        return Path(self.data_dir) if self.data_dir else default_data_dir()

    @property
    def database_url(self) -> str:
        """The database URL, with the default SQLite file applied."""
        return self.database.url or f"sqlite:///{self.data_path.absolute() / SQLITE_FILE_NAME}"

    @property
    def time_zone(self) -> str:
        """The time zone of business hours (falls back to the box's)."""
        return self.business_hours.time_zone or self.box.time_zone


def default_data_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """Where data lives when aspa.toml does not say: the systemd state directory, else XDG."""
    # systemd.exec(5): StateDirectory=aspa sets STATE_DIRECTORY (several are ':'-separated).
    state = environ.get("STATE_DIRECTORY", "")
    if state:
        return Path(state.split(":")[0])
    # XDG Base Directory spec: a relative $XDG_DATA_HOME is invalid and must be ignored.
    xdg = environ.get("XDG_DATA_HOME", "")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / APP_DIR_NAME
    return Path.home() / ".local" / "share" / APP_DIR_NAME


def load_config(path: str | Path | None, environ: Mapping[str, str] = os.environ) -> Config:
    """Read and check aspa.toml (None = the defaults); raise ConfigError with every problem."""
    if path is None:
        return _resolved(Config(), Path.cwd(), environ)
    source = str(path)
    data = read_toml(Path(path))
    base = Path(path).absolute().parent
    return config_from_mapping(data, base, source, environ)


def config_from_mapping(data: dict[str, Any], base: Path, source: str = "",
                        environ: Mapping[str, str] = os.environ) -> Config:
    """Build a Config from parsed TOML; relative paths are read from `base`."""
    problems: list[str] = []
    config = load_section(Config, data, "", problems)
    # A key already reported is not reported again by a cross-key check that saw its default.
    reported = {_key_of(p) for p in problems}
    problems.extend(p for p in cross_key_problems(config) if _key_of(p) not in reported)
    config = read_secret_files(config, "", base, problems)
    if config.database.url_file:
        wrong = database_url(config.database.url)
        if wrong:
            problems.append(f"database.url_file: the URL in it {wrong}")
    if config.data_dir and "data_dir" not in reported:
        wrong = data_dir_problem(base / config.data_dir)
        if wrong:
            problems.append(f"data_dir: {wrong}")
    if problems:
        raise ConfigError(problems, source)
    return _resolved(config, base, environ)


def _key_of(problem: str) -> str:
    return problem.split(": ", 1)[0]


def _resolved(config: Config, base: Path, environ: Mapping[str, str]) -> Config:
    """Fill in what the defaults leave open: an absolute data directory, the hours' zone, and
    the outgoing server's login when it shares a mailbox's."""
    data_dir = base / config.data_dir if config.data_dir else default_data_dir(environ)
    hours = dataclasses.replace(config.business_hours, time_zone=config.time_zone)
    return dataclasses.replace(config, data_dir=str(data_dir), business_hours=hours,
                               mail=config.mail.with_outgoing_resolved())


_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file; any failure is a ConfigError naming the file (and line)."""
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ConfigError([f"cannot read the file: {error.strerror or error}"], source) from error
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ConfigError([f"not UTF-8 text (byte {error.start})"], source) from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([_toml_problem(str(error))], source) from error


def _toml_problem(message: str) -> str:
    match = _TOML_POSITION.search(message)
    if match is None:
        return f"TOML syntax: {message}"
    what = message[: match.start()]
    return f"line {match.group(1)}: {what[:1].lower()}{what[1:]} (column {match.group(2)})"


__all__ = ["Config", "ConfigError", "default_data_dir", "load_config"]
