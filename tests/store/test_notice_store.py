"""The notice log and agents' notice choices, on SQLite and on PostgreSQL: a key is told once,
a clash leaves the transaction usable, held and failed notices come back when due, an SLA
alert stays owed until its notices are recorded."""

from __future__ import annotations

from datetime import timedelta

import peewee as pw
import pytest

from appliance.spine.clock import ManualClock
from appliance.store import notice_log
from appliance.store.accounts import Accounts
from appliance.store.errors import InvalidInput
from appliance.store.models import Team
from appliance.store.notice_choices import (
    StoredChoices,
    contact,
    read_choices,
    save_choices,
    team_members,
)


def test_a_key_is_claimed_once_and_held_notices_come_when_due(
        db: pw.Database, clock: ManualClock) -> None:
    anna = Accounts(db, clock).add_user("Anna Virtanen", "anna", "agent", "anna-password-1",
                                        phone="+358401112222")
    now = clock.now()
    first = notice_log.claim("assigned:e1", kind="assigned", state=notice_log.HELD, now=now,
                             agent_id=anna.id, way="email", text="Tiketti #1001",
                             due_at=now + timedelta(hours=2))
    assert first is not None
    with db.atomic():  # a clash inside a transaction: it goes on (a savepoint on PostgreSQL)
        assert notice_log.claim("assigned:e1", kind="assigned", state=notice_log.SENT,
                                now=now) is None
        assert notice_log.claim("mention:7:1", kind="mention", state=notice_log.PAGE,
                                now=now, agent_id=anna.id) is not None
    assert notice_log.claim_alerts(["sla-breach:ticket:1:x", "sla-breach:ticket:1:x"],
                                   {"sla-breach:ticket:1:x": "sla-breach"}, {},
                                   now) == {"sla-breach:ticket:1:x"}
    assert notice_log.owed_alerts(["sla-breach:ticket:1:x"]) == {"sla-breach:ticket:1:x"}
    notice_log.alert_told("sla-breach:ticket:1:x")  # its notices are recorded
    assert notice_log.owed_alerts(["sla-breach:ticket:1:x"]) == set()
    assert notice_log.waiting(now + timedelta(hours=1)) == []
    (held,) = notice_log.waiting(now + timedelta(hours=2))
    assert (held.key, held.way, held.text) == ("assigned:e1", "email", "Tiketti #1001")
    notice_log.put_off([held.id], now + timedelta(hours=3))  # a sender failed
    assert notice_log.waiting(now + timedelta(hours=2)) == []
    (again,) = notice_log.waiting(now + timedelta(hours=3))
    assert (again.state, again.tries) == (notice_log.DUE, 1)
    assert notice_log.settle([held.id], notice_log.SENT, "email", now + timedelta(hours=3)) == 1
    assert notice_log.settle([held.id], notice_log.SENT, "email", now) == 0  # settled once
    assert notice_log.waiting(now + timedelta(days=1)) == []
    assert [n.kind for n in notice_log.recent(anna.id)] == ["mention", "assigned"]


def test_choices_are_kept_per_agent(db: pw.Database, clock: ManualClock) -> None:
    accounts = Accounts(db, clock)
    anna = accounts.add_user("Anna Virtanen", "anna", "agent", "anna-password-1",
                             phone="+358401112222", language="en")
    pekka = accounts.add_user("Pekka Lahti", "pekka", "agent", "pekka-password-1")
    accounts.join_team(pekka.id, "tuki")
    assert read_choices(anna.id) == StoredChoices()
    chosen = StoredChoices({"mention": "sms", "assigned": "email"}, "anna@toimisto.fi",
                           "21:00", "07:00")
    save_choices(anna.id, chosen)
    save_choices(anna.id, chosen)  # saving again updates the one row
    assert read_choices(anna.id) == chosen
    with pytest.raises(InvalidInput):
        save_choices(anna.id, StoredChoices({"mention": "pigeon"}))
    who = contact(anna.id)
    assert who is not None
    assert (who.phone, who.email, who.language) == ("+358401112222", "anna@toimisto.fi", "en")
    assert team_members(None) == sorted([anna.id, pekka.id])
    tuki = Team.get(Team.name == "tuki")
    assert team_members(tuki.id) == [pekka.id]
    assert contact(10_000) is None


def test_waiting_notices_come_by_agent_and_way_so_one_pass_holds_an_agents_burst(
        db: pw.Database, clock: ManualClock) -> None:
    accounts = Accounts(db, clock)
    anna = accounts.add_user("Anna Virtanen", "anna", "agent", "anna-password-1")
    pekka = accounts.add_user("Pekka Lahti", "pekka", "agent", "pekka-password-1")
    now = clock.now()
    for i in range(3):  # a round tells both, turn by turn
        for agent in (pekka, anna):
            notice_log.claim(f"sla_breach:{i}:{agent.id}", kind="sla_breach",
                             state=notice_log.DUE, now=now, agent_id=agent.id, way="sms",
                             due_at=now)
    first = notice_log.waiting(now, limit=3)
    assert {n.agent_id for n in first} == {anna.id}
    assert notice_log.settle([n.id for n in first], notice_log.SENT, "sms", now) == 3
    assert {n.agent_id for n in notice_log.waiting(now, limit=3)} == {pekka.id}
