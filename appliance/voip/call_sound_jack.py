"""Opening one SIP call's sound through the box: baresip's jack source and player, joined.

baresip 1.0's jack module ignores the device name and opens a JACK client
per source and per player, named `baresip`, `baresip-01`, ... by the server
(jack_src.c, jack_play.c: `jack_client_open("baresip", JackNullOption)`),
with ports `input_1` (what the caller hears) and `output_1` (what the caller
says). Which client is this call's is told by what appears while this call's
`ausrc`/`auplay` switch runs; the line runs one such switch at a time.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import TYPE_CHECKING, Final, Protocol

from appliance.media.voice_port import VoicePortError
from appliance.voip.errors import VoipError
from appliance.voip.sip_calls import SipCall

if TYPE_CHECKING:
    from appliance.media.call_audio import CallAudio
    from appliance.media.media_engine import MediaEngine
    from appliance.voip.jack_voice_port import JackVoicePort

JACK_DEVICE: Final = "jack,aspa"  # the menu wants `module,device`; jack ignores the device
BARESIP_CLIENT: Final = "baresip"
_ports = itertools.count(1)


class AudioSwitcher(Protocol):
    """The line's part that switches a call's audio source or player."""

    @property
    def name(self) -> str: ...

    async def switch_audio(self, call: SipCall, command: str, device: str) -> None: ...


class CallSoundError(VoipError):
    """The call's sound could not be carried through the box."""


def baresip_ports(port: JackVoicePort) -> set[tuple[str, bool]]:
    """(name, is_input) of every audio port baresip has on the server right now."""
    return {(p.name, p.is_input)
            for p in port.client.get_ports(f"^{BARESIP_CLIENT}", is_audio=True)}


async def call_sound_through_jack(line: AudioSwitcher, call: SipCall, engine: MediaEngine,
                                  server: str) -> CallAudio:
    """Switch the call to jack, join the box's client to its ports, start its audio thread.

    Keys stay on in-band detection too: the line hands its RFC 4733 events to the
    call's audio (CallAudio.line_key), which counts a key sent both ways once.
    """
    from appliance.voip.jack_voice_port import JackVoicePort

    label = f"{line.name}:{call.call_id}"
    try:
        port = await asyncio.to_thread(JackVoicePort, server, f"aspa-{next(_ports)}",
                                       name=label)
    except VoicePortError as error:
        raise CallSoundError(f"{line.name}: {error}") from error
    try:
        before = await asyncio.to_thread(baresip_ports, port)
        await line.switch_audio(call, "ausrc", JACK_DEVICE)
        await line.switch_audio(call, "auplay", JACK_DEVICE)
        new = await asyncio.to_thread(baresip_ports, port) - before
        sources = [name for name, is_input in new if is_input]
        players = [name for name, is_input in new if not is_input]
        if len(sources) != 1 or len(players) != 1:
            raise CallSoundError(f"{label}: baresip's jack ports did not appear as one source "
                                 f"and one player ({sorted(n for n, _ in new)})")
        await asyncio.to_thread(port.connect, players[0], sources[0])
    except (VoipError, VoicePortError) as error:
        port.close()
        raise CallSoundError(f"{label}: {error}") from error
    return engine.open(label, port)
