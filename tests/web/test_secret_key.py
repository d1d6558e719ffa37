"""The per-box signing key: made once, mode 0600, tightened if loosened, refused if garbage."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from appliance.web.frame.secret_key import (
    SECRET_BYTES,
    SECRET_FILE,
    SecretKeyError,
    load_or_create_secret,
)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_made_once_with_owner_only_mode(tmp_path: Path) -> None:
    key = load_or_create_secret(tmp_path)
    assert len(key) == SECRET_BYTES
    assert _mode(tmp_path / SECRET_FILE) == 0o600
    assert load_or_create_secret(tmp_path) == key
    other_box = tmp_path / "other"
    other_box.mkdir()
    assert load_or_create_secret(other_box) != key


def test_a_loosened_mode_is_tightened(tmp_path: Path) -> None:
    key = load_or_create_secret(tmp_path)
    (tmp_path / SECRET_FILE).chmod(0o644)
    assert load_or_create_secret(tmp_path) == key
    assert _mode(tmp_path / SECRET_FILE) == 0o600


def test_an_empty_file_from_a_crash_is_made_again(tmp_path: Path) -> None:
    (tmp_path / SECRET_FILE).touch(mode=0o600)
    assert len(load_or_create_secret(tmp_path)) == SECRET_BYTES


def test_garbage_is_refused_with_what_to_do(tmp_path: Path) -> None:
    (tmp_path / SECRET_FILE).write_text("not hex at all")
    with pytest.raises(SecretKeyError, match="delete it and restart"):
        load_or_create_secret(tmp_path)
