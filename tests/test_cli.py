"""The `aspa` command line: exit statuses, stdin passwords, JSON figures, doctor rows, errors."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from appliance.cli import main
from appliance.doctor import registry
from appliance.doctor.registry import Finding, doctor_check, run_checks
from appliance.spine.clock import SystemClock
from appliance.store.accounts import Accounts
from appliance.store.database import open_database
from appliance.store.models import Agent

REPO = Path(__file__).resolve().parent.parent
ASPA = REPO / ".venv" / "bin" / "aspa"


@pytest.fixture()
def config_file(tmp_path: Path) -> Path:
    """An aspa.toml with its own data directory (not created yet) and two agents."""
    path = tmp_path / "aspa.toml"
    path.write_text(textwrap.dedent("""
        data_dir = "data"
        [[agents]]
        login = "anna"
        name = "Anna Virtanen"
        phone = "+358401234567"
        teams = ["tuki", "myynti"]
        role = "admin"
        [[ring_groups]]
        name = "tuki"
        members = ["anna"]
    """), encoding="utf-8")
    return path


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def with_stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


# --- config check through the installed entry point ------------------------------------


@pytest.mark.skipif(not ASPA.exists(), reason=f"{ASPA} is not installed (pip install -e .)")
def test_installed_aspa_checks_a_config(tmp_path: Path, config_file: Path):
    good = subprocess.run([str(ASPA), "config", "check", str(config_file)],
                          capture_output=True, text=True, timeout=60)
    assert (good.returncode, good.stdout, good.stderr) == (0, f"{config_file}: ok\n", "")
    bad = tmp_path / "bad.toml"
    bad.write_text('[web]\nport = "80"\n[box]\nlanguage = "sv"\n', encoding="utf-8")
    result = subprocess.run([str(ASPA), "config", "check", str(bad)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{bad}: box.language: must be one of fi, en, not 'sv'",
        f"{bad}: web.port: must be an integer, not str '80'",
    ]


def test_config_check_uses_the_global_config_when_no_file_is_given(
    config_file: Path, capsys: pytest.CaptureFixture[str]
):
    assert run(["--config", str(config_file), "config", "check"], capsys) == (
        0, f"{config_file}: ok\n", "")
    status, out, err = run(["config", "check"], capsys)
    assert (status, out) == (2, "")
    assert err == "aspa config check: name the file to check (aspa config check FILE)\n"


def test_a_missing_config_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    missing = tmp_path / "etc" / "aspa.toml"
    status, out, err = run(["--config", str(missing), "stats", "--json"], capsys)
    assert (status, out) == (2, "")
    assert err == f"{missing}: cannot read the file: No such file or directory\n"


def test_a_broken_config_stops_every_command_with_its_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    path = tmp_path / "aspa.toml"
    path.write_text('[[ring_groups]]\nname = "tuki"\nmembers = ["mikko"]\n', encoding="utf-8")
    status, out, err = run(["--config", str(path), "doctor"], capsys)
    assert (status, out) == (2, "")
    assert err == (f"{path}: ring_groups[0].members[0]: 'mikko' is not the login of any "
                   f"[[agents]] (none is configured)\n")


# --- user add ----------------------------------------------------------------------


def test_user_add_reads_the_password_from_stdin(
    config_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    with_stdin(monkeypatch, "Kesäloma-2026\n")
    status, out, err = run(["--config", str(config_file), "user", "add", "Pekka Korhonen",
                            "--login", "Pekka", "--password-stdin"], capsys)
    assert (status, out, err) == (0, "added agent pekka (Pekka Korhonen)\n", "")
    db = open_database(f"sqlite:///{config_file.parent}/data/aspa.db", create=False)
    try:
        accounts = Accounts(db, SystemClock())
        assert accounts.verify("pekka", "Kesäloma-2026") is not None
        assert accounts.verify("pekka", "Kesäloma-2026\n") is None
    finally:
        db.close()


def test_user_add_gives_a_listed_agent_its_password(
    config_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    with_stdin(monkeypatch, "Kesäloma-2026\n")
    status, out, err = run(["--config", str(config_file), "user", "add", "Anna Virtanen",
                            "--login", "anna", "--role", "admin", "--password-stdin"], capsys)
    assert (status, out, err) == (
        0, "set the password of admin anna (Anna Virtanen, from aspa.toml)\n", "")
    db = open_database(f"sqlite:///{config_file.parent}/data/aspa.db", create=False)
    try:
        accounts = Accounts(db, SystemClock())
        assert accounts.verify("anna", "Kesäloma-2026") is not None
        agent = Agent.get(Agent.login == "anna")
        assert (agent.role, agent.phone) == ("admin", "+358401234567")  # from [[agents]]
        assert accounts.teams_of(agent.id) == ["myynti", "tuki"]
    finally:
        db.close()


def test_user_add_leaves_a_listed_agents_role_to_the_config(
    config_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    with_stdin(monkeypatch, "Kesäloma-2026\n")
    status, out, err = run(["--config", str(config_file), "user", "add", "Anna Virtanen",
                            "--login", "anna", "--role", "agent", "--password-stdin"], capsys)
    assert (status, out) == (1, "")
    assert err == ("aspa: anna is listed in aspa.toml as admin: change the role there "
                   "(agents[].role), not here\n")


def test_user_add_refuses_an_empty_password(
    config_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    with_stdin(monkeypatch, "\n")
    status, out, err = run(["--config", str(config_file), "user", "add", "Pekka",
                            "--login", "pekka", "--password-stdin"], capsys)
    assert (status, out) == (1, "")
    assert err == "aspa: the password read from stdin is empty: nothing was added\n"
    assert not (config_file.parent / "data").exists()  # refused before touching the store


def test_user_add_needs_password_stdin_and_takes_no_password_argument(
    config_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    with_stdin(monkeypatch, "Kesäloma-2026\n")
    status, _, err = run(["--config", str(config_file), "user", "add", "Pekka",
                          "--login", "pekka"], capsys)
    assert status == 1
    assert err.startswith("aspa: give the password on stdin with --password-stdin")
    status, _, err = run(["--config", str(config_file), "user", "add", "Pekka", "--login",
                          "pekka", "--password", "Kesäloma-2026"], capsys)
    assert status == 2
    assert "unrecognized arguments: --password Kesäloma-2026" in err


def test_user_add_refuses_an_unknown_role(
    config_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    with_stdin(monkeypatch, "Kesäloma-2026\n")
    status, out, err = run(["--config", str(config_file), "user", "add", "Pekka", "--login",
                            "pekka", "--role", "boss", "--password-stdin"], capsys)
    assert (status, out) == (2, "")
    assert "argument --role: invalid choice: 'boss' (choose from 'agent', 'admin')" in err
    assert not (config_file.parent / "data").exists()


def test_user_add_twice_is_one_sentence_not_a_traceback(
    config_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    argv = ["--config", str(config_file), "user", "add", "Anna", "--login", "anna",
            "--password-stdin"]
    with_stdin(monkeypatch, "Kesäloma-2026\n")
    assert run(argv, capsys)[0] == 0
    with_stdin(monkeypatch, "Kesäloma-2026\n")
    status, out, err = run(argv, capsys)
    assert (status, out, err) == (1, "", "aspa: login 'anna' is taken\n")


# --- stats, db upgrade, doctor ------------------------------------------------------------


def test_stats_json_on_a_fresh_data_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    status, out, err = run(["stats", "--json"], capsys)
    assert (status, err) == (0, "")
    figures = json.loads(out)
    assert set(figures) == {"tickets", "quarantine", "agents", "waiting_calls", "service_debt"}
    assert figures["tickets"]["new"] == 0
    assert figures["quarantine"]["count"] == 0
    assert figures["agents"] == {"available": 0, "busy": 0, "away": 0, "offline": 0}
    assert figures["waiting_calls"] == 0
    assert figures["service_debt"]["debt"] == 0
    assert (tmp_path / "xdg" / "aspa" / "aspa.db").exists()


def test_db_upgrade_then_doctor(config_file: Path, capsys: pytest.CaptureFixture[str]):
    from appliance.store.migrations import LATEST_VERSION

    config = ["--config", str(config_file)]
    status, out, _ = run([*config, "doctor", "--json"], capsys)
    rows = {row["part"]: row for row in json.loads(out)}
    assert status == 0
    assert rows["config"]["status"] == "ok"
    assert rows["data dir"]["status"] == "warn"
    assert "does not exist yet" in rows["data dir"]["detail"]
    assert rows["database"]["status"] == "warn"

    db_file = config_file.parent / "data" / "aspa.db"
    assert run([*config, "db", "upgrade"], capsys) == (
        0, f"database sqlite:///{db_file}: schema 0 -> {LATEST_VERSION}\n"
        f"agents added from aspa.toml (no password yet: set one with aspa user add): anna\n",
        "")
    assert run([*config, "db", "upgrade"], capsys) == (
        0, f"database sqlite:///{db_file}: schema {LATEST_VERSION}, already current\n", "")

    status, out, err = run([*config, "doctor", "--json"], capsys)
    assert (status, err) == (0, "")
    rows = {row["part"]: (row["status"], row["detail"]) for row in json.loads(out)}
    assert rows["config"] == ("ok", "1 agents, 1 ring groups, no channels")
    assert rows["data dir"][0] == "ok"
    assert rows["data dir"][1].startswith(f"{config_file.parent / 'data'}: writable, ")
    assert rows["database"] == (
        "ok", f"sqlite:///{db_file}: reachable, schema {LATEST_VERSION} (current)")
    status, out, _ = run([*config, "doctor"], capsys)
    assert any(re.fullmatch(r"ok +config +1 agents, 1 ring groups, no channels", line)
               for line in out.splitlines())


def test_a_corrupt_database_is_one_sentence_and_debug_shows_the_traceback(
    config_file: Path, capsys: pytest.CaptureFixture[str]
):
    data = config_file.parent / "data"
    data.mkdir()
    (data / "aspa.db").write_bytes(b"this is not an SQLite database, just text" * 100)
    status, out, err = run(["--config", str(config_file), "stats", "--json"], capsys)
    assert (status, out) == (1, "")
    assert err.startswith("aspa: ") and err.count("\n") == 1
    assert "Traceback" not in err
    status, _, err = run(["--debug", "--config", str(config_file), "stats", "--json"], capsys)
    assert status == 1
    assert "Traceback (most recent call last)" in err
    doctor_status, out, _ = run(["--config", str(config_file), "doctor", "--json"], capsys)
    assert doctor_status == 1
    rows = {row["part"]: row["status"] for row in json.loads(out)}
    assert (rows["config"], rows["data dir"], rows["database"]) == ("ok", "ok", "fail")


def test_an_unwritable_data_dir_is_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    path = tmp_path / "aspa.toml"
    path.write_text(f'data_dir = "{blocker}/data"\n', encoding="utf-8")
    status, out, err = run(["--config", str(path), "db", "upgrade"], capsys)
    assert (status, out) == (1, "")
    assert err == f"aspa: {blocker}/data: Not a directory\n"


# --- the doctor's registry -----------------------------------------------------------------


@pytest.fixture()
def clean_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_CHECKS", dict(registry._CHECKS))


def test_doctor_runs_added_checks_and_survives_a_broken_one(
    config_file: Path, clean_registry: None
):
    from appliance.config.aspa_toml import load_config

    @doctor_check("modem")
    def modem(config: object) -> list[Finding]:
        return [Finding("modem", "ok", "gsm0: registered, signal 21/31")]

    @doctor_check("broker")
    def broker(config: object) -> Finding:
        raise ConnectionRefusedError("127.0.0.1:1883 refused the connection")

    findings = run_checks(load_config(config_file))
    assert Finding("modem", "ok", "gsm0: registered, signal 21/31") in findings
    assert Finding("broker", "fail", "check failed: ConnectionRefusedError: 127.0.0.1:1883 "
                   "refused the connection") in findings


def test_doctor_skips_part_modules_not_written_yet_but_not_broken_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    registry.load_part_modules(["appliance.no_such_part.doctor"])
    package = tmp_path / "broken_part"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "doctor.py").write_text("import no_such_library_anywhere\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError):
        registry.load_part_modules(["broken_part.doctor"])


# --- the rest of the command line -------------------------------------------------------------


def test_demo_duration_must_be_positive(capsys: pytest.CaptureFixture[str]):
    status, _, err = run(["demo", "--duration", "0"], capsys)
    assert status == 2
    assert "argument --duration: must be more than 0 seconds" in err


def test_help_and_version_exit_zero(capsys: pytest.CaptureFixture[str]):
    status, out, _ = run(["--help"], capsys)
    assert status == 0
    for command in ("run", "demo", "config", "db", "stats", "user", "doctor", "modem-sim"):
        assert command in out
    status, out, _ = run(["--version"], capsys)
    assert (status, out) == (0, "aspa 0.1.0\n")


def test_python_dash_m_appliance_is_the_same_command(config_file: Path):
    result = subprocess.run([sys.executable, "-m", "appliance", "config", "check",
                             str(config_file)], capture_output=True, text=True, timeout=60,
                            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert (result.returncode, result.stdout) == (0, f"{config_file}: ok\n")


def test_run_hands_the_config_to_the_daemon_which_refuses_an_unusable_data_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    path = tmp_path / "aspa.toml"
    path.write_text(f'data_dir = "{blocker}/data"\n[web]\nenabled = false\n', encoding="utf-8")
    status, out, err = run(["--config", str(path), "run"], capsys)
    assert (status, out) == (1, "")
    assert f"cannot create data directory {blocker}/data" in err
    assert "Traceback" not in err


def test_modem_sim_hands_its_arguments_to_the_simulator(capsys: pytest.CaptureFixture[str]):
    import importlib.util

    status, out, err = run(["modem-sim", "--help"], capsys)
    if importlib.util.find_spec("appliance.gsm.simulator.cli") is None:
        assert (status, out) == (1, "")
        assert err == ("aspa: `aspa modem-sim` is not available: this installation has no "
                       "appliance.gsm.simulator.cli\n")
    else:
        assert status == 0
        assert "--model" in out
