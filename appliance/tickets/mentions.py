"""@mentions in an internal note: `@login`, or `@Name` (the full name, or a first name no one
else in the office has)."""

from __future__ import annotations

import re
from collections.abc import Mapping

# what may follow a mention: the end, a space or punctuation (not more of a word)
_AFTER = r"(?![\w@.-]*\w)"


def _pattern(words: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w@])@" + re.escape(words) + _AFTER, re.IGNORECASE)


def mentioned(text: str, agents: Mapping[int, tuple[str, str]]) -> set[int]:
    """The ids of the agents `text` mentions; `agents` maps id to (login, name)."""
    if "@" not in text:
        return set()
    first_names: dict[str, list[int]] = {}
    for agent_id, (_, name) in agents.items():
        parts = name.split()
        if parts:
            first_names.setdefault(parts[0].casefold(), []).append(agent_id)
    found = set()
    for agent_id, (login, name) in agents.items():
        names = [login]
        if name.strip():
            names.append(" ".join(name.split()))
            first = name.split()[0]
            if len(first_names[first.casefold()]) == 1:
                names.append(first)
        if any(_pattern(words).search(text) for words in names):
            found.add(agent_id)
    return found
