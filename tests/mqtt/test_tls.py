"""TLS to the broker: the box checks the broker's certificate against mqtt.ca_file."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.mqtt.conftest import SleepGate, connected, receive
from tests.peers.free_port import free_port
from tests.peers.mqtt_probe import MqttProbe

EC_KEY = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1")  # quick to make


def make_certificates(directory: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1 it signed: (ca, cert, key)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl not found: install the Debian package 'openssl'")
    ca_key, ca = directory / "ca.key", directory / "ca.pem"
    key, csr, cert = directory / "server.key", directory / "server.csr", directory / "server.pem"
    ext = directory / "san.ext"
    ext.write_text("subjectAltName = IP:127.0.0.1\n")

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], check=True, capture_output=True, timeout=60)

    run("req", "-x509", *EC_KEY, "-nodes", "-days", "2", "-subj", "/CN=Test CA",
        "-keyout", str(ca_key), "-out", str(ca))
    run("req", *EC_KEY, "-nodes", "-subj", "/CN=127.0.0.1",
        "-keyout", str(key), "-out", str(csr))
    run("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key),
        "-CAcreateserial", "-days", "2", "-extfile", str(ext), "-out", str(cert))
    return ca, cert, key


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path, Path]]:
    """The broker's CA and certificate, and another CA that signed nothing of it."""
    return {"broker": make_certificates(tmp_path_factory.mktemp("tls")),
            "other": make_certificates(tmp_path_factory.mktemp("other-ca"))}


async def test_the_box_publishes_over_tls(make_mosquitto, make_adapter, certificates) -> None:
    ca, cert, key = certificates["broker"]
    tls_port = free_port()
    broker = make_mosquitto(extra_config=[f"listener {tls_port} 127.0.0.1",
                                          f"cafile {ca}", f"certfile {cert}", f"keyfile {key}"])
    adapter = make_adapter(broker, port=tls_port, tls=True, ca_file=str(ca), discovery=False)
    await adapter.start()
    await connected(adapter)
    probe = MqttProbe(broker.host, broker.port).connect()  # the plain listener, same broker
    try:
        probe.subscribe("aspa/box1/status")
        assert (await receive(probe)).payload == b"online"
    finally:
        probe.close()


async def test_a_broker_the_ca_did_not_sign_is_refused(make_mosquitto, make_adapter,
                                                        certificates) -> None:
    ca, cert, key = certificates["broker"]
    other_ca, _, _ = certificates["other"]
    tls_port = free_port()
    broker = make_mosquitto(extra_config=[f"listener {tls_port} 127.0.0.1",
                                          f"cafile {ca}", f"certfile {cert}", f"keyfile {key}"])
    gate = SleepGate(open_=False)
    adapter = make_adapter(broker, port=tls_port, tls=True, ca_file=str(other_ca),
                           link_sleep=gate)
    await adapter.start()
    await gate.wait_calls(1)
    assert adapter.link.sessions == 0
    assert "certificate verify failed" in adapter.health().detail
