"""The card image's FAT boot partition, read and written with mtools as any PC would.

QEMU's `virt` machine has no Raspberry Pi firmware, so the test does its job:
it reads config.txt for the kernel and initramfs names and cmdline.txt for the
kernel's command line, as the Pi's start.elf does at every boot.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

SECTOR = 512
MTOOLS_ENV = {**os.environ, "MTOOLS_SKIP_CHECK": "1"}


@dataclass(frozen=True)
class BootFiles:
    """What the firmware hands the kernel: its image, the initramfs and the command line."""

    kernel: Path
    initrd: Path
    cmdline: str


class BootPartition:
    """Partition 1 of a raw disk image."""

    def __init__(self, disk: Path) -> None:
        self.disk = disk
        table = json.loads(subprocess.run(["sfdisk", "--json", str(disk)], check=True,
                                          capture_output=True, text=True).stdout)
        self.offset = int(table["partitiontable"]["partitions"][0]["start"]) * SECTOR

    def _image(self) -> str:
        return f"{self.disk}@@{self.offset}"

    def read(self, name: str) -> str:
        """One file's text."""
        return subprocess.run(["mtype", "-i", self._image(), f"::{name}"], check=True,
                              capture_output=True, text=True, env=MTOOLS_ENV).stdout

    def write(self, name: str, text: str, scratch: Path) -> None:
        """Put a file on the partition (replacing one of that name)."""
        source = scratch / name
        source.write_text(text)
        subprocess.run(["mcopy", "-o", "-i", self._image(), str(source), f"::{name}"],
                       check=True, capture_output=True, env=MTOOLS_ENV)

    def boot_files(self, into: Path) -> BootFiles:
        """The kernel and initramfs config.txt names, copied out, and cmdline.txt."""
        settings = dict(_config_lines(self.read("config.txt")))
        kernel, initrd = into / "kernel", into / "initrd"
        for name, target in ((settings["kernel"], kernel), (settings["initramfs"], initrd)):
            subprocess.run(["mcopy", "-o", "-i", self._image(), f"::{name}", str(target)],
                           check=True, capture_output=True, env=MTOOLS_ENV)
        return BootFiles(kernel, initrd, " ".join(self.read("cmdline.txt").split()))


def _config_lines(text: str) -> list[tuple[str, str]]:
    """`key=value` and `initramfs NAME` lines of a Pi config.txt, comments left out."""
    found = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("initramfs "):
            found.append(("initramfs", line.split()[1]))
        elif "=" in line:
            key, _, value = line.partition("=")
            found.append((key.strip(), value.strip()))
    return found
