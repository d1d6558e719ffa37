"""A small reader of udev rules files, strict enough to catch the mistakes udev ignores.

udev(7): a rule is a comma-separated list of `KEY[{attr}] OP "value"`; lines
end with a backslash to continue; match operators `==`, `!=`, assignment
`=`, `+=`, `-=`, `:=`.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from pathlib import Path

MATCH_KEYS = {
    "ACTION", "DEVPATH", "KERNEL", "KERNELS", "NAME", "SYMLINK", "SUBSYSTEM", "SUBSYSTEMS",
    "DRIVER", "DRIVERS", "ATTR", "ATTRS", "SYSCTL", "TAG", "TAGS", "ENV", "CONST", "TEST",
    "PROGRAM", "RESULT",
}
ASSIGN_KEYS = {
    "NAME", "SYMLINK", "OWNER", "GROUP", "MODE", "SECLABEL", "ATTR", "SYSCTL", "ENV", "TAG",
    "RUN", "LABEL", "GOTO", "IMPORT", "OPTIONS",
}
PAIR = re.compile(r'\s*([A-Z_]+)(\{[^}]*\})?\s*(==|!=|\+=|-=|:=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)')


class RuleSyntaxError(ValueError):
    """A line of a rules file that udev would not read as meant."""


@dataclass(frozen=True)
class Term:
    key: str
    attr: str | None
    op: str
    value: str


@dataclass(frozen=True)
class Rule:
    line: int
    terms: tuple[Term, ...]

    def matches(self, key: str, value: str, attr: str | None = None) -> bool:
        """Whether a `==` term of the rule accepts `value` (udev's shell-style patterns)."""
        return any(t.key == key and t.attr == attr and t.op == "=="
                   and fnmatch.fnmatchcase(value, t.value) for t in self.terms)

    def assigned(self, key: str, attr: str | None = None) -> list[str]:
        return [t.value for t in self.terms
                if t.key == key and t.attr == attr and t.op in ("=", "+=", ":=")]


def _logical_lines(text: str) -> list[tuple[int, str]]:
    lines: list[tuple[int, str]] = []
    pending = ""
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        if not pending:
            start = number
        stripped = raw.strip()
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        full = (pending + stripped).strip()
        pending = ""
        if full and not full.startswith("#"):
            lines.append((start, full))
    if pending:
        raise RuleSyntaxError(f"line {start}: continuation at end of file")
    return lines


def parse_rules(path: Path) -> list[Rule]:
    """Every rule of a file; raises RuleSyntaxError naming the line."""
    rules = []
    labels: set[str] = set()
    gotos: list[tuple[int, str]] = []
    for number, line in _logical_lines(path.read_text()):
        terms = []
        pos = 0
        while pos < len(line):
            found = PAIR.match(line, pos)
            if not found:
                raise RuleSyntaxError(f"{path.name}:{number}: cannot read {line[pos:]!r}")
            key, attr, op, value, _ = found.groups()
            if op in ("==", "!=") and key not in MATCH_KEYS:
                raise RuleSyntaxError(f"{path.name}:{number}: {key} cannot be matched")
            if op not in ("==", "!=") and key not in ASSIGN_KEYS:
                raise RuleSyntaxError(f"{path.name}:{number}: {key} cannot be assigned")
            terms.append(Term(key, attr[1:-1] if attr else None, op, value))
            if key == "LABEL":
                labels.add(value)
            if key == "GOTO":
                gotos.append((number, value))
            pos = found.end()
        rules.append(Rule(number, tuple(terms)))
    for number, target in gotos:
        if target not in labels:
            raise RuleSyntaxError(f"{path.name}:{number}: GOTO {target!r} has no LABEL")
    return rules
