"""The box's GSM lines as the lines port: SMS out and the SIMs' stored messages."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from appliance.gsm.errors import ModemError
from appliance.gsm.line import GsmLine
from appliance.gsm.sms_split import part_count
from appliance.ports.lines import NoLineUp, SimUnblockRefused, SmsParts

log = logging.getLogger("aspa.gsm.lines")


class GsmLineSet:
    """Every configured modem; each request goes to the lines that are up at that moment."""

    def __init__(self, lines: Sequence[GsmLine]) -> None:
        self.lines = tuple(lines)

    async def send_sms(self, number: str, text: str) -> tuple[int, ...]:
        """Send on the first attached modem, then the others; NoLineUp when none takes it."""
        problems: list[str] = []
        for line in self.lines:
            if not line.is_up:
                continue
            try:
                return await line.driver.send_sms(number, text)
            except ModemError as error:
                log.warning("%s: SMS to a customer failed: %s", line.name, error)
                problems.append(f"{line.name}: {error}")
        raise NoLineUp("; ".join(problems) or "no GSM line is up to send the SMS")

    def sms_parts(self, text: str) -> SmsParts:
        """The parts and alphabet the modem would send `text` in."""
        alphabet, parts, units = part_count(text)
        return SmsParts(alphabet.value, parts, units)

    async def sweep_sim(self, is_theirs: Callable[[str], bool]) -> int:
        """Delete the matching stored SMS on every attached modem; ModemError if one fails."""
        deleted = 0
        for line in self.lines:
            if line.is_up:
                deleted += await line.driver.sweep_stored_sms(is_theirs)
        return deleted

    async def unblock_sim(self, line: str, puk: str, new_pin: str) -> None:
        """Unblock line `line`'s SIM with its PUK and a new PIN; SimUnblockRefused if not."""
        for candidate in self.lines:
            if candidate.name == line:
                await candidate.unblock_sim(puk, new_pin)
                return
        raise SimUnblockRefused("no_such_line", line)
