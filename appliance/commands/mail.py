"""`aspa mail replay ID` and `aspa mail import PATH`: quarantine replay and bulk import."""

from __future__ import annotations

import argparse

from appliance.commands.configured import config_of, ensure_data_dir


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `mail replay` and `mail import`."""
    mail = subparsers.add_parser("mail", help="the support mailbox: replay and import")
    actions = mail.add_subparsers(dest="mail_action", required=True, metavar="ACTION")
    replay = actions.add_parser(
        "replay", help="run a quarantined mail through the intake again (creates one ticket)")
    replay.add_argument("quarantine_id", type=int, metavar="ID",
                        help="the quarantine entry's number (aspa stats --json lists them)")
    replay.set_defaults(handler=replay_mail)
    bulk = actions.add_parser(
        "import", help="take in an mbox file, a Maildir or a folder of .eml files; "
                       "running it again imports nothing twice")
    bulk.add_argument("path", metavar="PATH")
    bulk.set_defaults(handler=import_mail)


def replay_mail(args: argparse.Namespace) -> int:
    """Replay one quarantined mail and say what became of it."""
    from appliance.mail.cli_commands import replay_command

    config = config_of(args)
    ensure_data_dir(config)
    return replay_command(config, args.quarantine_id)


def import_mail(args: argparse.Namespace) -> int:
    """Import a mail archive with progress lines and a closing summary."""
    from appliance.mail.cli_commands import import_command

    config = config_of(args)
    ensure_data_dir(config)
    return import_command(config, args.path)
