"""A SIM800 gets its announcements over AT: spoken by the box, encoded, uploaded, then played."""

from __future__ import annotations

from pathlib import Path

from appliance.config.sections.call_speech import CallSpeechSettings
from appliance.presence import call_started
from appliance.queue.call_commands import Prompt

from .exchange_harness import CALLER, SPEECH_CACHE, quick_group, start_exchange, stop_exchange


async def test_the_announcements_are_put_on_the_modem_and_the_greeting_plays(
        tmp_path: Path) -> None:
    from appliance.calls.modem_prompts import ModemPrompts

    exchange = await start_exchange(tmp_path, model="sim800", group=quick_group(max_wait_s=30))
    try:
        line = exchange.line
        assert line.capabilities.prompt_files == "amr" and not line.capabilities.has_audio
        prompts = ModemPrompts(CallSpeechSettings(), "fi", SPEECH_CACHE)
        await prompts.upload(line)
        stored = exchange.sim.files
        assert sorted(stored) == sorted(line.prompts[p] for p in
                                        (Prompt.GREETING, Prompt.CLOSED, Prompt.CALLBACK))
        assert all(data.startswith(b"#!AMR\n") for data in stored.values())  # RFC 4867 §5
        assert any(c.startswith("AT+FSCREATE") for c in exchange.traffic())
        for agent in (1, 2, 3):
            exchange.set_agent(agent, call_started)  # nobody free: the caller is greeted
        await exchange.sim.incoming_call(CALLER)
        await exchange.wait_command("AT+CREC=4", within=10)
        assert line.prompts[Prompt.GREETING] in exchange.sim.played
    finally:
        await stop_exchange(exchange)


async def test_an_office_file_for_a_prompt_is_kept(tmp_path: Path) -> None:
    from appliance.calls.modem_prompts import ModemPrompts

    exchange = await start_exchange(tmp_path, model="sim800",
                                    prompts={Prompt.GREETING: "C:\\User\\own.amr"})
    try:
        prompts = ModemPrompts(CallSpeechSettings(), "en", SPEECH_CACHE)
        assert prompts.wanted(exchange.line) == [Prompt.CLOSED, Prompt.CALLBACK]
        await prompts.upload(exchange.line)
        assert exchange.line.prompts[Prompt.GREETING] == "C:\\User\\own.amr"
    finally:
        await stop_exchange(exchange)
