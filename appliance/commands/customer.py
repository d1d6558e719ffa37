"""`aspa customer export|erase|audit` and `aspa retention run`: the owner's GDPR requests.

Every command that reads or changes a customer's data is written to the audit
trail under the operating-system user who ran it (`cli:<user>`).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from appliance.commands.configured import config_of, open_configured_store
from appliance.commands.errors import CommandError

if TYPE_CHECKING:
    import peewee as pw

    from appliance.config.aspa_toml import Config

EXIT_REFUSED = 1


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `customer export|erase|audit` and `retention run`."""
    customer = subparsers.add_parser(
        "customer", help="export or erase one customer's personal data (docs/privacy.md)")
    actions = customer.add_subparsers(dest="customer_action", required=True, metavar="ACTION")
    export = actions.add_parser(
        "export", help="write a zip of everything held about a customer (PATH: file or folder)")
    export.add_argument("customer_id", metavar="ID", type=int)
    export.add_argument("path", metavar="PATH", type=Path)
    export.set_defaults(handler=export_command)
    erase = actions.add_parser(
        "erase", help="erase a customer's personal data everywhere; figures stay")
    erase.add_argument("customer_id", metavar="ID", type=int)
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    erase.set_defaults(handler=erase_command)
    audit = actions.add_parser("audit", help="show the audit trail, newest first")
    audit.add_argument("customer_id", metavar="ID", type=int, nargs="?",
                       help="only entries about this customer")
    audit.add_argument("--limit", type=int, default=50, help="how many entries (default 50)")
    audit.set_defaults(handler=audit_command)
    retention = subparsers.add_parser(
        "retention", help="remove what the [retention] policy keeps no longer")
    runs = retention.add_subparsers(dest="retention_action", required=True, metavar="ACTION")
    run = runs.add_parser("run", help="apply the policy now (the daemon does it every night)")
    run.add_argument("--dry-run", action="store_true",
                     help="count what would be removed, change nothing")
    run.set_defaults(handler=retention_command)


def export_command(args: argparse.Namespace) -> int:
    """Write one customer's archive and say where."""
    from appliance.privacy.audit import Actor
    from appliance.privacy.export import export_customer

    config = config_of(args)
    with _store(config) as db, _as_command_errors():
        report = export_customer(db, args.customer_id, args.path, actor=Actor.command_line(),
                                 attachments_root=_attachments(config),
                                 box_name=config.box.name,
                                 country_code=str(config.box.country_code))
    counts = report.counts
    print(f"customer {args.customer_id} exported to {report.path} "
          f"({report.path.stat().st_size} bytes): {counts['tickets']} tickets, "
          f"{counts['messages']} messages, {counts['attachments']} attachments, "
          f"{counts['calls']} calls")
    if report.missing_files:
        print(f"warning: {report.missing_files} attachment files were missing from the "
              f"attachments folder and are not in the archive", file=sys.stderr)
    return 0


def erase_command(args: argparse.Namespace) -> int:
    """Erase one customer after confirmation; say what was removed."""
    from appliance.privacy.audit import Actor
    from appliance.privacy.erasure import erase_customer, erased_event
    from appliance.privacy.footprint import footprint_of
    from appliance.store.change_feed import record_changes

    config = config_of(args)
    country = str(config.box.country_code)
    with _store(config) as db, _as_command_errors():
        found = footprint_of(args.customer_id, country)
        if not args.yes and found.customer.erased_at is None:
            _confirm(args.customer_id, found.customer.name, found.counts())
        report = erase_customer(db, args.customer_id, actor=Actor.command_line(),
                                attachments_root=_attachments(config), country_code=country)
        record_changes([erased_event(report, datetime.now(UTC))], "cli:customer erase")
    parts = ", ".join(f"{count} {kind}" for kind, count in report.counts.items() if count)
    parts = parts or "nothing besides the profile"
    print(f"customer {args.customer_id} erased: {parts}; {report.files_removed} attachment "
          f"files deleted")
    if not report.compacted:
        print("note: the database could not be compacted now (another process was reading); "
              "the old bytes go at the next checkpoint", file=sys.stderr)
    print("backups made before now still hold this customer: see docs/privacy.md")
    return 0


def _confirm(customer_id: int, name: str, counts: dict[str, int]) -> None:
    who = f"customer {customer_id}" + (f" ({name})" if name else "")
    print(f"Erase {who}: {counts['tickets']} tickets, {counts['messages']} messages, "
          f"{counts['attachments']} attachments, {counts['calls']} calls? This cannot be undone.")
    try:
        answer = input(f"Type {customer_id} to erase: ")
    except EOFError:
        answer = ""
    if answer.strip() != str(customer_id):
        raise CommandError("not confirmed; nothing was changed", EXIT_REFUSED)


def audit_command(args: argparse.Namespace) -> int:
    """Print the audit trail, one entry per line."""
    from appliance.privacy.audit import audit_log

    config = config_of(args)
    with _store(config):
        entries = audit_log(customer_id=args.customer_id, limit=args.limit)
    for e in entries:
        about = f"customer {e.customer_id}" if e.customer_id is not None else "-"
        detail = ", ".join(f"{k}={v}" for k, v in e.detail.items())
        print(f"{e.at:%Y-%m-%d %H:%M:%S}Z {e.actor} {e.action} {about} {detail}".rstrip())
    return 0


def retention_command(args: argparse.Namespace) -> int:
    """Apply (or count) the retention policy now."""
    from appliance.privacy.audit import Actor
    from appliance.privacy.retention import applied_event, run_retention
    from appliance.store.change_feed import record_changes

    config = config_of(args)
    with _store(config) as db, _as_command_errors():
        report = run_retention(db, config.retention, datetime.now(UTC),
                               ZoneInfo(config.time_zone), _attachments(config),
                               dry_run=args.dry_run, actor=Actor.command_line())
        if not args.dry_run:
            record_changes([applied_event(report, datetime.now(UTC))], "cli:retention run")
    verb = "would remove" if args.dry_run else "removed"
    print(f"retention {verb}: " + ", ".join(f"{v} {k}" for k, v in report.removed.items()))
    return 0


def _attachments(config: Config) -> Path:
    from appliance.store.attachment_folder import attachments_dir

    return attachments_dir(config.data_path)


@contextlib.contextmanager
def _store(config: Config) -> Iterator[pw.Database]:
    db = open_configured_store(config)
    try:
        yield db
    finally:
        db.close()


@contextlib.contextmanager
def _as_command_errors() -> Iterator[None]:
    """Turn privacy and store errors into one-sentence command errors."""
    from appliance.privacy.errors import PrivacyError
    from appliance.store.errors import StoreError

    try:
        yield
    except (PrivacyError, StoreError) as error:
        raise CommandError(str(error), EXIT_REFUSED) from error
