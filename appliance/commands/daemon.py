"""`aspa run` and `aspa demo`: hand over to the daemon."""

from __future__ import annotations

import argparse
import asyncio
import inspect
import logging
from pathlib import Path
from typing import Any

from appliance.commands.configured import config_of
from appliance.commands.optional_import import import_for_command
from appliance.store.postgres_driver import leave_driver_out


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `run` and `demo`."""
    run = subparsers.add_parser("run", help="run the daemon (on the box: systemctl start aspa)")
    run.set_defaults(handler=run_daemon)
    demo = subparsers.add_parser(
        "demo", help="run the daemon on a temporary data directory with simulated sources")
    demo.add_argument("--duration", type=_seconds, default=None, metavar="S",
                      help="stop after S seconds (default: run until Ctrl-C)")
    demo.add_argument("--host", default=None, metavar="ADDRESS",
                      help="address of the web page (default: web.host, 127.0.0.1); "
                           "0.0.0.0 shows it to the whole network")
    demo.add_argument("--port", type=_port, default=None, metavar="N",
                      help="port of the web page (default: web.port, 8080); a taken one moves "
                           "to a free port, and the demo says so")
    demo.set_defaults(handler=run_demo)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return value


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (1 to 65535)")
    return int(text)


def run_daemon(args: argparse.Namespace) -> int:
    """Load the configuration and run the daemon until it stops."""
    config = config_of(args)
    leave_driver_out(config.database_url)  # before the daemon's modules import peewee
    daemon = import_for_command("appliance.runtime.daemon", "run")
    path = Path(args.config) if args.config else None  # the web page may edit this file
    return _exit_code(daemon.run(config, path))  # the daemon applies log.level itself


def run_demo(args: argparse.Namespace) -> int:
    """Run the demo on a temporary data directory, optionally for a fixed time."""
    demo = import_for_command("appliance.demo.launch", "demo")
    if not args.debug:
        logging.getLogger().setLevel(logging.INFO)
    config = config_of(args) if args.config else None  # a given file's settings carry over
    return _exit_code(demo.run_demo(config=config, duration=args.duration, host=args.host,
                                    port=args.port))


def _exit_code(result: Any) -> int:
    """Run a coroutine result to the end; an int result is the exit status."""
    if inspect.isawaitable(result):
        result = asyncio.run(_awaited(result))
    return result if isinstance(result, int) else 0


async def _awaited(awaitable: Any) -> Any:
    return await awaitable
