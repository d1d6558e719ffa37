"""The ordered schema steps; step n makes a database of schema version n.

A step's code (its frozen tables, playhouse.migrate and, through it, the
PostgreSQL extensions) is imported only when that step must run: a daemon
starting on a current schema reads the version list here and loads none of it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import peewee as pw


@dataclass(frozen=True, slots=True)
class Step:
    """One schema step: the version it makes, and the module (`vN_<what>`) whose apply() does it."""

    version: int
    summary: str
    module: str

    def apply(self, db: pw.Database) -> None:
        """Load the step's module (first use only) and run its apply(db)."""
        code = importlib.import_module(f"{__package__}.{self.module}")
        code.apply(db)


STEPS: tuple[Step, ...] = (
    Step(1, "first schema", "v1_first_schema"),
    Step(2, "mailbox state, outbox, customer erasure, stored SLA clocks", "v2_mail_outbox_sla"),
    Step(3, "mail intake ledger, outgoing mail", "v3_mail_intake_outgoing"),
    Step(4, "audit trail of access to customers' data", "v4_audit_trail"),
    Step(5, "web login sessions kept across restarts", "v5_web_sessions"),
    Step(6, "change feed to the running daemon, login brakes, SMS outbox", "v6_change_feed"),
    Step(7, "content hash in the mail intake ledger", "v7_mail_content_hash"),
    Step(8, "search index; pending until a time, with a reason", "v8_search_pending"),
    Step(9, "wall screens paired to show the wallboard", "v9_wall_screens"),
    Step(10, "agents' own sender names and signatures for replies", "v10_agent_signature"),
    Step(11, "saved replies and knowledge snippets", "v11_saved_replies"),
    Step(12, "agents' notice choices and quiet hours, notice log", "v12_notices"),
    Step(13, "tags on tickets; after-call items", "v13_tags_after_calls"),
    Step(14, "notices recorded before they are sent, with their failed tries",
         "v14_notice_tries"),
)

LATEST_VERSION = STEPS[-1].version

assert [s.version for s in STEPS] == list(range(1, LATEST_VERSION + 1)), "steps out of order"
assert all(s.module.startswith(f"v{s.version}_") for s in STEPS), "a step names another's module"
