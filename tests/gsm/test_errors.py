"""+CME / +CMS codes become named errors (3GPP TS 27.007 §9.2, TS 27.005 §3.2.5)."""

from __future__ import annotations

import pytest

from appliance.gsm.errors import (
    CME_ERRORS,
    CMS_ERRORS,
    Busy,
    CmeError,
    CmsError,
    CommandFailed,
    CommandTimeout,
    DeviceBusy,
    IncorrectPin,
    ModemError,
    NoAnswer,
    NoCarrier,
    OperationNotAllowed,
    PinRejected,
    SimBusy,
    SimNotInserted,
    SimPinRequired,
    SimPukRequired,
    SmscUnknown,
    error_for_result,
)


@pytest.mark.parametrize(("line", "cls", "code"), [
    ("+CME ERROR: 3", OperationNotAllowed, 3),
    ("+CME ERROR: 10", SimNotInserted, 10),
    ("+CME ERROR: 11", SimPinRequired, 11),
    ("+CME ERROR: 12", SimPukRequired, 12),
    ("+CME ERROR: 14", SimBusy, 14),
    ("+CME ERROR: 16", IncorrectPin, 16),
    ("+CME ERROR: 515", DeviceBusy, 515),
    ("+CME ERROR: incorrect password", IncorrectPin, 16),
    ("+CME ERROR: 9999", CmeError, 9999),
    ("+CMS ERROR: 330", SmscUnknown, 330),
    ("+CMS ERROR: 314", SimBusy, 314),
    ("+CMS ERROR: 500", CmsError, 500),
])
def test_codes_map_to_named_errors(line: str, cls: type[CommandFailed], code: int) -> None:
    error = error_for_result("AT+X", line)
    assert type(error) is cls or isinstance(error, cls)
    assert error.code == code
    assert isinstance(error, ModemError)
    assert "AT+X" in str(error)


@pytest.mark.parametrize(("line", "cls"), [
    ("NO CARRIER", NoCarrier), ("BUSY", Busy), ("NO ANSWER", NoAnswer), ("ERROR", CommandFailed)])
def test_call_results_and_plain_error(line: str, cls: type[CommandFailed]) -> None:
    assert type(error_for_result("ATD1;", line)) is cls


def test_tables_follow_the_standards() -> None:
    assert CME_ERRORS[11] == "SIM PIN required"
    assert CME_ERRORS[14] == "SIM busy"
    assert CMS_ERRORS[330] == "SMSC address unknown"
    assert all(300 <= code <= 500 for code in CMS_ERRORS)


def test_errors_also_inherit_the_builtin_they_resemble() -> None:
    assert issubclass(CommandTimeout, TimeoutError)
    assert issubclass(OperationNotAllowed, PermissionError)
    assert "check gsm.modems[].pin in aspa.toml" in str(PinRejected())
    assert "gsm.modems[].pin (the [[gsm.modems]] named 'gsm0')" in str(PinRejected("", "gsm0"))
