"""kill -9 of `aspa run` during SMS intake and calls, 20 times: nothing acknowledged is lost.

The daemon runs as a real process on a modem simulator (a pseudo-terminal in
this test's event loop). An SMS counts as acknowledged once the daemon has
deleted it from the SIM (AT+CMGD, 3GPP TS 27.005 §3.5.4), which it does only
after the message is committed; rows a separate reader saw committed count
as acknowledged too. After every kill the database must pass
`PRAGMA integrity_check` and still hold every acknowledged row; at the end one
clean run collects what was left on the SIM, and every SMS sent is then in
the store exactly once.

Every other kill power-cycles the modem with the box (simulator unplug +
replug); the others leave it powered, as the watchdog's kill does.

SIGKILL loses the process, not the page cache: it proves the transaction
discipline (no half-written rows, no acknowledgement before commit). Losing
the page cache as well is what `synchronous=FULL` covers (sqlite.org/pragma.html).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from appliance.gsm.simulator import SimulatedModem, StoredSms, create_simulator
from tests.systemd_listener import NotifyListener

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
KILLS = 20
SEED = int(os.environ.get("ASPA_POWER_CUT_SEED", "20261123"))
TRAFFIC_EVERY_S = 0.05
SMS_BURST = 4  # SMS arriving together, so that kills land with some still on the SIM
KILL_AFTER_S = (0.1, 1.2)  # the kill lands at a random moment in this window after READY


@dataclass
class Sent:
    """Every SMS put on the SIM, and the calls offered."""

    sms: list[tuple[StoredSms, str]] = field(default_factory=list)
    calls: int = 0

    def acknowledged(self, sim: SimulatedModem) -> set[str]:
        """Texts whose every part the daemon has deleted from the SIM."""
        on_sim = {id(stored) for stored in sim.sms.values()}
        return {text for stored, text in self.sms if id(stored) not in on_sim}


def _box(root: Path, device: str) -> Path:
    (root / "data").mkdir(parents=True)
    config = root / "aspa.toml"
    config.write_text(
        'data_dir = "data"\n[web]\nenabled = false\n[log]\nlevel = "info"\n'
        f'[gsm]\nenabled = true\n[[gsm.modems]]\nname = "gsm0"\ndevice = "{device}"\n'
        'model = "sim7600"\n')
    return config


def _read_only(database: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True, timeout=10)


def _committed(database: Path) -> tuple[set[int], set[int]]:
    """Ids of history rows and messages that a separate reader sees committed."""
    if not database.exists():
        return set(), set()
    with contextlib.closing(_read_only(database)) as db:
        try:
            history = {r[0] for r in db.execute("SELECT id FROM history_entry")}
            messages = {r[0] for r in db.execute("SELECT id FROM message")}
        except sqlite3.OperationalError:  # the schema is still being made
            return set(), set()
    return history, messages


def _stored_texts(database: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(database)) as db:
        return [r[0] for r in db.execute(
            "SELECT body_text FROM message WHERE channel = 'sms' AND direction = 'in'")]


def _call_history_rows(database: Path) -> int:
    with contextlib.closing(sqlite3.connect(database)) as db:
        return int(db.execute(
            "SELECT COUNT(*) FROM history_entry WHERE kind LIKE 'call%'").fetchone()[0])


def _integrity(database: Path) -> str:
    # A read-write connection: the first one after a crash recovers the WAL, as the daemon's would.
    with contextlib.closing(sqlite3.connect(database)) as db:
        return "; ".join(r[0] for r in db.execute("PRAGMA integrity_check"))


@contextlib.asynccontextmanager
async def _daemon(config: Path, listener: NotifyListener, log: Path
                  ) -> AsyncIterator[asyncio.subprocess.Process]:
    env = {**os.environ, "NOTIFY_SOCKET": listener.address}
    env.pop("WATCHDOG_USEC", None)
    with log.open("ab") as err:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "appliance", "--config", str(config), "run", cwd=REPO,
            env=env, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            stderr=err)
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def _traffic(sim: SimulatedModem, sent: Sent, round_no: int) -> None:
    """Alternately an SMS arrives and a caller rings (the last one gives up), until cancelled."""
    ringing: int | None = None
    n = 0
    while True:
        n += 1
        if n % 2:
            for burst in range(SMS_BURST):
                text = f"power cut {round_no}-{n}-{burst}"
                indexes = await sim.sms_arrives("+358401112222", text)
                sent.sms.extend((sim.sms[i], text) for i in indexes)
        else:
            if ringing is not None:
                with contextlib.suppress(LookupError, ValueError):
                    await sim.remote_hangs_up(ringing)
            ringing = await sim.incoming_call("+358503334444")
            sent.calls += 1
        await asyncio.sleep(TRAFFIC_EVERY_S)


async def test_kill_9_twenty_times_loses_nothing_acknowledged(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    print(f"power-cut seed {SEED} (set ASPA_POWER_CUT_SEED to replay)")
    (tmp_path / "dev").mkdir()
    sim = create_simulator("sim7600", tmp_path / "dev", "gsm-modem")
    device = await sim.start()
    config = _box(tmp_path / "box", device)
    database = tmp_path / "box" / "data" / "aspa.db"
    log = tmp_path / "daemon.log"
    sent = Sent()
    mid_intake_kills = 0  # kills that found SMS the daemon had not yet taken off the SIM
    try:
        for round_no in range(KILLS):
            listener = NotifyListener.in_dir(tmp_path)
            try:
                async with _daemon(config, listener, log) as proc:
                    ready = await listener.wait_for("READY", within=60)
                    assert "gsm0: up" in ready["STATUS"], (
                        f"round {round_no}: {ready['STATUS']}; the modem's last commands: "
                        f"{sim.received[-5:]}")
                    traffic = asyncio.create_task(_traffic(sim, sent, round_no))
                    await asyncio.sleep(rng.uniform(*KILL_AFTER_S))  # a random moment: the point
                    acked = sent.acknowledged(sim)
                    mid_intake_kills += bool(sim.sms)
                    history, messages = _committed(database)
                    proc.send_signal(signal.SIGKILL)
                    await proc.wait()
                    traffic.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await traffic
            finally:
                listener.close()
            if round_no % 2 == 0:
                # A power cut takes the USB-powered modem down too: it restarts in command
                # mode, the SMS on its SIM kept, its calls dropped. On odd rounds it keeps
                # power, as when the watchdog kills the daemon: the next start finds the modem
                # as the dead process left it (perhaps inside an SMS prompt, callers ringing).
                await sim.unplug()
                await sim.replug()
            assert _integrity(database) == "ok", f"round {round_no}"
            after_history, after_messages = _committed(database)
            assert history <= after_history, f"round {round_no}: committed history rows lost"
            assert messages <= after_messages, f"round {round_no}: committed messages lost"
            stored = set(_stored_texts(database))
            assert acked <= stored, f"round {round_no}: acknowledged SMS lost: {acked - stored}"

        # One clean run collects what the kills left on the SIM; then stops cleanly.
        listener = NotifyListener.in_dir(tmp_path)
        try:
            async with _daemon(config, listener, log) as proc:
                await listener.wait_for("READY", within=60)
                async with asyncio.timeout(30):
                    while sim.sms:
                        await sim.wait_for_command("AT+CMGD", within=30,
                                                   start=len(sim.received))
                proc.send_signal(signal.SIGTERM)
                assert await asyncio.wait_for(proc.wait(), 30) == 0
        finally:
            listener.close()
    finally:
        await sim.stop()

    texts = _stored_texts(database)
    every_text = {text for _, text in sent.sms}
    assert sorted(texts) == sorted(every_text), "each SMS stored exactly once"
    assert _integrity(database) == "ok"
    call_rows = _call_history_rows(database)
    assert mid_intake_kills >= 2, "the kills should land while SMS are being taken in"
    assert call_rows > 0, "the calls reached the store"
    print(f"{KILLS} kills ({mid_intake_kills} with SMS still on the SIM): {len(every_text)} SMS "
          f"and {sent.calls} calls offered; {call_rows} call events recorded; none lost")


async def test_a_restart_after_a_kill_mid_sms_finds_the_modem_in_its_prompt(
        tmp_path: Path) -> None:
    """A daemon killed between AT+CMGS and its Ctrl-Z leaves the powered modem in the prompt."""
    (tmp_path / "dev").mkdir()
    sim = create_simulator("sim7600", tmp_path / "dev", "gsm-modem")
    device = await sim.start()
    config = _box(tmp_path / "box", device)
    # what that daemon left behind: the modem waits for the message body
    with open(device, "wb", buffering=0) as port:  # noqa: ASYNC230  # one short write to a pty
        port.write(b"AT+CMGS=23\r")
    await sim.wait_for_command("AT+CMGS", within=5)
    listener = NotifyListener.in_dir(tmp_path)
    try:
        async with _daemon(config, listener, tmp_path / "daemon.log"):
            ready = await listener.wait_for("READY", within=60)
            assert "gsm0: up" in ready["STATUS"], ready["STATUS"]
    finally:
        listener.close()
        await sim.stop()
