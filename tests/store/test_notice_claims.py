"""Notices recorded a batch at a time, on SQLite and on PostgreSQL: each key once (taken
before, or twice in the batch), the rest recorded with their row ids, the batch's SLA
alerts marked told in the same transaction, and an agent's contact and choices read for
many agents at once as they are read for one."""

from __future__ import annotations

from datetime import timedelta

import peewee as pw

from appliance.spine.clock import ManualClock
from appliance.store import notice_log
from appliance.store.accounts import Accounts
from appliance.store.models import NoticeLogEntry
from appliance.store.notice_choices import (
    StoredChoices,
    contact,
    reach_of,
    read_choices,
    save_choices,
)
from appliance.store.notice_log import NoticeClaim


def test_a_batch_records_each_key_once_and_marks_its_alerts_told(
        db: pw.Database, clock: ManualClock) -> None:
    anna = Accounts(db, clock).add_user("Anna Virtanen", "anna", "agent", "anna-password-1")
    now = clock.now()
    assert notice_log.claim("assigned:e1", kind="assigned", state=notice_log.PAGE, now=now,
                            agent_id=anna.id) is not None
    alert = "sla-breach:ticket:1:x"
    assert notice_log.claim_alerts([alert], {alert: "sla-breach"}, {}, now) == {alert}

    ids = notice_log.claim_many([
        NoticeClaim("assigned:e1", "assigned", notice_log.PAGE, anna.id),  # taken before
        NoticeClaim("sla_breach:1:x:1", "sla_breach", notice_log.DUE, anna.id, way="email",
                    text="Tiketti #1001", due_at=now),
        NoticeClaim("sla_breach:1:x:1", "sla_breach", notice_log.DUE, anna.id),  # again
        NoticeClaim("mention:7:1", "mention", notice_log.PAGE, anna.id, text="@anna"),
        NoticeClaim("reminder:e9", "reminder", notice_log.HELD, anna.id, way="sms",
                    due_at=now + timedelta(hours=2)),
    ], now, [alert])

    assert ids[0] is None and ids[2] is None
    fresh = [i for i in ids if i is not None]
    assert len(fresh) == 3 and len(set(fresh)) == 3
    rows = {int(r.id): r for r in NoticeLogEntry.select().where(NoticeLogEntry.id.in_(fresh))}
    assert rows[ids[1]].key == "sla_breach:1:x:1" and rows[ids[1]].state == "due"
    assert rows[ids[1]].way == "email" and rows[ids[1]].text == "Tiketti #1001"
    assert rows[ids[3]].sent_at == now  # shown on the page: settled as it is recorded
    assert rows[ids[4]].due_at == now + timedelta(hours=2) and rows[ids[4]].sent_at is None
    assert notice_log.owed_alerts([alert]) == set()
    # the same batch again records nothing
    assert notice_log.claim_many([NoticeClaim("mention:7:1", "mention", notice_log.PAGE,
                                              anna.id)], now) == [None]


def test_many_agents_reach_is_read_as_each_ones(db: pw.Database, clock: ManualClock) -> None:
    accounts = Accounts(db, clock)
    anna = accounts.add_user("Anna Virtanen", "anna", "agent", "anna-password-1",
                             phone="+358401112222")
    pekka = accounts.add_user("Pekka Lahti", "pekka", "agent", "pekka-password-1")
    gone = accounts.add_user("Ville Poissa", "ville", "agent", "ville-password-1")
    save_choices(anna.id, StoredChoices(ways={"mention": "sms"}, email="anna@toimisto.fi",
                                        quiet_start="18:00", quiet_end="07:00"))
    gone.active = False
    gone.save()

    reach = reach_of([anna.id, pekka.id, gone.id, anna.id, 9999])
    assert set(reach) == {anna.id, pekka.id}  # inactive and unknown agents are left out
    for agent in (anna.id, pekka.id):
        assert reach[agent] == (contact(agent), read_choices(agent))
