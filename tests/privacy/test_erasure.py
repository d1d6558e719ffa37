"""Erasure: no byte of the person is left in the database, its WAL, the attachments or a new
backup, the figures are what they were, and bad requests change nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from appliance.backup.create import create_backup
from appliance.privacy.audit import ERASE, Actor, audit_log
from appliance.privacy.erasure import erase_customer
from appliance.privacy.errors import AlreadyErased, CustomerUnknown
from appliance.store.customers import CustomerDirectory
from appliance.store.models import Attachment, Call, ContactPoint, Customer, Message, Ticket
from appliance.store.ticket_records import MessageDraft, TicketRecords
from tests.privacy.conftest import PrivacyBox
from tests.privacy.scenario import (
    MAIJA_EMAIL,
    MAIJA_MARKERS,
    PEKKA_EMAIL,
    PEKKA_TEXT,
    figures,
)
from tests.privacy.traces import found_in, traces_in_backup, traces_in_folder

ADMIN = Actor.agent("aino", 1)


def erase(box: PrivacyBox, customer_id: int):  # type: ignore[no-untyped-def]
    return erase_customer(box.db, customer_id, actor=ADMIN, attachments_root=box.attachments,
                          clock=box.clock)


def test_the_markers_are_there_before(box: PrivacyBox) -> None:
    # the search itself must be able to fail: every marker is found before erasure
    box.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    everywhere: set[str] = set()
    for found in traces_in_folder(box.data_dir, MAIJA_MARKERS).values():
        everywhere |= found
    assert everywhere == set(MAIJA_MARKERS)


@pytest.mark.parametrize("long_ago", [False, True], ids=["data-in-wal", "data-in-db-file"])
def test_erasure_leaves_no_trace_in_the_files_and_keeps_the_figures(
        box: PrivacyBox, long_ago: bool) -> None:
    if long_ago:  # the data was written back to the database file long before the request
        box.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    before = figures(box.clock.now())
    blob = box.attachments / box.people.maija_blob[:2] / box.people.maija_blob

    report = erase(box, box.people.maija)

    assert report.compacted
    assert report.counts["tickets"] == 3 and report.counts["attachments"] == 1
    assert report.counts["calls"] == 2 and report.files_removed == 1
    assert figures(box.clock.now()) == before
    assert traces_in_folder(box.data_dir, MAIJA_MARKERS) == {}
    assert not blob.exists()
    # the other customer is untouched, in the rows and in the files
    assert found_in((box.data_dir / "aspa.db").read_bytes(), [PEKKA_EMAIL, PEKKA_TEXT]) == {
        PEKKA_EMAIL, PEKKA_TEXT}
    pekka_blob = box.attachments / box.people.pekka_blob[:2] / box.people.pekka_blob
    assert pekka_blob.exists()
    assert Message.select().where(Message.ticket == box.people.pekka_ticket).get().body_text \
        == PEKKA_TEXT


def test_rows_stay_for_the_figures_with_the_person_gone(box: PrivacyBox) -> None:
    erase(box, box.people.maija)

    maija = Customer.get_by_id(box.people.maija)
    assert maija.erased_at == box.clock.now() and maija.name == "" and maija.notes == ""
    assert ContactPoint.select().where(ContactPoint.customer == maija.id).count() == 0
    tickets = list(Ticket.select().where(Ticket.id.in_(box.people.maija_tickets)))
    assert [t.status for t in tickets] == ["closed", "resolved", "new"]
    assert all(t.subject == "" for t in tickets)
    calls = list(Call.select().where(Call.customer == maija.id).order_by(Call.id))
    assert [(c.number, c.number_status, c.outcome, c.wait_seconds) for c in calls] == [
        (None, "erased", "answered", 12.0), (None, "erased", "abandoned", 40.0)]
    assert Attachment.select().count() == 1  # Pekka's


def test_a_new_backup_after_erasure_holds_nothing_of_the_person(
        box: PrivacyBox, tmp_path: Path) -> None:
    erase(box, box.people.maija)

    archive = create_backup(box.config, tmp_path / "after.tar.gz", config_path=box.config_path)

    assert traces_in_backup(archive, MAIJA_MARKERS) == {}
    assert traces_in_backup(archive, [PEKKA_TEXT]) != {}  # the backup does hold the rest


def test_erasure_is_audited_without_the_erased_data(box: PrivacyBox) -> None:
    erase(box, box.people.maija)

    [entry] = audit_log(action=ERASE)
    assert (entry.actor, entry.actor_id, entry.customer_id) == ("aino", 1, box.people.maija)
    assert entry.detail["tickets"] == 3
    assert found_in(repr(entry).encode(), MAIJA_MARKERS) == set()


def _dump(db_path: Path) -> list[str]:
    with sqlite3.connect(db_path) as conn:
        return list(conn.iterdump())


def test_an_unknown_customer_is_named_and_nothing_is_touched(box: PrivacyBox) -> None:
    before = _dump(box.data_dir / "aspa.db")

    with pytest.raises(CustomerUnknown, match="customer 999 does not exist; nothing was changed"):
        erase(box, 999)

    assert _dump(box.data_dir / "aspa.db") == before


def test_a_second_erasure_is_refused_and_changes_nothing(box: PrivacyBox) -> None:
    erase(box, box.people.maija)
    before = _dump(box.data_dir / "aspa.db")
    box.clock.advance(3600)

    with pytest.raises(AlreadyErased, match=f"customer {box.people.maija} was already erased on "
                       r"2026-03-04 \d\d:\d\d UTC; nothing was changed"):
        erase(box, box.people.maija)

    assert _dump(box.data_dir / "aspa.db") == before
    assert len(audit_log(action=ERASE)) == 1


def test_a_file_shared_with_another_customer_stays(box: PrivacyBox) -> None:
    pekka_message = Message.get(Message.ticket == box.people.pekka_ticket)
    Attachment.create(message=pekka_message.id, filename="same.pdf", size=10,
                      sha256=box.people.maija_blob)

    report = erase(box, box.people.maija)

    assert report.files_removed == 0
    assert (box.attachments / box.people.maija_blob[:2] / box.people.maija_blob).exists()


def test_a_similar_address_of_someone_else_is_left_alone_and_quotes_are_blotted(
        box: PrivacyBox) -> None:
    records = TicketRecords(box.db, box.clock)
    anna, _ = CustomerDirectory(box.db).find_or_create("email", f"anna.{MAIJA_EMAIL}")
    annas = records.open_ticket("email", "Annan asia", anna.id, message=MessageDraft(
        channel="email", direction="in", sender=f"anna.{MAIJA_EMAIL}", body_text="Annan teksti"))
    note = records.add_message(box.people.pekka_ticket, MessageDraft(
        channel="note", direction="internal", body_text="Soita Maijalle 040 123 4567, kiitos"))

    erase(box, box.people.maija)

    kept = Message.get_by_id(annas.message.id)
    assert (kept.sender, kept.body_text) == (f"anna.{MAIJA_EMAIL}", "Annan teksti")
    assert ContactPoint.get(ContactPoint.customer == anna.id).value == f"anna.{MAIJA_EMAIL}"
    assert Message.get_by_id(note.message.id).body_text == "Soita Maijalle [erased], kiitos"


def test_a_customer_with_nothing_but_a_name_is_erased_too(box: PrivacyBox) -> None:
    bare = Customer.create(name="Nimetön Asiakas", notes="met at the fair")

    report = erase(box, bare.id)

    assert set(report.counts.values()) == {0}
    erased = Customer.get_by_id(bare.id)
    assert (erased.name, erased.notes, erased.erased_at) == ("", "", box.clock.now())
    assert Customer.get_by_id(box.people.maija).name == "Maija Meikäläinen"
