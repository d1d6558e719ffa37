# mypy: ignore-errors
# (MicroPython code: it runs under that interpreter too, where typing does not exist, and calls
# the firmware modules, which carry no annotations for the same reason.)
"""Checks of the desk unit's logic that run unchanged under MicroPython and CPython.

Plain functions named check_* with asserts: no pytest, dataclasses or typing,
which MicroPython lacks. tests/firmware/test_firmware_logic.py runs them under
both interpreters.
"""

from backoff import Backoff
from button import ButtonGestures
from desk_config import parse_config
from desk_unit import PING_MS, DeskUnit
from led_pattern import AMBER, BLUE, GREEN, OFF, RED, buzzing_at, colour_at
from protocol import parse_notice, parse_state, topic
from ticks import ticks_add

CONFIG_TEXT = ('{"wifi_ssid": "Toimisto", "wifi_password": "pw", "broker": "10.0.0.2",'
               ' "box": "toimisto", "unit": "desk-anna", "password": "unit-pw"}')


def feed(gestures, level, start, until, every=5):
    """Sample one level every `every` ms from start up to until; the gestures seen."""
    seen = []
    t = start
    while t <= until:
        g = gestures.update(level, t)
        if g is not None:
            seen.append((g, t))
        t += every
    return seen


def check_a_short_press_is_a_press_on_release():
    b = ButtonGestures(hold_ms=2000, debounce_ms=30)
    assert feed(b, False, 0, 100) == []
    assert feed(b, True, 105, 400) == []
    assert feed(b, False, 405, 500) == [("press", 435)]


def check_contact_bounce_is_not_a_press():
    b = ButtonGestures(hold_ms=2000, debounce_ms=30)
    t = 0
    for level in (True, False, True, False, True, False):  # 10 ms chatter
        assert feed(b, level, t, t + 5) == []
        t += 10
    assert feed(b, False, t, t + 200) == []


def check_a_hold_is_a_hold_once_and_its_release_is_not_a_press():
    b = ButtonGestures(hold_ms=2000, debounce_ms=30)
    seen = feed(b, True, 0, 5000)
    assert seen == [("hold", 2000)], seen
    assert feed(b, False, 5005, 5200) == []
    assert feed(b, True, 5205, 5300) == []
    assert feed(b, False, 5305, 5400) == [("press", 5335)]


def check_the_button_survives_the_tick_counter_wrapping():
    b = ButtonGestures(hold_ms=2000, debounce_ms=30)
    start = ticks_add(0, -1000)  # on MicroPython: one second before ticks_ms() wraps
    t = start
    held = None
    for i in range(700):
        g = b.update(True, t)
        if g == "hold":
            held = i * 5
        t = ticks_add(t, 5)
    assert held == 2000, held


def check_led_colours_follow_the_agents_state():
    assert colour_at("available", 0, True) == GREEN
    for state in ("busy", "on_call", "wrap_up"):
        assert colour_at(state, 0, True) == RED
    for state in ("away", "offline", "nonsense"):
        assert colour_at(state, 0, True) == OFF


def check_ringing_blinks_green_at_2_hz():
    assert [colour_at("ringing", t, True) for t in (0, 249, 250, 499, 500)] == \
        [GREEN, GREEN, OFF, OFF, GREEN]


def check_without_the_box_the_led_blinks_blue_slowly():
    assert colour_at("available", 0, False) == BLUE
    assert colour_at("available", 1000, False) == OFF
    assert colour_at(None, 2000, True) == BLUE  # linked, but no state from the box yet


def check_the_buzzer_beeps_only_while_ringing():
    assert buzzing_at("ringing", 0) and buzzing_at("ringing", 1500)
    assert not buzzing_at("ringing", 200)
    assert not buzzing_at("available", 0)


def check_backoff_doubles_up_to_a_minute_and_resets():
    b = Backoff()
    assert [b.failed() for _ in range(8)] == [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]
    b.succeeded()
    assert b.failed() == 1000 and b.failures == 1


def check_backoff_jitter_is_added():
    b = Backoff(jitter=lambda spread: spread)
    assert b.failed() == 1250


def check_topics_and_state_payloads():
    assert topic("toimisto", "desk-anna", "button") == b"aspa/toimisto/desk/desk-anna/button"
    for state in ("available", "busy", "away", "offline", "ringing", "on_call", "wrap_up"):
        assert parse_state(state.encode()) == state
    for bad in (b"", b"Busy", b"busy\n", b"\xff\xfe", b"available" * 2):
        assert parse_state(bad) is None


def check_config_defaults_and_refusals():
    config = parse_config(CONFIG_TEXT)
    assert config["unit"] == "desk-anna" and config["port"] == 1883
    assert config["buzzer_pin"] is None and config["hold_ms"] == 2000
    for text, key in (("[]", "one JSON object"), ("{", "JSON"),
                      (CONFIG_TEXT.replace('"unit": "desk-anna", ', ""), "unit"),
                      (CONFIG_TEXT.replace("desk-anna", "Desk Anna"), "unit"),
                      (CONFIG_TEXT[:-1] + ', "port": "1883"}', "port")):
        try:
            parse_config(text)
        except ValueError as error:
            assert key in str(error), (key, str(error))
        else:
            raise AssertionError("accepted " + text)


class ScriptedClient:
    """umqtt.simple's client API, recording what the unit sends; `refuse` fails connect()."""

    def __init__(self, refuse=False):
        self.refuse = refuse
        self.sent = []
        self.will = None
        self.subscribed = []
        self.pending = []
        self.pings = 0
        self.cb = None
        self.sock = self

    def set_callback(self, f):
        self.cb = f

    def set_last_will(self, topic, msg, retain=False, qos=0):
        self.will = (topic, msg, retain, qos)

    def connect(self, clean_session=True):
        if self.refuse:
            raise OSError(111)  # ECONNREFUSED
        return 0

    def publish(self, topic, msg, retain=False, qos=0):
        self.sent.append((topic, msg, retain, qos))

    def subscribe(self, topic, qos=0):
        self.subscribed.append((topic, qos))

    def check_msg(self):
        while self.pending:
            self.cb(*self.pending.pop(0))

    def ping(self):
        self.pings += 1

    def disconnect(self):
        pass

    def close(self):
        pass


def make_unit(clients, shown):
    config = parse_config(CONFIG_TEXT)
    config["hold_ms"] = 2000
    return DeskUnit(config, lambda: clients.pop(0), shown.append, log=lambda line: None)


def check_the_unit_links_with_a_will_sends_gestures_and_shows_the_state():
    client = ScriptedClient()
    shown = []
    unit = make_unit([client], shown)
    unit.step(0, False)
    assert unit.linked
    status = b"aspa/toimisto/desk/desk-anna/status"
    assert client.will == (status, b"offline", True, 1)
    assert client.sent == [(status, b"online", True, 1)]
    assert client.subscribed == [(b"aspa/toimisto/desk/desk-anna/state", 1),
                                 (b"aspa/toimisto/desk/desk-anna/notice", 1)]
    assert shown == [BLUE]  # no state from the box yet
    client.pending.append((b"aspa/toimisto/desk/desk-anna/state", b"available"))
    unit.step(10, False)
    assert shown[-1] == GREEN
    for t in range(20, 200, 5):
        unit.step(t, True)
    unit.step(205, False)
    unit.step(240, False)
    assert client.sent[-1] == (b"aspa/toimisto/desk/desk-anna/button", b"press", False, 1)
    client.pending.append((b"aspa/toimisto/desk/desk-anna/state", b"busy"))
    unit.step(245, False)
    assert shown[-1] == RED
    unit.step(245 + PING_MS, False)
    assert client.pings == 1


def check_the_unit_ignores_other_topics_and_bad_states():
    client = ScriptedClient()
    shown = []
    unit = make_unit([client], shown)
    unit.step(0, False)
    client.pending.append((b"aspa/toimisto/desk/desk-anna/state", b"busy"))
    client.pending.append((b"aspa/toimisto/desk/desk-pekka/state", b"available"))
    client.pending.append((b"aspa/toimisto/desk/desk-anna/state", b"party"))
    unit.step(10, False)
    assert unit.state == "busy" and unit.ignored == 2


def check_a_notice_blinks_amber_then_the_state_shows_again():
    client = ScriptedClient()
    shown = []
    unit = make_unit([client], shown)
    unit.step(0, False)
    client.pending.append((b"aspa/toimisto/desk/desk-anna/state", b"available"))
    unit.step(10, False)
    assert shown[-1] == GREEN
    client.pending.append((b"aspa/toimisto/desk/desk-anna/notice", b"blink:2"))
    unit.step(1000, False)
    assert shown[-1] == AMBER
    unit.step(1500, False)
    assert shown[-1] == OFF
    unit.step(2000, False)
    assert shown[-1] == AMBER
    unit.step(3000, False)  # two blinks of a second each: over
    assert shown[-1] == GREEN and unit.notice is None
    client.pending.append((b"aspa/toimisto/desk/desk-anna/notice", b"blink:many"))
    unit.step(3010, False)
    assert shown[-1] == GREEN and unit.ignored == 1


def check_notice_payloads():
    assert parse_notice(b"blink:3") == 3
    for bad in (b"blink:0", b"blink:10", b"blink:", b"blink:-1", b"dance", b"\xff", b"x" * 40):
        assert parse_notice(bad) is None, bad


def check_the_unit_retries_with_backoff_and_drops_presses_meanwhile():
    refused, good = ScriptedClient(refuse=True), ScriptedClient()
    shown = []
    unit = make_unit([refused, ScriptedClient(refuse=True), good], shown)
    unit.step(0, False)
    assert not unit.linked and unit.retry_at == 1000
    unit.step(500, True)
    unit.step(540, True)
    unit.step(600, False)
    unit.step(640, False)
    assert unit.dropped == 1 and good.sent == []
    unit.step(1000, False)  # second try: refused again, wait 2 s
    assert unit.retry_at == 3000
    unit.step(2999, False)
    assert not unit.linked
    unit.step(3000, False)
    assert unit.linked and unit.backoff.failures == 0


def check_losing_wifi_unlinks_and_blinks_blue():
    client = ScriptedClient()
    shown = []
    unit = make_unit([client, ScriptedClient()], shown)
    unit.step(0, False)
    client.pending.append((b"aspa/toimisto/desk/desk-anna/state", b"available"))
    unit.step(10, False)
    assert shown[-1] == GREEN
    unit.step(20, False, network_up=False)
    assert not unit.linked and shown[-1] == BLUE
    unit.step(30, False, network_up=True)  # Wi-Fi back: link at once, no backoff wait
    assert unit.linked
