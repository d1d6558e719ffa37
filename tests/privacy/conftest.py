"""A box on disk for privacy tests: aspa.toml, a data directory and the populated store."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import peewee as pw
import pytest

from appliance.config.aspa_toml import Config, load_config
from appliance.spine.clock import ManualClock
from appliance.store.startup import open_store
from tests.privacy.scenario import START, Scenario, populate


@dataclass
class PrivacyBox:
    """One test box: its aspa.toml, data directory, open store and the people in it."""

    root: Path
    config_path: Path
    db: pw.Database
    clock: ManualClock
    people: Scenario

    @property
    def config(self) -> Config:
        return load_config(self.config_path)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def attachments(self) -> Path:
        return self.data_dir / "attachments"


def make_box(root: Path) -> PrivacyBox:
    """Write aspa.toml, create the store and fill it."""
    root.mkdir(parents=True, exist_ok=True)
    config_path = root / "aspa.toml"
    config_path.write_text('data_dir = "data"\n[box]\nname = "office"\n')
    (root / "data").mkdir(mode=0o700)
    db = open_store(root / "data" / "aspa.db")
    clock = ManualClock(START)
    people = populate(db, root / "data", clock)
    return PrivacyBox(root, config_path, db, clock, people)


@pytest.fixture
def box(tmp_path: Path) -> Iterator[PrivacyBox]:
    made = make_box(tmp_path / "box")
    try:
        yield made
    finally:
        made.db.close()
