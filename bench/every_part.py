"""Every part of the box switched on, with the peers each one talks to, for the memory bench.

The same peers the test suite runs (tests/peers): the modem simulator on a
pseudo-terminal (`aspa modem-sim`, its own process), baresip (started by the
VoIP adapter itself), Mosquitto, Dovecot with one empty mailbox, and
gpiozero's mock pins for the status LEDs and four desks. Ten agents, one ring
group over them.
"""

from __future__ import annotations

import imaplib
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Self

AGENTS = 10
# Desk buttons and LEDs on the mock pins (BCM numbers; 12, 16, 20 and 21 are the status LEDs).
DESK_PINS = ((5, 6, 13), (19, 26, 17), (27, 22, 23), (24, 25, 18))
BACKLOG_TIMEOUT_S = 1800.0
BARE_CONFIG = 'data_dir = "data"\n[web]\nport = 0\n[log]\nlevel = "warning"\n'


class EveryPart:
    """Starts the peers, writes the aspa.toml that uses them all, stops them again."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._modem: subprocess.Popen[str] | None = None
        self.modem_path = ""
        self._stoppers: list[object] = []
        self._dovecot_dir: Path | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    def start(self) -> None:
        from tests.peers.binaries import require
        from tests.peers.dovecot import DovecotServer
        from tests.peers.mosquitto import MosquittoBroker
        from tests.voip.sip_peers import BARESIP, free_sip_port, rtp_range

        self._modem = subprocess.Popen(
            [sys.executable, "-m", "appliance", "modem-sim", "--model", "sim7600", "--dir",
             str(self.root / "modem")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert self._modem.stdout is not None
        # "sim7600 simulator at /path/gsm-modem -> /dev/pts/N; voice port ..."
        self.modem_path = self._modem.stdout.readline().split(" at ", 1)[1].split(" -> ")[0]
        (self.root / "mosquitto").mkdir()
        self.broker = MosquittoBroker(self.root / "mosquitto")
        self.broker.start()
        self._stoppers.append(self.broker)
        # its own folder, as the suite makes it: Dovecot's mail user must reach the Maildir
        # (a TemporaryDirectory above it is mode 700)
        self._dovecot_dir = Path(tempfile.mkdtemp(prefix="aspa-dc-"))
        self.dovecot = DovecotServer(self._dovecot_dir)
        self.dovecot.start()
        self._stoppers.append(self.dovecot)
        self.account = self.dovecot.add_account()
        self.baresip = str(require(BARESIP))
        self.sip_port = free_sip_port()
        self.rtp = rtp_range()

    def described(self) -> str:
        return (f"{AGENTS} agents, GSM (sim7600 simulator at {self.modem_path}), VoIP (baresip, "
                f"SIP port {self.sip_port}), MQTT (Mosquitto port {self.broker.port}), GPIO "
                f"(mock pins, {len(DESK_PINS)} desks), mail (Dovecot port {self.account.port})")

    def config(self) -> str:
        """aspa.toml with every part on."""
        agents = "".join(
            f'\n[[agents]]\nlogin = "agent{i}"\nname = "Agent {i}"\n'
            f'phone = "+35840555{i:04d}"\nteams = ["tuki"]\n' for i in range(AGENTS))
        members = ", ".join(f'"agent{i}"' for i in range(AGENTS))
        desks = "".join(
            f'\n[[gpio.desks]]\nagent = "agent{i}"\nbutton_pin = {button}\n'
            f'green_pin = {green}\nred_pin = {red}\n'
            for i, (button, green, red) in enumerate(DESK_PINS))
        account = self.account
        return f"""data_dir = "data"
[web]
host = "127.0.0.1"
port = 0
[log]
level = "warning"
[gsm]
enabled = true
[[gsm.modems]]
name = "gsm0"
device = "{self.modem_path}"
model = "sim7600"
[voip]
enabled = true
listen_address = "127.0.0.1"
sip_port = {self.sip_port}
rtp_port_min = {self.rtp[0]}
rtp_port_max = {self.rtp[1]}
baresip = "{self.baresip}"
[mqtt]
enabled = true
host = "{self.broker.host}"
port = {self.broker.port}
username = ""
[[mail.mailboxes]]
name = "tuki"
host = "{account.host}"
port = {account.port}
security = "none"
user = "{account.user}"
password = "{account.password}"
[gpio]
enabled = true
pin_factory = "mock"
{desks}
[[ring_groups]]
name = "tuki"
members = [{members}]
strategy = "rrmemory"
{agents}"""

    def take_in_backlog(self, count: int, _pid: int) -> float:
        """Drop `count` mails into the mailbox; seconds until the daemon has taken them all."""
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "bench.mail_intake", "--fill", str(self.account.maildir),
             str(count), str(self.dovecot.mail_uid), str(self.dovecot.mail_gid)],
            check=True, capture_output=True)
        imap = imaplib.IMAP4(self.account.host, self.account.port)
        imap.login(self.account.user, self.account.password)
        try:
            while time.perf_counter() - started < BACKLOG_TIMEOUT_S:
                _, data = imap.status("INBOX", "(UNSEEN)")
                unseen = int(data[0].decode().rsplit("UNSEEN", 1)[1].strip(" )"))
                if unseen == 0:
                    return time.perf_counter() - started
                time.sleep(0.5)  # the daemon is another process: nothing here to wait on
            raise TimeoutError(f"the daemon did not take in {count} mails")
        finally:
            imap.logout()

    def stop(self) -> None:
        if self._modem is not None:
            self._modem.kill()
            self._modem.wait()
            self._modem = None
        for peer in reversed(self._stoppers):
            peer.stop()  # type: ignore[attr-defined]
        self._stoppers.clear()
        if self._dovecot_dir is not None:
            shutil.rmtree(self._dovecot_dir, ignore_errors=True)
            self._dovecot_dir = None
