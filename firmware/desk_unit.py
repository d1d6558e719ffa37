"""The desk unit's logic: link to the box over MQTT, send gestures, show the agent's state
(and blink for a notice the agent chose the desk LED for).

Hardware comes in from main.py as plain functions, so this runs the same on the
Pico W, under MicroPython elsewhere and under CPython in the tests.
"""

from backoff import Backoff
from button import ButtonGestures
from led_pattern import OFF, buzzing_at, colour_at, notice_colour_at
from protocol import parse_notice, parse_state, topic
from ticks import ticks_add, ticks_diff

KEEPALIVE_S = 30
PING_MS = KEEPALIVE_S * 1000 // 2  # MQTT 3.1.1 §3.1.2.10: the broker drops us after 1.5 x


class DeskUnit:
    """One unit: call `step()` every few milliseconds with the time and the button's level."""

    def __init__(self, config, make_client, show, buzz=None, log=print, backoff=None):
        self.unit = config["unit"]
        self.button_topic = topic(config["box"], self.unit, "button")
        self.status_topic = topic(config["box"], self.unit, "status")
        self.state_topic = topic(config["box"], self.unit, "state")
        self.notice_topic = topic(config["box"], self.unit, "notice")
        self._make_client = make_client
        self._show = show
        self._buzz = buzz
        self._log = log
        self.backoff = backoff or Backoff()
        self.gestures = ButtonGestures(config.get("hold_ms", 2000))
        self.client = None
        self.state = None  # the agent's effective state, once the box told us
        self.notice = None  # (blinks, started at ms) of the notice being shown
        self._now = 0
        self.retry_at = None
        self.last_ping = 0
        self.sent = 0
        self.ignored = 0
        self.dropped = 0  # gestures made while not linked: not sent later, a stale press misleads
        self.shown = None

    @property
    def linked(self):
        return self.client is not None

    def step(self, now_ms, button_down, network_up=True):
        """One turn of the main loop."""
        gesture = self.gestures.update(button_down, now_ms)
        if not network_up:
            self._unlink(now_ms, "no Wi-Fi", retry=False)
        elif not self.linked and (self.retry_at is None or ticks_diff(now_ms, self.retry_at) >= 0):
            self._link(now_ms)
        self._now = now_ms
        if self.linked:
            self._talk(now_ms, gesture)
        elif gesture is not None:
            self.dropped += 1
            self._log("desk: " + gesture + " not sent, not linked to the box")
        self._output(now_ms)

    def _link(self, now_ms):
        client = self._make_client()
        client.set_callback(self._on_message)
        client.set_last_will(self.status_topic, b"offline", retain=True, qos=1)
        try:
            client.connect()
            client.publish(self.status_topic, b"online", retain=True, qos=1)
            client.subscribe(self.state_topic, qos=1)
            client.subscribe(self.notice_topic, qos=1)
        except Exception as error:  # OSError from the socket, MQTTException from a refusal
            self._close(client)
            self._unlink(now_ms, "cannot reach the box: " + repr(error), retry=True)
            return
        self.client = client
        self.backoff.succeeded()
        self.retry_at = None
        self.last_ping = now_ms
        self._log("desk: linked to the box as " + self.unit)

    def _talk(self, now_ms, gesture):
        try:
            if gesture is not None:
                self.client.publish(self.button_topic, gesture.encode(), qos=1)
                self.sent += 1
            self.client.check_msg()
            if ticks_diff(now_ms, self.last_ping) >= PING_MS:
                self.client.ping()
                self.last_ping = now_ms
        except Exception as error:
            self._unlink(now_ms, "lost the box: " + repr(error), retry=True)

    def _unlink(self, now_ms, why, retry):
        if self.client is not None:
            self._close(self.client)
            self.client = None
        if retry:
            delay = self.backoff.failed()
            self.retry_at = ticks_add(now_ms, delay)
            self._log("desk: " + why + "; retrying in " + str(delay) + " ms")

    def _close(self, client):
        try:
            client.sock.close()
        except Exception:  # already gone; nothing else to release
            pass

    def _on_message(self, topic_bytes, payload):
        if bytes(topic_bytes) == self.notice_topic:
            blinks = parse_notice(payload)
            if blinks is None:
                self.ignored += 1
            else:
                self.notice = (blinks, self._now)
            return
        if bytes(topic_bytes) != self.state_topic:
            self.ignored += 1
            return
        state = parse_state(payload)
        if state is None:
            self.ignored += 1
            self._log("desk: ignored state " + repr(bytes(payload[:16])))
            return
        self.state = state

    def _output(self, now_ms):
        colour = colour_at(self.state, now_ms, self.linked)
        if self.notice is not None and self.linked:
            blinks, started = self.notice
            blinking = notice_colour_at(ticks_diff(now_ms, started), blinks)
            if blinking is None:
                self.notice = None
            else:
                colour = blinking
        if colour != self.shown:
            self._show(colour)
            self.shown = colour
        if self._buzz is not None:
            self._buzz(buzzing_at(self.state, now_ms))

    def shut_down(self):
        """Say offline ourselves (the will is not sent after DISCONNECT) and go dark."""
        if self.client is not None:
            try:
                self.client.publish(self.status_topic, b"offline", retain=True, qos=1)
                self.client.disconnect()
            except Exception:  # the box is gone already; the will covers it
                pass
            self.client = None
        self._show(OFF)
