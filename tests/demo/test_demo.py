"""`aspa demo` as a user runs it: prints the URL and a login that works, stops cleanly."""

from __future__ import annotations

import asyncio
import re
import shutil
import signal
import sys
from pathlib import Path

from tests.daemon_box import logged_in_session

DEMO_LINES = re.compile(
    r"data in (?P<dir>\S+), removed.*\n"
    r"  Web page: (?P<url>http://127\.0\.0\.1:\d+/)\n"
    r"  Login:    (?P<login>\S+)\n"
    r"  Password: (?P<password>\S+)\n"
)


def _aspa() -> list[str]:
    """The installed console script, or the module when the package is not installed."""
    script = Path(sys.executable).with_name("aspa")
    if script.exists() or shutil.which("aspa"):
        return [str(script) if script.exists() else "aspa"]
    return [sys.executable, "-m", "appliance"]


def _removed(path: str) -> bool:
    return not Path(path).exists()


async def _start_demo(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        *_aspa(), "demo", *args, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


async def test_demo_with_duration_runs_that_long_and_exits_0() -> None:
    proc = await _start_demo("--duration", "3")
    try:
        stdout, stderr = await asyncio.wait_for(proc.communicate(), 60)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    out = stdout.decode()
    assert proc.returncode == 0, stderr.decode()
    shown = DEMO_LINES.search(out)
    assert shown, out
    assert shown["login"] == "admin"
    assert len(shown["password"]) >= 12
    assert "Stops by itself after 3 s." in out
    assert out.rstrip().endswith("Aspa demo stopped.")
    assert "Traceback" not in stderr.decode()
    assert _removed(shown["dir"])  # the temporary data directory is gone


async def test_the_printed_login_opens_the_demo_queue_and_ctrl_c_stops_it() -> None:
    proc = await _start_demo()
    assert proc.stdout is not None
    try:
        text = ""
        async with asyncio.timeout(60):
            while not DEMO_LINES.search(text):
                line = await proc.stdout.readline()
                assert line, f"demo ended early: {text}"
                text += line.decode()
        shown = DEMO_LINES.search(text)
        assert shown is not None
        session = await logged_in_session(shown["url"], shown["password"])
        async with session:
            page = await (await session.get("/")).text()
            assert "Order for Friday: 40 pastries" in page
            assert "Invoice 2291 shows the wrong VAT rate" in page
            stats = await (await session.get("/api/stats")).json()
            assert stats["agents"]["offline"] == 3
            # the simulated modem's first caller rings, then the first SMS becomes a ticket
            for shows in ("Caller +358 ", "Thanks, the corrected invoice arrived."):
                async with asyncio.timeout(30):
                    while shows not in page:
                        await asyncio.sleep(0.2)
                        page = await (await session.get("/")).text()
            stats = await (await session.get("/api/stats")).json()
            # five seeded, one from the SMS, and a callback for each call nobody could take
            assert stats["tickets"]["new"] >= 6
        proc.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(proc.wait(), 30) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert _removed(shown["dir"])
