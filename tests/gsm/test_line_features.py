"""Per-model features: detection, status, DTMF, audio prompts, capabilities and doctor data."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.gsm.doctor import describe, modem_report, probe_modems
from appliance.gsm.errors import FeatureNotSupported
from appliance.gsm.simulator import create_simulator
from appliance.spine.events import CallOffered, DtmfReceived, LineStatus

from .line_harness import Line, fast_settings


async def _answered(line: Line) -> str:
    await line.sim.incoming_call("+358401234567")
    offered = await line.log.wait_for(CallOffered)
    await line.driver.answer(offered.call_id)
    return offered.call_id


async def test_model_is_detected(line: Line, model: str) -> None:
    assert line.driver.profile.key == model
    assert line.driver.identity.imei == line.sim.imei


async def test_line_status_is_published_at_start_and_on_change(line: Line) -> None:
    first = await line.log.wait_for(LineStatus)
    assert first.registered and first.operator == "Elisa" and first.signal == 20
    await line.sim.set_registration(2)
    lost = await line.log.wait_for(LineStatus, lambda e: not e.registered)
    assert lost.line == "gsm0"


async def test_dtmf_is_reported_where_the_model_detects_it(line: Line, model: str) -> None:
    call_id = await _answered(line)
    await line.sim.press_dtmf("7")
    if model == "generic":
        assert line.driver.capabilities.works("dtmf") is None
        return
    event = await line.log.wait_for(DtmfReceived)
    assert (event.digit, event.call_id) == ("7", call_id)


async def test_audio_prompt_plays_to_the_caller_or_says_it_cannot(line: Line, model: str) -> None:
    await _answered(line)
    if model == "generic":
        with pytest.raises(FeatureNotSupported):
            await line.driver.play_prompt("C:/greeting.amr")
        return
    await line.driver.play_prompt("C:/greeting.amr", time_limit=2)
    assert line.driver.capabilities.works("play_prompt") is True


async def test_text_to_speech_where_available(line: Line, model: str) -> None:
    await _answered(line)
    if model in ("generic", "sim800"):
        with pytest.raises(FeatureNotSupported):
            await line.driver.speak("Hetki, yhdistämme puhelunne")
        return
    await line.driver.speak("Hetki, yhdistämme puhelunne", time_limit=2)


async def test_doctor_report(line: Line, model: str) -> None:
    report = modem_report(line.driver)
    assert report["state"] == "up"
    assert report["imei"] == line.sim.imei
    assert report["sim"] == "READY"
    assert report["registration"] == "home"
    assert report["signal_dbm"] == -73
    assert report["generic_mode"] is (model == "generic")
    assert report["features"]["caller_id"] == "yes"
    if model == "generic":
        assert "dtmf" not in report["features"]  # no DTMF detection in plain 27.007
    if model == "sim800":
        assert report["features"]["clcc_urc"] == "yes"


async def test_doctor_probe_of_a_configured_modem(tmp_path: Path) -> None:
    sim = create_simulator("sim7600", tmp_path, "gsm-modem")
    await sim.start()
    try:
        settings = fast_settings(sim.path)
        [report] = await probe_modems([settings])
        assert report["state"] == "up" and report["profile"] == "SIMCom SIM7600"
        line = describe(report)
        assert "IMEI 862636051234567" in line and "-73 dBm" in line
        [absent] = await probe_modems([fast_settings(str(tmp_path / "nothing"))])
        assert absent["state"] == "down" and "does not exist" in describe(absent)
    finally:
        await sim.stop()
