"""The admin's view of aspa.toml shows every setting but no secret."""

from __future__ import annotations

from pathlib import Path

from appliance.config.aspa_toml import config_from_mapping
from appliance.web.settings.config_summary import HIDDEN, summary


def test_secrets_are_hidden_and_the_rest_is_shown(tmp_path: Path) -> None:
    config = config_from_mapping({
        "gsm": {"enabled": True, "modems": [{"name": "gsm0", "device": "/dev/ttyUSB2",
                                             "pin": "1234"}]},
        "mqtt": {"enabled": True, "username": "aspa", "password": "hunter2-hunter2"},
        "mail": {"smtp": {"host": "smtp.example.fi", "password": "postin-salasana",
                          "from_address": "tuki@example.fi"}},
    }, tmp_path, environ={})
    rows = {name: value for section in summary(config).values() for name, value in section}
    assert rows["gsm.modems[0].pin"] == HIDDEN
    assert rows["mqtt.password"] == HIDDEN
    assert rows["mail.smtp.password"] == HIDDEN
    assert rows["mqtt.username"] == "aspa"
    assert rows["mail.smtp.host"] == "smtp.example.fi"
    assert rows["gsm.modems[0].device"] == "/dev/ttyUSB2"
    assert rows["gpio.line_led_pin"] not in ("", HIDDEN)  # a GPIO pin is no secret
    text = repr(rows)
    for secret in ("1234", "hunter2-hunter2", "postin-salasana"):
        assert secret not in text
