"""`aspa customer export|erase|audit` and `aspa retention run` as the owner uses them."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from appliance.cli import main
from appliance.store import models
from tests.privacy.conftest import PrivacyBox
from tests.privacy.scenario import MAIJA_MARKERS, figures
from tests.privacy.traces import traces_in_folder

REPO = Path(__file__).resolve().parents[2]
BIG_ATTACHMENT = 2 * 1024 * 1024  # random bytes: deflate cannot shrink them under the limits
FILE_SIZE_LIMIT = 1024 * 1024


def aspa(box: PrivacyBox, capsys: pytest.CaptureFixture[str], *args: str,
         monkeypatch: pytest.MonkeyPatch | None = None, answer: str | None = None
         ) -> tuple[int, str, str]:
    """Run one command in this process; the test's own store binding is put back after."""
    if answer is not None and monkeypatch is not None:
        monkeypatch.setattr("builtins.input", lambda _prompt: answer)
    status = main(["--config", str(box.config_path), *args])
    models.database_proxy.initialize(box.db)
    out, err = capsys.readouterr()
    return status, out, err


def aspa_process(box: PrivacyBox, *args: str, file_size_limit: int | None = None
                 ) -> subprocess.CompletedProcess[str]:
    """Run one command as its own process, optionally with a file size limit."""
    def limit() -> None:
        if file_size_limit is not None:
            # without SIGXFSZ ignored the kernel kills the writer; ignored, write() gets EFBIG
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

    return subprocess.run([sys.executable, "-m", "appliance", "--config", str(box.config_path),
                           *args], cwd=REPO, capture_output=True, text=True, timeout=60,
                          preexec_fn=limit, check=False)


def test_export_then_erase_leaves_the_archive_and_no_trace(
        box: PrivacyBox, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = figures(box.clock.now())
    maija = str(box.people.maija)

    status, out, err = aspa(box, capsys, "customer", "export", maija, str(tmp_path))
    assert (status, err) == (0, "")
    assert out.startswith(f"customer {maija} exported to {tmp_path}/aspa-customer-{maija}-")
    [archive] = tmp_path.glob("aspa-customer-*.zip")
    with zipfile.ZipFile(archive) as z:
        assert "customer.json" in z.namelist()

    status, out, err = aspa(box, capsys, "customer", "erase", maija, "--yes")
    assert (status, err) == (0, "")
    assert out.startswith(f"customer {maija} erased: 3 tickets, ")
    assert "1 attachment files deleted" in out
    assert traces_in_folder(box.data_dir, MAIJA_MARKERS) == {}
    assert figures(box.clock.now()) == before

    status, out, _ = aspa(box, capsys, "customer", "audit", maija)
    lines = out.splitlines()
    assert [line.split()[3] for line in lines] == ["erase", "export"]
    assert all(line.split()[2].startswith("cli:") for line in lines)


def test_erasing_an_unknown_or_erased_customer_says_so(
        box: PrivacyBox, capsys: pytest.CaptureFixture[str]) -> None:
    assert aspa(box, capsys, "customer", "erase", "999", "--yes") == (
        1, "", "aspa: customer 999 does not exist; nothing was changed\n")
    assert aspa(box, capsys, "customer", "erase", str(box.people.maija), "--yes")[0] == 0
    status, out, err = aspa(box, capsys, "customer", "erase", str(box.people.maija), "--yes")
    assert (status, out) == (1, "")
    assert err.startswith(f"aspa: customer {box.people.maija} was already erased on 2026-")
    assert err.endswith("; nothing was changed\n")


def test_erase_asks_first_and_a_wrong_answer_changes_nothing(
        box: PrivacyBox, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    maija = str(box.people.maija)
    status, out, err = aspa(box, capsys, "customer", "erase", maija, monkeypatch=monkeypatch,
                            answer="yes")
    assert (status, err) == (1, "aspa: not confirmed; nothing was changed\n")
    assert f"Erase customer {maija} (Maija Meikäläinen): 3 tickets" in out
    assert models.Customer.get_by_id(box.people.maija).erased_at is None

    status, out, _ = aspa(box, capsys, "customer", "erase", maija, monkeypatch=monkeypatch,
                          answer=maija)
    assert status == 0
    assert models.Customer.get_by_id(box.people.maija).erased_at is not None


def test_retention_dry_run_counts_and_changes_nothing(
        box: PrivacyBox, capsys: pytest.CaptureFixture[str]) -> None:
    box.config_path.write_text(box.config_path.read_text() + "[retention]\nquarantine_days = 1\n")
    status, out, err = aspa(box, capsys, "retention", "run", "--dry-run")
    assert (status, err) == (0, "")
    assert "would remove: " in out and "2 quarantine" in out
    assert models.Quarantine.select().count() == 2
    status, out, _ = aspa(box, capsys, "retention", "run")
    assert "removed: " in out and "2 quarantine" in out
    assert models.Quarantine.select().count() == 0


@pytest.fixture
def big_box(box: PrivacyBox) -> PrivacyBox:
    """Maija's attachment file is large and incompressible."""
    blob = box.attachments / box.people.maija_blob[:2] / box.people.maija_blob
    blob.write_bytes(os.urandom(BIG_ATTACHMENT))
    box.db.close()  # the command runs in its own process
    return box


def test_an_export_to_a_full_disk_fails_and_leaves_nothing(
        big_box: PrivacyBox, tiny_mount: Path) -> None:
    done = aspa_process(big_box, "customer", "export", str(big_box.people.maija),
                        str(tiny_mount / "maija.zip"))
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith(f"aspa: cannot write export {tiny_mount / 'maija.zip'}: "
                                  "No space left on device; nothing was left behind")
    assert "Traceback" not in done.stderr
    assert list(tiny_mount.iterdir()) == []


def test_a_file_size_limit_mid_archive_leaves_nothing(big_box: PrivacyBox, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    done = aspa_process(big_box, "customer", "export", str(big_box.people.maija), str(out),
                        file_size_limit=FILE_SIZE_LIMIT)
    assert done.returncode == 1, done.stderr
    assert "File too large; nothing was left behind" in done.stderr
    assert list(out.iterdir()) == []
