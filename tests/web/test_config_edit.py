"""edit_config with secret files: written beside aspa.toml only when the whole change is
accepted, never half; edits from two threads both kept."""

from __future__ import annotations

import threading
import tomllib
from pathlib import Path

import pytest
from tomlkit.toml_document import TOMLDocument

from appliance.config.aspa_toml import load_config
from appliance.config.schema import ConfigError
from appliance.web.settings.config_edit import ConfigReadOnly, edit_config
from appliance.web.settings.toml_values import set_value, table, text_array
from tests.web import settings_files
from tests.web.mailbox_config_files import mode_of
from tests.web.settings_files import OLD_MQTT_PASSWORD, names_in

config_file = settings_files.config_file


def _mqtt_password_file(document: TOMLDocument) -> None:
    mqtt = document["mqtt"]
    del mqtt["password"]  # type: ignore[union-attr]
    mqtt["password_file"] = "mqtt-password"  # type: ignore[index]


def test_a_secret_file_is_written_with_the_change(config_file: Path) -> None:
    edit_config(config_file, _mqtt_password_file, {"mqtt-password": "uusi-salasana"})
    secret = config_file.parent / "mqtt-password"
    assert secret.read_text(encoding="utf-8") == "uusi-salasana\n"
    assert mode_of(secret) == 0o600
    assert load_config(config_file).mqtt.password == "uusi-salasana"
    assert names_in(config_file.parent) == ["aspa.toml", "mqtt-password"]


def test_a_refused_change_leaves_the_old_secret_and_no_temp_file(config_file: Path) -> None:
    edit_config(config_file, _mqtt_password_file, {"mqtt-password": "ensimmäinen"})
    before = config_file.read_bytes()

    def bad_port(document: TOMLDocument) -> None:
        table(document, "mqtt")["port"] = 0

    with pytest.raises(ConfigError) as refused:
        edit_config(config_file, bad_port, {"mqtt-password": "toinen"})
    assert refused.value.problems == ["mqtt.port: must be a port number 1-65535, not 0"]
    assert config_file.read_bytes() == before
    assert (config_file.parent / "mqtt-password").read_text(encoding="utf-8") == "ensimmäinen\n"
    assert names_in(config_file.parent) == ["aspa.toml", "mqtt-password"]


def test_a_secret_needs_a_plain_file_name(config_file: Path) -> None:
    before = config_file.read_bytes()
    for name in ("../escape", "/etc/passwd", ".hidden", "", "a\\b"):
        with pytest.raises(ValueError):
            edit_config(config_file, lambda document: None, {name: "x"})
    assert config_file.read_bytes() == before
    assert names_in(config_file.parent) == ["aspa.toml"]
    assert load_config(config_file).mqtt.password == OLD_MQTT_PASSWORD


def test_without_a_file_nothing_can_be_changed() -> None:
    with pytest.raises(ConfigReadOnly):
        edit_config(None, lambda document: None)


def test_edits_from_many_threads_are_all_kept(config_file: Path) -> None:
    days = [f"2027-03-{day:02d}" for day in range(1, 21)]
    start = threading.Barrier(len(days))

    def add(day: str) -> None:
        def change(document: TOMLDocument) -> None:
            hours = table(document, "business_hours")
            set_value(hours, "holidays", text_array([*hours["holidays"], day]))
        start.wait()
        edit_config(config_file, change)

    threads = [threading.Thread(target=add, args=(day,)) for day in days]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    saved = tomllib.loads(config_file.read_text(encoding="utf-8"))["business_hours"]["holidays"]
    assert sorted(saved) == sorted(["2026-12-24", *days])
    assert "# Christmas Eve" in config_file.read_text(encoding="utf-8")
