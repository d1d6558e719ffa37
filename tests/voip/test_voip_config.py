"""The [voip] section and the baresip files written from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.config.aspa_toml import config_from_mapping
from appliance.config.schema import ConfigError
from appliance.config.sections.voip import VoipSettings
from appliance.spine.bus import EventBus
from appliance.spine.clock import SystemClock
from appliance.voip.baresip_files import account_line, config_text, write_baresip_dir
from appliance.voip.voip_line import VoipLine


def problems(section: dict[str, object], tmp_path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        config_from_mapping({"voip": section}, tmp_path)
    return caught.value.problems


def test_defaults_load() -> None:
    config = config_from_mapping({"voip": {"enabled": True}}, Path("."))
    assert config.voip.aor == "sip:aspa@127.0.0.1:5060"


def test_bad_values_name_their_keys(tmp_path: Path) -> None:
    found = problems({"transport": "sctp", "rtp_port_min": 20000, "rtp_port_max": 10000,
                      "user": "a;b", "password": "x"}, tmp_path)
    assert [p.split(":")[0] for p in found] == [
        "voip.user", "voip.transport", "voip.rtp_port_max", "voip.registrar"]


def test_password_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "sip-password").write_text("Salainen1\n")
    config = config_from_mapping({"voip": {"registrar": "sip.example", "password_file":
                                           "sip-password"}}, tmp_path)
    assert config.voip.password == "Salainen1"
    assert "Salainen1" not in repr(config)


def test_account_line_for_a_provider() -> None:
    settings = VoipSettings(registrar="sip.operaattori.example", user="0912345678",
                            password="Salainen1", display_name="Esimerkki Oy", transport="tcp",
                            proxy="proxy.operaattori.example:5070")
    assert account_line(settings, settings.password) == (
        '"Esimerkki Oy" <sip:0912345678@sip.operaattori.example;transport=tcp>;regint=600;'
        'answermode=auto;auth_pass=Salainen1;'
        'outbound="sip:proxy.operaattori.example:5070;transport=tcp;lr"')


def test_config_needs_no_sound_card_and_listens_where_told() -> None:
    text = config_text(VoipSettings(listen_address="127.0.0.1", sip_port=5080), 4444)
    assert "sip_listen\t\t127.0.0.1:5080\n" in text
    assert "ctrl_tcp_listen\t\t127.0.0.1:4444\n" in text
    assert "alsa" not in text and "stdio" not in text
    assert "audio_player\t\taubridge," in text


def test_sound_through_the_box_loads_jack_and_plays_no_files(tmp_path: Path) -> None:
    text = config_text(VoipSettings(call_sound="box"), 4444)
    assert "module\t\tjack.so\n" in text and "jack_connect_ports\t\tno\n" in text
    assert "ausrc_format\t\tfloat\n" in text and "auplay_format\t\tfloat\n" in text
    assert "jack" not in config_text(VoipSettings(), 4444)
    found = problems({"call_sound": "box", "audio_dir": "/etc/aspa/voip-audio"}, tmp_path)
    assert [p.split(":")[0] for p in found] == ["voip.audio_dir"]
    assert [p.split(":")[0] for p in problems({"call_sound": "loud"}, tmp_path)] == [
        "voip.call_sound"]


def test_a_registering_account_never_reaches_the_disk(tmp_path: Path) -> None:
    settings = VoipSettings(registrar="sip.example", password="Salainen1")
    files = write_baresip_dir(settings, tmp_path / "b", 4444)
    accounts = (files.directory / "accounts").read_text()
    assert accounts == ""  # added over the control connection (uanew) instead
    local = write_baresip_dir(VoipSettings(), tmp_path / "c", 4444)
    assert "regint=0" in (local.directory / "accounts").read_text()


def test_ring_group_members_as_sip_targets() -> None:
    line = VoipLine(VoipSettings(registrar="sip.operaattori.example"), EventBus(), SystemClock())
    assert line.sip_target("sip:liisa@pbx.esimerkki.example") == "sip:liisa@pbx.esimerkki.example"
    assert line.sip_target("+358401234567") == "sip:+358401234567@sip.operaattori.example"
