"""The desks in `aspa demo`: a button on mock pins and a simulated Pico W desk unit.

Anna's desk is wired to the box (gpiozero's mock pins); Bengt has a desk unit,
simulated here by an MQTT client that behaves like the firmware, on a private
Mosquitto broker with Aspa's own ACL. Every few seconds one of them presses
their button; the log shows the presence change and what each desk's LED shows.
Without the mosquitto program the demo keeps the wired desk only.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import pwd
import secrets
import shutil
import socket
import subprocess
from pathlib import Path

import paho.mqtt.client as mqtt
from gpiozero import Device
from gpiozero.pins.mock import MockFactory
from paho.mqtt.enums import CallbackAPIVersion

from appliance.config.aspa_toml import Config
from appliance.config.sections.desk_units import DeskUnitSettings
from appliance.config.sections.gpio import DeskPinSettings
from appliance.desk.broker_files import BOX_USER, acl_lines
from appliance.desk.topics import BUTTON, STATE, STATUS, box_prefix, unit_topic
from appliance.gpio.desk_light import light_for
from appliance.ports.adapter import AdapterHealth
from appliance.presence.effective_state import effective_state
from appliance.spine.bus import EventBus, Subscription
from appliance.spine.events import Event, PresenceChanged

log = logging.getLogger("aspa.demo.desk")

WIRED_AGENT, WIRED_PINS = "anna", (17, 27, 22)  # button, green, red: hardware/pin-map.md desk 1
UNIT_ID, UNIT_AGENT = "desk-bengt", "bengt"
EVERY_S = 6.0
BROKER_START_S = 5.0


class DemoBroker:
    """A private Mosquitto on a free loopback port with Aspa's ACL and the demo's accounts."""

    def __init__(self, folder: Path, accounts: dict[str, str], box_name: str,
                 topic_prefix: str) -> None:
        self.folder = folder
        self.accounts = accounts
        self.acl = acl_lines(box_name, topic_prefix)
        self.port = 0
        self._process: asyncio.subprocess.Process | None = None

    @staticmethod
    def available() -> bool:
        return all(shutil.which(program) for program in ("mosquitto", "mosquitto_passwd"))

    async def start(self) -> None:
        """Write the files, start mosquitto and wait until it accepts connections."""
        self.folder.mkdir(parents=True, exist_ok=True)
        passwd = self.folder / "passwd"
        passwd.write_text("".join(f"{user}:{word}\n" for user, word in self.accounts.items()))
        await asyncio.to_thread(subprocess.run, ["mosquitto_passwd", "-U", str(passwd)],
                                check=True, capture_output=True)
        (self.folder / "acl").write_text("".join(f"{line}\n" for line in self.acl))
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        conf = self.folder / "mosquitto.conf"
        conf.write_text(
            f"per_listener_settings false\nlistener {self.port} 127.0.0.1\n"
            f"allow_anonymous false\npassword_file {passwd}\nacl_file {self.folder / 'acl'}\n"
            f"persistence false\nuser {pwd.getpwuid(os.geteuid()).pw_name}\n")
        self._process = await asyncio.create_subprocess_exec(
            "mosquitto", "-c", str(conf), stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL)
        async with asyncio.timeout(BROKER_START_S):
            while True:
                with contextlib.suppress(OSError):
                    _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                    writer.close()
                    return
                await asyncio.sleep(0.05)

    async def stop(self) -> None:
        """Stop the broker (after the daemon, so that nobody loses it midway)."""
        if self._process is not None:
            self._process.terminate()
            await self._process.wait()
            self._process = None


class SimulatedDeskUnit:
    """What a Pico W desk unit does on MQTT: status with a last will, press, read its state."""

    def __init__(self, host: str, port: int, prefix: str, unit: str, password: str) -> None:
        self.unit = unit
        self._button = unit_topic(prefix, unit, BUTTON)
        self._status = unit_topic(prefix, unit, STATUS)
        self._state = unit_topic(prefix, unit, STATE)
        self.state: str | None = None
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=unit)
        self.client.username_pw_set(unit, password)
        self.client.will_set(self._status, "offline", qos=1, retain=True)
        self.client.on_connect = self._connected
        self.client.on_message = self._message
        self._host, self._port = host, port

    def start(self) -> None:
        self.client.connect(self._host, self._port, 30)
        self.client.loop_start()

    def _connected(self, client: mqtt.Client, userdata: object, flags: object, code: object,
                   properties: object) -> None:
        client.publish(self._status, "online", qos=1, retain=True)
        client.subscribe(self._state, qos=1)

    def _message(self, client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        self.state = message.payload.decode(errors="replace")
        log.info("desk unit %s: state %s, its LED shows %s", self.unit, self.state,
                 light_for(self.state).name.lower())

    def press(self) -> None:
        self.client.publish(self._button, "press", qos=1)

    def stop(self) -> None:
        self.client.publish(self._status, "offline", qos=1, retain=True)
        self.client.disconnect()
        self.client.loop_stop()


class DeskDemo:
    """An adapter that presses the demo's buttons now and then and logs the desks' LEDs."""

    def __init__(self, factory: MockFactory, *,
                 unit: SimulatedDeskUnit | None = None, every_s: float = EVERY_S) -> None:
        self._factory = factory
        self._bus: EventBus | None = None
        self._unit = unit
        self._every_s = every_s
        self._task: asyncio.Task[None] | None = None
        self._subscription: Subscription | None = None
        self.presses = 0

    @property
    def name(self) -> str:
        return "desk-demo"

    def attach(self, bus: EventBus) -> None:
        """Log the LEDs on every presence change on `bus` (the daemon's)."""
        self._bus = bus

    async def start(self) -> None:
        if self._bus is not None:
            self._subscription = self._bus.subscribe("desk-demo", self._log_led, (PresenceChanged,))
        if self._unit is not None:
            await asyncio.to_thread(self._unit.start)
        self._task = asyncio.create_task(self._press_now_and_then(), name="desk-demo")

    def _log_led(self, event: Event) -> None:
        if isinstance(event, PresenceChanged):
            light = light_for(effective_state(event.presence, event.activity))
            log.info("agent %s is %s/%s (by %s): their desk LED turns %s", event.agent_id,
                     event.presence, event.activity, event.source, light.name.lower())

    async def _press_now_and_then(self) -> None:
        button, green, red = (self._factory.pin(p) for p in WIRED_PINS)
        while True:
            await asyncio.sleep(self._every_s)
            log.info("%s's mock LED pins: green %s, red %s", WIRED_AGENT,
                     "on" if green.state else "off", "on" if red.state else "off")
            if self._unit is not None and self.presses % 2:
                log.info("desk unit %s: the button is pressed", UNIT_ID)
                self._unit.press()
            else:
                log.info("%s presses the button on her desk (mock pin GPIO%d)", WIRED_AGENT,
                         WIRED_PINS[0])
                button.drive_low()
                button.drive_high()
            self.presses += 1

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._subscription is not None and self._bus is not None:
            self._bus.unsubscribe(self._subscription)
            self._subscription = None
        if self._unit is not None:
            await asyncio.to_thread(self._unit.stop)

    def health(self) -> AdapterHealth:
        unit = "with" if self._unit is not None else "without"
        return AdapterHealth(True, f"{self.presses} presses, {unit} a simulated desk unit")


async def with_demo_desks(config: Config, folder: Path) -> tuple[Config, MockFactory,
                                                                   DemoBroker | None]:
    """`config` with Anna's desk on mock pins and, when Mosquitto is here, Bengt's desk unit."""
    factory = MockFactory()
    Device.pin_factory = factory  # gpio.pin_factory "mock" then takes these very pins
    button, green, red = WIRED_PINS
    gpio = dataclasses.replace(config.gpio, enabled=True, pin_factory="mock", bounce_ms=0,
                               desks=[DeskPinSettings(agent=WIRED_AGENT, button_pin=button,
                                                      green_pin=green, red_pin=red)])
    config = dataclasses.replace(config, gpio=gpio)
    if not DemoBroker.available():
        log.warning("desk demo: no mosquitto here, so no simulated desk unit")
        return config, factory, None
    box_password, unit_password = secrets.token_urlsafe(12), secrets.token_urlsafe(12)
    broker = DemoBroker(folder / "mosquitto", {BOX_USER: box_password, UNIT_ID: unit_password},
                        config.box.name, config.mqtt.topic_prefix)
    await broker.start()
    mqtt_settings = dataclasses.replace(config.mqtt, enabled=True, host="127.0.0.1",
                                        port=broker.port, username=BOX_USER,
                                        password=box_password, tls=False)
    unit = DeskUnitSettings(id=UNIT_ID, agent=UNIT_AGENT, password=unit_password)
    return dataclasses.replace(config, mqtt=mqtt_settings, desk_units=[unit]), factory, broker


def demo_desk_adapter(config: Config, factory: MockFactory, broker: DemoBroker | None,
                      every_s: float = EVERY_S) -> DeskDemo:
    """The adapter that plays the desks, for `Daemon(..., adapters=[...])`; then attach the bus."""
    unit = None
    if broker is not None:
        password = config.desk_units[0].password
        unit = SimulatedDeskUnit("127.0.0.1", broker.port,
                                 box_prefix(config.mqtt.topic_prefix, config.box.name),
                                 UNIT_ID, password)
    return DeskDemo(factory, unit=unit, every_s=every_s)
