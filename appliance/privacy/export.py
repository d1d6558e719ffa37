"""`aspa customer export`: one zip with everything held about a customer, readable without Aspa.

JSON documents (customer, tickets with their messages, calls, history,
quarantine, sent mail, audit) plus the original files: attachments, raw
quarantined input, mails as sent. The archive is written beside its target
under a temporary name and renamed only when complete, so a full disk or a
crash never leaves half an archive under the real name.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import peewee as pw

from appliance.privacy.audit import EXPORT, Actor, record_audit
from appliance.privacy.errors import ExportFailed
from appliance.privacy.export_content import ExportContent, export_content
from appliance.privacy.footprint import footprint_of
from appliance.spine.clock import Clock, SystemClock
from appliance.store.attachment_folder import blob_path

log = logging.getLogger("aspa.privacy.export")

ARCHIVE_MODE = 0o600  # it holds one person's whole file
TEMP_PREFIX = ".aspa-export-"
README = """Everything {box} holds about customer {id}, exported {at} (UTC).

customer.json    the customer's profile and contact points
tickets.json     tickets with every message; "yours": false marks someone else's ticket
                 on which this person wrote
calls.json       calls from or to the customer's numbers
after_calls.json what agents wrote down after calls with the customer
history.json     recorded events about the customer
quarantine.json  input that could not be handled, with the raw files in quarantine/
sent_mail.json   mail sent to the customer, as sent, in sent_mail/
audit.json       who viewed, exported, changed or erased this customer's data
attachments/     the original attachment files, by ticket number

Times are UTC in ISO 8601. JSON opens in any text editor; .eml files in any mail program.
"""


@dataclass(frozen=True, slots=True)
class ExportReport:
    """Where the archive went and what is in it."""

    path: Path
    counts: dict[str, int]
    missing_files: int  # attachments whose file was not on disk any more


def default_name(customer_id: int, now: datetime) -> str:
    """aspa-customer-<id>-<UTC time>.zip."""
    return f"aspa-customer-{customer_id}-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}.zip"


def export_customer(db: pw.Database, customer_id: int, target: Path, *, actor: Actor,
                    attachments_root: Path, box_name: str = "Aspa",
                    country_code: str | None = "358", clock: Clock | None = None) -> ExportReport:
    """Write the archive at `target` (a folder gets a dated name); CustomerUnknown, ExportFailed."""
    clock = clock or SystemClock()
    now = clock.now()
    with db.atomic():  # one consistent view of the rows
        found = footprint_of(customer_id, country_code)
        content = export_content(found)
    if target.is_dir():
        target = target / default_name(customer_id, now)
    if target.exists():
        raise ExportFailed(f"{target} already exists: choose another name")
    if not target.parent.is_dir():
        raise ExportFailed(f"folder {target.parent} does not exist: create it first")
    readme = README.format(box=box_name, id=customer_id, at=now.astimezone(UTC).isoformat())
    missing = _write_atomically(target, content, readme, attachments_root)
    counts = found.counts()
    record_audit(actor, EXPORT, customer_id, {**counts, "missing_files": missing}, clock=clock)
    log.info("customer %d exported by %s to %s", customer_id, actor.name, target)
    return ExportReport(target, counts, missing)


def _write_atomically(target: Path, content: ExportContent, readme: str, root: Path) -> int:
    try:
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=TEMP_PREFIX, suffix=".zip")
    except OSError as error:
        raise ExportFailed(_failure(target, error)) from error
    try:
        os.fchmod(fd, ARCHIVE_MODE)
        with os.fdopen(fd, "wb") as raw:
            missing = _write_zip(raw, content, readme, root)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temp, target)
        _sync_folder(target.parent)
    except OSError as error:
        Path(temp).unlink(missing_ok=True)
        raise ExportFailed(_failure(target, error)) from error
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return missing


def _write_zip(raw: Any, content: ExportContent, readme: str, root: Path) -> int:
    missing = 0
    with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme)
        for name, document in content.documents.items():
            archive.writestr(name, json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        for item in content.files:
            if item.data is not None:
                archive.writestr(item.name, item.data)
                continue
            source = blob_path(root, item.sha256)
            if not source.is_file():
                missing += 1
                log.warning("attachment file %s is missing; %s left out", source, item.name)
                continue
            archive.write(source, item.name)
    return missing


def _failure(target: Path, error: OSError) -> str:
    reason = error.strerror or str(error)
    hint = {28: "free some space or choose another drive", 27: "the file system's file size "
            "limit was reached: choose another drive", 30: "the folder is read-only",
            13: "this user may not write there"}.get(error.errno or 0, "check the folder")
    return f"cannot write export {target}: {reason}; nothing was left behind; {hint}"


def _sync_folder(folder: Path) -> None:
    """fsync the folder so the rename survives a power cut (rename(2) is not durable alone)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
