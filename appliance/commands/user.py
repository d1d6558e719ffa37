"""`aspa user add NAME --login L --role agent|admin --password-stdin`: add a login."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from appliance.commands.configured import config_of, open_configured_store
from appliance.commands.errors import CommandError
from appliance.config.sections.agents import ROLES


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `user add`."""
    user = subparsers.add_parser("user", help="manage logins")
    actions = user.add_subparsers(dest="user_action", required=True, metavar="ACTION")
    add = actions.add_parser(
        "add", help="add an agent or admin; the password comes from stdin, never the command line",
        allow_abbrev=False)  # so that --password is refused, not read as --password-stdin
    add.add_argument("name", metavar="NAME", help="full name, e.g. 'Anna Virtanen'")
    add.add_argument("--login", required=True, metavar="L", help="login name, e.g. anna")
    add.add_argument("--role", choices=ROLES, default=None,
                     help="agent (default) or admin; an agent listed in aspa.toml keeps its role")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from stdin (required; one line)")
    add.set_defaults(handler=add_user)


def read_password(stream: TextIO) -> str:
    """The password from stdin: one line without its line ending, or a prompt on a terminal."""
    if stream.isatty():
        import getpass  # a terminal prompt only: the daemon's process need not hold it

        return getpass.getpass("Password: ", stream=sys.stderr)
    return stream.readline().rstrip("\r\n")


def tell_daemon(agent_id: int, change: str) -> None:
    """Put the roster change in the change feed: a running daemon offers the agent work."""
    from datetime import UTC, datetime

    from appliance.spine.events import AgentRosterChanged
    from appliance.store.change_feed import record_changes

    record_changes([AgentRosterChanged(at=datetime.now(UTC), agent_id=agent_id, change=change)],
                   "cli:agents")


def add_user(args: argparse.Namespace) -> int:
    """Create the login, or give a password to an agent that aspa.toml's [[agents]] lists."""
    from appliance.spine.clock import SystemClock
    from appliance.store.accounts import Accounts
    from appliance.store.agent_roster import sync_agents
    from appliance.store.models import Agent

    if not args.password_stdin:
        raise CommandError("give the password on stdin with --password-stdin "
                           "(a password on the command line would be visible to other users)")
    password = read_password(sys.stdin)
    if not password.strip():
        raise CommandError("the password read from stdin is empty: nothing was added")
    config = config_of(args)
    login = args.login.strip().lower()
    listed = next((a for a in config.agents if a.login == login), None)
    if listed is not None and args.role is not None and args.role != listed.role:
        raise CommandError(f"{login} is listed in aspa.toml as {listed.role}: change the role "
                           f"there (agents[].role), not here")
    db = open_configured_store(config)
    try:
        sync_agents(db, config.agents)
        accounts = Accounts(db, SystemClock())
        existing = Agent.get_or_none(Agent.login == login)
        if existing is not None and existing.password_hash is None:
            # made by a sync of [[agents]]: this is its first password, not a second login
            agent = accounts.change_password(existing.id, password)
            tell_daemon(agent.id, "updated")
            print(f"set the password of {agent.role} {agent.login} ({agent.name}, "
                  f"from aspa.toml)")
            return 0
        agent = accounts.add_user(args.name, login, args.role or "agent", password)
        tell_daemon(agent.id, "added")
    finally:
        db.close()
    print(f"added {agent.role} {agent.login} ({agent.name})")
    return 0
