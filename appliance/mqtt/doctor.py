"""`aspa doctor`'s MQTT rows: the broker answers and takes our login; the outbox's backlog."""

from __future__ import annotations

import threading
from typing import Any

import paho.mqtt.client as mqtt
import peewee as pw
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

from appliance.config.aspa_toml import Config
from appliance.doctor.registry import Finding, Status, doctor_check
from appliance.mqtt.broker_settings import box_topics, broker_address
from appliance.mqtt.errors import BrokerRefused
from appliance.mqtt.outbox_rows import LAST_ERROR_KEY, count_unsent, dropped_total, get_meta

ANSWER_TIMEOUT_S = 5.0
PART = "mqtt"


@doctor_check(PART)
def broker_reachable(config: Config) -> Finding:
    """Connect once as the daemon would (another client id, no will) and report."""
    settings = config.mqtt
    if not settings.enabled:
        return Finding(PART, "off", "mqtt.enabled is false")
    address = broker_address(settings, config.box.name)
    where = f"{address.host}:{address.port}"
    answered = threading.Event()
    result: dict[str, ReasonCode] = {}

    def on_connect(client: mqtt.Client, userdata: Any, flags: Any, reason: ReasonCode,
                   props: Any) -> None:
        result["connack"] = reason
        answered.set()

    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"{address.client_id}-doctor",
                         protocol=mqtt.MQTTv5, reconnect_on_failure=False)
    if address.username:
        client.username_pw_set(address.username, address.password or None)
    if address.tls:
        client.tls_set(ca_certs=address.ca_file or None)
    client.on_connect = on_connect
    try:
        client.connect(address.host, address.port, keepalive=10)
    except (OSError, ValueError) as error:
        return Finding(PART, "fail", f"cannot reach the broker at {where}: {error}; "
                                     f"check mqtt.host and mqtt.port and that Mosquitto runs")
    client.loop_start()
    try:
        if not answered.wait(ANSWER_TIMEOUT_S):
            return Finding(PART, "fail", f"{where} did not answer CONNECT in "
                                         f"{ANSWER_TIMEOUT_S:.0f} s: is it an MQTT broker?")
        reason = result["connack"]
        if reason.is_failure:
            refused = BrokerRefused(reason.value, reason.getName())
            return Finding(PART, "fail", f"{where}: {refused}")
    finally:
        client.disconnect()
        client.loop_stop()
    who = f"as {address.username}" if address.username else "anonymously"
    topics = box_topics(settings, config.box.name)
    return Finding(PART, "ok", f"{where}: reachable, logged in {who}; topics under {topics.root}/")


@doctor_check(PART)
def outbox_backlog(config: Config) -> Finding:
    """What waits in the outbox, what was dropped, and the daemon's last MQTT error."""
    from appliance.store.database import open_database
    from appliance.store.database_url import is_postgres_url, sqlite_path
    from appliance.store.errors import StoreError

    if not config.mqtt.enabled:
        return Finding(PART, "off", "mqtt.enabled is false")
    url = config.database_url
    if not is_postgres_url(url) and not sqlite_path(url).exists():
        return Finding(PART, "ok", "outbox: no database yet")
    try:
        db = open_database(url, create=False)
    except StoreError as error:
        return Finding(PART, "warn", f"outbox: cannot read the database: {error}")
    try:
        waiting, dropped = count_unsent(), dropped_total()
        last_error = get_meta(LAST_ERROR_KEY) or ""
    except pw.DatabaseError as error:
        return Finding(PART, "warn", f"outbox: cannot read it ({error}); run `aspa db upgrade`")
    finally:
        db.close()
    detail = f"outbox: {waiting} waiting, {dropped} dropped since set-up"
    if last_error:
        # A report of the past; the connection row above says how things are now.
        return Finding(PART, "warn", f"{detail}; the daemon's last error, at {last_error}")
    status: Status = "warn" if dropped else "ok"
    return Finding(PART, status, detail)
