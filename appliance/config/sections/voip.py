"""The `[voip]` section of aspa.toml: the SIP account baresip registers for the office."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from appliance.config.schema import in_range, non_empty, one_of, setting
from appliance.config.shown_value import shown

TRANSPORTS = ("udp", "tcp", "tls")
# baresip's account line is `<uri>;param=value;...`: these would end a value early.
_UNSAFE_IN_ACCOUNT = re.compile(r"[;\"<>\s]")
_HOST_PORT = re.compile(r"^[A-Za-z0-9.\-\[\]:]*$")


def _account_safe(value: Any) -> str | None:
    if isinstance(value, str) and _UNSAFE_IN_ACCOUNT.search(value):
        return "must not contain spaces, ';', '\"', '<' or '>' (baresip's account syntax)"
    return None


def _host(value: Any) -> str | None:
    if isinstance(value, str) and not _HOST_PORT.match(value):
        return f"must be a host name or address, optionally with :port, not {shown(value)}"
    return None


def _display_name(value: Any) -> str | None:
    if isinstance(value, str) and ('"' in value or "\n" in value):
        return "must not contain '\"' or a line break"
    return None


@dataclass(frozen=True)
class VoipSettings:
    """The SIP account of the VoIP line, and how baresip runs on the box."""

    enabled: bool = setting(False, "Answer calls on the SIP account below, through baresip")
    name: str = setting("voip0", "Line name in logs, the web page and MQTT", check=non_empty)
    registrar: str = setting(
        "", "SIP provider's registrar as host or host:port; empty = do not register "
        "(calls are sent straight to this box's SIP port)", check=_host)
    proxy: str = setting(
        "", "Outbound proxy as host or host:port; empty = send requests to the registrar",
        check=_host)
    user: str = setting("aspa", "SIP user name of the account (the user part of its SIP URI)",
                        check=_account_safe)
    password: str = setting("", "SIP password; empty = the provider asks none",
                            check=_account_safe)
    password_file: str = setting("", "File holding the SIP password (instead of password)")
    display_name: str = setting("", "Name shown to the people the box calls",
                                check=_display_name)
    listen_address: str = setting(
        "0.0.0.0", "Address baresip takes SIP on; 127.0.0.1 keeps it on this box", check=_host)
    sip_port: int = setting(
        5060, "Local SIP port (baresip also takes the next port for its TLS listener)",
        check=in_range(1, 65534))
    transport: str = setting("udp", "SIP transport to the provider: udp, tcp or tls",
                             check=one_of(*TRANSPORTS))
    register_seconds: int = setting(
        600, "Registration lifetime asked of the registrar, in seconds", check=in_range(60, 86400))
    audio_dir: str = setting(
        "", "Folder of announcements as 8 kHz mono 16-bit WAV files: greeting.wav, closed.wav, "
        "callback.wav, queue.wav, voicemail.wav, and hold.wav for music on hold")
    call_sound: str = setting(
        "files", "How callers hear the box: files = the WAVs of audio_dir played by baresip; "
        "box = the call's sound through the box (spoken announcements, place in the queue, "
        "music, keypad menu, voicemail), carried by a JACK server (Debian package jackd2)",
        check=one_of("files", "box"))
    jackd: str = setting("jackd", "The JACK server program, for call_sound = box (jackd2)",
                         check=non_empty)
    rtp_port_min: int = setting(10000, "Lowest UDP port for call audio (RTP)",
                                check=in_range(1024, 65535))
    rtp_port_max: int = setting(10100, "Highest UDP port for call audio (RTP)",
                                check=in_range(1024, 65535))
    baresip: str = setting("baresip", "The baresip program (Debian package baresip-core)",
                           check=non_empty)
    control_port: int = setting(
        0, "Loopback TCP port of baresip's ctrl_tcp control; 0 = pick a free one at start",
        check=in_range(0, 65535))
    restart_max_seconds: float = setting(
        30.0, "Longest pause between restarts of a baresip that keeps failing",
        check=in_range(1, 3600))

    def validate(self) -> list[str]:
        """The RTP range must be a range; a password needs a registrar to go to."""
        problems: list[str] = []
        if self.rtp_port_min > self.rtp_port_max:
            problems.append(f"rtp_port_max: {self.rtp_port_max} is below rtp_port_min "
                            f"{self.rtp_port_min}")
        elif self.rtp_port_max - self.rtp_port_min < 3:
            problems.append("rtp_port_max: the RTP range needs at least 4 ports (2 per call)")
        if self.password and not self.registrar:
            problems.append("registrar: a password is set but no registrar to register with")
        if self.transport == "tls" and not self.registrar:
            problems.append("registrar: transport tls needs the provider's registrar")
        if self.call_sound == "box" and self.audio_dir:
            problems.append("audio_dir: not played with call_sound = box (callers hear the "
                            "announcements of [calls.speech] and the recordings of the web "
                            "page); remove audio_dir, or set call_sound = files")
        return problems

    @property
    def domain(self) -> str:
        """The host part of the account's SIP URI."""
        if self.registrar:
            return self.registrar
        host = "127.0.0.1" if self.listen_address in ("0.0.0.0", "") else self.listen_address
        return f"{host}:{self.sip_port}"

    @property
    def aor(self) -> str:
        """The account's address of record (RFC 3261 §10.2.1)."""
        return f"sip:{self.user}@{self.domain}"
