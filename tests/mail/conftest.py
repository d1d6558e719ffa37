"""Fixtures of the mail tests: a fresh store, an intake context, a processor, mail builders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import peewee as pw
import pytest

from appliance.mail.intake_context import IntakeContext
from appliance.mail.processing import MailProcessor
from appliance.spine.clock import ManualClock
from appliance.store.models import database_proxy
from appliance.store.startup import open_store

OWN_DOMAIN = "aspa.example.fi"
CORPUS = Path(__file__).parent / "corpus"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[pw.Database]:
    """A new SQLite store with the current schema."""
    db = open_store(tmp_path / "aspa.db")
    try:
        yield db
    finally:
        db.close()
        database_proxy.initialize(None)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def ctx(tmp_path: Path, clock: ManualClock) -> IntakeContext:
    return IntakeContext(attachments_dir=tmp_path / "attachments",
                         own_domains=frozenset({OWN_DOMAIN}), clock=clock)


@pytest.fixture
def processor(store: pw.Database, ctx: IntakeContext) -> MailProcessor:
    return MailProcessor(ctx)
