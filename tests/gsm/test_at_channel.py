"""The AT channel against a scripted far end: results, errors, URCs mid-response, prompt, echo."""

from __future__ import annotations

import asyncio

import pytest

from appliance.gsm.at_channel import Response
from appliance.gsm.errors import (
    ChannelClosed,
    CommandTimeout,
    DeviceBusy,
    NoCarrier,
    SimBusy,
    SimPinRequired,
    SmscUnknown,
)

from .modem_socket import ModemEnd, channel_pair


async def _answer(channel_task: asyncio.Future[Response], modem: ModemEnd, command: bytes,
                  reply: bytes) -> Response:
    await modem.read_until(command)
    modem.received.clear()
    await modem.send(reply)
    return await channel_task


async def test_information_lines_and_ok() -> None:
    channel, modem = await channel_pair()
    task = asyncio.ensure_future(channel.command("AT+CSQ", prefix="+CSQ:"))
    response = await _answer(task, modem, b"AT+CSQ\r", b"\r\n+CSQ: 23,99\r\n\r\nOK\r\n")
    assert response.lines == ("+CSQ: 23,99",)
    assert response.value("+CSQ:") == "23,99"
    await channel.close()


async def test_echoed_command_is_ignored() -> None:
    channel, modem = await channel_pair()
    task = asyncio.ensure_future(channel.command("AT+CGMM"))
    response = await _answer(task, modem, b"AT+CGMM\r", b"AT+CGMM\r\r\nEC25\r\n\r\nOK\r\n")
    assert response.lines == ("EC25",)
    await channel.close()


async def test_urc_in_the_middle_of_a_response_goes_to_its_handler() -> None:
    channel, modem = await channel_pair()
    seen: list[str] = []
    channel.on(r"RING$", lambda line, _: seen.append(line))
    channel.on(r"\+CMTI:", lambda line, _: seen.append(line))
    channel.on(r"\+CLCC:", lambda line, _: seen.append("URC " + line))
    task = asyncio.ensure_future(channel.command("AT+CLCC", prefix="+CLCC:"))
    reply = (b'\r\n+CLCC: 1,1,4,0,0,"+358401234567",145\r\n\r\nRING\r\n'
             b'\r\n+CMTI: "SM",3\r\n\r\nOK\r\n')
    response = await _answer(task, modem, b"AT+CLCC\r", reply)
    assert response.lines == ('+CLCC: 1,1,4,0,0,"+358401234567",145',)
    assert seen == ["RING", '+CMTI: "SM",3']
    await modem.send(b'\r\n+CLCC: 1,1,6,0,0,"+358401234567",145\r\n')
    await asyncio.sleep(0.05)
    assert seen[-1] == 'URC +CLCC: 1,1,6,0,0,"+358401234567",145'
    await channel.close()


@pytest.mark.parametrize(("reply", "error"), [
    (b"+CME ERROR: 11", SimPinRequired),
    (b"+CME ERROR: SIM PIN required", SimPinRequired),
    (b"+CMS ERROR: 330", SmscUnknown),
])
async def test_errors_are_named(reply: bytes, error: type[Exception]) -> None:
    channel, modem = await channel_pair()
    task = asyncio.ensure_future(channel.command("AT+CMGS=12"))
    with pytest.raises(error):
        await _answer(task, modem, b"AT+CMGS=12\r", b"\r\n" + reply + b"\r\n")
    await channel.close()


async def test_sim_busy_is_retried_with_backoff() -> None:
    sleeps: list[float] = []
    channel, modem = await channel_pair(sleeps=sleeps)
    task = asyncio.ensure_future(channel.command("AT+CPIN?", prefix="+CPIN:"))
    for _ in range(2):
        await modem.read_until(b"AT+CPIN?\r")
        modem.received.clear()
        await modem.send(b"\r\n+CME ERROR: 14\r\n")
    await modem.read_until(b"AT+CPIN?\r")
    await modem.send(b"\r\n+CPIN: READY\r\n\r\nOK\r\n")
    assert (await task).value("+CPIN:") == "READY"
    assert sleeps == [1.0, 2.0]
    await channel.close()


async def test_device_busy_gives_up_after_the_backoff_runs_out() -> None:
    sleeps: list[float] = []
    channel, modem = await channel_pair(sleeps=sleeps, busy_backoff=(0.5,))
    task = asyncio.ensure_future(channel.command("AT+CLCC"))
    for _ in range(2):
        await modem.read_until(b"AT+CLCC\r")
        modem.received.clear()
        await modem.send(b"\r\n+CME ERROR: 515\r\n")
    with pytest.raises(DeviceBusy):
        await task
    assert sleeps == [0.5]
    await channel.close()


async def test_sim_busy_is_a_sim_busy_for_sms_too() -> None:
    channel, modem = await channel_pair(busy_backoff=())
    task = asyncio.ensure_future(channel.command("AT+CMGL=4"))
    with pytest.raises(SimBusy):
        await _answer(task, modem, b"AT+CMGL=4\r", b"\r\n+CMS ERROR: 314\r\n")
    await channel.close()


async def test_timeout_then_the_channel_still_works() -> None:
    channel, modem = await channel_pair()
    with pytest.raises(CommandTimeout):
        await channel.command("AT+COPS?", time_limit=0.05)
    task = asyncio.ensure_future(channel.command("AT"))
    response = await _answer(task, modem, b"\rAT\r", b"\r\nOK\r\n")
    assert response.final == "OK"
    await channel.close()


async def test_call_results_end_only_dial_and_answer() -> None:
    channel, modem = await channel_pair()
    urcs: list[str] = []
    channel.on(r"NO CARRIER$", lambda line, _: urcs.append(line))
    task = asyncio.ensure_future(channel.command("ATD0401234567;", call_result=True))
    with pytest.raises(NoCarrier):
        await _answer(task, modem, b"ATD0401234567;\r", b"\r\nNO CARRIER\r\n")
    task = asyncio.ensure_future(channel.command("AT+CSQ"))
    response = await _answer(task, modem, b"AT+CSQ\r",
                             b"\r\nNO CARRIER\r\n\r\n+CSQ: 5,99\r\n\r\nOK\r\n")
    assert response.lines == ("+CSQ: 5,99",)
    assert urcs == ["NO CARRIER"]
    await channel.close()


async def test_sms_prompt_without_line_end_gets_the_body() -> None:
    channel, modem = await channel_pair()
    task = asyncio.ensure_future(channel.command_with_body("AT+CMGS=18", "0011AABB",
                                                           prefix="+CMGS:"))
    await modem.read_until(b"AT+CMGS=18\r")
    await modem.send(b"\r\n> ")
    await modem.read_until(b"0011AABB\x1a")
    await modem.send(b"\r\n+CMGS: 42\r\n\r\nOK\r\n")
    assert (await task).value("+CMGS:") == "42"
    await channel.close()


async def test_prompt_that_never_comes_is_cancelled_with_escape() -> None:
    channel, modem = await channel_pair()
    with pytest.raises(CommandTimeout):
        await channel.command_with_body("AT+CMGS=18", "0011AABB", time_limit=0.1)
    await modem.read_until(b"\x1b")
    await channel.close()


async def test_escape_result_arriving_late_is_not_taken_by_the_next_command() -> None:
    # Under load the OK a modem in the prompt gives to ESC may arrive only once the sync
    # query is pending: it must not end that query, or every later answer is shifted.
    channel, modem = await channel_pair()
    freed = asyncio.ensure_future(channel.cancel_input())
    await modem.read_until(b"AT+CMEE?\r")
    await modem.send(b"\r\nOK\r\n")  # ESC's result, late
    await asyncio.sleep(0)
    assert not freed.done()
    await modem.send(b"\r\n+CMEE: 0\r\n\r\nOK\r\n")
    await freed
    task = asyncio.ensure_future(channel.command("AT+CPIN?", prefix="+CPIN:"))
    response = await _answer(task, modem, b"AT+CPIN?\r", b"\r\n+CPIN: READY\r\n\r\nOK\r\n")
    assert response.value("+CPIN:") == "READY"
    await channel.close()


async def test_escape_to_a_modem_in_command_mode_needs_no_extra_answer() -> None:
    channel, modem = await channel_pair()
    freed = asyncio.ensure_future(channel.cancel_input())
    await modem.read_until(b"AT+CMEE?\r")
    await modem.send(b"\r\n+CMEE: 1\r\n\r\nOK\r\n")
    await freed
    await channel.close()


async def test_two_line_urc_gets_its_second_line() -> None:
    channel, modem = await channel_pair()
    got: list[tuple[str, str | None]] = []
    channel.on(r"\+CDS:", lambda head, body: got.append((head, body)), with_next_line=True)
    await modem.send(b"\r\n+CDS: 25\r\n07915348500202F006\r\n")
    await asyncio.sleep(0.05)
    assert got == [("+CDS: 25", "07915348500202F006")]
    await channel.close()


async def test_port_closing_fails_the_pending_command() -> None:
    channel, modem = await channel_pair()
    closed: list[str] = []
    channel.on_close(closed.append)
    task = asyncio.ensure_future(channel.command("AT+CLCC"))
    await modem.read_until(b"AT+CLCC\r")
    modem.close()
    with pytest.raises(ChannelClosed):
        await task
    assert closed and not channel.is_open
    with pytest.raises(ChannelClosed):
        await channel.command("AT")


async def test_a_failing_urc_handler_does_not_stop_the_reader() -> None:
    channel, modem = await channel_pair()
    seen: list[str] = []

    def broken(line: str, _next: str | None) -> None:
        raise RuntimeError("bug")

    channel.on(r"RING$", broken)
    channel.on(r"\+CMTI:", lambda line, _: seen.append(line))
    await modem.send(b'\r\nRING\r\n\r\n+CMTI: "SM",1\r\n')
    await asyncio.sleep(0.05)
    assert seen == ['+CMTI: "SM",1']
    await channel.close()
