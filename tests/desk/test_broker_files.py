"""The Mosquitto files Aspa ships: the ACL is the one the code describes, the config loads."""

from __future__ import annotations

import os
import pwd
import subprocess
from pathlib import Path

import pytest

from appliance.config.sections.desk_units import DeskUnitSettings
from appliance.desk.broker_files import BOX_NAME_MARK, BOX_USER, acl_lines, acl_text, unit_accounts
from tests.peers import binaries
from tests.peers.free_port import LOOPBACK, free_port
from tests.peers.mosquitto import MosquittoFactory, answers_mqtt
from tests.peers.mqtt_probe import MqttConnectRefused, MqttProbe
from tests.peers.peer_process import PeerProcess

SHIPPED = Path(__file__).resolve().parents[2] / "systemd" / "mosquitto"


def test_the_shipped_acl_is_the_protocols() -> None:
    assert (SHIPPED / "aspa.acl").read_text() == acl_text()


def test_no_pattern_leaves_the_box_open_to_any_name() -> None:
    patterns = [line for line in acl_lines("toimisto") if line.startswith("pattern")]
    assert patterns and all("/toimisto/desk/%u/" in line for line in patterns)
    assert not any("+" in line or "#" in line for line in patterns)
    assert all(BOX_NAME_MARK in line for line in acl_text().splitlines()
               if line.startswith("pattern"))


def test_a_unit_writes_only_its_own_topics_of_its_own_box(
        make_mosquitto: MosquittoFactory) -> None:
    # On a broker shared by two offices (or bridged), both may have a unit called desk-anna.
    broker = make_mosquitto(users={BOX_USER: "box-pw", "desk-anna": "anna-pw",
                                   "desk-pekka": "pekka-pw"}, acl=acl_lines("toimisto"))
    box = MqttProbe(broker.host, broker.port, username=BOX_USER, password="box-pw").connect()
    anna = MqttProbe(broker.host, broker.port, client_id="desk-anna", username="desk-anna",
                     password="anna-pw").connect()
    try:
        box.subscribe("aspa/#")
        forged = ["aspa/haaratoimisto/desk/desk-anna/button",  # another box's desk-anna
                  "aspa/toimisto/desk/desk-pekka/button",  # another unit of this box
                  "aspa/haaratoimisto/desk/desk-anna/status"]
        for topic in forged:
            anna.publish(topic, "press", 1)
        anna.publish("aspa/toimisto/desk/desk-anna/button", "press", 1)  # its own, last
        got = box.next_message()
        assert got.topic == "aspa/toimisto/desk/desk-anna/button"
        with pytest.raises(TimeoutError):
            box.next_message(0.3)  # nothing else came through (published before the last)
    finally:
        anna.close()
        box.close()
    log = broker.log_text()
    for topic in forged:
        assert f"'{topic}'" in log and "Denied PUBLISH from desk-anna" in log


def test_unit_accounts_skip_units_whose_password_lives_in_the_broker_only() -> None:
    units = [DeskUnitSettings(id="desk-anna", agent="anna", password="a-pw"),
             DeskUnitSettings(id="desk-pekka", agent="pekka")]
    assert unit_accounts(units) == {"desk-anna": "a-pw"}


def test_the_shipped_config_starts_mosquitto_and_refuses_anonymous_clients(tmp_path: Path) -> None:
    """aspa.conf with its /etc and /var paths moved into a temporary folder."""
    passwd = tmp_path / "aspa.passwd"
    passwd.write_text(f"{BOX_USER}:secret\n")
    subprocess.run([str(binaries.require(binaries.MOSQUITTO_PASSWD)), "-U", str(passwd)],
                   check=True, timeout=30)
    (tmp_path / "aspa.acl").write_text(acl_text())
    (tmp_path / "persist").mkdir()
    port = free_port(LOOPBACK)
    text = (SHIPPED / "aspa.conf").read_text()
    assert "listener 1883 127.0.0.1\n" in text
    text = (text.replace("/etc/mosquitto/", f"{tmp_path}/")
            .replace("/var/lib/mosquitto/", f"{tmp_path}/persist/")
            .replace("listener 1883 127.0.0.1", f"listener {port} {LOOPBACK}"))
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(text + f"user {pwd.getpwuid(os.geteuid()).pw_name}\n")
    broker = PeerProcess("mosquitto", [str(binaries.require(binaries.MOSQUITTO)), "-c", str(conf)],
                         LOOPBACK, port, tmp_path / "log", is_ready=answers_mqtt)
    broker.start()
    try:
        with pytest.raises(MqttConnectRefused):
            MqttProbe(LOOPBACK, port).connect()
        box = MqttProbe(LOOPBACK, port, username=BOX_USER, password="secret").connect()
        box.close()
    finally:
        broker.stop()
