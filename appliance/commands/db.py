"""`aspa db upgrade`: bring the database to this version's schema."""

from __future__ import annotations

import argparse

from appliance.commands.configured import config_of, ensure_data_dir, open_configured_store
from appliance.config.aspa_toml import Config


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `db upgrade`."""
    db = subparsers.add_parser("db", help="database maintenance")
    actions = db.add_subparsers(dest="db_action", required=True, metavar="ACTION")
    upgrade = actions.add_parser(
        "upgrade", help="create the database or migrate it to this version's schema")
    upgrade.set_defaults(handler=upgrade_db)


def upgrade_db(args: argparse.Namespace) -> int:
    """Migrate (or create) the configured database and say what was done."""
    from appliance.store.database_url import redact_url
    from appliance.store.startup import upgrade_database

    config = config_of(args)
    if not config.database.url:
        ensure_data_dir(config)
    before, after = upgrade_database(config.database_url)
    where = redact_url(config.database_url)
    if before == after:
        print(f"database {where}: schema {after}, already current")
    else:
        print(f"database {where}: schema {before} -> {after}")
    _sync_agents(config)
    return 0


def _sync_agents(config: Config) -> None:
    """Bring the store's agents in line with [[agents]] and say what changed."""
    from appliance.commands.user import tell_daemon
    from appliance.store.agent_roster import sync_agents
    from appliance.store.models import Agent

    db = open_configured_store(config)
    try:
        changes = sync_agents(db, config.agents)
        for login in (*changes.added, *changes.updated):
            agent = Agent.get_or_none(Agent.login == login)
            if agent is not None:
                tell_daemon(agent.id, "added" if login in changes.added else "updated")
    finally:
        db.close()
    if changes.added:
        print(f"agents added from aspa.toml (no password yet: set one with aspa user add): "
              f"{', '.join(changes.added)}")
    if changes.updated:
        print(f"agents updated from aspa.toml: {', '.join(changes.updated)}")
