"""README.md's layout table names every package of the daemon, and only packages that exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "appliance"


def _layout_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Layout")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else None]


def _named_packages(section: str) -> set[str]:
    """Every package the table names: `appliance/x/`, bare `x/` after it, `x/` in a list."""
    named: set[str] = set()
    for row in section.splitlines():
        if not row.startswith("| `appliance/"):
            continue
        first_cell = row.split("|")[1]
        for path in re.findall(r"`([\w/]+)/`", first_cell):
            named.add(path.split("/")[-1])
    return named


def test_every_package_is_in_the_layout_table_and_every_row_exists() -> None:
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    named = _named_packages(_layout_section())
    assert packages - named == set(), "packages missing from README.md's layout table"
    assert named - packages == set(), "README.md's layout table names folders that do not exist"


def test_the_package_root_holds_the_entry_points_only() -> None:
    modules = {p.name for p in PACKAGE.glob("*.py")}
    assert modules == {"__init__.py", "__main__.py", "cli.py"}


def test_the_web_sub_packages_are_in_the_table() -> None:
    section = _layout_section()
    for sub in (p.parent.name for p in (PACKAGE / "web").glob("*/__init__.py")):
        assert f"`{sub}/`" in section, f"web/{sub}/ is not described in README.md"
