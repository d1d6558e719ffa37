"""The VoIP line's errors: one base class, each also the built-in it resembles."""

from __future__ import annotations

from appliance.ports.line_faults import LineFault


class VoipError(LineFault):
    """Something on the VoIP line failed."""


class BaresipStartError(VoipError, RuntimeError):
    """baresip did not start or never offered its control port; the message says why."""


class ControlLost(VoipError, ConnectionError):
    """The control connection to baresip closed (baresip stopped or died)."""


class CommandFailed(VoipError, RuntimeError):
    """baresip answered a command with an error."""


class ProtocolError(VoipError, ValueError):
    """baresip sent bytes that are not a netstring of JSON."""


class AudioFileError(VoipError, ValueError):
    """An announcement file is missing or not in the format baresip's aufile plays."""


class UnknownCall(VoipError, KeyError):
    """The line has no live call by that id."""
