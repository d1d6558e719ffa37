"""`aspa modem-sim`: a modem simulator on a pseudo-terminal (the GSM package's own CLI)."""

from __future__ import annotations

import argparse

from appliance.commands.optional_import import import_for_command


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `modem-sim`; its options belong to the simulator."""
    sim = subparsers.add_parser(
        "modem-sim", add_help=False,
        help="a modem simulator on a pseudo-terminal (aspa modem-sim --help for its options)")
    sim.add_argument("sim_args", nargs=argparse.REMAINDER)
    sim.set_defaults(handler=run_modem_sim)


def run_modem_sim(args: argparse.Namespace) -> int:
    """Hand the remaining arguments to the simulator's command line."""
    simulator = import_for_command("appliance.gsm.simulator.cli", "modem-sim")
    return int(simulator.main_modem_sim(list(args.sim_args)) or 0)
