"""`aspa modem-sim`: run one simulated modem on a pty, print its path, take scenario commands.

Commands on standard input (one per line): `call <number>|withheld|unknown`,
`hangup [index]`, `answer [index]`, `busy`, `sms <number> <text>`, `dtmf <digit>` (URC),
`press <digits>` (tones on the voice port), `noise <dBFS>|off`,
`network lost|home|roaming`, `garbage`, `stall`, `resume`, `unplug`, `replug`, `quit`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shlex
import sys
import tempfile
from pathlib import Path

from . import MODELS, SimulatedModem, create_simulator


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aspa modem-sim",
                                     description="A simulated GSM modem on a pseudo-terminal.")
    parser.add_argument("--model", choices=sorted(MODELS), default="sim7600",
                        help="which modem's AT dialect to speak (default sim7600)")
    parser.add_argument("--dir", type=Path, default=None,
                        help="directory for the device symlink (default: a new temporary one)")
    parser.add_argument("--name", default="gsm-modem", help="symlink name (default gsm-modem)")
    parser.add_argument("--pin", default=None, help="lock the SIM with this PIN")
    return parser


async def _scenario(sim: SimulatedModem, words: list[str]) -> str:
    """Run one scenario command; return what happened."""
    verb, args = words[0], words[1:]
    index = int(args[0]) if args and args[0].isdigit() else None
    if verb == "call":
        target = args[0] if args else "+358401234567"
        if target == "withheld":
            return f"call {await sim.incoming_call('+358400000000', withheld=True)}"
        return f"call {await sim.incoming_call(None if target == 'unknown' else target)}"
    if verb == "hangup":
        await sim.remote_hangs_up(index)
    elif verb == "answer":
        await sim.remote_answers(index)
    elif verb == "busy":
        await sim.remote_busy(index)
    elif verb == "sms" and len(args) >= 2:
        return f"stored at {await sim.sms_arrives(args[0], ' '.join(args[1:]))}"
    elif verb == "dtmf" and args:
        await sim.press_dtmf(args[0])
    elif verb == "press" and args:
        sim.caller.press(args[0])  # as tones on the voice port
    elif verb == "noise" and args:
        sim.caller.noise_dbfs = None if args[0] == "off" else float(args[0])
    elif verb == "network" and args:
        await sim.set_registration({"lost": 2, "home": 1, "roaming": 5}.get(args[0], 0))
    elif verb == "garbage":
        await sim.send_garbage(b"\xff\x00\xfe noise \r\n" * 20)
    elif verb in ("stall", "resume"):
        sim.stall(verb == "stall")
    elif verb == "unplug":
        await sim.unplug()
    elif verb == "replug":
        await sim.replug()
    else:
        return f"unknown command: {' '.join(words)}"
    return "ok"


async def _run(args: argparse.Namespace) -> None:
    link_dir = args.dir or Path(tempfile.mkdtemp(prefix="aspa-modem-"))
    link_dir.mkdir(parents=True, exist_ok=True)
    sim = create_simulator(args.model, link_dir, args.name)
    if args.pin:
        sim.lock_sim(args.pin)
    path = await sim.start()
    print(f"{args.model} simulator at {path} -> {sim.link.slave_name}; voice port "
          f"{sim.voice_path}", flush=True)
    loop = asyncio.get_running_loop()
    try:
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                await asyncio.Event().wait()  # stdin closed: keep serving the pty
            try:
                words = shlex.split(line)
            except ValueError as error:  # an unbalanced quote: say so, keep serving
                print(f"error: {error}", flush=True)
                continue
            if not words:
                continue
            if words[0] == "quit":
                break
            try:
                print(await _scenario(sim, words), flush=True)
            except (LookupError, ValueError) as error:
                print(f"error: {error}", flush=True)
    finally:
        await sim.stop()


def main_modem_sim(argv: list[str] | None = None) -> int:
    """Entry point of `aspa modem-sim`; returns the exit status."""
    args = _parser().parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run(args))
    return 0
