"""The unit's config.json: Wi-Fi, the box's broker, the unit's own login and its pins."""

import json

REQUIRED = ("wifi_ssid", "wifi_password", "broker", "box", "unit", "password")
DEFAULTS = {
    "port": 1883,
    "button_pin": 15,
    "red_pin": 16,
    "green_pin": 17,
    "blue_pin": 18,
    "buzzer_pin": None,  # None: no buzzer fitted
    "hold_ms": 2000,
    "brightness": 0.3,  # of full PWM duty: an LED at full power glares on a desk
}
_ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-"


def _is_id(text):
    return 0 < len(text) <= 63 and all(c in _ID_CHARS for c in text) and text[0] != "-"


def parse_config(text):
    """The settings in config.json's text, defaults filled in; ValueError names the bad key."""
    try:
        data = json.loads(text)
    except ValueError:
        raise ValueError("config.json: not valid JSON") from None
    if not isinstance(data, dict):
        raise ValueError("config.json: must be one JSON object")
    for key in REQUIRED:
        if not isinstance(data.get(key), str) or not data[key]:
            raise ValueError("config.json: " + key + " is required (a non-empty string)")
    for key in ("box", "unit"):
        if not _is_id(data[key]):
            raise ValueError("config.json: " + key + " must be lowercase letters, digits and '-'")
    config = dict(DEFAULTS)
    config.update(data)
    for key in ("port", "button_pin", "red_pin", "green_pin", "blue_pin", "hold_ms"):
        if not isinstance(config[key], int) or isinstance(config[key], bool):
            raise ValueError("config.json: " + key + " must be a whole number")
    if config["buzzer_pin"] is not None and not isinstance(config["buzzer_pin"], int):
        raise ValueError("config.json: buzzer_pin must be a whole number or null")
    return config
