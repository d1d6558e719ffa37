"""Raw-byte searches: which markers survive in a file, a folder or a backup archive."""

from __future__ import annotations

import tarfile
from collections.abc import Iterable
from pathlib import Path


def found_in(data: bytes, markers: Iterable[str]) -> set[str]:
    """The markers present in these bytes, compared without regard to ASCII case."""
    lowered = data.lower()
    return {m for m in markers if m.lower().encode("utf-8") in lowered}


def traces_in_folder(folder: Path, markers: Iterable[str]) -> dict[str, set[str]]:
    """Per file under the folder (the database, its WAL, attachments): the markers in it."""
    wanted = tuple(markers)
    hits = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        found = found_in(path.read_bytes(), wanted)
        if found:
            hits[str(path.relative_to(folder))] = found
    return hits


def traces_in_backup(archive: Path, markers: Iterable[str]) -> dict[str, set[str]]:
    """Per member of a .tar.gz backup, decompressed: the markers in it."""
    wanted = tuple(markers)
    hits = {}
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar.getmembers():
            extracted = tar.extractfile(member)
            if extracted is None:
                continue
            found = found_in(extracted.read(), wanted)
            if found:
                hits[member.name] = found
    return hits
