"""Export: one zip, readable without Aspa, with everything held about the customer."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from appliance.privacy.audit import EXPORT, Actor, audit_log
from appliance.privacy.errors import CustomerUnknown, ExportFailed
from appliance.privacy.export import export_customer
from tests.privacy.conftest import PrivacyBox
from tests.privacy.scenario import (
    ATTACHMENT,
    MAIJA_EMAIL,
    MAIJA_PHONE,
    MAIL_TEXT,
    PEKKA_TEXT,
    SMS_TEXT,
)

CLERK = Actor.agent("liisa", 2)


def export(box: PrivacyBox, customer_id: int, target: Path):  # type: ignore[no-untyped-def]
    return export_customer(box.db, customer_id, target, actor=CLERK,
                           attachments_root=box.attachments, box_name="office", clock=box.clock)


def read_json(archive: zipfile.ZipFile, name: str):  # type: ignore[no-untyped-def]
    return json.loads(archive.read(name).decode("utf-8"))


def test_the_archive_holds_every_channel_and_the_original_files(
        box: PrivacyBox, tmp_path: Path) -> None:
    report = export(box, box.people.maija, tmp_path)

    assert report.path.parent == tmp_path
    assert report.path.name == "aspa-customer-1-20260304T123000Z.zip"
    assert report.path.stat().st_mode & 0o777 == 0o600
    with zipfile.ZipFile(report.path) as archive:
        assert archive.testzip() is None
        profile = read_json(archive, "customer.json")
        assert {(c["kind"], c["value"]) for c in profile["contacts"]} == {
            ("email", MAIJA_EMAIL), ("phone", MAIJA_PHONE)}
        tickets = read_json(archive, "tickets.json")
        assert [t["channel"] for t in tickets] == ["email", "sms", "callback"]
        bodies = [m["body_text"] for t in tickets for m in t["messages"]]
        assert any(MAIL_TEXT in b for b in bodies) and SMS_TEXT in bodies
        assert all(PEKKA_TEXT not in b for b in bodies)
        [attachment] = [a for t in tickets for m in t["messages"] for a in m["attachments"]]
        assert archive.read(attachment["file"]) == ATTACHMENT
        assert attachment["filename"] == "lasku-ZEBRA-991.pdf"
        calls = read_json(archive, "calls.json")
        assert [(c["number"], c["outcome"]) for c in calls] == [
            (MAIJA_PHONE, "answered"), (MAIJA_PHONE, "abandoned")]
        [written] = read_json(archive, "after_calls.json")
        assert (written["notes"], written["outcome"]) == ("Sovittu hyvitys SOVITTU-31", "solved")
        kinds = {h["kind"] for h in read_json(archive, "history.json")}
        assert {"sms.received", "call.offered", "callback.created", "ticket.created"} <= kinds
        quarantine = read_json(archive, "quarantine.json")
        assert [q["source"] for q in quarantine] == ["mail:support", "sms:gsm0"]
        assert MAIL_TEXT.encode() in archive.read(quarantine[0]["file"])
        [sent] = read_json(archive, "sent_mail.json")
        assert MAIJA_EMAIL.encode() in archive.read(sent["file"])
        assert "Everything office holds about customer 1" in archive.read(
            "README.txt").decode()


def test_an_export_is_audited_with_counts_only(box: PrivacyBox, tmp_path: Path) -> None:
    export(box, box.people.maija, tmp_path / "maija.zip")

    [entry] = audit_log(action=EXPORT)
    assert (entry.actor, entry.customer_id) == ("liisa", box.people.maija)
    assert entry.detail["tickets"] == 3 and entry.detail["attachments"] == 1
    assert MAIJA_EMAIL not in json.dumps(entry.detail)


def test_an_unknown_customer_writes_nothing(box: PrivacyBox, tmp_path: Path) -> None:
    with pytest.raises(CustomerUnknown, match="customer 77 does not exist"):
        export(box, 77, tmp_path)
    assert list(tmp_path.iterdir()) == [box.root]
    assert audit_log() == []


def test_an_existing_file_is_not_overwritten(box: PrivacyBox, tmp_path: Path) -> None:
    target = tmp_path / "maija.zip"
    target.write_bytes(b"keep me")
    with pytest.raises(ExportFailed, match="already exists: choose another name"):
        export(box, box.people.maija, target)
    assert target.read_bytes() == b"keep me"
