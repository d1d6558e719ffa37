"""Schema steps: a database made by the first schema is upgraded without loss, on both backends."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import peewee as pw
import pytest

from appliance.store import models
from appliance.store.database import open_database
from appliance.store.mail_models import MAIL_MODELS
from appliance.store.migrations import LATEST_VERSION, STEPS, read_schema_version, upgrade
from appliance.store.migrations import steps as steps_module
from appliance.store.migrations import v1_first_schema as v1
from appliance.store.startup import open_store, upgrade_database

T0 = datetime(2025, 3, 4, 9, 30)  # the first schema stored naive UTC


def make_v1_database_with_rows(url: str) -> dict[str, int]:
    """A database as the first Aspa left it, with a little of everything in it."""
    db = open_database(url)
    assert upgrade(db, target=1) == (0, 1)
    with db.bind_ctx(v1.V1_MODELS, bind_refs=False, bind_backrefs=False):
        agent = v1.Agent.create(name="Aino", login="aino", password_changed_at=T0, created_at=T0)
        customer = v1.Customer.create(name="Oy Esimerkki Ab", vip=True, account_manager=agent,
                                      created_at=T0)
        v1.ContactPoint.create(customer=customer, kind="phone", value="+358401234567")
        ticket = v1.Ticket.create(number=1001, channel="email", subject="Lasku puuttuu",
                                  status="open", customer=customer, assignee=agent,
                                  created_at=T0, updated_at=T0)
        v1.Message.create(ticket=ticket, channel="email", direction="in",
                          body_text="Hei, laskua ei ole tullut.", created_at=T0)
        v1.HistoryEntry.create(at=T0, kind="ticket.created", event_id="e" * 32,
                               customer=customer, ticket=ticket, data='{"kind": "ticket.created"}')
        v1.Quarantine.create(source="mail:support", reason="no From", raw=b"\x00raw",
                             received_at=T0)
    db.close()
    return {"agent": agent.get_id(), "customer": customer.get_id(), "ticket": ticket.get_id()}


def test_first_schema_database_upgrades_with_rows_intact(store_url: str) -> None:
    ids = make_v1_database_with_rows(store_url)

    assert upgrade_database(store_url) == (1, LATEST_VERSION)

    db = open_store(store_url)
    try:
        assert read_schema_version(db) == LATEST_VERSION
        ticket = models.Ticket.get_by_id(ids["ticket"])
        assert (ticket.number, ticket.subject, ticket.status) == (1001, "Lasku puuttuu", "open")
        assert ticket.created_at == T0.replace(tzinfo=UTC)
        assert ticket.assignee_id == ids["agent"] and ticket.customer_id == ids["customer"]
        assert ticket.sla_first_response_used_s == 0.0 and ticket.sla_running_since is None
        customer = models.Customer.get_by_id(ids["customer"])
        assert customer.vip and customer.erased_at is None
        contacts = models.ContactPoint.select().where(models.ContactPoint.customer == customer.id)
        assert [c.value for c in contacts] == ["+358401234567"]
        messages = models.Message.select().where(models.Message.ticket == ticket.id)
        assert [m.body_text for m in messages] == ["Hei, laskua ei ole tullut."]
        assert models.HistoryEntry.get(models.HistoryEntry.event_id == "e" * 32).data == {
            "kind": "ticket.created"}
        assert bytes(models.Quarantine.get().raw) == b"\x00raw"
        # the new tables and columns work
        models.MailboxState.create(mailbox="INBOX", uidvalidity=4_000_000_000, last_uid=17)
        models.Outbox.create(topic="aspa/box1/debt", payload="3")
        customer.erased_at = datetime(2026, 1, 1, tzinfo=UTC)
        customer.save()
        assert models.MailboxState.get().uidvalidity == 4_000_000_000
    finally:
        db.close()


def test_upgraded_schema_matches_the_live_models(db: pw.Database) -> None:
    # Every live model, the store's and those other parts keep in the store, must find
    # its columns and indexes in a migrated database: a field added without a step fails here.
    for model in (*models.ALL_MODELS, *MAIL_MODELS):
        table = model._meta.table_name
        columns = {c.name: c.null for c in db.get_columns(table)}
        expected = {f.column_name: f.null for f in model._meta.sorted_fields}
        pk = model._meta.primary_key
        assert isinstance(pk, pw.Field)
        primary = pk.column_name
        assert {k: v for k, v in columns.items() if k != primary} == {
            k: v for k, v in expected.items() if k != primary}, table
        index_names = {i.name for i in db.get_indexes(table)}
        wanted = {i._name for i in model._meta.fields_to_index()}
        assert wanted <= index_names, (table, wanted - index_names)


def test_upgrade_twice_changes_nothing(store_url: str) -> None:
    assert upgrade_database(store_url) == (0, LATEST_VERSION)
    assert upgrade_database(store_url) == (LATEST_VERSION, LATEST_VERSION)


def test_failed_step_rolls_back_and_keeps_the_old_version(store_url: str) -> None:
    make_v1_database_with_rows(store_url)
    db = open_database(store_url)
    # a leftover table with the name step 2 creates makes that step fail half-way
    db.execute_sql("CREATE TABLE outbox (id INTEGER PRIMARY KEY)")
    with pytest.raises(pw.DatabaseError):
        upgrade(db)
    db.close()
    db = open_database(store_url)
    assert read_schema_version(db) == 1
    assert "erased_at" not in {c.name for c in db.get_columns("customer")}
    db.close()


def sqlite_shape(path: Path) -> dict[str, tuple[object, ...]]:
    """Per table: columns (type, not null, pk), indexes (unique) and foreign keys."""
    conn = sqlite3.connect(path)
    shape: dict[str, tuple[object, ...]] = {}
    tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                          "AND name NOT LIKE 'sqlite_%'").fetchall()
    for (table,) in tables:
        columns = {r[1]: (r[2], r[3], r[5]) for r in conn.execute(f"PRAGMA table_info({table})")}
        indexes = {r[1]: r[2] for r in conn.execute(f"PRAGMA index_list({table})")
                   if not r[1].startswith("sqlite_")}
        keys = sorted((r[2], r[3], r[4], r[6])
                      for r in conn.execute(f"PRAGMA foreign_key_list({table})"))
        shape[table] = (columns, indexes, keys)
    conn.close()
    return shape


def test_migrated_sqlite_schema_is_exactly_what_the_live_models_make(tmp_path: Path) -> None:
    upgrade_database(str(tmp_path / "migrated.db"))
    fresh = pw.SqliteDatabase(str(tmp_path / "fresh.db"))
    live = (*models.ALL_MODELS, *MAIL_MODELS)
    with fresh.bind_ctx(live, bind_refs=False, bind_backrefs=False):
        fresh.create_tables(live)
    fresh.close()
    fresh_shape = sqlite_shape(tmp_path / "fresh.db")
    migrated_shape = sqlite_shape(tmp_path / "migrated.db")
    # the search index is FTS5's virtual table and its shadow tables, kept by triggers: made
    # by schema step 8 alone, no model describes it
    search_tables = {t for t in migrated_shape if t.startswith("search_index")}
    assert search_tables == {"search_index", "search_index_config", "search_index_data",
                             "search_index_docsize", "search_index_idx"}
    for table in search_tables:
        del migrated_shape[table]
    assert migrated_shape == fresh_shape


def test_step_8_indexes_the_rows_already_there(store_url: str) -> None:
    """The search index is filled from existing rows, then kept by the triggers."""
    from appliance.store.search.results import search_for

    ids = make_v1_database_with_rows(store_url)
    db = open_database(store_url)
    upgrade(db, target=7)
    assert "search_index" not in db.get_tables()
    db.close()
    db = open_store(store_url)
    try:
        assert [t.number for t in search_for(db, "laskussa").tickets] == [1001]
        assert [c.id for c in search_for(db, "esimerkki").customers] == [ids["customer"]]
        assert [c.id for c in search_for(db, "040 123 4567").customers] == [ids["customer"]]
        models.Message.update(body_text="Tuli jo.").execute()
        models.Ticket.update(subject="Kiitos").execute()
        assert search_for(db, "lasku").nothing_found
        ticket = models.Ticket.get_by_id(ids["ticket"])
        assert (ticket.pending_until, ticket.pending_reason) == (None, "")
    finally:
        db.close()


STEP_MODULES = "appliance.store.migrations.v"
OPEN_AND_LIST_MODULES = (
    "import sys\n"
    "from appliance.store.startup import open_store\n"
    "open_store(sys.argv[1]).close()\n"
    "print('\\n'.join(sorted(sys.modules)))\n"
)


def _modules_after_opening(path: Path) -> set[str]:
    """The modules a fresh interpreter holds after the daemon's way into the store."""
    run = subprocess.run([sys.executable, "-c", OPEN_AND_LIST_MODULES, str(path)],
                         check=True, capture_output=True, text=True, timeout=120)
    return set(run.stdout.split())


def test_a_current_schema_loads_no_step_code(tmp_path: Path) -> None:
    path = tmp_path / "current.db"
    assert upgrade_database(str(path)) == (0, LATEST_VERSION)

    loaded = _modules_after_opening(path)

    assert "appliance.store.migrations.steps" in loaded  # the version list is read
    assert not {m for m in loaded if m.startswith(STEP_MODULES)}
    assert "playhouse.migrate" not in loaded


def test_an_old_schema_loads_the_steps_it_runs_and_only_those(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = open_database(str(path))
    assert upgrade(db, target=LATEST_VERSION - 1) == (0, LATEST_VERSION - 1)
    db.close()

    loaded = _modules_after_opening(path)

    last = STEPS[-1]
    assert {m for m in loaded if m.startswith(STEP_MODULES)} == {
        f"appliance.store.migrations.{last.module}"}
    db = open_database(str(path))
    assert read_schema_version(db) == LATEST_VERSION
    db.close()


def test_every_step_module_is_listed_once_in_order() -> None:
    folder = Path(steps_module.__file__).parent
    on_disk = sorted((int(p.name[1:].split("_", 1)[0]), p.stem) for p in folder.glob("v*_*.py"))
    assert on_disk == [(s.version, s.module) for s in STEPS]
