"""Commands on the booted box over SSH, as the installer's key (aspa-ssh-key.pub) allows."""

from __future__ import annotations

import asyncio
import subprocess
import time
from pathlib import Path

from tests.peers.free_port import LOOPBACK

SSH_OPTIONS = ("-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
               "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10", "-o", "BatchMode=yes")


def make_key(folder: Path) -> tuple[Path, str]:
    """A fresh ed25519 key pair: the private key's path and the public key's line."""
    key = folder / "installer-key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "installer",
                    "-f", str(key)], check=True, capture_output=True)
    return key, key.with_suffix(".pub").read_text().strip()


class Guest:
    """root@box through the forwarded SSH port."""

    def __init__(self, key: Path, port: int) -> None:
        self.key = key
        self.port = port

    async def run(self, script: str, *, check: bool = True, within: float = 120) -> str:
        """Run a shell script as root; its standard output."""
        process = await asyncio.create_subprocess_exec(
            "ssh", *SSH_OPTIONS, "-i", str(self.key), "-p", str(self.port), f"root@{LOOPBACK}",
            script, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE)
        try:
            out, err = await asyncio.wait_for(process.communicate(), within)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise
        if check and process.returncode != 0:
            raise AssertionError(f"on the box, {script!r} exited {process.returncode}: "
                                 f"{err.decode(errors='replace')}{out.decode(errors='replace')}")
        return out.decode(errors="replace")

    async def wait_until_up(self, within: float) -> None:
        """Until SSH answers (the box has booted far enough for sshd)."""
        deadline = time.monotonic() + within
        while True:
            try:
                await self.run("true", within=30)
                return
            except (AssertionError, TimeoutError):
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(2)

    async def wait_for_unit(self, unit: str, within: float) -> float:
        """Until `unit` is active; seconds from the kernel's start to then (guest clock)."""
        deadline = time.monotonic() + within
        while True:
            state = (await self.run(f"systemctl is-active {unit} || true")).strip()
            if state == "active":
                value = await self.run(
                    f"systemctl show -P ActiveEnterTimestampMonotonic {unit}")
                return int(value.strip()) / 1e6
            if state == "failed" or time.monotonic() > deadline:
                journal = await self.run(f"journalctl -b -u {unit} --no-pager | tail -n 30",
                                         check=False)
                raise AssertionError(f"{unit} is {state}:\n{journal}")
            await asyncio.sleep(2)
