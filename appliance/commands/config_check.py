"""`aspa config check FILE`: validate every key and say what is wrong, one line each."""

from __future__ import annotations

import argparse
import sys

from appliance.config.aspa_toml import load_config
from appliance.config.schema import ConfigError

EXIT_CONFIG_PROBLEMS = 2


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `config check`."""
    config = subparsers.add_parser("config", help="check a configuration file")
    actions = config.add_subparsers(dest="config_action", required=True, metavar="ACTION")
    check = actions.add_parser(
        "check", help="validate every key; exit 2 with FILE: key.path: what is wrong")
    check.add_argument("file", nargs="?", metavar="FILE",
                       help="the file to check (default: the one given with --config)")
    check.set_defaults(handler=check_config)


def check_config(args: argparse.Namespace) -> int:
    """Print `FILE: ok`, or every problem as `FILE: key.path: what is wrong` and return 2."""
    path = args.file or args.config
    if path is None:
        print("aspa config check: name the file to check (aspa config check FILE)",
              file=sys.stderr)
        return EXIT_CONFIG_PROBLEMS
    try:
        load_config(path)
    except ConfigError as error:
        for problem in error.problems:
            print(f"{path}: {problem}", file=sys.stderr)
        return EXIT_CONFIG_PROBLEMS
    print(f"{path}: ok")
    return 0
