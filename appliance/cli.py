"""The `aspa` command line: parse, dispatch, and turn every expected failure into one sentence.

This is the one boundary where the project's typed errors become a message
and an exit status; `--debug` shows the traceback as well.
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from collections.abc import Sequence

from appliance import __version__
from appliance.commands import (
    backup,
    config_check,
    customer,
    daemon,
    db,
    doctor,
    mail,
    modem_sim,
    stats,
    user,
)
from appliance.commands.errors import CommandError
from appliance.config.schema import ConfigError

EXIT_FAILED = 1
EXIT_CONFIG = 2  # also argparse's exit status for a wrong command line
EXIT_INTERNAL = 70  # EX_SOFTWARE, sysexits(3)
EXIT_INTERRUPTED = 130  # 128 + SIGINT

LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"


def build_parser() -> argparse.ArgumentParser:
    """The whole command line."""
    parser = argparse.ArgumentParser(
        prog="aspa", description="Aspa: a customer-service box for small offices.")
    parser.add_argument("--config", metavar="FILE",
                        help="aspa.toml to use (default: built-in defaults)")
    parser.add_argument("--debug", action="store_true",
                        help="log everything and show tracebacks of failures")
    parser.add_argument("--version", action="version", version=f"aspa {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    daemon.add_parsers(commands)
    config_check.add_parser(commands)
    db.add_parser(commands)
    stats.add_parser(commands)
    user.add_parser(commands)
    doctor.add_parser(commands)
    modem_sim.add_parser(commands)
    backup.add_parser(commands)
    customer.add_parsers(commands)
    mail.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one `aspa` command; returns the exit status."""
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if args.command == "modem-sim":
            args.sim_args = [*extra, *args.sim_args]
        elif extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    except SystemExit as stop:  # --help, --version or a usage error, already printed
        return stop.code if isinstance(stop.code, int) else EXIT_CONFIG
    _set_up_logging(args.debug)
    try:
        return int(args.handler(args))
    except SystemExit as stop:  # a command's own parser (modem-sim) printed help or usage
        return stop.code if isinstance(stop.code, int) else EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as error:
        return _report(error, args.debug)


def _set_up_logging(debug: bool) -> None:
    # Commands stay quiet below warnings; `run` raises this to log.level from aspa.toml.
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, format=LOG_FORMAT,
                        stream=sys.stderr)


def _report(error: Exception, debug: bool) -> int:
    """Say what went wrong in one sentence (every line of a config error); return the status."""
    if debug:
        traceback.print_exception(error, file=sys.stderr)
    if isinstance(error, ConfigError):
        print(str(error), file=sys.stderr)
        return EXIT_CONFIG
    if isinstance(error, CommandError):
        print(f"aspa: {error}", file=sys.stderr)
        return error.exit_code
    if isinstance(error, _user_facing_errors()):
        print(f"aspa: {_sentence(error)}", file=sys.stderr)
        return EXIT_FAILED
    print(f"aspa: unexpected error: {type(error).__name__}: {error}"
          f"{'' if debug else ' (run with --debug to see where)'}", file=sys.stderr)
    return EXIT_INTERNAL


def _user_facing_errors() -> tuple[type[BaseException], ...]:
    """The project's typed errors, whose messages are written for the user."""
    from appliance.gsm.errors import ModemError
    from appliance.mail.errors import MailError
    from appliance.store.errors import StoreError
    from appliance.web.frame.secret_key import SecretKeyError

    return (StoreError, ModemError, MailError, SecretKeyError, OSError)


def _sentence(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror and error.filename:
        return f"{error.filename}: {error.strerror}"
    return str(error)


if __name__ == "__main__":
    raise SystemExit(main())
