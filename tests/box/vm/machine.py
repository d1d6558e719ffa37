"""The box as an emulated arm64 machine: QEMU `virt` booting the card image's own kernel.

- the disk is a copy of the image, on virtio-blk, grown to the size of a card;
- the network is QEMU's user mode, isolated (restrict=on): the guest reaches
  nothing but the forwards the test makes (its web page and SSH from the host;
  the host's Dovecot from the guest);
- the modem is a PCI 16550 UART (ttyS0 in the guest) wired to a pseudo-terminal
  of the modem simulator on the host;
- the guest's console (a PL011, ttyAMA0) goes to a log file;
- a reboot stops QEMU (-no-reboot) and the test starts it again, reading the boot
  partition afresh as the Pi's firmware would; killing QEMU is the power cut.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.box.vm.boot_partition import BootPartition
from tests.peers.free_port import LOOPBACK

QEMU = "qemu-system-aarch64"
MEMORY_MB = 1024  # a Pi 3 B+ or Zero 2 W has 1 GB / 512 MB; 1 GB as the smaller Pi 4s
CPUS = 2
GUEST_FORWARD_ADDRESS = "10.0.2.100"  # where the guest finds the host's services
# The virt board's console is its PL011; the Pi's own (ttyS1) is absent here. The journal
# goes to it too, so the test can follow a boot that has no network yet.
BOARD_CONSOLE = "console=ttyAMA0,115200 systemd.journald.forward_to_console=1"


@dataclass(frozen=True)
class Ports:
    """Host ports forwarded into the guest, and host services the guest may reach."""

    http: int
    ssh: int
    guest_to_host: dict[int, int] = field(default_factory=dict)  # guest port -> host port


class BoxMachine:
    """One QEMU process at a time over the same disk."""

    def __init__(self, disk: Path, workdir: Path, modem_tty: str, ports: Ports) -> None:
        self.disk = disk
        self.workdir = workdir
        self.modem_tty = modem_tty
        self.ports = ports
        self.console = workdir / "console.log"
        self.monitor = workdir / "monitor.sock"
        self.process: asyncio.subprocess.Process | None = None
        self.started_at = 0.0
        self.boots = 0

    def _command(self) -> list[str]:
        boot = BootPartition(self.disk).boot_files(self.workdir)
        forwards = [f"hostfwd=tcp:{LOOPBACK}:{self.ports.http}-:80",
                    f"hostfwd=tcp:{LOOPBACK}:{self.ports.ssh}-:22"]
        forwards += [f"guestfwd=tcp:{GUEST_FORWARD_ADDRESS}:{guest}-cmd:socat - "
                     f"TCP:{LOOPBACK}:{host}" for guest, host in self.ports.guest_to_host.items()]
        return [
            QEMU, "-M", "virt", "-cpu", "cortex-a53", "-smp", str(CPUS), "-m", str(MEMORY_MB),
            "-kernel", str(boot.kernel), "-initrd", str(boot.initrd),
            "-append", f"{boot.cmdline} {BOARD_CONSOLE}",
            "-drive", f"file={self.disk},format=raw,if=none,id=card,cache=writeback",
            "-device", "virtio-blk-pci,drive=card",
            "-netdev", ",".join(["user,id=lan,restrict=on", *forwards]),
            "-device", "virtio-net-pci,netdev=lan,romfile=",  # no PXE ROM: the kernel is given
            "-chardev", f"serial,id=modem,path={self.modem_tty}",
            "-device", "pci-serial,chardev=modem",
            "-chardev", f"file,id=console,path={self.console}",
            "-serial", "chardev:console",
            "-monitor", f"unix:{self.monitor},server=on,wait=off",
            "-display", "none", "-no-reboot",
        ]

    async def start(self, *, network: bool = True) -> None:
        """Power on; with `network` False the LAN cable is out until plug_network()."""
        assert self.process is None or self.process.returncode is not None
        self.monitor.unlink(missing_ok=True)
        with (self.workdir / "qemu.log").open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                *self._command(), stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log)
        self.started_at = time.monotonic()
        self.boots += 1
        if not network:
            await self.send_monitor("set_link lan off")  # before the kernel has even started

    async def send_monitor(self, command: str) -> None:
        """One command to QEMU's human monitor."""
        for _ in range(100):
            if self.monitor.exists():
                break
            await asyncio.sleep(0.05)
        reader, writer = await asyncio.open_unix_connection(str(self.monitor))
        writer.write(command.encode() + b"\n")
        await writer.drain()
        await asyncio.sleep(0.2)
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
        del reader

    async def plug_network(self) -> None:
        """The LAN cable goes in."""
        await self.send_monitor("set_link lan on")

    async def cut_power(self) -> None:
        """SIGKILL: whatever the guest had not yet written to its disk is lost."""
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()

    async def wait_stopped(self, within: float) -> None:
        """Wait for the guest to power itself off or reboot (QEMU exits: -no-reboot)."""
        assert self.process is not None
        await asyncio.wait_for(self.process.wait(), within)

    def console_text(self) -> str:
        return self.console.read_text(errors="replace") if self.console.exists() else ""

    async def wait_for_console(self, text: str, within: float, start: int = 0) -> float:
        """Seconds since power-on when `text` appeared on the console after offset `start`."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if text in self.console_text()[start:]:
                return time.monotonic() - self.started_at
            if self.process is not None and self.process.returncode is not None:
                raise AssertionError(f"QEMU stopped before {text!r}:\n{self.tail()}")
            await asyncio.sleep(0.5)
        raise AssertionError(f"{text!r} not on the console within {within:.0f} s:\n{self.tail()}")

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.console_text().splitlines()[-lines:])


def grow(disk: Path, size_bytes: int) -> None:
    """The image written to a bigger card: the space after the last partition is free."""
    with disk.open("r+b") as handle:
        handle.truncate(size_bytes)
    os.sync()
