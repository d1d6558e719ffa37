"""What `aspa doctor` shows per modem: identity, SIM, network and the call features that work."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from appliance.config.sections.gsm_modems import ModemSettings
from appliance.doctor.registry import Finding, Status, doctor_check
from appliance.spine.bus import EventBus

from .driver import ModemDriver
from .errors import ModemError
from .supervisor import ModemSupervisor
from .voice_readiness import VoiceReadiness

if TYPE_CHECKING:
    from appliance.config.aspa_toml import Config


def signal_dbm(rssi: int | None) -> int | None:
    """+CSQ <rssi> as dBm (TS 27.007 §8.5: 0 = -113 dBm or less, 31 = -51 dBm or more)."""
    return None if rssi is None else -113 + 2 * rssi


def modem_report(driver: ModemDriver, supervisor: ModemSupervisor | None = None,
                 voice: VoiceReadiness | None = None) -> dict[str, Any]:
    """One modem's facts, as found at run time."""
    radio = driver.radio
    state = supervisor.state if supervisor is not None else (
        "up" if driver.channel is not None and driver.channel.is_open else "down")
    return {
        "line": driver.line,
        "device": driver.settings.device,
        "state": state,
        "problem": supervisor.detail if supervisor is not None and state != "up" else "",
        "model": driver.identity.model or "unknown",
        "profile": driver.profile.label,
        "generic_mode": driver.profile.key == "generic",
        "manufacturer": driver.identity.manufacturer,
        "firmware": driver.identity.firmware,
        "imei": driver.identity.imei,
        "sim": radio.sim,
        "operator": radio.operator,
        "registration": radio.registration,
        "signal_rssi": radio.signal,
        "signal_dbm": signal_dbm(radio.signal),
        "features": driver.capabilities.as_dict(),
        "voice": voice.detail if voice is not None else "",
        "voice_ok": voice.can_carry_voice if voice is not None else None,
    }


def doctor_report(lines: Iterable[ModemSupervisor]) -> list[dict[str, Any]]:
    """The report for every supervised modem."""
    return [modem_report(s.driver, s) for s in lines]


def describe(report: dict[str, Any]) -> str:
    """One line for the doctor's table."""
    if report["state"] != "up":
        return f"{report['line']} ({report['device']}): {report['state']}: {report['problem']}"
    signal = f"{report['signal_dbm']} dBm" if report["signal_dbm"] is not None else "unknown"
    working = [name for name, value in report["features"].items() if value == "yes"]
    refused = [name for name, value in report["features"].items() if value != "yes"]
    mode = ", generic mode" if report["generic_mode"] else ""
    return (f"{report['line']}: {report['profile']}{mode} ({report['model']}, firmware "
            f"{report['firmware']}, IMEI {report['imei']}); SIM {report['sim']}; "
            f"{report['operator'] or 'no operator'} ({report['registration']}), signal {signal}; "
            f"works: {', '.join(working) or 'nothing tried'}"
            + (f"; refused: {', '.join(refused)}" if refused else "")
            + (f"; voice: {report['voice']}" if report.get("voice") else ""))


async def probe_modems(modems: Iterable[ModemSettings]) -> list[dict[str, Any]]:
    """Open each modem once, run its start-up, and report (the port is closed afterwards)."""
    reports = []
    for settings in modems:
        bus = EventBus()
        supervisor = ModemSupervisor(ModemDriver(settings, bus))
        try:
            await supervisor.connect()
            voice = None
            if supervisor.state == "up":
                try:
                    voice = await supervisor.driver.voice_readiness()
                except ModemError:
                    voice = None
            reports.append(modem_report(supervisor.driver, supervisor, voice))
        finally:
            await supervisor.close()
    return reports


def _status(report: dict[str, Any]) -> Status:
    if report["state"] != "up":
        return "fail"
    if report["registration"] not in ("home", "roaming") or report["generic_mode"]:
        return "warn"
    if report.get("voice_ok") is not True and report.get("voice"):
        return "warn"  # registered, but a call may not get through (LTE without VoLTE)
    return "ok"


@doctor_check("gsm")
def modems(config: Config) -> list[Finding]:
    """Each configured modem: can it be opened, what is it, is it on the network."""
    if not config.gsm.enabled:
        return [Finding("gsm", "off", "gsm is not enabled")]
    reports = asyncio.run(probe_modems(config.gsm.modems))
    # a port held by the running daemon cannot be probed a second time; say so plainly
    return [Finding("gsm", _status(r), describe(r).replace(
        "Resource temporarily unavailable", "in use (is `aspa run` holding it?)"))
        for r in reports]
