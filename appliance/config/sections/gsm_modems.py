"""The `[[gsm.modems]]` entries of aspa.toml: one per GSM modem on the box."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.config.schema import in_range, non_empty, one_of, setting

MODELS = ("auto", "sim7600", "sim800", "ec25", "generic")
BAUD_RATES = (9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600)


def _pin(value: str) -> str | None:
    # 3GPP TS 31.101 §9.1: a SIM PIN is 4 to 8 digits.
    if value == "" or (value.isdigit() and 4 <= len(value) <= 8):
        return None
    return "must be 4 to 8 digits, or empty when the SIM has no PIN"


def _baud(value: int) -> str | None:
    if value in BAUD_RATES:
        return None
    return f"must be one of {', '.join(map(str, BAUD_RATES))}, not {value}"


@dataclass(frozen=True)
class ModemSettings:
    """One modem: its line name, serial device, model and SIM PIN."""

    name: str = setting("gsm0", "Line name in logs, the web page and MQTT", check=non_empty)
    device: str = setting("/dev/gsm-modem", "Serial device of the modem's AT port",
                          check=non_empty)
    model: str = setting("auto", "Modem model: auto (asks ATI), sim7600, sim800, ec25 or generic",
                         check=one_of(*MODELS))
    pin: str = setting("", "SIM PIN, entered at start when the SIM asks for it; empty = none",
                       check=_pin)
    baud: int = setting(115200, "Serial speed in bit/s", check=_baud)
    pin_file: str = setting("", "File holding the SIM PIN (instead of pin); empty = none")
    sms_mode: str = setting("pdu", "SMS mode: pdu (3GPP TS 27.005 §3.2.3 PDU mode)",
                            check=one_of("pdu"))
    clcc_poll_seconds: float = setting(
        0.5, "AT+CLCC poll interval while calls exist, on models without end-of-call URCs",
        check=in_range(0.05, 10))
    clip_wait_seconds: float = setting(
        0.2, "How long to wait for +CLIP after RING before asking AT+CLCC for the number",
        check=in_range(0, 5))
    health_check_seconds: float = setting(
        3.0, "Interval of the supervisor's AT probe; a dead modem is noticed within 10 s",
        check=in_range(0.05, 10))
    command_timeout_seconds: float = setting(
        2.0, "How long one AT command may take before the modem counts as not answering",
        check=in_range(0.05, 60))
    status_poll_seconds: float = setting(
        30.0, "Interval of the signal, operator and registration poll (AT+CSQ, AT+COPS?)",
        check=in_range(0.05, 3600))
    voice_device: str = setting(
        "", "Serial device of the modem's voice port (SIM7600, EC25 serial mode), or with "
        "voice_mode = uac the EC25's USB audio card as PortAudio names its ALSA device (all "
        "or part of a name `python3 -m sounddevice` lists); empty = no call audio through "
        "the box")
    voice_mode: str = setting("serial", "How the call's audio reaches the box: serial (a USB "
                              "serial voice port, AT+QPCMV=1,0 on an EC25) or uac (the EC25's "
                              "USB audio card through ALSA, AT+QPCMV=1,2; needs libportaudio2)",
                              check=one_of("serial", "uac"))
    garbage_limit: int = setting(
        50, "Unparsable lines per health check after which the port is reopened",
        check=in_range(1, 100000))

    def validate(self) -> list[str]:
        """PIN and PIN file are alternatives."""
        if self.pin and self.pin_file:
            return ["pin: set pin or pin_file, not both"]
        return []

    def read_pin(self) -> str:
        """The PIN from `pin` or from `pin_file` (stripped); empty when none is configured."""
        if self.pin_file:
            with open(self.pin_file, encoding="utf-8") as handle:
                return handle.read().strip()
        return self.pin

    def __repr__(self) -> str:
        return (f"ModemSettings(name={self.name!r}, device={self.device!r}, "
                f"model={self.model!r}, pin={'<hidden>' if self.pin else ''!r}, baud={self.baud}, "
                f"pin_file={self.pin_file!r})")
