"""The doctor's own rows: the configuration, the data directory and the database."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from appliance.config.aspa_toml import Config
from appliance.doctor.registry import Finding, doctor_check

LOW_FREE_BYTES = 1024**3  # below this the box should be looked at
CRITICAL_FREE_BYTES = 100 * 1024**2  # below this SQLite writes may soon fail


@doctor_check("config")
def configuration(config: Config) -> Finding:
    """The configuration loaded (a broken one never reaches the doctor)."""
    groups, agents = len(config.ring_groups), len(config.agents)
    parts = [name for name, on in (("gsm", config.gsm.enabled),
                                   ("mail", bool(config.mail.mailboxes)),
                                   ("mqtt", config.mqtt.enabled),
                                   ("gpio", config.gpio.enabled)) if on]
    enabled = ", ".join(parts) if parts else "no channels"
    return Finding("config", "ok", f"{agents} agents, {groups} ring groups, {enabled}")


@doctor_check("data dir")
def data_directory(config: Config) -> Finding:
    """The data directory exists, is writable and has room."""
    path = config.data_path
    if not path.exists():
        parent = _existing_parent(path)
        if os.access(parent, os.W_OK):
            return Finding("data dir", "warn",
                           f"{path} does not exist yet; `aspa db upgrade` or `aspa run` creates it")
        return Finding("data dir", "fail",
                       f"{path} does not exist and {parent} is not writable: create it for "
                       f"the aspa user or fix data_dir")
    if not path.is_dir():
        return Finding("data dir", "fail", f"{path} is not a directory: fix data_dir")
    try:
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as error:
        return Finding("data dir", "fail", f"{path} is not writable: {error.strerror or error}")
    free = shutil.disk_usage(path).free
    detail = f"{path}: writable, {_size(free)} free"
    if free < CRITICAL_FREE_BYTES:
        return Finding("data dir", "fail", f"{detail}: free some space now")
    if free < LOW_FREE_BYTES:
        return Finding("data dir", "warn", f"{detail}: space is running low")
    return Finding("data dir", "ok", detail)


def _existing_parent(path: Path) -> Path:
    for parent in path.absolute().parents:
        if parent.exists():
            return parent
    return Path("/")


def _size(count: int) -> str:
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"


@doctor_check("database")
def database(config: Config) -> Finding:
    """The database can be opened and its schema is this version's."""
    from appliance.store.database import open_database
    from appliance.store.database_url import is_postgres_url, redact_url, sqlite_path
    from appliance.store.errors import StoreError
    from appliance.store.migrations import LATEST_VERSION, read_schema_version

    where = redact_url(config.database_url)
    if not is_postgres_url(config.database_url) and not sqlite_path(config.database_url).exists():
        return Finding("database", "warn",
                       f"{where} does not exist yet; `aspa db upgrade` or `aspa run` creates it")
    try:
        db = open_database(config.database_url, create=False)
    except StoreError as error:
        return Finding("database", "fail", str(error))
    try:
        version = read_schema_version(db)
    except StoreError as error:
        return Finding("database", "fail", str(error))
    finally:
        db.close()
    if version is None:
        return Finding("database", "warn", f"{where} is empty: run `aspa db upgrade`")
    if version < LATEST_VERSION:
        return Finding("database", "warn", f"{where}: schema {version}, this Aspa knows "
                       f"{LATEST_VERSION}: run `aspa db upgrade`")
    return Finding("database", "ok", f"{where}: reachable, schema {version} (current)")
