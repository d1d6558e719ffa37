"""Modem errors: one base class, named subclasses for the +CME / +CMS codes that matter.

Codes come from 3GPP TS 27.007 §9.2 (mobile equipment errors, +CME ERROR) and
3GPP TS 27.005 §3.2.5 (message service failures, +CMS ERROR). 515 is the
SIMCom/Quectel "device busy, try again" code.
"""

from __future__ import annotations

from appliance.ports.line_faults import LegRefused, LineFault

# 3GPP TS 27.007 §9.2.1 (general) and §9.2.2 (GPRS) - the codes modems actually send.
CME_ERRORS: dict[int, str] = {
    0: "phone failure",
    1: "no connection to phone",
    2: "phone-adaptor link reserved",
    3: "operation not allowed",
    4: "operation not supported",
    5: "PH-SIM PIN required",
    6: "PH-FSIM PIN required",
    7: "PH-FSIM PUK required",
    10: "SIM not inserted",
    11: "SIM PIN required",
    12: "SIM PUK required",
    13: "SIM failure",
    14: "SIM busy",
    15: "SIM wrong",
    16: "incorrect password",
    17: "SIM PIN2 required",
    18: "SIM PUK2 required",
    20: "memory full",
    21: "invalid index",
    22: "not found",
    23: "memory failure",
    24: "text string too long",
    25: "invalid characters in text string",
    26: "dial string too long",
    27: "invalid characters in dial string",
    30: "no network service",
    31: "network timeout",
    32: "network not allowed - emergency calls only",
    40: "network personalization PIN required",
    41: "network personalization PUK required",
    100: "unknown",
    103: "illegal MS",
    106: "illegal ME",
    107: "GPRS services not allowed",
    111: "PLMN not allowed",
    112: "location area not allowed",
    113: "roaming not allowed in this location area",
    148: "unspecified GPRS error",
    149: "PDP authentication failure",
    150: "invalid mobile class",
    515: "device busy, please wait",
}

# 3GPP TS 27.005 §3.2.5 (0..255 are TS 24.011 / TS 23.040 cause values).
CMS_ERRORS: dict[int, str] = {
    300: "ME failure",
    301: "SMS service of ME reserved",
    302: "operation not allowed",
    303: "operation not supported",
    304: "invalid PDU mode parameter",
    305: "invalid text mode parameter",
    310: "SIM not inserted",
    311: "SIM PIN required",
    312: "PH-SIM PIN required",
    313: "SIM failure",
    314: "SIM busy",
    315: "SIM wrong",
    316: "SIM PUK required",
    317: "SIM PIN2 required",
    318: "SIM PUK2 required",
    320: "memory failure",
    321: "invalid memory index",
    322: "memory full",
    330: "SMSC address unknown",
    331: "no network service",
    332: "network timeout",
    340: "no +CNMA acknowledgement expected",
    500: "unknown error",
}


class ModemError(LineFault):
    """Base of every error the GSM line raises."""


class ChannelClosed(ModemError, ConnectionError):
    """The serial port went away (unplugged, closed) while talking to the modem."""


class CommandTimeout(ModemError, TimeoutError):
    """The modem gave no final result to a command in time."""

    def __init__(self, command: str, timeout: float) -> None:
        super().__init__(f"no answer to {command!r} within {timeout:g} s")
        self.command = command
        self.timeout = timeout


class FeatureNotSupported(ModemError, NotImplementedError):
    """The modem (or this model's dialect) cannot do what was asked."""


class PinRejected(ModemError):
    """The SIM refused the configured PIN; the line stops so the SIM is not locked."""

    def __init__(self, detail: str = "", modem: str = "") -> None:
        text = (f"SIM PIN rejected: check {pin_key(modem)} in aspa.toml; "
                "the SIM locks after three wrong tries, so Aspa tries no PIN again: enter the "
                "right PIN once in a phone with this SIM, then save it on the settings page")
        super().__init__(f"{text} ({detail})" if detail else text)


def pin_key(modem: str = "") -> str:
    """The aspa.toml key of a modem's SIM PIN, as the installer finds it in the file."""
    where = f" (the [[gsm.modems]] named {modem!r})" if modem else ""
    return f"gsm.modems[].pin{where}"


class SimLocked(ModemError):
    """The SIM needs its PUK (or a PIN none was configured for); a person must act."""


class SimNotReady(ModemError):
    """The SIM is still starting (`+CPIN: NOT READY` after power-up); try again shortly."""


class CommandFailed(ModemError):
    """The modem answered a command with a failure result."""

    def __init__(self, command: str, result: str, code: int | None = None,
                 text: str = "") -> None:
        detail = f" ({text})" if text else ""
        super().__init__(f"{command!r} failed: {result}{detail}")
        self.command = command
        self.result = result
        self.code = code
        self.text = text


class CmeError(CommandFailed):
    """A +CME ERROR (3GPP TS 27.007 §9.2)."""


class CmsError(CommandFailed):
    """A +CMS ERROR (3GPP TS 27.005 §3.2.5)."""


class OperationNotAllowed(CmeError, PermissionError):
    """CME 3: e.g. the network or the subscription refused a supplementary service."""


class OperationNotSupported(CmeError):
    """CME 4: the modem does not implement this."""


class SimNotInserted(CmeError):
    """CME 10: no SIM in the modem."""


class SimPinRequired(CmeError):
    """CME 11: the SIM wants its PIN before anything else."""


class SimPukRequired(CmeError):
    """CME 12: the SIM is locked after wrong PINs; only the PUK opens it."""


class SimFailure(CmeError):
    """CME 13: the SIM does not respond."""


class SimBusy(CmeError):
    """CME 14: the SIM is busy (typically right after power-up); retry shortly."""


class IncorrectPin(CmeError):
    """CME 16: wrong PIN or password."""


class NoNetworkService(CmeError):
    """CME 30: not registered to a network."""


class DeviceBusy(CmeError):
    """CME 515 (SIMCom, Quectel): the modem is still busy with something; retry later."""


class SmscUnknown(CmsError):
    """CMS 330: no SMS service centre number is set on the SIM."""


class SmsNoNetwork(CmsError):
    """CMS 331: no network to send the SMS through."""


class CallFailed(CommandFailed, LegRefused):
    """A dial or answer ended with a V.250 call result instead of OK."""


class NoCarrier(CallFailed):
    """NO CARRIER: the call could not be set up or was cleared."""


class Busy(CallFailed):
    """BUSY: the called party is busy."""


class NoAnswer(CallFailed):
    """NO ANSWER: the called party did not answer."""


class NoDialtone(CallFailed):
    """NO DIALTONE: no network to dial on."""


_CME_CLASSES: dict[int, type[CmeError]] = {
    3: OperationNotAllowed,
    4: OperationNotSupported,
    10: SimNotInserted,
    11: SimPinRequired,
    12: SimPukRequired,
    13: SimFailure,
    14: SimBusy,
    16: IncorrectPin,
    30: NoNetworkService,
    515: DeviceBusy,
}

_CMS_CLASSES: dict[int, type[CmsError]] = {
    330: SmscUnknown,
    331: SmsNoNetwork,
}

_CALL_RESULTS: dict[str, type[CallFailed]] = {
    "NO CARRIER": NoCarrier,
    "BUSY": Busy,
    "NO ANSWER": NoAnswer,
    "NO DIALTONE": NoDialtone,
}

_CME_BY_TEXT = {text.lower(): code for code, text in CME_ERRORS.items()}
_CMS_BY_TEXT = {text.lower(): code for code, text in CMS_ERRORS.items()}


class SmsSimBusy(CmsError, SimBusy):
    """CMS 314: the SIM is busy."""


_CMS_CLASSES[314] = SmsSimBusy


def _code_and_text(value: str, table: dict[int, str], by_text: dict[str, int]) -> tuple[
        int | None, str]:
    value = value.strip()
    if value.isdigit():
        code = int(value)
        return code, table.get(code, "")
    # verbose form (AT+CMEE=2): "+CME ERROR: SIM PIN required"
    return by_text.get(value.lower()), value


def error_for_result(command: str, result: str) -> CommandFailed:
    """The named error for a final failure line (`ERROR`, `+CME ERROR: 14`, `BUSY`, ...)."""
    if result.startswith("+CME ERROR:"):
        code, text = _code_and_text(result[11:], CME_ERRORS, _CME_BY_TEXT)
        cme_cls = _CME_CLASSES.get(code, CmeError) if code is not None else CmeError
        return cme_cls(command, result, code, text)
    if result.startswith("+CMS ERROR:"):
        code, text = _code_and_text(result[11:], CMS_ERRORS, _CMS_BY_TEXT)
        cms_cls = _CMS_CLASSES.get(code, CmsError) if code is not None else CmsError
        return cms_cls(command, result, code, text)
    call_cls = _CALL_RESULTS.get(result)
    if call_cls is not None:
        return call_cls(command, result)
    return CommandFailed(command, result)
