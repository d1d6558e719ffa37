"""A blocking IMAP session (stdlib imaplib) for a worker thread: select, search, fetch, IDLE.

Only this module speaks IMAP. IDLE (RFC 2177) is done by hand because imaplib
before Python 3.14 has none; everything else is imaplib's own commands.
"""

from __future__ import annotations

import contextlib
import imaplib
import io
import re
import select
import socket
import ssl
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from appliance.config.sections.mail import MailboxSettings
from appliance.mail.errors import ImapError, ImapLoginFailed
from appliance.mail.imap_utf7 import encode_folder

CONNECT_TIMEOUT_S = 30.0
# RFC 2177 §3: clients should re-issue IDLE at least every 29 minutes.
IDLE_MAX_S = 25 * 60
_UID = re.compile(rb"UID (\d+)")
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
_STATUS_VALUE = re.compile(rb"(UIDVALIDITY|UIDNEXT|MESSAGES) (\d+)")


@dataclass(frozen=True)
class FolderStatus:
    """What SELECT told us about the folder (RFC 3501 §6.3.1)."""

    uidvalidity: int
    exists: int


def _quoted(folder: str) -> str:
    """A folder name as an IMAP quoted string (RFC 3501 §4.3), in modified UTF-7 (§5.1.3)."""
    name = encode_folder(folder)
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def uid_set(uids: Sequence[int]) -> str:
    """A compact UID set: runs of consecutive UIDs as ranges (RFC 3501 §9 sequence-set)."""
    parts: list[str] = []
    ordered = sorted(uids)
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if i == j else f"{ordered[i]}:{ordered[j]}")
        i = j + 1
    return ",".join(parts)


class ImapSession:
    """One logged-in connection to one folder."""

    def __init__(self, settings: MailboxSettings, password: str, *,
                 timeout_s: float = CONNECT_TIMEOUT_S) -> None:
        self.settings = settings
        self._password = password
        self._timeout_s = timeout_s  # per socket operation
        self._imap: imaplib.IMAP4 | None = None
        self.capabilities: frozenset[str] = frozenset()

    @property
    def imap(self) -> imaplib.IMAP4:
        if self._imap is None:
            raise ImapError(f"mailbox {self.settings.name}: not connected")
        return self._imap

    def connect(self) -> None:
        """Connect, secure the connection as configured, and log in."""
        s = self.settings
        where = f"{s.host}:{s.port}"
        try:
            if s.security == "tls":
                imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    s.host, s.port, ssl_context=ssl.create_default_context(),
                    timeout=self._timeout_s)
            else:
                imap = imaplib.IMAP4(s.host, s.port, timeout=self._timeout_s)
                if s.security == "starttls":
                    imap.starttls(ssl.create_default_context())
        except (OSError, imaplib.IMAP4.error) as error:
            raise ImapError(f"cannot connect to IMAP server {where}: {error}") from error
        try:
            self._login(imap)
        except imaplib.IMAP4.error as error:
            imap.shutdown()
            raise ImapLoginFailed(
                f"IMAP server {where} refused the login of {s.user!r}: {_text(error)}; "
                f"check mail.mailboxes user and password"
            ) from error
        except OSError as error:
            imap.shutdown()
            raise ImapError(f"IMAP server {where} dropped the connection: {error}") from error
        self._imap = imap
        # Servers announce more after login (RFC 3501 §6.1.1), e.g. Dovecot's MOVE and UIDPLUS.
        typ, data = imap.capability()
        names = _joined_bytes(data).decode(errors="replace").split() if typ == "OK" else []
        self.capabilities = frozenset(c.upper() for c in [*imap.capabilities, *names])

    def _login(self, imap: imaplib.IMAP4) -> None:
        """LOGIN for ASCII credentials; SASL PLAIN in UTF-8 otherwise (RFC 4616 §2, RFC 6855)."""
        user, password = self.settings.user, self._password
        if user.isascii() and password.isascii():
            imap.login(user, password)
            return
        token = b"\0" + user.encode() + b"\0" + password.encode()
        imap.authenticate("PLAIN", lambda _challenge: token)

    @property
    def can_idle(self) -> bool:
        """Tell whether the server offers IDLE (RFC 2177)."""
        return "IDLE" in self.capabilities

    def select(self, folder: str) -> FolderStatus:
        """Open the folder read-write; UIDVALIDITY comes with the answer (RFC 3501 §6.3.1)."""
        typ, data = self.imap.select(_quoted(folder))
        if typ != "OK":
            raise ImapError(f"cannot open folder {folder!r}: {_joined(data)}")
        validity = self.imap.untagged_responses.get("UIDVALIDITY", [b"0"])[-1]
        if not isinstance(validity, bytes):
            raise ImapError(f"folder {folder!r}: server sent no UIDVALIDITY (RFC 3501 §6.3.1)")
        exists = data[0] if data and isinstance(data[0], bytes) else b"0"
        # imaplib leaves SELECT's EXISTS/RECENT behind; drop them, so that one seen later
        # really is news (see mail_arrived_meanwhile).
        self.imap.untagged_responses.pop("EXISTS", None)
        self.imap.untagged_responses.pop("RECENT", None)
        return FolderStatus(uidvalidity=int(validity), exists=int(exists))

    def uids_after(self, last_uid: int) -> list[int]:
        """UIDs above last_uid, ascending. `n:*` always matches the highest UID, so filter."""
        typ, data = self.imap.uid("SEARCH", f"UID {last_uid + 1}:*")
        self._check(typ, data, "UID SEARCH")
        return sorted(u for u in (int(x) for x in _joined_bytes(data).split()) if u > last_uid)

    def uids_up_to(self, last_uid: int, unseen_only: bool = False) -> list[int]:
        """UIDs still in the folder (or still unseen) at or below last_uid."""
        if last_uid < 1:
            return []
        criteria = f"UNSEEN UID 1:{last_uid}" if unseen_only else f"UID 1:{last_uid}"
        typ, data = self.imap.uid("SEARCH", criteria)
        self._check(typ, data, "UID SEARCH")
        return sorted(u for u in (int(x) for x in _joined_bytes(data).split()) if u <= last_uid)

    def sizes(self, uids: Sequence[int]) -> dict[int, int]:
        """RFC822.SIZE of each UID, to keep oversize bodies off the wire."""
        typ, data = self.imap.uid("FETCH", uid_set(uids), "(RFC822.SIZE)")
        self._check(typ, data, "UID FETCH RFC822.SIZE")
        out: dict[int, int] = {}
        for item in data:
            line = item[0] if isinstance(item, tuple) else item
            if not isinstance(line, bytes):
                continue
            uid, size = _UID.search(line), _SIZE.search(line)
            if uid and size:
                out[int(uid.group(1))] = int(size.group(1))
        return out

    def fetch(self, uids: Sequence[int], headers_only: bool = False) -> Iterator[tuple[int, bytes]]:
        """(uid, raw bytes) for each UID; BODY.PEEK leaves \\Seen alone (RFC 3501 §6.4.5)."""
        if not uids:
            return
        item = "BODY.PEEK[HEADER]" if headers_only else "BODY.PEEK[]"
        typ, data = self.imap.uid("FETCH", uid_set(uids), f"(UID {item})")
        self._check(typ, data, f"UID FETCH {item}")
        for part in data:
            if isinstance(part, tuple) and len(part) == 2:
                uid = _UID.search(part[0])
                if uid is not None:
                    yield int(uid.group(1)), part[1]

    def mark_seen(self, uids: Sequence[int]) -> None:
        """Set \\Seen on mail that is safely stored."""
        if uids:
            typ, data = self.imap.uid("STORE", uid_set(uids), "+FLAGS.SILENT", "(\\Seen)")
            self._check(typ, data, "UID STORE")

    def move(self, uids: Sequence[int], folder: str) -> None:
        """Move mail to folder: MOVE (RFC 6851) or COPY, flag \\Deleted and UID EXPUNGE."""
        if not uids:
            return
        target = _quoted(folder)
        self.imap.create(target)  # an existing folder answers NO [ALREADYEXISTS]; fine
        if "MOVE" in self.capabilities:
            typ, data = self.imap.uid("MOVE", uid_set(uids), target)
            self._check(typ, data, "UID MOVE")
            return
        typ, data = self.imap.uid("COPY", uid_set(uids), target)
        self._check(typ, data, "UID COPY")
        typ, data = self.imap.uid("STORE", uid_set(uids), "+FLAGS.SILENT", "(\\Seen \\Deleted)")
        self._check(typ, data, "UID STORE")
        if "UIDPLUS" in self.capabilities:  # RFC 4315: expunge only these, not others' deletions
            typ, data = self.imap.uid("EXPUNGE", uid_set(uids))
            self._check(typ, data, "UID EXPUNGE")

    def idle(self, max_s: float, wake: socket.socket) -> bool:
        """Wait in IDLE until the server reports new mail, max_s passes or `wake` is readable.

        Returns True when new mail was announced (an untagged EXISTS, RFC 2177 §3).
        """
        imap = self.imap
        tag = imap._new_tag()
        imap.send(tag + b" IDLE\r\n")
        first = imap.readline()
        if not first.startswith(b"+"):
            raise ImapError(f"server refused IDLE: {first.decode(errors='replace').strip()}")
        sock = imap.sock
        got_mail = False
        remaining = min(max_s, IDLE_MAX_S)
        while remaining > 0 and not got_mail:
            if not _input_waiting(imap):
                step = min(remaining, 5.0)
                readable, _, _ = select.select([sock, wake], [], [], step)
                remaining -= step
                if wake in readable:
                    break
                if sock not in readable:
                    continue
            line = imap.readline()
            if not line:
                raise ImapError("IMAP server closed the connection during IDLE")
            if line.startswith(b"* BYE"):
                raise ImapError(f"IMAP server ended the session: {line.decode(errors='replace')}")
            got_mail = line.startswith(b"*") and (b"EXISTS" in line or b"RECENT" in line)
        imap.send(b"DONE\r\n")
        while True:
            line = imap.readline()
            if not line:
                raise ImapError("IMAP server closed the connection after IDLE")
            if line.startswith(tag):
                if b" OK" not in line[: len(tag) + 4]:
                    raise ImapError(f"IDLE ended badly: {line.decode(errors='replace').strip()}")
                return got_mail
            if line.startswith(b"*") and b"EXISTS" in line:
                got_mail = True

    def mail_arrived_meanwhile(self) -> bool:
        """Tell (once) whether the server announced new mail since the last SELECT.

        Servers may send `* n EXISTS` with the answer to any command (RFC 3501 §7.3.1);
        imaplib keeps such untagged answers, SELECT clears them.
        """
        # Only EXISTS: SELECT's own "* 0 RECENT" stays behind in imaplib and means nothing here.
        return bool(self.imap.untagged_responses.pop("EXISTS", None))

    def noop(self) -> None:
        """Keep the session alive and let the server report changes."""
        typ, data = self.imap.noop()
        self._check(typ, data, "NOOP")

    def close(self) -> None:
        """Log out, or drop the connection if the server is gone."""
        imap, self._imap = self._imap, None
        if imap is None:
            return
        try:
            imap.logout()
        except (OSError, imaplib.IMAP4.error):
            with contextlib.suppress(OSError):
                imap.shutdown()

    @staticmethod
    def _check(typ: str, data: Sequence[object], what: str) -> None:
        if typ != "OK":
            raise ImapError(f"{what} failed: {typ} {_joined(data)}")


def _joined_bytes(data: Sequence[object]) -> bytes:
    return b" ".join(d for d in data if isinstance(d, bytes))


def _joined(data: Sequence[object]) -> str:
    return _joined_bytes(data).decode(errors="replace")


def _text(error: BaseException) -> str:
    text = str(error)
    if text.startswith("b'") or text.startswith('b"'):
        text = text[2:-1]
    return text


def _input_waiting(imap: imaplib.IMAP4) -> bool:
    """Tell, without blocking, whether a line can be read now.

    imaplib reads through a buffered file: the server's "+ idling" and a "* 1 EXISTS"
    sent right behind it often come in one packet, and the second line then sits in
    that buffer where select() on the socket cannot see it.
    """
    sock = imap.sock
    if isinstance(sock, ssl.SSLSocket) and sock.pending() > 0:
        return True
    reader = imap.file
    if not isinstance(reader, io.BufferedReader):
        return False  # not imaplib's usual buffered file: select() alone decides
    timeout = sock.gettimeout()
    sock.settimeout(0.0)
    try:
        return bool(reader.peek(1))  # buffered bytes, or one non-blocking read
    except (BlockingIOError, ssl.SSLWantReadError):
        return False
    finally:
        sock.settimeout(timeout)
