"""Pico W desk unit: wires the hardware to desk_unit.DeskUnit. Runs at boot."""

import time

import machine
import network
from desk_config import parse_config
from desk_unit import KEEPALIVE_S, DeskUnit
from umqtt.simple import MQTTClient

WATCHDOG_MS = 8000  # RP2040's watchdog allows at most 8.3 s
LOOP_MS = 5
PWM_HZ = 1000

with open("config.json") as f:
    config = parse_config(f.read())

wlan = network.WLAN(network.STA_IF)
wlan.active(True)
wlan.connect(config["wifi_ssid"], config["wifi_password"])

button = machine.Pin(config["button_pin"], machine.Pin.IN, machine.Pin.PULL_UP)
leds = []
for key in ("red_pin", "green_pin", "blue_pin"):
    pwm = machine.PWM(machine.Pin(config[key]))
    pwm.freq(PWM_HZ)
    leds.append(pwm)
full = int(65535 * config["brightness"])


def show(colour):
    for pwm, on in zip(leds, colour):
        pwm.duty_u16(full if on else 0)


buzz = None
if config["buzzer_pin"] is not None:
    buzzer = machine.Pin(config["buzzer_pin"], machine.Pin.OUT, value=0)

    def buzz(on):
        buzzer.value(1 if on else 0)


def make_client():
    return MQTTClient(config["unit"], config["broker"], port=config["port"],
                      user=config["unit"], password=config["password"], keepalive=KEEPALIVE_S)


unit = DeskUnit(config, make_client, show, buzz)
watchdog = machine.WDT(timeout=WATCHDOG_MS)
last_wifi_try = time.ticks_ms()
while True:
    now = time.ticks_ms()
    up = wlan.isconnected()
    if not up and time.ticks_diff(now, last_wifi_try) > 10000:
        wlan.connect(config["wifi_ssid"], config["wifi_password"])
        last_wifi_try = now
    unit.step(now, button.value() == 0, up)  # pressed pulls the pin to ground
    watchdog.feed()
    time.sleep_ms(LOOP_MS)
