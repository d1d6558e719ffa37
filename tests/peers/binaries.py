"""Find a peer's program, or skip the test naming the Debian package that brings it."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

# Directories searched besides PATH: daemons live in sbin, which a non-root PATH often lacks.
_EXTRA_DIRS = ("/usr/sbin", "/sbin", "/usr/local/sbin")


@dataclass(frozen=True)
class PeerProgram:
    """A program a fixture runs and the Debian package that installs it."""

    name: str
    debian_package: str

    def find(self) -> Path | None:
        """Return the program's path, or None when it is not installed."""
        if os.path.isabs(self.name):
            return Path(self.name) if os.access(self.name, os.X_OK) else None
        search = os.pathsep.join([os.environ.get("PATH", ""), *_EXTRA_DIRS])
        found = shutil.which(self.name, path=search)
        return Path(found) if found else None

    def missing_reason(self) -> str:
        """Say what is missing and which package to install."""
        return (
            f"{self.name} not found: install the Debian package '{self.debian_package}' "
            f"(apt-get install -y {self.debian_package})"
        )


MOSQUITTO = PeerProgram("mosquitto", "mosquitto")
MOSQUITTO_PASSWD = PeerProgram("mosquitto_passwd", "mosquitto")
DOVECOT = PeerProgram("dovecot", "dovecot-imapd")
DOVECOT_IMAP = PeerProgram("/usr/lib/dovecot/imap", "dovecot-imapd")

ALL_PROGRAMS = (MOSQUITTO, MOSQUITTO_PASSWD, DOVECOT, DOVECOT_IMAP)


def require(program: PeerProgram) -> Path:
    """Return the program's path or skip the calling test with the package to install."""
    path = program.find()
    if path is None:
        pytest.skip(program.missing_reason())
    return path
