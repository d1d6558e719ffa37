"""Single facts about the box kept in the store's Meta table, by key. Blocking."""

from __future__ import annotations

from appliance.store.models import Meta


def read_meta(key: str) -> str | None:
    """The value under `key`, None when unset."""
    row = Meta.get_or_none(Meta.key == key)
    return None if row is None else str(row.value)


def write_meta(key: str, value: str) -> None:
    """Set the value under `key` (insert or replace)."""
    Meta.insert(key=key, value=value).on_conflict(
        conflict_target=[Meta.key], update={Meta.value: value}).execute()


def forget_meta(key: str) -> None:
    """Remove the value under `key`, if any."""
    Meta.delete().where(Meta.key == key).execute()
