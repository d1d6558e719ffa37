"""`aspa mail import` and `aspa mail replay` through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from appliance.cli import main

CORPUS = Path(__file__).resolve().parent / "mail" / "corpus"


@pytest.fixture()
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "aspa.toml"
    path.write_text('data_dir = "data"\n', encoding="utf-8")
    return path


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def test_import_twice_takes_each_mail_once(config_file: Path, capsys: pytest.CaptureFixture[str]):
    mails = len(list(CORPUS.glob("*.eml")))
    status, out, err = run(["--config", str(config_file), "mail", "import", str(CORPUS)], capsys)
    assert (status, err) == (0, "")
    first = out.splitlines()[-1]
    assert first.startswith(f"{mails} mails: ")
    status, out, _ = run(["--config", str(config_file), "mail", "import", str(CORPUS)], capsys)
    assert status == 0
    assert out.splitlines()[-1] == (
        f"{mails} mails: 0 new tickets, 0 added to tickets, 0 quarantined, "
        f"{mails} already imported")
    status, out, _ = run(["--config", str(config_file), "stats", "--json"], capsys)
    figures = json.loads(out)
    created = int(first.split(": ")[1].split(" new tickets")[0])
    assert sum(figures["tickets"].values()) == created
    assert figures["quarantine"]["count"] >= 1  # the corpus holds mail nobody can take in


def test_replay_of_an_unknown_entry_is_one_sentence(
    config_file: Path, capsys: pytest.CaptureFixture[str]
):
    status, _out, err = run(["--config", str(config_file), "mail", "replay", "999"], capsys)
    assert status == 1
    assert err == "aspa: no quarantined mail #999: see the quarantine list\n"


def test_replay_of_a_still_broken_mail_keeps_it_in_quarantine(
    config_file: Path, capsys: pytest.CaptureFixture[str]
):
    run(["--config", str(config_file), "mail", "import", str(CORPUS)], capsys)
    status, out, _ = run(["--config", str(config_file), "stats", "--json"], capsys)
    before = json.loads(out)
    status, out, err = run(["--config", str(config_file), "mail", "replay", "1"], capsys)
    assert status == 0, err
    assert "still cannot be taken in" in out
    status, out, _ = run(["--config", str(config_file), "stats", "--json"], capsys)
    after = json.loads(out)
    assert after["tickets"] == before["tickets"]
    assert after["quarantine"]["count"] == before["quarantine"]["count"]


def test_imported_mail_gets_the_due_times_of_the_configured_sla(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import timedelta

    from appliance.store.models import Ticket
    from appliance.store.startup import open_store

    config = tmp_path / "aspa.toml"
    config.write_text('data_dir = "data"\n\n[sla]\nbusiness_hours_only = false\n\n'
                      '[sla.normal]\nfirst_response_minutes = 45\nresolution_minutes = 600\n',
                      encoding="utf-8")
    status, _out, err = run(["--config", str(config), "mail", "import", str(CORPUS)], capsys)
    assert (status, err) == (0, "")
    db = open_store(tmp_path / "data" / "aspa.db")
    try:
        waits = {t.first_response_due - t.created_at
                 for t in Ticket.select().where(Ticket.priority == "normal")}
    finally:
        db.close()
    assert waits == {timedelta(minutes=45)}  # not the built-in 240 minutes
