"""Dovecot IMAP for the test session, and a fresh user with an empty Maildir per test."""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.peers import binaries
from tests.peers.free_port import LOOPBACK
from tests.peers.peer_process import PROBE_TIMEOUT_S, PeerProcess, start_on_a_free_port

# Dovecot refuses to open mail as uid 0, so as root the mailboxes belong to this system user.
MAIL_SYSTEM_USER = "aspa-test-mail"
IMAP_TIMEOUT_S = 10.0
_APPENDUID = re.compile(rb"\[APPENDUID \d+ (\d+)\]")
_FETCH_UID = re.compile(rb"UID (\d+)")
_FETCH_FLAGS = re.compile(rb"FLAGS \(([^)]*)\)")


def greets_imap(host: str, port: int) -> bool:
    """Tell whether an IMAP greeting comes (RFC 3501 §7.1.1); Dovecot sends it once auth is up."""
    try:
        with socket.create_connection((host, port), timeout=PROBE_TIMEOUT_S) as sock:
            return sock.recv(64).startswith(b"* OK")
    except OSError:
        return False


@dataclass(frozen=True)
class FetchedMessage:
    """One message as the IMAP server holds it."""

    uid: int
    flags: tuple[str, ...]
    raw: bytes


def _mail_owner() -> tuple[int, int, str, str]:
    """Return uid, gid of the mailbox owner and the login and internal users Dovecot runs as."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid()).pw_name
        return os.getuid(), os.getgid(), me, me
    try:
        entry = pwd.getpwnam(MAIL_SYSTEM_USER)
    except KeyError:
        if shutil.which("useradd", path="/usr/sbin:/sbin:/usr/bin") is None:
            pytest.skip("useradd not found: install the Debian package 'passwd'")
        subprocess.run(
            ["useradd", "--system", "--user-group", "--no-create-home",
             "--shell", "/usr/sbin/nologin", MAIL_SYSTEM_USER],
            check=True, capture_output=True, timeout=30,
        )  # fmt: skip
        entry = pwd.getpwnam(MAIL_SYSTEM_USER)
    return entry.pw_uid, entry.pw_gid, "dovenull", "dovecot"


class DovecotServer:
    """One Dovecot IMAP server in a temporary directory, one passwd-file per account."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.host = LOOPBACK
        self.port = 0
        self.config_path = directory / "dovecot.conf"
        self.log_path = directory / "dovecot.log"
        self.users_dir = directory / "users"
        self.homes = directory / "home"
        self.instance_name = f"aspa-test-{secrets.token_hex(4)}"
        binaries.require(binaries.DOVECOT_IMAP)
        self._program = binaries.require(binaries.DOVECOT)
        self.mail_uid, self.mail_gid, self._login_user, self._internal_user = _mail_owner()
        # mkdtemp makes 0700; the login and mail users must be able to traverse it.
        directory.chmod(0o755)
        self.homes.mkdir(exist_ok=True)
        self.users_dir.mkdir(exist_ok=True)
        self._process: PeerProcess | None = None
        self._account_count = 0

    def _write_config(self) -> None:
        """Write dovecot.conf for the current port; nothing is read from /etc/dovecot."""
        d = self.directory
        unprivileged = os.geteuid() != 0
        no_chroot = "  chroot =\n" if unprivileged else ""
        # Unprivileged, Dovecot can neither chroot nor hand sockets to its own dovecot group.
        own_group = f"default_internal_group = {grp.getgrgid(os.getegid()).gr_name}\n"
        internal_group = own_group if unprivileged else ""
        self.config_path.write_text(
            f"""\
instance_name = {self.instance_name}
base_dir = {d}/run
state_dir = {d}/state
log_path = {self.log_path}
info_log_path = {self.log_path}
protocols = imap
listen = {self.host}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# A wrong password is answered without the default two-second delay.
auth_failure_delay = 0
first_valid_uid = 1
default_login_user = {self._login_user}
default_internal_user = {self._internal_user}
{internal_group}mail_location = maildir:~/Maildir
mail_fsync = never
# One passwd-file per user: Dovecot checks a known file for changes at most once a second,
# while a new file is read at its first lookup, so a user added mid-second can log in at once.
passdb {{
  driver = passwd-file
  args = {self.users_dir}/%u
}}
userdb {{
  driver = passwd-file
  args = {self.users_dir}/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \\Sent
  }}
  mailbox Drafts {{
    special_use = \\Drafts
  }}
  mailbox Trash {{
    special_use = \\Trash
  }}
  mailbox Junk {{
    special_use = \\Junk
  }}
}}
service imap-login {{
{no_chroot}  inet_listener imap {{
    address = {self.host}
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
{no_chroot}  # No auth penalty: after one failure every login from 127.0.0.1 would wait 2-15 s.
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""
        )

    @property
    def is_running(self) -> bool:
        """Tell whether the Dovecot master process is alive."""
        return self._process is not None and self._process.is_running

    def start(self) -> None:
        """Start Dovecot: first on a fresh free port (one retry if taken), later on the same."""
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
        """Write the config and run the master in the foreground until IMAP accepts."""
        self._write_config()
        self._process = PeerProcess(
            "dovecot",
            [str(self._program), "-c", str(self.config_path), "-F"],
            self.host,
            self.port,
            self.directory / "dovecot.out",
            extra_logs=[self.log_path],
            is_ready=greets_imap,
        )
        self._process.start()

    def stop(self) -> None:
        """Stop Dovecot and every IMAP session it serves."""
        if self._process is not None:
            self._process.stop()

    def restart(self) -> None:
        """Stop and start again on the same port."""
        self.stop()
        self.start()

    def log_text(self) -> str:
        """Return everything Dovecot logged so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def add_account(self, user: str | None = None, password: str | None = None) -> ImapAccount:
        """Create a user with an empty Maildir and a passwd-file of their own."""
        self._account_count += 1
        user = user or f"agent{self._account_count}-{secrets.token_hex(3)}"
        password = password or secrets.token_hex(8)
        for value in (user, password):
            if any(c in value for c in ":/%") or not value.isprintable() or value.startswith("."):
                raise ValueError(f"IMAP user or password {value!r} may not hold ':/%' or controls")
        home = self.homes / user
        maildir = home / "Maildir"
        for sub in ("cur", "new", "tmp"):
            (maildir / sub).mkdir(parents=True)
        for path in (home, maildir, *(maildir / sub for sub in ("cur", "new", "tmp"))):
            os.chown(path, self.mail_uid, self.mail_gid)
        line = f"{user}:{{PLAIN}}{password}:{self.mail_uid}:{self.mail_gid}::{home}\n"
        user_file = self.users_dir / user
        user_file.write_text(line)
        user_file.chmod(0o644)
        return ImapAccount(self, user, password, home, maildir)


class ImapAccount:
    """A test's own IMAP user on the shared Dovecot: credentials and a few direct actions."""

    def __init__(
        self, server: DovecotServer, user: str, password: str, home: Path, maildir: Path
    ) -> None:
        self.server = server
        self.user = user
        self.password = password
        self.home = home
        self.maildir = maildir

    @property
    def host(self) -> str:
        """Where Dovecot listens."""
        return self.server.host

    @property
    def port(self) -> int:
        """Dovecot's plaintext IMAP port."""
        return self.server.port

    def connect(self) -> imaplib.IMAP4:
        """Return an imaplib connection logged in as this user."""
        imap = imaplib.IMAP4(self.host, self.port, timeout=IMAP_TIMEOUT_S)
        try:
            imap.login(self.user, self.password)
        except BaseException:
            imap.shutdown()
            raise
        return imap

    def create_folder(self, folder: str) -> None:
        """Create a mailbox; one that already exists is fine."""
        imap = self.connect()
        try:
            status, data = imap.create(_quoted(folder))
        finally:
            imap.logout()
        if status != "OK" and b"[ALREADYEXISTS]" not in b" ".join(data):
            raise RuntimeError(f"CREATE {folder} failed: {status} {data!r}")

    def append(self, raw: bytes, folder: str = "INBOX", flags: Sequence[str] = ()) -> int:
        """Put a raw message into folder (created if missing) and return its UID."""
        if folder.upper() != "INBOX":
            self.create_folder(folder)
        imap = self.connect()
        try:
            flag_list = f"({' '.join(flags)})" if flags else None
            status, data = imap.append(_quoted(folder), flag_list, None, raw)
        finally:
            imap.logout()
        found = _APPENDUID.search(b" ".join(d for d in data if isinstance(d, bytes)))
        if status != "OK" or found is None:
            raise RuntimeError(f"APPEND to {folder} failed: {status} {data!r}")
        return int(found.group(1))

    def fetch_all(self, folder: str = "INBOX") -> list[FetchedMessage]:
        """Return every message in folder with its UID and flags, without setting \\Seen."""
        imap = self.connect()
        try:
            status, data = imap.select(_quoted(folder), readonly=True)
            if status != "OK":
                raise RuntimeError(f"SELECT {folder} failed: {status} {data!r}")
            status, data = imap.uid("FETCH", "1:*", "(UID FLAGS BODY.PEEK[])")
        finally:
            imap.logout()
        if status != "OK":
            raise RuntimeError(f"FETCH in {folder} failed: {status} {data!r}")
        messages: list[FetchedMessage] = []
        for part in data:
            if not isinstance(part, tuple):
                continue
            uid, flags = _FETCH_UID.search(part[0]), _FETCH_FLAGS.search(part[0])
            if uid is None or flags is None:
                raise RuntimeError(f"unexpected FETCH response {part[0]!r}")
            flag_names = tuple(f.decode() for f in flags.group(1).split())
            messages.append(FetchedMessage(int(uid.group(1)), flag_names, part[1]))
        return messages

    def stop(self) -> None:
        """Stop the Dovecot server (for "server away" tests)."""
        self.server.stop()

    def start(self) -> None:
        """Start the Dovecot server again on the same port."""
        self.server.start()


def _quoted(folder: str) -> str:
    """Quote a mailbox name for imaplib (RFC 3501 §4.3 quoted string)."""
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture(scope="session")
def dovecot_server() -> Iterator[DovecotServer]:
    """Run one Dovecot for the whole session, in its own short temporary directory."""
    # A short path under /tmp keeps Dovecot's unix sockets under the 108-byte limit.
    directory = Path(tempfile.mkdtemp(prefix="aspa-dovecot-"))
    try:
        server = DovecotServer(directory)
        server.start()
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def imap_server(dovecot_server: DovecotServer) -> DovecotServer:
    """Give a test the shared Dovecot, running; add_account() makes more users."""
    # A test before this one may have stopped the shared server to test a restart.
    dovecot_server.start()
    return dovecot_server


@pytest.fixture
def imap_account(imap_server: DovecotServer) -> ImapAccount:
    """Give a test a new IMAP user with an empty Maildir on the running Dovecot."""
    return imap_server.add_account()
