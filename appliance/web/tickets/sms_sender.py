"""Sending an agent's SMS reply through the daemon's GSM line (the first one that is up)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from appliance.runtime.daemon import Daemon

SmsSender = Callable[[str, str], Awaitable[object]]


class NoLineUp(ConnectionError):
    """No GSM line is registered and up to send from."""


def gsm_sender(daemon: Daemon) -> SmsSender:
    """A sender that picks a line at send time: lines come and go while the box runs."""

    async def send(number: str, text: str) -> object:
        from appliance.gsm.line import GsmLineAdapter

        for adapter in daemon.supervisor.adapters:
            if isinstance(adapter, GsmLineAdapter) and adapter.line.state == "up":
                return await adapter.driver.send_sms(number, text)
        raise NoLineUp("no GSM line is up to send the SMS")

    return send
