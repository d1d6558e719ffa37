"""What `aspa mail replay ID` and `aspa mail import PATH` do, for the command line to call."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from appliance.config.aspa_toml import Config
from appliance.config.service_terms import business_calendar, sla_policy
from appliance.mail.intake import own_domains
from appliance.mail.intake_context import IntakeContext
from appliance.mail.mail_import import import_path
from appliance.mail.replay import replay_for_cli
from appliance.spine.clock import SystemClock
from appliance.store.attachment_folder import attachments_dir
from appliance.store.startup import open_store


def _context(config: Config) -> IntakeContext:
    """What the filters know; a new ticket's due times follow [sla] as the daemon's do."""
    return IntakeContext(attachments_dir=attachments_dir(config.data_path),
                         own_domains=own_domains(config.mail.smtp), clock=SystemClock(),
                         sla_policy=sla_policy(config), calendar=business_calendar(config))


def replay_command(config: Config, quarantine_id: int, out: TextIO | None = None) -> int:
    """Replay one quarantined mail and say what became of it; ReplayError otherwise."""
    out = out or sys.stdout  # looked up now: a default bound at import outlives a swapped stdout
    db = open_store(config.database_url)
    try:
        print(replay_for_cli(quarantine_id, _context(config)), file=out)
    finally:
        db.close()
    return 0


def import_command(config: Config, path: str | Path, out: TextIO | None = None) -> int:
    """Import an mbox, Maildir or .eml folder with progress lines and a closing summary."""
    stream = out or sys.stdout
    db = open_store(config.database_url)
    try:
        summary = import_path(path, _context(config),
                              progress=lambda done, total: print(f"{done}/{total}", file=stream))
    finally:
        db.close()
    print(summary.line(), file=stream)
    return 0
