"""The archive's table of contents: versions, schema, and the sha256 of every member."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any, BinaryIO

from appliance.backup.errors import BackupRefused

MANIFEST_NAME = "manifest.json"
FORMAT = "aspa-backup"
FORMAT_VERSION = 1
CHUNK_BYTES = 1024 * 1024

DATABASE_SQLITE = "data/aspa.db"  # the SQLite snapshot, as it goes back under data_dir
DATABASE_PGDUMP = "database/aspa.pgdump"  # pg_dump --format=custom
DATA_PREFIX = "data/"
CONFIG_PREFIX = "config/"


@dataclass(frozen=True)
class Member:
    """One file in the archive."""

    sha256: str
    size: int
    restore_to: str = ""  # config files: the absolute path they came from


@dataclass
class Manifest:
    """What a backup holds and what made it."""

    aspa_version: str
    schema_version: int
    database: str  # "sqlite" or "postgresql"
    created_at: str
    box_name: str
    sqlite_version: str = ""
    members: dict[str, Member] = field(default_factory=dict)
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_json(self) -> bytes:
        """The manifest as the archive stores it."""
        return json.dumps(asdict(self), indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        """Parse a stored manifest; BackupRefused when it is not an Aspa backup's."""
        try:
            data: dict[str, Any] = json.loads(raw)
            if data.get("format") != FORMAT:
                raise BackupRefused("not an Aspa backup (its manifest has another format)")
            if int(data["format_version"]) > FORMAT_VERSION:
                raise BackupRefused(
                    f"backup format {data['format_version']} is newer than this Aspa reads "
                    f"({FORMAT_VERSION}): upgrade Aspa first")
            members = {name: Member(**m) for name, m in data.pop("members").items()}
            return cls(**data, members=members)
        except BackupRefused:
            raise
        except (ValueError, KeyError, TypeError) as error:
            raise BackupRefused(f"the backup's manifest is damaged: {error}") from error


class HashingReader:
    """A file wrapper that hashes and counts what tarfile reads through it."""

    def __init__(self, source: BinaryIO) -> None:
        self._source = source
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._source.read(size)
        self.digest.update(chunk)
        self.size += len(chunk)
        return chunk


def sha256_of(stream: BinaryIO) -> tuple[str, int]:
    """The sha256 and length of everything left in `stream`."""
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK_BYTES):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size
