"""How each modem model carries a call's audio to the host, and how prompt files get onto it.

Sources, per command (the manual's section is the command's own entry;
where a fact comes only from peers that drive these modules, it says so):

- SIMCom SIM7500/SIM7600 Series AT Command Manual (V1.10 / V2.00), audio
  commands, AT+CPCMREG: `AT+CPCMREG=1` starts the voice PCM on the module's
  dedicated USB audio serial port (interface 4/5, the fifth ttyUSB), 8 kHz
  16-bit mono, 320 bytes per 20 ms; `AT+CPCMREG=0` stops it. It is accepted
  only while a call is connected (peers: chan_quectel's SIMCom mode, and
  users who found `AT+CPCMREG=1` right after ATA/ATD refused).
  `AT+CPCMFRM=1` (16 kHz) exists only on some firmwares: not used.
- Quectel EC2x AT Commands Manual / "Voice over USB and UAC Application
  Note": `AT+QPCMV=1,0` voice over the USB serial port (the NMEA port),
  `AT+QPCMV=1,2` over USB Audio Class (needs the UAC function enabled in
  `AT+QCFG="USBCFG"` and a module reset; the card is opened through ALSA by
  uac_voice_port.py), `AT+QPCMV=0` off; 8 kHz 16-bit mono. Which ttyUSB the
  serial mode uses is from chan_quectel, not checked against the application
  note here.
- SIMCom SIM800 Series AT Command Manual, file system commands
  (AT+FSCREATE, AT+FSWRITE with its `>` prompt, at most 10240 bytes per
  write, mode 1 appends) and AT+CREC=4 (play an AMR file to the far end):
  the SIM800 has no host PCM, so its prompts are files on its flash.
- SIM7500/SIM7600 manual, file system: AT+CFTRANRX (send a file to the
  module's storage after a `>` prompt); played with AT+CCMXPLAY.
- Quectel EC2x FILE AT Commands Manual: AT+QFUPL (upload after CONNECT,
  answered by `+QFUPL: <size>,<checksum>`), AT+QFDEL; played with QPSND.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from appliance.media.pcm import NARROW_BAND, PcmFormat

PortKind = Literal["serial", "uac"]


@dataclass(frozen=True, slots=True)
class VoiceSpec:
    """A model's host audio: the commands that route it and the port it appears on."""

    start: str
    stop: str
    kind: PortKind
    fmt: PcmFormat = NARROW_BAND
    needs_active_call: bool = True
    frame_bytes: int = 320  # 20 ms at 8 kHz, s16le


@dataclass(frozen=True, slots=True)
class UploadSpec:
    """How a prompt file is put on the module's storage, and the path its play command takes."""

    kind: Literal["fswrite", "cftranrx", "qfupl"]
    path_template: str  # format with {name}
    audio_format: Literal["amr", "wav"]
    chunk_bytes: int  # largest write the command takes at once


SIM7600_VOICE = VoiceSpec(start="AT+CPCMREG=1", stop="AT+CPCMREG=0", kind="serial")
EC25_SERIAL_VOICE = VoiceSpec(start="AT+QPCMV=1,0", stop="AT+QPCMV=0", kind="serial")
EC25_UAC_VOICE = VoiceSpec(start="AT+QPCMV=1,2", stop="AT+QPCMV=0", kind="uac")

SIM800_UPLOAD = UploadSpec("fswrite", "C:\\User\\{name}", "amr", 10240)
SIM7600_UPLOAD = UploadSpec("cftranrx", "c:/{name}", "amr", 1_000_000)
EC25_UPLOAD = UploadSpec("qfupl", "UFS:{name}", "wav", 1_000_000)
