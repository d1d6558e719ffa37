"""aspa.toml: every kind of problem is reported as `FILE: key.path: what is wrong`, exit 2."""

from __future__ import annotations

import os
import re
import textwrap
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path

import pytest

from appliance.cli import main
from appliance.config.aspa_toml import Config, ConfigError, default_data_dir, load_config
from appliance.config.cross_checks import duplicate_gpio_pins
from appliance.config.schema import describe

EXAMPLE = Path(__file__).resolve().parents[2] / "aspa.example.toml"

AGENTS = """
[[agents]]
login = "anna"
name = "Anna Virtanen"
phone = "+358401234567"

[[agents]]
login = "pekka"
name = "Pekka Korhonen"
sip_uri = "sip:pekka@pbx.esimerkki.example"
"""


def write(tmp_path: Path, text: str, name: str = "aspa.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def check(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], list[str]]:
    """Run `aspa config check FILE`; return the exit status, stdout and stderr lines."""
    status = main(["config", "check", str(path)])
    out, err = capsys.readouterr()
    return status, out.splitlines(), err.splitlines()


def problems_of(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The problem lines for a file, without the `FILE: ` prefix; asserts exit 2."""
    path = write(tmp_path, text)
    status, out, err = check(path, capsys)
    assert status == 2, (out, err)
    assert out == []
    prefix = f"{path}: "
    assert all(line.startswith(prefix) for line in err), err
    return [line[len(prefix):] for line in err]


# --- each kind of problem ------------------------------------------------------


def test_unknown_key_names_the_known_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert problems_of(tmp_path, '[box]\ncolour = "blue"\n', capsys) == [
        "box.colour: unknown key (known here: country_code, language, name, time_zone)"
    ]


def test_unknown_top_level_section(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    [problem] = problems_of(tmp_path, "[modem]\ndevice = 1\n", capsys)
    assert problem.startswith(
        "modem: unknown key (known here: agents, backup, box, business_hours, ")


def test_wrong_type(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert problems_of(tmp_path, '[box]\ncountry_code = "358"\n', capsys) == [
        "box.country_code: must be an integer, not str '358'"
    ]


def test_section_given_as_a_value(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert problems_of(tmp_path, "log = 3\n", capsys) == ["log: must be a table, not int"]


def test_bad_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    text = """
        [box]
        name = "Aspa Box"
        time_zone = "Europe/Helsingfors"
        language = "sv"
        [log]
        level = "verbose"
        [mqtt]
        port = 0
        topic_prefix = "/aspa/#"
    """
    assert problems_of(tmp_path, text, capsys) == [
        "box.name: must be lowercase letters, digits and '-' (at most 63), not 'Aspa Box'",
        "box.time_zone: unknown time zone 'Europe/Helsingfors' "
        "(use an IANA name such as 'Europe/Helsinki')",
        "box.language: must be one of fi, en, not 'sv'",
        "log.level: must be one of debug, info, warning, error, not 'verbose'",
        "mqtt.port: must be a port number 1-65535, not 0",
        "mqtt.topic_prefix: must be lowercase topic levels joined by '/', without a leading or "
        "trailing '/' or wildcards, not '/aspa/#'",
    ]


def test_missing_required_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    text = """
        [[agents]]
        name = "Anna Virtanen"
        [sla.urgent]
        first_response_minutes = 20
    """
    assert problems_of(tmp_path, text, capsys) == [
        "sla.urgent.resolution_minutes: required",
        "agents[0].login: required",
    ]


def test_ring_group_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    text = AGENTS + """
        [[ring_groups]]
        name = "tuki"
        members = ["anna", "anna"]
        strategy = "random"
        ring_timeout = 2
        overflow = "hangup"
        [[ring_groups]]
        name = "myynti"
        members = []
        overflow = "group:myynti"
    """
    assert problems_of(tmp_path, text, capsys) == [
        "ring_groups[0].strategy: must be one of ringall, linear, rrmemory, leastrecent, "
        "fewestcalls, not 'random'",
        "ring_groups[0].ring_timeout: must be at least 5, not 2",
        "ring_groups[0].overflow: must be callback, voicemail or group:NAME, not 'hangup'",
        "ring_groups[0].members[1]: 'anna' is listed twice",
        "ring_groups[1].members: must name at least one agent login",
        "ring_groups[1].overflow: 'group:myynti' is this group itself",
    ]


def test_agent_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    text = """
        [[agents]]
        login = "Anna V"
        name = ""
        phone = "040 123 4567"
        sip_uri = "anna@pbx"
        role = "boss"
    """
    assert problems_of(tmp_path, text, capsys) == [
        "agents[0].login: must be lowercase letters, digits, '.', '_' or '-', not 'Anna V'",
        "agents[0].name: must not be empty",
        "agents[0].phone: must be an international number like '+358401234567', "
        "not '040 123 4567'",
        "agents[0].sip_uri: must be a SIP URI like 'sip:anna@pbx.example.fi', not 'anna@pbx'",
        "agents[0].role: must be one of agent, admin, not 'boss'",
    ]


def test_business_hours_formats_overlaps_and_holidays(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    text = """
        [business_hours]
        time_zone = "Helsinki"
        holidays = ["2026-12-24", 2026-12-24, "24.12.2026", "2026-02-30"]
        [business_hours.weekly]
        mon = ["08:00-18:00", "09:00-10:00", "12:00-13:00"]
        tue = ["16:00-08:00", "8-16", "08:00-24:00"]
        wed = ["24:00-24:00"]
    """
    assert problems_of(tmp_path, text, capsys) == [
        "business_hours.time_zone: unknown time zone 'Helsinki' "
        "(use an IANA name such as 'Europe/Helsinki')",
        "business_hours.weekly.mon: '08:00-18:00' overlaps '09:00-10:00'",
        "business_hours.weekly.mon: '08:00-18:00' overlaps '12:00-13:00'",
        "business_hours.weekly.tue[0]: '16:00-08:00' ends before it starts",
        "business_hours.weekly.tue[1]: must be like '08:00-16:00', not '8-16'",
        "business_hours.weekly.wed[0]: must be like '08:00-16:00', not '24:00-24:00'",
        "business_hours.holidays[1]: 2026-12-24 is listed twice",
        "business_hours.holidays[2]: must be a date like '2026-12-24' or, every year, "
        "'12-24', not '24.12.2026'",
        "business_hours.holidays[3]: must be a date like '2026-12-24' or, every year, "
        "'12-24', not '2026-02-30'",
    ]


def test_sla_resolution_before_first_response(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    text = "[sla.high]\nfirst_response_minutes = 120\nresolution_minutes = 60\n"
    assert problems_of(tmp_path, text, capsys) == [
        "sla.high.resolution_minutes: 60 is shorter than first_response_minutes (120)"
    ]


def test_cross_key_problems_name_the_key_to_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    text = AGENTS + """
        [[agents]]
        login = "liisa"
        name = "Liisa Mäkinen"
        [[agents]]
        login = "anna"
        name = "Anna Toinen"
        phone = "+358401234999"
        [queue]
        default_group = "asiakaspalvelu"
        [[ring_groups]]
        name = "tuki"
        members = ["anna", "liisa", "mikko"]
        overflow = "group:myynti"
        [[ring_groups]]
        name = "myynti"
        members = ["pekka"]
        overflow = "group:tuki"
        [[ring_groups]]
        name = "ilta"
        members = ["pekka"]
        overflow = "group:yö"
        [[ring_groups]]
        name = "tuki"
        members = ["pekka"]
    """
    assert problems_of(tmp_path, text, capsys) == [
        "agents[3].login: 'anna' is already used by agents[0]",
        "ring_groups[3].name: 'tuki' is already used by ring_groups[0]",
        "ring_groups[0].members[2]: 'mikko' is not the login of any [[agents]] "
        "(known: anna, pekka, liisa, anna)",
        "agents[2].phone: 'liisa' is in ring group 'tuki' but has neither phone nor sip_uri "
        "to ring",
        "ring_groups[0].overflow: overflows go round in a loop (tuki -> myynti -> tuki); end one "
        "with callback or voicemail",
        "ring_groups[2].overflow: no ring group is named 'yö' (known: tuki, myynti, ilta, tuki)",
        "queue.default_group: no ring group is named 'asiakaspalvelu' "
        "(known: tuki, myynti, ilta, tuki)",
    ]


def test_members_without_any_agents(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    text = '[[ring_groups]]\nname = "tuki"\nmembers = ["anna"]\n'
    assert problems_of(tmp_path, text, capsys) == [
        "ring_groups[0].members[0]: 'anna' is not the login of any [[agents]] "
        "(none is configured)"
    ]


def test_a_key_already_wrong_is_not_reported_again_by_a_cross_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    text = """
        [[agents]]
        login = "anna"
        name = "Anna"
        phone = "0401234567"
        [[ring_groups]]
        name = "tuki"
        members = ["anna"]
    """
    assert problems_of(tmp_path, text, capsys) == [
        "agents[0].phone: must be an international number like '+358401234567', "
        "not '0401234567'"
    ]


def test_gsm_enabled_without_modems_and_a_modem_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    assert problems_of(tmp_path, "[gsm]\nenabled = true\n", capsys) == [
        "gsm.modems: gsm is enabled but no [[gsm.modems]] is configured"
    ]
    text = """
        [gsm]
        enabled = true
        [[gsm.modems]]
        name = "gsm0"
        device = "/dev/ttyUSB2"
        [[gsm.modems]]
        name = "gsm0"
        device = "/dev/ttyUSB2"
    """
    assert problems_of(tmp_path, text, capsys) == [
        "gsm.modems[1].name: 'gsm0' is used by another modem",
        "gsm.modems[1].device: '/dev/ttyUSB2' is used by another modem",
    ]


def test_bad_database_url_is_named_without_repeating_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    [problem] = problems_of(tmp_path, '[database]\nurl = "mysql://aspa:Salainen1@db/aspa"\n',
                            capsys)
    assert problem.startswith("database.url: must be empty (SQLite under data_dir), ")
    assert problem.endswith("not a 'mysql' URL")
    assert "Salainen1" not in problem


def test_toml_syntax_error_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    problems = problems_of(tmp_path, '[box]\nname = "toimisto"\nlanguage = fi\n', capsys)
    assert problems == ["line 3: invalid value (column 12)"]


def test_every_problem_is_reported_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    text = """
        colour = 1
        [box]
        country_code = 0
        [web]
        port = "80"
        [[ring_groups]]
        name = "tuki"
    """
    assert problems_of(tmp_path, text, capsys) == [
        "colour: unknown key (known here: agents, backup, box, business_hours, calls, data_dir, "
        "database, desk_units, escalation, gpio, gsm, log, mail, mqtt, queue, retention, "
        "ring_groups, routing, sla, voip, web)",
        "box.country_code: must be at least 1, not 0",
        "web.port: must be an integer, not str '80'",
        "ring_groups[0].members: must name at least one agent login",
    ]


def test_load_config_raises_with_the_file_named(tmp_path: Path):
    path = write(tmp_path, "[web]\nport = 99999\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.source == str(path)
    assert caught.value.problems == ["web.port: must be at most 65535, not 99999"]
    assert str(caught.value) == f"{path}: web.port: must be at most 65535, not 99999"


def test_missing_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    path = tmp_path / "puuttuu.toml"
    status, out, err = check(path, capsys)
    assert (status, out) == (2, [])
    assert err == [f"{path}: cannot read the file: No such file or directory"]


# --- secrets ---------------------------------------------------------------------


def test_password_file_is_read_at_load_relative_to_the_config(tmp_path: Path):
    (tmp_path / "mqtt.secret").write_text("Pörssisähkö-2026\n", encoding="utf-8")
    path = write(tmp_path, '[mqtt]\nusername = "aspa"\npassword_file = "mqtt.secret"\n')
    config = load_config(path)
    assert config.mqtt.password == "Pörssisähkö-2026"
    assert "Pörssisähkö" not in repr(config)
    assert "Pörssisähkö" not in repr(config.mqtt)


def test_config_repr_hides_every_secret(tmp_path: Path):
    text = """
        [database]
        url = "postgresql://aspa:Salainen1@db.lan/aspa"
        [[mail.mailboxes]]
        host = "imap.esimerkki.example"
        user = "tuki"
        password = "Salainen2"
        [mail.smtp]
        password = "Salainen3"
        [mqtt]
        password = "Salainen4"
        [[gsm.modems]]
        pin = "4321"
    """
    shown = repr(load_config(write(tmp_path, text)))
    assert "Salainen" not in shown and "4321" not in shown
    assert "host='imap.esimerkki.example'" in shown


def test_password_file_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    (tmp_path / "empty.secret").write_text("\n", encoding="utf-8")
    text = """
        [mqtt]
        password = "x"
        password_file = "other.secret"
        [database]
        url_file = "empty.secret"
    """
    assert problems_of(tmp_path, text, capsys) == [
        "database.url_file: " + str(tmp_path / "empty.secret") + " is empty",
        "mqtt.password_file: set password or password_file, not both",
    ]
    text = '[[mail.mailboxes]]\nhost = "imap.esimerkki.example"\nuser = "tuki"\n' \
           'password_file = "/nonexistent/mail.secret"\n'
    assert problems_of(tmp_path, text, capsys) == [
        "mail.mailboxes[0].password_file: cannot read /nonexistent/mail.secret: "
        "No such file or directory"
    ]


def test_database_url_file_is_read_and_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    (tmp_path / "db.secret").write_text("postgresql://aspa:Salainen1@db.lan/aspa\n")
    path = write(tmp_path, '[database]\nurl_file = "db.secret"\n')
    config = load_config(path)
    assert config.database_url == "postgresql://aspa:Salainen1@db.lan/aspa"
    assert "Salainen1" not in repr(config)
    (tmp_path / "db.secret").write_text("mysql://aspa:Salainen1@db.lan/aspa\n")
    [problem] = problems_of(tmp_path, '[database]\nurl_file = "db.secret"\n', capsys)
    assert problem.startswith("database.url_file: the URL in it must be empty")
    assert "Salainen1" not in problem


# --- defaults and resolution -------------------------------------------------------


def test_no_file_means_embedded_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    config = load_config(None)
    assert (config.web.host, config.web.port) == ("127.0.0.1", 8080)
    assert config.data_dir == str(tmp_path / "xdg" / "aspa")
    assert config.database_url == f"sqlite:///{tmp_path}/xdg/aspa/aspa.db"
    assert not config.gsm.enabled and not config.mqtt.enabled
    assert config.mail.mailboxes == [] and config.ring_groups == [] and config.agents == []
    assert config.business_hours.time_zone == "Europe/Helsinki"


def test_default_data_dir_order():
    assert default_data_dir({"STATE_DIRECTORY": "/var/lib/aspa:/var/lib/other",
                             "XDG_DATA_HOME": "/x"}) == Path("/var/lib/aspa")
    assert default_data_dir({"XDG_DATA_HOME": "/home/anna/.data"}) == Path(
        "/home/anna/.data/aspa")
    # XDG Base Directory spec: a relative value is ignored.
    assert default_data_dir({"XDG_DATA_HOME": "data"}) == Path.home() / ".local/share/aspa"
    assert default_data_dir({}) == Path.home() / ".local/share/aspa"


def test_relative_data_dir_is_read_from_the_config_folder(tmp_path: Path):
    path = write(tmp_path, 'data_dir = "tila"\n[box]\ntime_zone = "Europe/Stockholm"\n')
    config = load_config(path)
    assert config.data_path == tmp_path / "tila"
    assert config.database_url == f"sqlite:///{tmp_path}/tila/aspa.db"
    assert config.business_hours.time_zone == "Europe/Stockholm"  # inherits the box's


def test_business_hours_read_back(tmp_path: Path):
    text = """
        [business_hours]
        time_zone = "Europe/Helsinki"
        holidays = ["2026-12-24", 2026-12-25]
        [business_hours.weekly]
        wed = ["12:00-16:00", "08:00-11:30"]
        fri = ["08:00-24:00"]
    """
    hours = load_config(write(tmp_path, text)).business_hours
    assert hours.weekly.intervals(2) == [(time(8), time(11, 30)), (time(12), time(16))]
    assert hours.weekly.intervals(4) == [(time(8), time.max)]
    assert hours.weekly.intervals(6) == []
    assert hours.holiday_dates() == {date(2026, 12, 24), date(2026, 12, 25)}


def test_duplicate_gpio_pins_are_named():
    @dataclass(frozen=True)
    class Desk:
        button_pin: int
        led_pin: int

    @dataclass(frozen=True)
    class Gpio:
        status_led_pin: int = 17
        desks: list[Desk] = field(default_factory=list)

    gpio = Gpio(desks=[Desk(5, 6), Desk(6, 17)])
    assert duplicate_gpio_pins(gpio, "gpio") == [
        "gpio.desks[1].button_pin: GPIO 6 is already used by gpio.desks[0].led_pin",
        "gpio.desks[1].led_pin: GPIO 17 is already used by gpio.status_led_pin",
    ]
    assert duplicate_gpio_pins(None, "gpio") == []


# --- the example -----------------------------------------------------------------


def test_example_passes_config_check(capsys: pytest.CaptureFixture[str]):
    status, out, err = check(EXAMPLE, capsys)
    assert (status, out, err) == (0, [f"{EXAMPLE}: ok"], [])


_HEADER = re.compile(r"#?\[(\[?)([A-Za-z0-9_.]+)\]?\]\s*$")
_KEY = re.compile(r"#?([A-Za-z_][A-Za-z0-9_]*)\s*=")


def documented_keys(text: str) -> dict[str, str]:
    """Each key in the example (set or commented out) with the comment lines just above it."""
    found: dict[str, str] = {}
    section = ""
    comment: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        header, key = _HEADER.match(line), _KEY.match(line)
        if header:
            section = header.group(2) + ("[]" if header.group(1) else "")
            comment = []
        elif key:
            path = f"{section}.{key.group(1)}" if section else key.group(1)
            if comment or path not in found:
                found[path] = " ".join(comment)
            comment = []
        elif line.startswith("# "):
            comment.append(line[2:].strip())
        elif not line.startswith("#"):
            comment = []
    return found


def test_example_documents_every_key():
    documented = documented_keys(EXAMPLE.read_text(encoding="utf-8"))
    missing = [key for key, _, _ in describe(Config) if key not in documented]
    assert missing == [], "add these keys, with their description, to aspa.example.toml"
    undescribed = [
        key for key, doc, _ in describe(Config)
        if " ".join(doc.split()) not in documented[key]
    ]
    assert undescribed == [], "give these keys their setting(doc=...) text as a comment"


def test_example_optional_settings_are_valid_once_uncommented(tmp_path: Path):
    text = EXAMPLE.read_text(encoding="utf-8")
    uncommented = re.sub(r"(?m)^#(?=\[|[A-Za-z_][A-Za-z0-9_]*\s*=)", "", text)
    assert uncommented.count("\n#") < text.count("\n#")
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, uncommented))
    # Only the secret files named as examples are missing here; every value is acceptable.
    assert [p.split(": ")[0] for p in caught.value.problems] == [
        "database.url_file", "gsm.modems[0].pin_file", "voip.password_file",
        "mail.mailboxes[0].password_file",
        "mqtt.password_file"]


def test_example_lists_no_unknown_keys():
    known = {key for key, _, _ in describe(Config)}
    documented = documented_keys(EXAMPLE.read_text(encoding="utf-8"))
    assert sorted(set(documented) - known) == []


def test_sim_pin_file_is_read_at_load_and_both_are_reported_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    (tmp_path / "sim.pin").write_text("4321\n", encoding="utf-8")
    path = write(tmp_path, '[[gsm.modems]]\nname = "gsm0"\npin_file = "sim.pin"\n')
    modem = load_config(path).gsm.modems[0]
    assert (modem.pin, modem.pin_file) == ("4321", str(tmp_path / "sim.pin"))
    assert "4321" not in repr(modem)
    problems = problems_of(tmp_path, '[[gsm.modems]]\npin = "1234"\npin_file = "sim.pin"\n',
                           capsys)
    assert len(problems) == 1 and "pin_file, not both" in problems[0]


# --- data_dir and huge values ----------------------------------------------------------


@pytest.mark.parametrize("place", ["/proc/1", "/proc", "/sys/kernel", "/dev/shm/aspa"])
def test_a_data_dir_on_a_kernel_file_system_is_refused(
        tmp_path: Path, place: str, capsys: pytest.CaptureFixture[str]) -> None:
    [problem] = problems_of(tmp_path, f'data_dir = "{place}"\n', capsys)
    kernel = "/" + place.split("/")[1]
    assert problem == (f"data_dir: '{place}' is under {kernel}, a kernel file system, not a "
                       "place for data; use a folder such as /var/lib/aspa")


def test_a_data_dir_that_is_a_file_is_refused(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "data").write_text("not a folder")
    assert problems_of(tmp_path, 'data_dir = "data"\n', capsys) == [
        f"data_dir: '{tmp_path / 'data'}' is a file, not a folder"]


def test_a_data_dir_still_to_be_made_or_writable_is_fine(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, 'data_dir = "new/folder"\n')).data_dir == str(
        tmp_path / "new" / "folder")
    assert load_config(write(tmp_path, f'data_dir = "{tmp_path}"\n')).data_dir == str(tmp_path)


def test_a_huge_value_is_cut_in_the_problem_line(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    huge = "x" * 100_000
    problems = problems_of(tmp_path, f'data_dir = "{huge}"\n[box]\nname = "{huge}"\n', capsys)
    assert len(problems) == 2
    assert all(len(line) < 300 for line in problems), [len(line) for line in problems]
    by_key = {line.split(":")[0]: line for line in problems}
    assert by_key["box.name"].endswith(f"not '{'x' * 79}… (100000 characters)")
    assert "… (" in by_key["data_dir"]
    assert "cannot be used: File name too long" in by_key["data_dir"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write any folder")
def test_a_data_dir_this_user_cannot_write_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    [problem] = problems_of(tmp_path, 'data_dir = "locked"\n', capsys)
    assert problem == (f"data_dir: '{locked}' is a folder this user (uid {os.geteuid()}) "
                       "cannot write")


def test_holidays_every_year_and_half_days_are_checked(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]):
    text = """
        [business_hours]
        holidays = ["12-24", "2026-12-24", "12-24", "13-01", "02-29"]
        half_days = ["12-23 08:00-12:00", "12-23 09:00-11:00", "12-31 12:00-08:00",
                     "12-30", "12-30 08:00-12:00, 11:00-13:00"]
    """
    assert problems_of(tmp_path, text, capsys) == [
        "business_hours.holidays[2]: 12-24 is listed twice",
        "business_hours.holidays[3]: must be a date like '2026-12-24' or, every year, "
        "'12-24', not '13-01'",
        "business_hours.half_days[1]: 12-23 is listed twice",
        "business_hours.half_days[2]: '12:00-08:00' ends before it starts",
        "business_hours.half_days[3]: must be a date and hours like '12-23 08:00-12:00', "
        "not '12-30'",
        "business_hours.half_days[4]: '12-30 08:00-12:00, 11:00-13:00': the hours overlap",
    ]
