"""Setting values in a parsed aspa.toml so that the installer's notes on the line stay."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MULTILINE_AFTER = 3  # a longer list is written one item per line


def set_value(table: Any, key: str, value: Any) -> None:
    """`table[key] = value`, keeping the comment at the end of the old line."""
    import tomlkit

    old = table.get(key) if key in table else None
    new = value if isinstance(value, tomlkit.items.Item) else tomlkit.item(value)
    trivia = getattr(old, "trivia", None)
    if trivia is not None and trivia.comment:
        new.trivia.comment_ws = trivia.comment_ws
        new.trivia.comment = trivia.comment
    table[key] = new


def text_array(values: list[str]) -> Any:
    """A TOML array of texts; a long one one item per line, so a diff shows what changed."""
    import tomlkit

    array = tomlkit.array()
    array.extend(values)
    return array.multiline(len(values) > MULTILINE_AFTER)


def table(document: Any, name: str) -> Any:
    """The top-level table `name`, made when the file has none."""
    import tomlkit

    if name not in document:
        document[name] = tomlkit.table()
    return document[name]


def section_change(name: str, changes: dict[str, Any]) -> Callable[[Any], None]:
    """The edit that sets `changes` in the top-level table `name`, keeping the notes on the
    lines (a settings form's save of one section)."""
    def change(document: Any) -> None:
        section = table(document, name)
        for key, value in changes.items():
            set_value(section, key, value)
    return change
