"""[[agents]] in aspa.toml kept in step with the store's agents."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import peewee as pw
import pytest

from appliance.config.sections.agents import AgentSettings
from appliance.spine.clock import SystemClock
from appliance.store.accounts import Accounts
from appliance.store.agent_roster import RosterChanges, sync_agents
from appliance.store.models import Agent
from appliance.store.startup import open_store


@pytest.fixture()
def db(tmp_path: Path) -> Iterator[pw.Database]:
    database = open_store(f"sqlite:///{tmp_path / 'aspa.db'}")
    yield database
    database.close()


ANNA = AgentSettings(login="anna", name="Anna Virtanen", phone="+358401234567",
                     teams=["tuki", "myynti"], role="admin")
PEKKA = AgentSettings(login="pekka", name="Pekka Korhonen", sip_uri="sip:pekka@pbx.example")


def test_listed_agents_are_added_without_a_password(db: pw.Database):
    assert sync_agents(db, [ANNA, PEKKA]) == RosterChanges(("anna", "pekka"), ())
    anna = Agent.get(Agent.login == "anna")
    assert (anna.name, anna.role, anna.phone, anna.sip_uri) == (
        "Anna Virtanen", "admin", "+358401234567", None)
    assert anna.password_hash is None
    assert Accounts(db, SystemClock()).teams_of(anna.id) == ["myynti", "tuki"]
    assert Accounts(db, SystemClock()).verify("anna", "") is None


def test_a_second_sync_changes_nothing(db: pw.Database):
    sync_agents(db, [ANNA, PEKKA])
    assert sync_agents(db, [ANNA, PEKKA]) == RosterChanges((), ())


def test_changes_in_the_file_reach_the_store_and_unlisted_logins_stay(db: pw.Database):
    accounts = Accounts(db, SystemClock())
    accounts.add_user("Liisa Mäkinen", "liisa", "agent", "Kesäloma-2026")
    sync_agents(db, [ANNA, PEKKA])
    moved = AgentSettings(login="anna", name="Anna Korhonen", phone="",
                          sip_uri="sip:anna@pbx.example", teams=["tuki"], role="agent")
    teams_only = AgentSettings(login="pekka", name="Pekka Korhonen",
                               sip_uri="sip:pekka@pbx.example", teams=["ilta"])
    assert sync_agents(db, [moved, teams_only]) == RosterChanges((), ("anna", "pekka"))
    anna = Agent.get(Agent.login == "anna")
    assert (anna.name, anna.role, anna.phone, anna.sip_uri) == (
        "Anna Korhonen", "agent", None, "sip:anna@pbx.example")
    assert accounts.teams_of(anna.id) == ["tuki"]
    assert accounts.teams_of(Agent.get(Agent.login == "pekka").id) == ["ilta"]
    assert accounts.verify("liisa", "Kesäloma-2026") is not None
