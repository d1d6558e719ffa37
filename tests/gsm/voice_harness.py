"""A simulated call with its audio through the box: the driver answers, the media engine plays."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from appliance.gsm.serial_voice_port import SerialVoicePort
from appliance.media.call_audio import CallAudio
from appliance.media.media_engine import MediaEngine
from appliance.spine.events import CallOffered

from .line_harness import Line, close_line, open_line

VOICE_MODELS = ("sim7600", "ec25")


@dataclass
class VoiceCall:
    """A line with an answered call whose audio runs through the engine."""

    line: Line
    audio: CallAudio
    call_id: str

    @property
    def caller(self):  # type: ignore[no-untyped-def]
        return self.line.sim.caller


async def answered_call(tmp_path: Path, model: str, engine: MediaEngine,
                        name: str = "gsm0") -> VoiceCall:
    """A caller rings `model`, the driver answers and routes the voice to the engine."""
    tmp_path.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - a test folder
    line = await open_line(tmp_path, model)
    await line.sim.incoming_call("+358401234567")
    offered = await line.log.wait_for(CallOffered)
    await line.driver.answer(offered.call_id)
    spec = await line.driver.start_voice()
    port = SerialVoicePort(line.sim.voice_path, spec.fmt, name=name)
    audio = engine.open(name, port, detect_keys=True)
    return VoiceCall(line, audio, offered.call_id)


async def hang_up(call: VoiceCall, engine: MediaEngine) -> None:
    await engine.close(call.audio.name)
    await call.line.driver.stop_voice()
    await close_line(call.line)
