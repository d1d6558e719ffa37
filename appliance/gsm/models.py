"""What differs between modem models: detection, init commands, call-state URCs, audio commands."""

from __future__ import annotations

from dataclasses import dataclass, field

from .pin_guard import CPINR, QPINC, SPIC, TriesQuery
from .voice_path import (
    EC25_SERIAL_VOICE,
    EC25_UAC_VOICE,
    EC25_UPLOAD,
    SIM800_UPLOAD,
    SIM7600_UPLOAD,
    SIM7600_VOICE,
    UploadSpec,
    VoiceSpec,
)


@dataclass(frozen=True, slots=True)
class InitStep:
    """One optional init command; `feature` is recorded in the capabilities when it answers OK."""

    command: str
    feature: str


@dataclass(frozen=True, slots=True)
class AudioCommands:
    """How a model plays a file or speaks text to the far end, and the URC that says it ended."""

    play: str | None = None  # format with {path}
    play_done: str | None = None  # regex of the end URC
    stop_play: str | None = None
    speak: str | None = None  # format with {text}
    speak_done: str | None = None
    stop_speak: str | None = None


@dataclass(frozen=True, slots=True)
class ModelProfile:
    """One supported model (or the generic 27.007 fallback)."""

    key: str
    label: str
    init: tuple[InitStep, ...] = ()
    # No URC when a ringing call is abandoned (SIM7600) or none at all (generic): poll +CLCC.
    needs_clcc_polling: bool = True
    audio: AudioCommands = field(default_factory=AudioCommands)
    lte: bool = False
    voice: tuple[VoiceSpec, ...] = ()  # host audio paths, preferred first (voice_path.py)
    upload: UploadSpec | None = None  # prompt files onto the module
    pin_tries: tuple[TriesQuery, ...] = (CPINR,)  # asked in order until one answers
    # Quectel EC2x AT Commands Manual, AT+QCFG="ims": 1 enables IMS (VoLTE), after a reset
    volte_enable: str | None = None
    volte_query: str | None = None


GENERIC = ModelProfile("generic", "generic 3GPP TS 27.007 modem (generic mode: +CLCC polling)")

SIM7600 = ModelProfile(
    "sim7600", "SIMCom SIM7600",
    init=(InitStep("AT+DDET=1", "dtmf"),),
    needs_clcc_polling=True,  # no termination URC for calls that never connected (chan_quectel)
    audio=AudioCommands(
        play='AT+CCMXPLAY="{path}",1,0', play_done=r"\+AUDIOSTATE: audio play stop",
        stop_play="AT+CCMXSTOP",
        speak='AT+CTTS=2,"{text}"', speak_done=r"\+CTTS: 0", stop_speak="AT+CTTS=0"),
    lte=True,
    voice=(SIM7600_VOICE,),
    upload=SIM7600_UPLOAD,
    pin_tries=(SPIC, CPINR),
)

SIM800 = ModelProfile(
    "sim800", "SIMCom SIM800",
    init=(InitStep("AT+CLCC=1", "clcc_urc"), InitStep("AT+DDET=1", "dtmf")),
    needs_clcc_polling=False,
    audio=AudioCommands(play='AT+CREC=4,"{path}",0,90', play_done=r"\+CREC: 0",
                        stop_play="AT+CREC=5"),
    upload=SIM800_UPLOAD,
    pin_tries=(SPIC, CPINR),
)

EC25 = ModelProfile(
    "ec25", "Quectel EC25",
    init=(InitStep('AT+QINDCFG="ccinfo",1', "ccinfo_urc"), InitStep("AT+QTONEDET=1", "dtmf")),
    needs_clcc_polling=False,
    audio=AudioCommands(
        play='AT+QPSND=1,"{path}",0,1,1', play_done=r"\+QPSND: 0", stop_play="AT+QPSND=0",
        speak='AT+QTTS=2,"{text}"', speak_done=r"\+QTTS: 0", stop_speak="AT+QTTS=0"),
    lte=True,
    voice=(EC25_SERIAL_VOICE, EC25_UAC_VOICE),
    upload=EC25_UPLOAD,
    pin_tries=(QPINC, CPINR),
    volte_enable='AT+QCFG="ims",1',
    volte_query='AT+QCFG="ims"',
)

PROFILES: dict[str, ModelProfile] = {p.key: p for p in (SIM7600, SIM800, EC25, GENERIC)}


def detect_model(ati: str, cgmm: str) -> ModelProfile:
    """The profile matching ATI / AT+CGMM answers; the generic profile when none does."""
    text = f"{ati}\n{cgmm}".upper()
    if "SIM7600" in text or "SIM7500" in text or "A76" in text:
        return SIM7600
    if "SIM800" in text or "SIM900" in text:
        return SIM800
    if any(name in text for name in ("EC25", "EC21", "EC20", "EG25", "EG91", "EG95")):
        return EC25
    return GENERIC
