"""Hand-overs refused, the modem unplugged: the line learns, callers get callbacks."""

from __future__ import annotations

from pathlib import Path

from appliance.calls.line_memory import load_knowledge
from appliance.presence import Activity
from appliance.queue.call_setup import SMS_TEXTS
from appliance.queue.connect_methods import ConnectMethod
from appliance.spine.events import CallRecorded
from appliance.store.models import Call, Ticket

from .exchange_harness import AGENT_PHONES, CALLER, start_exchange, stop_exchange


async def test_conference_refused_too_becomes_a_callback_then_the_line_deflects(
        tmp_path: Path) -> None:
    def refuse(sim: object) -> None:
        sim.network_rejects.update({"ect", "conference"})  # type: ignore[attr-defined]

    exchange = await start_exchange(tmp_path, prepare=refuse)
    try:
        await exchange.sim.incoming_call(CALLER)
        await exchange.dialled(AGENT_PHONES[0])
        await exchange.sim.remote_answers()
        first = await exchange.log.wait_for(CallRecorded)
        assert (first.outcome, first.reason, first.agent_id) == (
            "unconnected", "hand_over_refused", 1)
        await exchange.wait_command("AT+CMGS=")
        traffic = exchange.traffic()
        assert traffic[:6] == ["ATA", "AT+CHLD=2", f"ATD{AGENT_PHONES[0]};", "AT+CHLD=4",
                               "AT+CHLD=3", "AT+CHLD=12"]
        assert traffic[6] == "AT+CHUP"
        # the SMS may still be on its way to the modem when the call is recorded
        await exchange.until(lambda: exchange.sent_sms() == [(CALLER, SMS_TEXTS["fi"])])
        await exchange.settle()
        ticket = await exchange.query(lambda: Ticket.get())
        assert (ticket.channel, ticket.assignee_id) == ("callback", 1)  # the agent who answered
        assert exchange.line.knowledge.best is ConnectMethod.DEFLECT
        stored = await exchange.query(lambda: load_knowledge("gsm0"))
        assert stored.refused == {ConnectMethod.ECT, ConnectMethod.CONFERENCE}
        await exchange.until(lambda: exchange.sim.calls == [])

        exchange.mark = len(exchange.sim.received)
        await exchange.sim.incoming_call("+358409999999")
        second = await exchange.log.wait_for(CallRecorded, lambda e: e.number == "+358409999999")
        assert (second.outcome, second.agent_id, second.method) == ("deflected", 1, "deflect")
        assert exchange.traffic() == [f'AT+CTFR="{AGENT_PHONES[0]}",145']  # never answered
    finally:
        await stop_exchange(exchange)


async def test_deflection_refused_as_well_leaves_only_callbacks(tmp_path: Path) -> None:
    def refuse(sim: object) -> None:
        sim.network_rejects.add("deflect")  # type: ignore[attr-defined]

    def learned() -> None:
        from appliance.calls.line_memory import save_knowledge
        from appliance.queue.connect_methods import ConnectKnowledge

        save_knowledge("gsm0", ConnectKnowledge(
            refused=frozenset({ConnectMethod.ECT, ConnectMethod.CONFERENCE})))

    exchange = await start_exchange(tmp_path, prepare=refuse, seed=learned)
    try:
        await exchange.sim.incoming_call(CALLER)
        recorded = await exchange.log.wait_for(CallRecorded)
        assert recorded.outcome == "unconnected"
        await exchange.wait_command("AT+CMGS=")
        assert exchange.traffic()[:2] == [f'AT+CTFR="{AGENT_PHONES[0]}",145', "AT+CHUP"]
        assert exchange.line.knowledge.best is ConnectMethod.CALLBACK
        assert exchange.agents[1].activity is Activity.IDLE
    finally:
        await stop_exchange(exchange)


async def test_modem_unplugged_mid_call_is_interrupted_and_owed_a_callback(
        tmp_path: Path) -> None:
    exchange = await start_exchange(tmp_path, prepare=lambda sim: sim.network_rejects.add("ect"))
    try:
        await exchange.sim.incoming_call(CALLER)
        await exchange.dialled(AGENT_PHONES[0])
        await exchange.sim.remote_answers()
        await exchange.wait_command("AT+CHLD=3")
        await exchange.until(lambda: exchange.agents[1].activity is Activity.ON_CALL)
        await exchange.sim.unplug()
        recorded = await exchange.log.wait_for(CallRecorded, within=5.0)
        assert (recorded.outcome, recorded.agent_id) == ("interrupted", 1)
        await exchange.settle()

        def rows() -> tuple[Call, Ticket]:
            call = Call.get()
            return call, Ticket.get_by_id(call.ticket_id)

        call, ticket = await exchange.query(rows)
        assert call.outcome == "interrupted" and call.talk_seconds >= 0
        assert (ticket.channel, ticket.assignee_id) == ("callback", 1)
        assert exchange.agents[1].activity is not Activity.ON_CALL
        assert exchange.sim.sent_sms == []  # no line left to send it; the callback stands
    finally:
        await stop_exchange(exchange)


async def test_a_second_caller_waits_and_is_served_when_the_line_frees(tmp_path: Path) -> None:
    exchange = await start_exchange(tmp_path, prepare=lambda sim: sim.network_rejects.add("ect"))
    try:
        first = await exchange.sim.incoming_call(CALLER)
        await exchange.dialled(AGENT_PHONES[0])
        await exchange.sim.remote_answers()
        await exchange.wait_command("AT+CHLD=3")
        await exchange.settle()
        await exchange.sim.incoming_call("+358409999999")
        await exchange.settle()
        assert exchange.traffic()[-1] == "AT+CHLD=3"  # the waiting caller is left waiting
        exchange.mark = len(exchange.sim.received)
        await exchange.sim.remote_hangs_up(first)
        await exchange.log.wait_for(CallRecorded, lambda e: e.number == CALLER)
        await exchange.dialled(AGENT_PHONES[0], within=5.0)  # wrap-up 0: agent 1 is free again
        assert exchange.traffic()[0].startswith("AT+CHLD=1")  # only the agent's leg is released
        assert exchange.traffic()[1:] == [
            "AT+CHLD=2", "AT+CHLD=2", f"ATD{AGENT_PHONES[0]};"]  # accept the waiting, hold
    finally:
        await stop_exchange(exchange)
