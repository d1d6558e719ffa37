"""The simulator itself: framing byte for byte, echo, PIN lock, prompt cancel, reboot, CLI."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from appliance.gsm.simulator import MODELS, create_simulator
from appliance.gsm.transport import open_port

from .line_harness import eventually


async def _talk(path: str, command: bytes, until: bytes) -> bytes:
    reader, writer = await open_port(path)
    try:
        writer.write(command)
        data = b""
        async with asyncio.timeout(2):
            while until not in data:
                data += await reader.read(4096)
        return data
    finally:
        writer.close()
        await writer.wait_closed()


@pytest.mark.parametrize("model", sorted(MODELS))
async def test_framing_with_echo_on_then_off(tmp_path: Path, model: str) -> None:
    sim = create_simulator(model, tmp_path)
    path = await sim.start()
    try:
        assert await _talk(path, b"AT+CSQ\r", b"OK\r\n") == b"AT+CSQ\r\r\n+CSQ: 20,99\r\n\r\nOK\r\n"
        assert await _talk(path, b"ATE0\r", b"OK\r\n") == b"ATE0\r\r\nOK\r\n"
        assert await _talk(path, b"AT+CPIN?\r", b"OK\r\n") == b"\r\n+CPIN: READY\r\n\r\nOK\r\n"
        assert await _talk(path, b"AT+BOGUS\r", b"ERROR\r\n") == b"\r\nERROR\r\n"
    finally:
        await sim.stop()


async def test_wrong_pins_count_down_and_lock(tmp_path: Path) -> None:
    sim = create_simulator("sim800", tmp_path)
    path = await sim.start()
    sim.lock_sim("1234")
    try:
        assert b"+CME ERROR: 11" in await _talk(path, b"AT+CLIP=1\r", b"ERROR")
        for _ in range(3):
            assert b"+CME ERROR: 16" in await _talk(path, b'AT+CPIN="0000"\r', b"ERROR")
        assert sim.cpin == "SIM PUK"
        assert b"+CME ERROR: 12" in await _talk(path, b'AT+CPIN="1234"\r', b"ERROR")
    finally:
        await sim.stop()


async def test_the_puk_unblocks_with_a_new_pin_and_ten_wrong_ones_kill_the_sim(
        tmp_path: Path) -> None:
    sim = create_simulator("sim7600", tmp_path)
    path = await sim.start()
    sim.lock_sim("1234", tries=0)
    sim.cpin = "SIM PUK"
    try:
        # the PUK alone (no new PIN) is not enough; a wrong PUK spends one of its ten tries
        assert b"+CME ERROR: 12" in await _talk(path, b'AT+CPIN="12345678"\r', b"ERROR")
        assert b"+CME ERROR: 16" in await _talk(path, b'AT+CPIN="87654321","2468"\r', b"ERROR")
        assert b"+CPINR: SIM PUK,9,10" in await _talk(path, b"AT+CPINR\r", b"OK\r\n")
        assert b"OK" in await _talk(path, b'AT+CPIN="12345678","2468"\r', b"OK\r\n")
        assert (sim.cpin, sim.sim_pin, sim.puk_tries) == ("READY", "2468", 10)
        # the new PIN is the one asked at the next power-up
        sim.lock_sim(sim.sim_pin or "")
        assert b"OK" in await _talk(path, b'AT+CPIN="2468"\r', b"OK\r\n")
        sim.lock_sim("2468", tries=0)
        sim.cpin = "SIM PUK"
        for _ in range(9):
            assert b"+CME ERROR: 16" in await _talk(path, b'AT+CPIN="00000000","1111"\r',
                                                    b"ERROR")
        assert b"+CME ERROR: 13" in await _talk(path, b'AT+CPIN="00000000","1111"\r', b"ERROR")
        assert b"+CME ERROR: 13" in await _talk(path, b"AT+CPIN?\r", b"ERROR")
        assert b"+CME ERROR: 13" in await _talk(path, b'AT+CPIN="12345678","1111"\r', b"ERROR")
    finally:
        await sim.stop()


async def test_escape_cancels_the_sms_prompt(tmp_path: Path) -> None:
    sim = create_simulator("ec25", tmp_path)
    path = await sim.start()
    try:
        assert (await _talk(path, b"AT+CMGS=20\r", b"> ")).endswith(b"\r\n> ")
        assert (await _talk(path, b"0011\x1b", b"OK\r\n")).endswith(b"\r\nOK\r\n")
        assert sim.sent_sms == []
    finally:
        await sim.stop()


async def test_cfun_reset_comes_back_at_the_same_path(tmp_path: Path) -> None:
    sim = create_simulator("sim7600", tmp_path)
    path = await sim.start()
    try:
        await _talk(path, b"ATE0\r", b"OK\r\n")
        await _talk(path, b"AT+CFUN=1,1\r", b"OK\r\n")
        await eventually(lambda: sim.replug_count == 1)
        assert sim.reset_count == 1 and sim.link.is_open
        assert await _talk(path, b"AT\r", b"OK\r\n") == b"AT\r\r\nOK\r\n"  # echo is on again
    finally:
        await sim.stop()


async def test_unknown_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="sim7600"):
        create_simulator("nokia", tmp_path)


async def test_modem_sim_command_line(tmp_path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import sys; from appliance.gsm.simulator.cli import "
        "main_modem_sim; sys.exit(main_modem_sim(sys.argv[1:]))",
        "--model", "ec25", "--dir", str(tmp_path),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        cwd=Path(__file__).parents[2])
    assert proc.stdout is not None and proc.stdin is not None
    try:
        async with asyncio.timeout(10):
            banner = (await proc.stdout.readline()).decode()
            path = str(tmp_path / "gsm-modem")
            assert banner.startswith(f"ec25 simulator at {path}")
            assert b"Quectel" in await _talk(path, b"ATI\r", b"OK\r\n")
            proc.stdin.write(b"call +358401234567\n")
            assert (await proc.stdout.readline()).decode().strip() == "call 1"
            proc.stdin.write(b"quit\n")
            assert await proc.wait() == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
