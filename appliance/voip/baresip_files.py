"""baresip's own configuration directory (`baresip -f DIR`), written from aspa.toml.

Nothing here needs a sound card: the caller hears files (aufile) or silence
(an aubridge device nobody plays into), and what the caller says goes to an
aubridge device nobody reads. Calls are answered at once (answermode=auto):
baresip 1.0's `accept` command puts the other calls on hold, which a line
with several callers and agent legs cannot have.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from appliance.config.sections.voip import VoipSettings

MODULE_DIR: Final = "/usr/lib/baresip/modules"
CONTROL_HOST: Final = "127.0.0.1"
QUIET_SOURCE: Final = "aubridge,aspa-quiet"  # a bridge nobody feeds: silence
DISCARD_PLAYER: Final = "aubridge,aspa-discard"  # a bridge nobody reads: what callers say
# baresip-core modules the line needs; menu carries the commands, ctrl_tcp the control.
MODULES: Final = ("g711.so", "aufile.so", "aubridge.so")
# call_sound = "box": each call's source and player switched to JACK (jack_server.py); the
# box joins the ports itself, so baresip must not connect them to "physical" ones.
# The jack module takes float samples only (jack_src.c: "unsupported sample format"), which
# aufile refuses (aufile.c: S16LE only): a line in that mode plays no files of its own.
JACK_SETTINGS: Final = (("module", "jack.so"), ("jack_connect_ports", "no"),
                        ("ausrc_format", "float"), ("auplay_format", "float"))
APP_MODULES: Final = ("account.so", "menu.so", "ctrl_tcp.so")


@dataclass(frozen=True)
class BaresipFiles:
    """Where one line's baresip configuration was written."""

    directory: Path
    control_port: int

    @property
    def log_path(self) -> Path:
        return self.directory / "baresip.log"


def account_line(settings: VoipSettings, password: str) -> str:
    """The account in baresip's `accounts` syntax: `"Name" <uri>;param=value...`."""
    transport = f";transport={settings.transport}" if settings.transport != "udp" else ""
    name = f'"{settings.display_name}" ' if settings.display_name else ""
    params = [f"regint={settings.register_seconds if settings.registrar else 0}",
              "answermode=auto"]
    if password:
        params.append(f"auth_pass={password}")
    if settings.proxy:
        params.append(f'outbound="sip:{settings.proxy}{transport};lr"')
    return f"{name}<{settings.aor}{transport}>;" + ";".join(params)


def config_text(settings: VoipSettings, control_port: int, module_dir: str = MODULE_DIR) -> str:
    """baresip's `config` file."""
    lines = [
        ("poll_method", "epoll"),
        ("sip_listen", f"{settings.listen_address}:{settings.sip_port}"),
        ("audio_player", DISCARD_PLAYER),
        ("audio_source", QUIET_SOURCE),
        ("audio_alert", DISCARD_PLAYER),
        ("rtp_ports", f"{settings.rtp_port_min}-{settings.rtp_port_max}"),
        ("module_path", module_dir),
        *(("module", m) for m in MODULES),
        *JACK_SETTINGS * (settings.call_sound == "box"),
        *(("module_app", m) for m in APP_MODULES),
        ("ctrl_tcp_listen", f"{CONTROL_HOST}:{control_port}"),
    ]
    return "".join(f"{key}\t\t{value}\n" for key, value in lines)


def write_baresip_dir(settings: VoipSettings, directory: Path, control_port: int,
                      module_dir: str = MODULE_DIR) -> BaresipFiles:
    """Write config, accounts and contacts.

    An account that registers is left out of `accounts`: Aspa adds it over the
    control connection (`uanew`) once connected, so no registration result is
    missed and the password is never written to disk. The file is 0600 anyway.
    """
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config").write_text(config_text(settings, control_port, module_dir))
    accounts = directory / "accounts"
    fd = os.open(accounts, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        if not settings.registrar:
            out.write(account_line(settings, settings.password) + "\n")
    os.chmod(accounts, 0o600)  # an older file may have had wider rights
    (directory / "contacts").write_text("")
    return BaresipFiles(directory, control_port)
