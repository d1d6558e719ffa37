"""The ordered schema steps; step n makes a database of schema version n."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import peewee as pw

from appliance.store.migrations import (
    v1_first_schema,
    v2_mail_outbox_sla,
    v3_mail_intake_outgoing,
    v4_audit_trail,
    v5_web_sessions,
    v6_change_feed,
    v7_mail_content_hash,
    v8_search_pending,
    v9_wall_screens,
    v10_agent_signature,
    v11_saved_replies,
    v12_notices,
    v13_tags_after_calls,
    v14_notice_tries,
)


@dataclass(frozen=True, slots=True)
class Step:
    """One schema step: the version it makes and how."""

    version: int
    summary: str
    apply: Callable[[pw.Database], None]


STEPS: tuple[Step, ...] = (
    Step(1, "first schema", v1_first_schema.apply),
    Step(2, "mailbox state, outbox, customer erasure, stored SLA clocks", v2_mail_outbox_sla.apply),
    Step(3, "mail intake ledger, outgoing mail", v3_mail_intake_outgoing.apply),
    Step(4, "audit trail of access to customers' data", v4_audit_trail.apply),
    Step(5, "web login sessions kept across restarts", v5_web_sessions.apply),
    Step(6, "change feed to the running daemon, login brakes, SMS outbox", v6_change_feed.apply),
    Step(7, "content hash in the mail intake ledger", v7_mail_content_hash.apply),
    Step(8, "search index; pending until a time, with a reason", v8_search_pending.apply),
    Step(9, "wall screens paired to show the wallboard", v9_wall_screens.apply),
    Step(10, "agents' own sender names and signatures for replies", v10_agent_signature.apply),
    Step(11, "saved replies and knowledge snippets", v11_saved_replies.apply),
    Step(12, "agents' notice choices and quiet hours, notice log", v12_notices.apply),
    Step(13, "tags on tickets; after-call items", v13_tags_after_calls.apply),
    Step(14, "notices recorded before they are sent, with their failed tries",
         v14_notice_tries.apply),
)

LATEST_VERSION = STEPS[-1].version

assert [s.version for s in STEPS] == list(range(1, LATEST_VERSION + 1)), "steps out of order"
