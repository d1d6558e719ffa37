"""Against a real modem, when ASPA_GSM_DEVICE names its AT port (e.g. /dev/ttyUSB2)."""

from __future__ import annotations

import dataclasses
import os

import pytest

from appliance.config.sections.gsm_modems import ModemSettings
from appliance.gsm.doctor import modem_report
from appliance.gsm.driver import ModemDriver
from appliance.gsm.supervisor import ModemSupervisor
from appliance.spine.bus import EventBus

DEVICE = os.environ.get("ASPA_GSM_DEVICE")

pytestmark = [pytest.mark.hardware,
              pytest.mark.skipif(not DEVICE, reason="set ASPA_GSM_DEVICE to a modem's AT port")]


async def test_real_modem_starts_and_reports() -> None:
    assert DEVICE is not None
    settings = dataclasses.replace(ModemSettings(), device=DEVICE,
                                   pin=os.environ.get("ASPA_GSM_PIN", ""))
    bus = EventBus()
    bus.start()
    supervisor = ModemSupervisor(ModemDriver(settings, bus))
    try:
        assert await supervisor.connect(), supervisor.detail
        report = modem_report(supervisor.driver, supervisor)
        assert report["imei"]
        assert report["sim"] == "READY"
    finally:
        await supervisor.close()
        await bus.stop()
