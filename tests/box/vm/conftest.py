"""One box for the whole VM run: the image on a bigger card, its modem, its mailbox, a browser.

Runs only when ASPA_IMAGE names a built image (`scripts/test-image` sets it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from appliance.gsm.simulator import SimulatedModem, create_simulator
from tests.box.vm.boot_partition import BootPartition
from tests.box.vm.guest import Guest, make_key
from tests.box.vm.installer import Installer
from tests.box.vm.machine import QEMU, BoxMachine, Ports, grow
from tests.peers.dovecot import DovecotServer, ImapAccount
from tests.peers.free_port import free_port

IMAGE = os.environ.get("ASPA_IMAGE", "")
CHROMIUM = Path(os.environ.get("ASPA_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
CARD_BYTES = 8 * 1024**3  # the image written to an 8 GB card
SIM_PIN = "4321"
IMAP_PORT_IN_GUEST = 143
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "box-vm"


@dataclass
class Box:
    """The box under test and everything around it."""

    machine: BoxMachine
    guest: Guest
    modem: SimulatedModem
    mailbox: ImapAccount
    installer: Installer
    browser: Any
    workdir: Path
    figures: dict[str, float] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.machine.ports.http}"


def _needs() -> str | None:
    if not IMAGE:
        return "set ASPA_IMAGE to a built image (scripts/test-image does)"
    if not Path(IMAGE).exists():
        return f"ASPA_IMAGE={IMAGE} does not exist: build it with scripts/image"
    for program in (QEMU, "mcopy", "socat", "ssh"):
        if shutil.which(program) is None:
            return f"{program} missing: scripts/test-image installs it"
    if not CHROMIUM.exists():
        return "Chromium missing: apt-get install chromium"
    return None


def _disk(workdir: Path, key_line: str) -> Path:
    """A fresh copy of the image on a bigger card, with the installer's SSH key on it."""
    disk = workdir / "card.img"
    source = Path(IMAGE)
    if source.suffix == ".xz":
        with disk.open("wb") as out:
            subprocess.run(["xz", "-dc", str(source)], stdout=out, check=True)
    else:
        subprocess.run(["cp", "--sparse=always", str(source), str(disk)], check=True)
    grow(disk, CARD_BYTES)
    BootPartition(disk).write("aspa-ssh-key.pub", key_line + "\n", workdir)
    return disk


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def box(tmp_path_factory: pytest.TempPathFactory,
              dovecot_server: DovecotServer) -> AsyncIterator[Box]:
    reason = _needs()
    if reason:
        pytest.skip(reason)
    playwright_api = pytest.importorskip("playwright.async_api",
                                         reason="needs the `playwright` package (test extra)")
    workdir = tmp_path_factory.mktemp("box-vm")
    key, key_line = make_key(workdir)
    disk = _disk(workdir, key_line)
    (workdir / "dev").mkdir()
    modem = create_simulator("sim7600", workdir / "dev", "gsm-modem")
    modem.lock_sim(SIM_PIN)
    await modem.start()
    assert modem.link.slave_name is not None
    mailbox = dovecot_server.add_account()
    ports = Ports(http=free_port(), ssh=free_port(),
                  guest_to_host={IMAP_PORT_IN_GUEST: mailbox.port})
    machine = BoxMachine(disk, workdir, modem.link.slave_name, ports)
    artifacts = ARTIFACTS
    artifacts.mkdir(parents=True, exist_ok=True)
    async with playwright_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                   args=CHROMIUM_ARGS)
        page = await (await browser.new_context()).new_page()
        the_box = Box(machine, Guest(key, ports.ssh), modem, mailbox,
                      Installer(page, f"http://127.0.0.1:{ports.http}"), browser, workdir)
        try:
            yield the_box
        finally:
            await page.screenshot(path=str(artifacts / "last-page.png"))
            shutil.copy(machine.console, artifacts / "console.log")
            await machine.cut_power()
            await browser.close()
            await modem.stop()
            report = "\n".join(f"{name}: {value:.1f} s" for name, value in
                               the_box.figures.items())
            (artifacts / "figures.txt").write_text(report + "\n")
            print(f"\nbox in the VM, figures:\n{report}")
