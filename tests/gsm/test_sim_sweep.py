"""An erased person's SMS left on the SIM (storing had failed) is deleted by number."""

from __future__ import annotations

from pathlib import Path

from appliance.gsm.sim_sweep import delete_from_sim, sender_of
from appliance.gsm.simulator.sms_network import deliver_parts
from appliance.privacy.needles import Needles
from tests.gsm.line_harness import close_line, open_line


def test_sender_of_reads_the_originating_address() -> None:
    [pdu] = deliver_parts("+358401234567", "hei")
    assert sender_of(pdu.pdu_hex) == "+358401234567"
    assert sender_of("00") is None  # cut short: no sender, no crash


async def test_only_the_erased_persons_messages_are_deleted(tmp_path: Path) -> None:
    kept: list[int] = []

    def prepare(sim) -> None:  # type: ignore[no-untyped-def]
        for number, text in (("0401234567", "Maija 1"), ("+358409999999", "someone else"),
                             ("+358401234567", "Maija 2")):
            for part in deliver_parts(number, text):
                kept.append(sim.store_sms(part))

    # no SMS handler: the driver keeps every message on the SIM, as after failed storing
    running = await open_line(tmp_path, "sim7600", prepare=prepare)
    try:
        needles = Needles()
        needles.add_phone("+358401234567", "358")
        deleted = await delete_from_sim(running.driver.sms.channel, needles.found_in_text)
        assert sorted(deleted) == sorted([kept[0], kept[2]])
        assert sorted(running.sim.sms) == [kept[1]]
    finally:
        await close_line(running)
