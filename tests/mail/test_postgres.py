"""The intake on PostgreSQL: the corpus imports alike, and twice imports nothing twice."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import peewee as pw
import pytest

from appliance.mail.intake_context import IntakeContext
from appliance.mail.mail_import import import_path
from appliance.store.models import Message, database_proxy
from appliance.store.startup import open_store
from tests.mail.conftest import CORPUS
from tests.peers.postgres import PostgresDatabase

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_store(postgres_db: PostgresDatabase) -> Iterator[pw.Database]:
    db = open_store(postgres_db.url)
    try:
        yield db
    finally:
        db.close()
        database_proxy.initialize(None)


def test_corpus_imports_on_postgresql_once(pg_store: pw.Database, tmp_path: Path,
                                           ctx: IntakeContext) -> None:
    first = import_path(CORPUS, ctx)
    # the two corpus mails sharing a Message-ID differ in content: both are kept; the five
    # auto-replies and bounces answer no ticket of this empty store, so they are kept aside
    assert (first.created, first.threaded, first.quarantined, first.skipped) == (22, 0, 9, 0)
    again = import_path(CORPUS, ctx)
    assert again.skipped == again.total == first.total
    assert Message.select().count() == 22
