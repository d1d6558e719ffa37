"""Mosquitto started per test on a free loopback port, with optional passwords and ACL."""

from __future__ import annotations

import os
import pwd
import socket
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from tests.peers import binaries
from tests.peers.free_port import LOOPBACK
from tests.peers.peer_process import PROBE_TIMEOUT_S, PeerProcess, start_on_a_free_port

# MQTT 3.1.1 §3.1 CONNECT: protocol "MQTT" level 4, clean session, keep-alive 60 s, empty
# client id; §3.2 the broker answers CONNACK (0x20, length 2) even when it refuses the client.
_PROBE_CONNECT = bytes.fromhex("100c00044d5154540402003c0000")
_CONNACK = 0x20
_DISCONNECT = bytes.fromhex("e000")


def answers_mqtt(host: str, port: int) -> bool:
    """Tell whether an MQTT broker answers CONNECT on host:port (not just any listener)."""
    try:
        with socket.create_connection((host, port), timeout=PROBE_TIMEOUT_S) as sock:
            sock.sendall(_PROBE_CONNECT)
            reply = sock.recv(4)
            if len(reply) >= 1 and reply[0] == _CONNACK:
                sock.sendall(_DISCONNECT)
                return True
            return False
    except OSError:
        return False


class MosquittoBroker:
    """A Mosquitto broker of one test: where it listens, its files, and stop/start."""

    def __init__(
        self,
        directory: Path,
        *,
        users: Mapping[str, str] | None = None,
        acl: Sequence[str] = (),
        allow_anonymous: bool | None = None,
        persistence: bool = False,
        extra_config: Sequence[str] = (),
    ) -> None:
        self.directory = directory
        self.host = LOOPBACK
        self.port = 0
        self.users = dict(users or {})
        # Anonymous clients are let in unless the test asked for accounts.
        self.allow_anonymous = not self.users if allow_anonymous is None else allow_anonymous
        self.acl = tuple(acl)
        self.persistence = persistence
        self.extra_config = tuple(extra_config)
        self.config_path = directory / "mosquitto.conf"
        self.log_path = directory / "mosquitto.log"
        self.password_file = directory / "passwd" if self.users else None
        self.acl_file = directory / "acl" if self.acl else None
        self.persistence_dir = directory / "persist"
        self._program = binaries.require(binaries.MOSQUITTO)
        self._process: PeerProcess | None = None
        self._write_password_file()
        self._write_acl_file()

    def _write_password_file(self) -> None:
        """Write user:password lines and let mosquitto_passwd -U hash them in place."""
        if self.password_file is None:
            return
        for user in self.users:
            if ":" in user or "\n" in user:
                raise ValueError(f"Mosquitto user name {user!r} may not hold ':' or a newline")
        lines = "".join(f"{user}:{password}\n" for user, password in self.users.items())
        self.password_file.write_text(lines)
        tool = binaries.require(binaries.MOSQUITTO_PASSWD)
        subprocess.run(
            [str(tool), "-U", str(self.password_file)], check=True, capture_output=True, timeout=30
        )

    def _write_acl_file(self) -> None:
        """Write the ACL lines (`user`, `topic`, `pattern`) as given."""
        if self.acl_file is not None:
            self.acl_file.write_text("".join(f"{line}\n" for line in self.acl))

    def _write_config(self) -> None:
        """Write mosquitto.conf for the current port."""
        lines = [
            "per_listener_settings false",
            f"listener {self.port} {self.host}",
            f"allow_anonymous {'true' if self.allow_anonymous else 'false'}",
            # Keep the privileges we run with: as root Mosquitto would otherwise switch to the
            # mosquitto user, who cannot read or write the test's temporary directory.
            f"user {pwd.getpwuid(os.geteuid()).pw_name}",
            "log_dest stderr",
            "log_type all",
            "log_timestamp true",
            "connection_messages true",
        ]
        if self.password_file is not None:
            lines.append(f"password_file {self.password_file}")
        if self.acl_file is not None:
            lines.append(f"acl_file {self.acl_file}")
        if self.persistence:
            self.persistence_dir.mkdir(exist_ok=True)
            lines += ["persistence true", f"persistence_location {self.persistence_dir}/"]
        else:
            lines.append("persistence false")
        lines += self.extra_config
        self.config_path.write_text("".join(f"{line}\n" for line in lines))

    @property
    def is_running(self) -> bool:
        """Tell whether the broker process is alive."""
        return self._process is not None and self._process.is_running

    @property
    def pid(self) -> int | None:
        """The broker's PID while it runs."""
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        """Start the broker: first on a fresh free port (one retry if taken), later on the same."""
        if self.is_running:
            return
        if self.port:
            self._run()
            return
        self.port = start_on_a_free_port(self.host, self._run_on)

    def _run_on(self, port: int) -> None:
        self.port = port
        self._run()

    def _run(self) -> None:
        """Write the config and run mosquitto until its listener accepts connections."""
        self._write_config()
        self._process = PeerProcess(
            "mosquitto",
            [str(self._program), "-c", str(self.config_path)],
            self.host,
            self.port,
            self.log_path,
            is_ready=answers_mqtt,
        )
        self._process.start()

    def stop(self) -> None:
        """Stop the broker; its port then refuses connections until start()."""
        if self._process is not None:
            self._process.stop()

    def restart(self) -> None:
        """Stop and start again on the same port."""
        self.stop()
        self.start()

    def log_text(self) -> str:
        """Return everything the broker logged so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class MosquittoFactory:
    """Starts brokers for one test and stops them all when it ends."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._tmp = tmp_path_factory
        self.brokers: list[MosquittoBroker] = []

    def __call__(
        self,
        *,
        users: Mapping[str, str] | None = None,
        acl: Sequence[str] = (),
        allow_anonymous: bool | None = None,
        persistence: bool = False,
        extra_config: Sequence[str] = (),
    ) -> MosquittoBroker:
        """Start a broker with these settings and return its handle."""
        broker = MosquittoBroker(
            self._tmp.mktemp("mosquitto"),
            users=users,
            acl=acl,
            allow_anonymous=allow_anonymous,
            persistence=persistence,
            extra_config=extra_config,
        )
        self.brokers.append(broker)
        broker.start()
        return broker

    def stop_all(self) -> None:
        """Stop every broker this factory started."""
        for broker in self.brokers:
            broker.stop()


@pytest.fixture
def make_mosquitto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MosquittoFactory]:
    """Give a test a factory of Mosquitto brokers, all stopped when the test ends."""
    factory = MosquittoFactory(tmp_path_factory)
    try:
        yield factory
    finally:
        factory.stop_all()


@pytest.fixture
def mosquitto(make_mosquitto: MosquittoFactory) -> MosquittoBroker:
    """Give a test a running anonymous Mosquitto broker without persistence."""
    return make_mosquitto()
