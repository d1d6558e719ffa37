"""Saved replies in the store, on SQLite and PostgreSQL: seeded by schema step 11, added,
changed, removed, shortcuts kept unique, uses counted."""

from __future__ import annotations

from datetime import UTC, datetime

import peewee as pw
import pytest

from appliance.spine.clock import ManualClock
from appliance.store.accounts import Accounts
from appliance.store.database import open_database
from appliance.store.errors import NotFound
from appliance.store.migrations import upgrade
from appliance.store.models import SavedReply
from appliance.store.saved_replies import (
    SavedReplyDraft,
    ShortcutTaken,
    add_reply,
    change_reply,
    count_uses,
    list_replies,
    remove_reply,
    reply_by_id,
)
from appliance.store.startup import open_store

T1 = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)
T2 = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)


def _draft(**changes: object) -> SavedReplyDraft:
    values: dict[str, object] = {"title": "Opening hours", "language": "en", "kind": "reply",
                                 "text": "We are open {opening_hours}.", "shortcut": "#hours"}
    values.update(changes)
    return SavedReplyDraft(**values)  # type: ignore[arg-type]


def test_schema_step_11_seeds_the_three_answers_in_both_languages(db: pw.Database) -> None:
    seeded = {(r.language, r.shortcut): r for r in list_replies()}
    assert set(seeded) == {("en", "#thanks"), ("en", "#solved"), ("en", "#details"),
                           ("fi", "#kiitos"), ("fi", "#ratkaistu"), ("fi", "#lisatietoja")}
    thanks = seeded[("en", "#thanks")]
    assert thanks.title == "Thanks" and thanks.text.startswith("Thank you for your message.")
    assert seeded[("fi", "#kiitos")].text == (
        "Kiitos viestistäsi. Selvitämme asiaa ja palaamme asiaan pian.")
    assert all(r.kind == "reply" and r.usage_count == 0 and r.edited_by == ""
               for r in seeded.values())


def test_an_older_database_gets_the_table_and_the_seeds(store_url: str) -> None:
    db = open_database(store_url)
    upgrade(db, target=9)
    assert "saved_reply" not in db.get_tables()
    db.close()
    db = open_store(store_url)
    try:
        assert len(list_replies()) == 6
    finally:
        db.close()


def test_add_change_and_remove_keep_who_and_when(db: pw.Database) -> None:
    accounts = Accounts(db, ManualClock())
    anna = accounts.add_user("Anna Agent", "anna", "agent", "anna-salasana-1")
    reply_id = add_reply(_draft(), anna.id, T1)
    row = reply_by_id(reply_id)
    assert (row.title, row.text, row.language, row.shortcut, row.kind) == (
        "Opening hours", "We are open {opening_hours}.", "en", "#hours", "reply")
    assert (row.edited_by, row.edited_at, row.usage_count) == ("Anna Agent", T1, 0)

    change_reply(reply_id, _draft(title="Aukioloajat", language="fi", shortcut=None,
                                  kind="snippet", text="Olemme auki {opening_hours}."), None, T2)
    row = reply_by_id(reply_id)
    assert (row.title, row.language, row.shortcut, row.kind, row.edited_at) == (
        "Aukioloajat", "fi", None, "snippet", T2)
    assert row.edited_by == ""  # changed by no agent (the box)

    remove_reply(reply_id)
    with pytest.raises(NotFound):
        reply_by_id(reply_id)
    with pytest.raises(NotFound):
        remove_reply(reply_id)
    with pytest.raises(NotFound):
        change_reply(reply_id, _draft(), None, T2)


def test_a_shortcut_in_use_is_refused_and_nothing_is_saved(db: pw.Database) -> None:
    before = list_replies()
    with pytest.raises(ShortcutTaken):
        add_reply(_draft(shortcut="#thanks"), None, T1)
    assert list_replies() == before
    reply_id = add_reply(_draft(), None, T1)
    with pytest.raises(ShortcutTaken):
        change_reply(reply_id, _draft(shortcut="#kiitos", title="Changed"), None, T2)
    assert reply_by_id(reply_id).title == "Opening hours"
    change_reply(reply_id, _draft(title="Own shortcut kept"), None, T2)  # its own is fine
    assert reply_by_id(reply_id).shortcut == "#hours"


def test_many_replies_may_have_no_shortcut(db: pw.Database) -> None:
    first = add_reply(_draft(shortcut=None), None, T1)
    second = add_reply(_draft(shortcut=None, title="Another"), None, T1)
    assert reply_by_id(first).shortcut is None and reply_by_id(second).shortcut is None


def test_the_database_keeps_shortcuts_unique_even_past_the_check(db: pw.Database) -> None:
    with pytest.raises(pw.IntegrityError), db.atomic():
        SavedReply.create(title="x", body="y", shortcut="#thanks", edited_at=T1)


def test_uses_are_counted_once_per_reply_sent(db: pw.Database) -> None:
    thanks = next(r for r in list_replies() if r.shortcut == "#thanks")
    kiitos = next(r for r in list_replies() if r.shortcut == "#kiitos")
    assert count_uses([thanks.reply_id, thanks.reply_id, kiitos.reply_id, 999_999]) == 2
    assert count_uses([thanks.reply_id]) == 1
    assert count_uses([]) == 0
    assert reply_by_id(thanks.reply_id).usage_count == 2
    assert reply_by_id(kiitos.reply_id).usage_count == 1
