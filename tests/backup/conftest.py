"""A box on disk for backup tests: aspa.toml, a data directory with a store and attachments."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from appliance.config.aspa_toml import Config, load_config
from appliance.store.startup import upgrade_database


@dataclass(frozen=True)
class BackupBox:
    """One test box: its root folder, aspa.toml and loaded configuration."""

    root: Path
    config_path: Path

    @property
    def config(self) -> Config:
        return load_config(self.config_path)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def database(self) -> Path:
        return self.data_dir / "aspa.db"


def make_backup_box(root: Path, name: str = "office", extra_toml: str = "") -> BackupBox:
    """aspa.toml (with a secret file beside it), a migrated store and two attachments."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "mqtt-password").write_text("s3cret-broker\n")
    os.chmod(root / "mqtt-password", 0o600)
    config_path = root / "aspa.toml"
    config_path.write_text(
        f'data_dir = "data"\n[box]\nname = "{name}"\n'
        f'[mqtt]\nusername = "aspa"\npassword_file = "mqtt-password"\n{extra_toml}')
    box = BackupBox(root, config_path)
    box.data_dir.mkdir(mode=0o700)
    upgrade_database(box.database)
    blobs = box.data_dir / "attachments" / "ab"
    blobs.mkdir(parents=True)
    (blobs / "abcdef").write_bytes(b"%PDF-1.7 invoice 42\n")
    (blobs / "ab0123").write_bytes(os.urandom(4096))
    (box.data_dir / "web-secret.key").write_text("00" * 32)
    return box


@pytest.fixture
def backup_box(tmp_path: Path) -> Iterator[BackupBox]:
    yield make_backup_box(tmp_path / "box")
