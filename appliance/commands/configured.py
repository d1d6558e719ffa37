"""The configuration a command works with, and the store opened from it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from appliance.config.aspa_toml import Config, load_config

if TYPE_CHECKING:
    import peewee as pw

DATA_DIR_MODE = 0o700  # the database and attachments hold customers' data (as `aspa run`)


def config_of(args: argparse.Namespace) -> Config:
    """Load the file named by --config, or the built-in defaults without one."""
    path: str | None = args.config
    return load_config(path)


def ensure_data_dir(config: Config) -> Path:
    """Create the data directory if it is missing (its parent must exist or be creatable)."""
    path = config.data_path
    path.mkdir(mode=DATA_DIR_MODE, parents=True, exist_ok=True)
    return path


def open_configured_store(config: Config) -> pw.Database:
    """Open the store named by the configuration, creating or upgrading its schema."""
    from appliance.store.startup import open_store

    if not config.database.url:
        ensure_data_dir(config)
    return open_store(config.database_url)

