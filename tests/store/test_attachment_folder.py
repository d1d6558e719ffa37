"""Attachment blobs: written whole under their hash, once, with nothing left beside them."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from appliance.store import attachment_folder
from appliance.store.attachment_folder import blob_path, store_blob


def test_a_blob_is_stored_once_under_its_hash_and_only_for_its_owner(tmp_path: Path) -> None:
    data = "Lasku: 5 € marraskuulta".encode() * 100
    digest = hashlib.sha256(data).hexdigest()
    path = store_blob(tmp_path, digest, data)
    assert path == blob_path(tmp_path, digest)
    assert path.read_bytes() == data
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert store_blob(tmp_path, digest, data) == path  # the same bytes again: kept as they are
    assert os.listdir(path.parent) == [digest]  # no temporary file left behind


def test_a_temporary_name_left_by_an_earlier_process_is_stepped_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(attachment_folder, "_temp_numbers", iter(range(5)))
    folder = tmp_path / "ab"
    folder.mkdir()
    stale = folder / f".tmp-{os.getpid()}-0"
    stale.write_bytes(b"half a file from before a crash")
    data = b"%PDF-1.4 a whole file"
    digest = "ab" + hashlib.sha256(data).hexdigest()[2:]
    path = store_blob(tmp_path, digest, data)
    assert path.read_bytes() == data
    assert stale.read_bytes() == b"half a file from before a crash"  # not overwritten
