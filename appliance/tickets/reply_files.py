"""What a reply may carry: files with safe names, no programs, within the size caps.

Pure rules: the web page hands the uploaded files in, and gets them back cleaned or
a ReplyFileRefused that says which file and why (the page words it for the person).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from appliance.tickets.errors import TicketError

BYTES_PER_MB = 1024 * 1024
NAME_MAX_CHARS = 120  # a file name longer than this is cut, keeping its extension
FILES_MAX = 20  # files in one reply

# Opened with a double click on the customer's machine, these run code: Outlook and
# Gmail block the same list (Microsoft's "blocked attachments in Outlook", Gmail's
# "file types blocked in Gmail"). The reply is refused rather than the file dropped.
PROGRAM_SUFFIXES = frozenset({
    "ade", "adp", "apk", "app", "appx", "bas", "bat", "cab", "chm", "cmd", "com", "cpl",
    "dll", "dmg", "exe", "gadget", "hta", "inf", "ins", "isp", "iso", "jar", "js", "jse",
    "lib", "lnk", "mde", "msc", "msi", "msix", "msp", "mst", "nsh", "pif", "ps1", "ps1xml",
    "ps2", "psc1", "psm1", "reg", "scf", "scr", "sct", "sh", "shb", "sys", "vb", "vbe",
    "vbs", "vhd", "vhdx", "vxd", "wsc", "wsf", "wsh", "xll", "bash", "command", "csh",
    "ksh", "pl", "py", "pyw", "rb", "deb", "rpm",
})
# The first bytes of programs whatever their name: Windows PE ("MZ"), ELF, Mach-O,
# and scripts that name their interpreter ("#!").
PROGRAM_MAGIC = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf",
                 b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"#!")
PROGRAM_TYPES = frozenset({
    "application/x-msdownload", "application/x-msdos-program", "application/x-dosexec",
    "application/x-executable", "application/x-sh", "application/x-shellscript",
    "application/javascript", "text/javascript", "application/x-msi",
    "application/vnd.microsoft.portable-executable", "application/java-archive",
    "application/hta", "application/x-bat",
})
# Control characters, the bidirectional overrides and isolates that make "gpj.exe"
# read as "exe.jpg" (Unicode TR #9 §2), and characters no disk takes.
_HIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_NOT_ON_DISK = re.compile(r'[<>:"|?*]')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\.|$)", re.IGNORECASE)


class ReplyFileRefused(TicketError):
    """A file cannot go with the reply. `reason`: program, too_large, too_large_total,
    too_many or empty; `name` the file (cleaned), `limit` the cap it broke."""

    def __init__(self, reason: str, name: str = "", limit: float = 0) -> None:
        super().__init__(f"{name or 'the attachments'}: {reason.replace('_', ' ')}"
                         + (f" (at most {limit})" if limit else ""))
        self.reason = reason
        self.name = name
        self.limit = limit


@dataclass(frozen=True, slots=True)
class ReplyFile:
    """One file for a reply: its name as the customer sees it, its type and its bytes."""

    name: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        """Its size in bytes."""
        return len(self.data)


@dataclass(frozen=True, slots=True)
class FileCaps:
    """How large one file, and all of one reply's files together, may be."""

    per_file_bytes: int
    per_reply_bytes: int


def in_mb(size: int) -> float:
    """A size in MB as a person reads it: 10, 2.5, 0.1."""
    return round(size / BYTES_PER_MB, 1)


def safe_name(raw: str) -> str:
    """The name without folders, hidden or direction-changing characters, at most
    NAME_MAX_CHARS long (the extension kept); "attachment" when nothing is left."""
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = _NOT_ON_DISK.sub("_", _HIDDEN.sub("", name))
    name = " ".join(name.split()).strip(" .")
    if _RESERVED.match(name):
        name = "_" + name
    if len(name) > NAME_MAX_CHARS:
        stem, dot, suffix = name.rpartition(".")
        if dot and 0 < len(suffix) <= 10:
            name = stem[:NAME_MAX_CHARS - len(suffix) - 1].rstrip(" .") + "." + suffix
        else:
            name = name[:NAME_MAX_CHARS].rstrip(" .")
    return name or "attachment"


def is_program(name: str, content_type: str, data: bytes) -> bool:
    """True when the file would run code when opened: by any of its extensions, its
    declared type or its first bytes."""
    suffixes = name.lower().split(".")[1:]
    if any(s.strip() in PROGRAM_SUFFIXES for s in suffixes):
        return True
    if content_type.split(";", 1)[0].strip().lower() in PROGRAM_TYPES:
        return True
    return data.startswith(PROGRAM_MAGIC)


def checked_files(files: Sequence[ReplyFile], caps: FileCaps) -> list[ReplyFile]:
    """The files with safe names, or ReplyFileRefused for the first that may not go."""
    if len(files) > FILES_MAX:
        raise ReplyFileRefused("too_many", limit=FILES_MAX)
    cleaned: list[ReplyFile] = []
    total = 0
    for file in files:
        name = safe_name(file.name)
        if file.size == 0:
            raise ReplyFileRefused("empty", name)
        if is_program(name, file.content_type, file.data):
            raise ReplyFileRefused("program", name)
        if file.size > caps.per_file_bytes:
            raise ReplyFileRefused("too_large", name, in_mb(caps.per_file_bytes))
        total += file.size
        if total > caps.per_reply_bytes:
            raise ReplyFileRefused("too_large_total", name, in_mb(caps.per_reply_bytes))
        content_type = file.content_type.split(";", 1)[0].strip().lower()
        if not re.fullmatch(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*",
                            content_type):
            content_type = "application/octet-stream"
        cleaned.append(ReplyFile(name, content_type, file.data))
    return cleaned
