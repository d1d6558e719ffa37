"""Prompt uploads over AT, the PIN guard across restarts, voice readiness, standard commands."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import pytest

from appliance.gsm.at_channel import AtChannel
from appliance.gsm.driver import ModemDriver
from appliance.gsm.errors import FeatureNotSupported, PinRejected
from appliance.gsm.line import GsmLine
from appliance.gsm.pin_guard import PinMemory
from appliance.gsm.simulator import create_simulator
from appliance.gsm.transport import open_port
from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.spine.events import CallOffered

from .line_harness import close_line, fast_settings, open_line


def amr_prompt(tmp_path: Path) -> bytes:
    """A prompt as the SIM800 plays it: AMR-NB made by sox from a tone."""
    if shutil.which("sox") is None:
        pytest.skip("sox is missing: apt-get install sox libsox-fmt-all")
    target = tmp_path / "greeting.amr"
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-t", "amr-nb", str(target), "synth",
                    "1", "sine", "440"], check=True)
    return target.read_bytes()


@pytest.mark.parametrize("model", ["sim800", "sim7600", "ec25"])
async def test_a_prompt_file_is_uploaded_over_at_and_played(tmp_path: Path, model: str) -> None:
    data = amr_prompt(tmp_path) * 12  # over 10 KB: the SIM800 takes it in two writes
    name = "greeting.amr" if model != "ec25" else "greeting.wav"
    line = await open_line(tmp_path, model)
    try:
        path = await line.driver.upload_file(name, data)
        assert line.sim.files[path] == data
        await line.sim.incoming_call("+358401234567")
        offered = await line.log.wait_for(CallOffered)
        await line.driver.answer(offered.call_id)
        await line.driver.play_prompt(path, time_limit=5)
        assert line.sim.played == [path]
        again = await line.driver.upload_file(name, data[:100])  # replacing it works too
        assert line.sim.files[again] == data[:100]
    finally:
        await close_line(line)


async def test_unsafe_upload_names_are_refused(tmp_path: Path) -> None:
    line = await open_line(tmp_path, "sim800")
    try:
        with pytest.raises(ValueError, match="safe file name"):
            await line.driver.upload_file('x",0\r\nATH.amr', b"123")
    finally:
        await close_line(line)


async def test_voice_port_is_refused_before_the_call_is_connected(tmp_path: Path) -> None:
    line = await open_line(tmp_path, "sim7600")
    try:
        with pytest.raises(FeatureNotSupported, match="refused the voice port"):
            await line.driver.start_voice()
        assert line.driver.capabilities.works("voice_port") is False
    finally:
        await close_line(line)


async def test_sim800_has_no_host_voice(tmp_path: Path) -> None:
    line = await open_line(tmp_path, "sim800")
    try:
        with pytest.raises(FeatureNotSupported, match="no call audio"):
            await line.driver.start_voice()
    finally:
        await close_line(line)


async def start_driver(sim_path: str, pin: str, memory: PinMemory) -> tuple[ModemDriver,
                                                                          AtChannel]:
    reader, writer = await open_port(sim_path)
    channel = AtChannel(reader, writer, name="gsm0", default_timeout=2.0,
                        busy_backoff=(0.0, 0.0, 0.0))
    driver = ModemDriver(fast_settings(sim_path, pin=pin), EventBus(), pin_memory=memory)
    return driver, channel


@pytest.mark.parametrize(("model", "query"), [("sim7600", "AT+SPIC"), ("sim800", "AT+SPIC"),
                                              ("ec25", 'AT+QPINC="SC"')])
async def test_a_refused_pin_is_never_sent_again_even_after_a_restart(
        tmp_path: Path, model: str, query: str) -> None:
    sim = create_simulator(model, tmp_path, "gsm-modem")
    path = await sim.start()
    sim.lock_sim("1234")
    memory_file = tmp_path / "state" / "sim-pin.json"
    try:
        driver, channel = await start_driver(path, "9999", PinMemory(memory_file))
        with pytest.raises(PinRejected):
            await driver.attach(channel)
        assert query in sim.received  # the tries were asked with the model's own command
        assert sim.pin_tries == 2
        driver.detach("test")
        await channel.close()
        sent = len([c for c in sim.received if c.startswith("AT+CPIN=")])
        # the box restarts: a new driver, the memory read back from its file
        driver, channel = await start_driver(path, "9999", PinMemory(memory_file))
        with pytest.raises(PinRejected):
            await driver.attach(channel)
        assert len([c for c in sim.received if c.startswith("AT+CPIN=")]) == sent
        assert sim.pin_tries == 2
        driver.detach("test")
        await channel.close()
    finally:
        await sim.stop()


async def test_fewer_than_three_tries_left_means_no_try(tmp_path: Path) -> None:
    sim = create_simulator("ec25", tmp_path, "gsm-modem")
    path = await sim.start()
    sim.lock_sim("1234", tries=2)  # someone already tried once, perhaps in a phone
    try:
        driver, channel = await start_driver(path, "1234", PinMemory())
        with pytest.raises(PinRejected, match="2 PIN tries left"):
            await driver.attach(channel)
        assert not any(c.startswith("AT+CPIN=") for c in sim.received)
        driver.detach("test")
        await channel.close()
    finally:
        await sim.stop()


async def test_a_try_cut_short_by_a_crash_counts_as_refused(tmp_path: Path) -> None:
    memory = PinMemory(tmp_path / "pin.json")
    memory.attempting("gsm0", "1234")  # written just before AT+CPIN; then the power went
    reloaded = PinMemory(tmp_path / "pin.json")
    assert "under way" in (reloaded.refusal("gsm0", "1234") or "")
    reloaded.clear("gsm0")
    assert PinMemory(tmp_path / "pin.json").refusal("gsm0", "1234") is None


async def test_an_unreadable_memory_does_not_fail_open(tmp_path: Path) -> None:
    broken = tmp_path / "pin.json"
    broken.write_text("{not json")
    assert PinMemory(broken).refusal("gsm0", "1234") is not None


async def test_the_right_pin_unlocks_and_clears_the_memory(tmp_path: Path) -> None:
    sim = create_simulator("sim7600", tmp_path, "gsm-modem")
    path = await sim.start()
    sim.lock_sim("1234")
    memory = PinMemory(tmp_path / "pin.json")
    try:
        driver, channel = await start_driver(path, "1234", memory)
        await driver.attach(channel)
        assert sim.cpin == "READY" and memory.refusal("gsm0", "1234") is None
        driver.detach("test")
        await channel.close()
    finally:
        await sim.stop()


async def test_voice_readiness_on_each_network(tmp_path: Path) -> None:
    lte = await open_line(tmp_path, "ec25")
    try:
        readiness = await lte.driver.voice_readiness()
        assert readiness.can_carry_voice is None and "VoLTE" in readiness.detail
        assert await lte.driver.enable_volte() and lte.sim.ims_setting == 1
        lte.sim.ims_registered = True
        readiness = await lte.driver.voice_readiness()
        assert readiness.can_carry_voice and readiness.bearer == "VoLTE"
        await lte.sim.set_registration(2)
        await lte.driver.refresh_status()
        assert (await lte.driver.voice_readiness()).can_carry_voice is False
    finally:
        await close_line(lte)
    (tmp_path / "2g").mkdir()
    gsm = await open_line(tmp_path / "2g", "sim800")
    try:
        readiness = await gsm.driver.voice_readiness()
        assert readiness.can_carry_voice and readiness.bearer == "2G/3G circuit-switched"
    finally:
        await close_line(gsm)


async def exchange(path: str, command: bytes) -> bytes:
    reader, writer = await open_port(path)
    try:
        writer.write(command)
        data = b""
        async with asyncio.timeout(3):
            while not data.rstrip().endswith((b"OK", b"ERROR")):
                data += await reader.read(4096)
        return data
    finally:
        writer.close()
        await writer.wait_closed()


@pytest.mark.parametrize("model", ["sim7600", "sim800", "ec25", "generic"])
async def test_a_third_party_client_gets_the_standard_answers(tmp_path: Path,
                                                              model: str) -> None:
    sim = create_simulator(model, tmp_path)
    path = await sim.start()
    try:
        assert b'+CSCA: "+358405202000",145' in await exchange(path, b"AT+CSCA?\r")
        assert b'+CSCS: ("IRA","GSM","UCS2")' in await exchange(path, b"AT+CSCS=?\r")
        assert b"244051234567890" in await exchange(path, b"AT+CIMI\r")
        assert b'+CNUM: "","+358401111111",145' in await exchange(path, b"AT+CNUM\r")
        listing = await exchange(path, b"AT+CLAC\r")
        assert b"AT+CLCC\r\n" in listing and b"AT+CMGS\r\n" in listing
        assert b"+CPINR: SIM PIN,3,3" in await exchange(path, b'AT+CPINR="SIM PIN"\r')
        # an unbalanced quote, a parameter that is no number: ERROR, and the modem lives on
        assert (await exchange(path, b'AT+CPIN="12\r')).endswith(b"ERROR\r\n")
        assert (await exchange(path, b"AT+CREG=x\r")).endswith(b"ERROR\r\n")
        assert b"+CSQ: 20,99" in await exchange(path, b"AT+CSQ\r")
    finally:
        await sim.stop()


async def test_doctor_says_whether_the_line_can_carry_voice(tmp_path: Path) -> None:
    from appliance.gsm.doctor import describe, probe_modems

    sim = create_simulator("sim7600", tmp_path, "gsm-modem")
    path = await sim.start()
    try:
        (report,) = await probe_modems([fast_settings(path)])
        assert report["voice_ok"] is None
        assert "VoLTE" in describe(report) and "voice:" in describe(report)
    finally:
        await sim.stop()


async def test_the_line_says_whether_its_network_can_carry_a_call(tmp_path: Path) -> None:
    """What the setup page and doctor show as the line's health, judged again only when the
    network or its technology changes (one IMS question, not one per check)."""
    sim = create_simulator("sim7600", tmp_path, "gsm-modem", ring_interval=None)
    await sim.start()
    bus = EventBus()
    bus.start()
    line = GsmLine.for_modem(fast_settings(sim.path), bus, ManualClock())
    try:
        await line.start()
        health = line.health()
        assert health.ok and "LTE only" in health.detail and "ask the operator" in health.detail
        asked = sim.received.count("AT+CIREG?")
        await line.driver.refresh_status()
        assert sim.received.count("AT+CIREG?") == asked  # nothing changed: not asked again
        sim.ims_registered = True
        await sim.set_registration(5)  # roaming on another network: judged again
        await line.driver.refresh_status()
        assert line.health().ok and "calls use VoLTE" in line.health().detail
        await sim.set_registration(3)  # registration denied
        await line.driver.refresh_status()
        health = line.health()
        assert not health.ok and "not registered to a network: no calls" in health.detail
    finally:
        await line.stop()
        await sim.stop()
        await bus.stop()
