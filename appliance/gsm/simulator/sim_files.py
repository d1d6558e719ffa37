"""The module's own storage in the simulator: prompt files uploaded over AT, as each model does it.

SIM800: AT+FSCREATE, AT+FSDEL, AT+FSWRITE=<file>,<mode>,<size>,<timeout>
with a `>` prompt (at most 10240 bytes a write; mode 1 appends).
SIM7600: AT+CFTRANRX="<file>",<len> with a `>` prompt.
EC25: AT+QFUPL="<file>",<size>[,<timeout>] answered by CONNECT, then
`+QFUPL: <size>,<checksum>` (the 16-bit XOR of the data's byte pairs, as
the Quectel FILE manual describes it); AT+QFDEL.
"""

from __future__ import annotations

from collections.abc import Callable

from .sim_core import Handler, SimCore, split_args

MAX_FSWRITE = 10240


class FileCommands(SimCore):
    """File upload commands (a model registers the ones it has in `model_commands`)."""

    files: dict[str, bytes]
    expect_data: Callable[[int, Callable[[bytes], list[str]]], None]

    def fs_commands(self) -> dict[str, Handler]:
        """SIM800's file system commands."""
        return {"+FSCREATE": self._fscreate, "+FSDEL": self._fsdel, "+FSWRITE": self._fswrite}

    def _fscreate(self, arg: str) -> list[str]:
        path = arg[1:].strip()
        if not path or path in self.files:
            return ["ERROR"]
        self.files[path] = b""
        return ["OK"]

    def _fsdel(self, arg: str) -> list[str]:
        return ["OK"] if self.files.pop(arg[1:].strip(), None) is not None else ["ERROR"]

    def _fswrite(self, arg: str) -> list[str] | None:
        args = split_args(arg[1:])
        path, mode, size = args[0], int(args[1]), int(args[2])
        if path not in self.files or not 0 < size <= MAX_FSWRITE or mode not in (0, 1):
            return ["ERROR"]

        def stored(data: bytes) -> list[str]:
            self.files[path] = (self.files[path] if mode == 1 else b"") + data
            return ["OK"]

        self.expect_data(size, stored)
        self.link.write(b"\r\n>")
        return None

    def cftranrx(self, arg: str) -> list[str] | None:
        """SIM7600's AT+CFTRANRX."""
        args = split_args(arg[1:])
        path, size = args[0], int(args[1])
        if size <= 0:
            return ["+CME ERROR: 4"]

        def stored(data: bytes) -> list[str]:
            self.files[path] = data
            return ["OK"]

        self.expect_data(size, stored)
        self.link.write(b"\r\n>")
        return None

    def qfupl(self, arg: str) -> list[str] | None:
        """EC25's AT+QFUPL."""
        args = split_args(arg[1:])
        path, size = args[0], int(args[1])
        if path in self.files:
            return ["+CME ERROR: 407"]  # file already exists (Quectel FILE manual error codes)

        def stored(data: bytes) -> list[str]:
            self.files[path] = data
            return [f"+QFUPL: {len(data)},{checksum(data):x}", "OK"]

        self.expect_data(size, stored)
        self.link.write(b"\r\nCONNECT\r\n")
        return None

    def qfdel(self, arg: str) -> list[str]:
        """EC25's AT+QFDEL."""
        path = split_args(arg[1:])[0]
        return ["OK"] if self.files.pop(path, None) is not None else ["+CME ERROR: 405"]


def checksum(data: bytes) -> int:
    """XOR of the data's 16-bit words (a lone last byte as the high half)."""
    value = 0
    for i in range(0, len(data), 2):
        word = data[i] << 8 | (data[i + 1] if i + 1 < len(data) else 0)
        value ^= word
    return value
