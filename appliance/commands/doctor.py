"""`aspa doctor`: one row per part of the box, saying how it is."""

from __future__ import annotations

import argparse
import dataclasses
import json

from appliance.commands.configured import config_of
from appliance.doctor import run_checks

EXIT_SOMETHING_FAILED = 1


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `doctor`."""
    doctor = subparsers.add_parser(
        "doctor", help="what each part (config, data dir, database, modem, mail, MQTT) reports")
    doctor.add_argument("--json", action="store_true", help="print the rows as a JSON list")
    doctor.set_defaults(handler=doctor_report)


def doctor_report(args: argparse.Namespace) -> int:
    """Print every finding; exit 1 when any part fails."""
    findings = run_checks(config_of(args))
    if args.json:
        print(json.dumps([dataclasses.asdict(f) for f in findings], ensure_ascii=False))
    else:
        width = max((len(f.part) for f in findings), default=0)
        for f in findings:
            print(f"{f.status:<4}  {f.part:<{width}}  {f.detail}")
    return EXIT_SOMETHING_FAILED if any(f.status == "fail" for f in findings) else 0
