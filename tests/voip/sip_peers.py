"""The SIP peers of the VoIP tests: sipp scenarios (callers, agents' phones, a registrar)."""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
from pathlib import Path

from tests.peers.binaries import PeerProgram, require

BARESIP = PeerProgram("baresip", "baresip-core")
SIPP = PeerProgram("sipp", "sip-tester")
SCENARIOS = Path(__file__).parent / "scenarios"
LOOPBACK = "127.0.0.1"
SIPP_TIMEOUT_S = 20.0
SIP_PORTS = (10000, 20000)  # baresip lines under test: below the ephemeral range (32768-)
RTP_PORTS = (20000, 32000)


def _free_for_udp_and_tcp(port: int) -> bool:
    """Tell whether port is free on loopback for both UDP and TCP right now."""
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        with socket.socket(socket.AF_INET, kind) as sock:
            try:
                sock.bind((LOOPBACK, port))
            except OSError:
                return False
    return True


def free_udp_port() -> int:
    """A port free for both UDP and TCP on loopback (SIP may use either)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind((LOOPBACK, 0))
            port = int(udp.getsockname()[1])
        if _free_for_udp_and_tcp(port):
            return port


def free_sip_port() -> int:
    """A port for baresip's sip_listen, with port + 1 free too (baresip 1.0 puts TLS there).

    It is taken below the kernel's ephemeral range (and below the tests' RTP ranges), so no
    client connection or kernel-chosen port of another peer can land on it or its neighbour
    between this choice and baresip's start.
    """
    while True:
        port = random.randrange(SIP_PORTS[0], SIP_PORTS[1], 2)
        if _free_for_udp_and_tcp(port) and _free_for_udp_and_tcp(port + 1):
            return port


def rtp_range(size: int = 40) -> tuple[int, int]:
    """A range of RTP ports of a line's own, also below the ephemeral range."""
    first = random.randrange(RTP_PORTS[0], RTP_PORTS[1] - size, size)
    return first, first + size - 1


class Sipp:
    """One sipp run of a scenario file, as a caller (towards the box) or a server (a phone)."""

    def __init__(self, scenario: str, log_dir: Path, *, target: str | None = None,
                 service: str = "aspa", transport: str = "udp") -> None:
        self.scenario = scenario
        self.transport = transport
        self.port = free_udp_port()
        self.target = target
        self.service = service
        self.log_dir = log_dir
        self.process: asyncio.subprocess.Process | None = None

    @property
    def uri(self) -> str:
        """The SIP URI that reaches this sipp (as an agent's phone)."""
        return f"sip:agent@{LOOPBACK}:{self.port}"

    async def start(self) -> Sipp:
        program = require(SIPP)
        args = [str(program), "-sf", str(SCENARIOS / self.scenario), "-i", LOOPBACK,
                "-p", str(self.port), "-mp", str(free_udp_port()), "-m", "1", "-nostdin",
                "-timeout", f"{int(SIPP_TIMEOUT_S)}s", "-trace_err",
                "-error_file", str(self.log_dir / f"sipp-{self.port}-errors.log")]
        if self.transport == "tcp":
            args += ["-t", "t1"]  # one TCP connection, as a SIP provider over TCP
        if self.target is not None:
            args += ["-s", self.service, self.target]
        self.process = await asyncio.create_subprocess_exec(
            *args, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL, cwd=self.log_dir)
        return self

    async def finished(self, timeout_s: float = SIPP_TIMEOUT_S) -> int:
        """sipp's exit status once the scenario is over (0: it went as scripted)."""
        assert self.process is not None
        async with asyncio.timeout(timeout_s):
            return await self.process.wait()

    def errors(self) -> str:
        path = self.log_dir / f"sipp-{self.port}-errors.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            await self.process.wait()
