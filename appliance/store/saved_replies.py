"""Saved replies and knowledge snippets: blocking reads and writes, run in the store thread."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import peewee as pw

from appliance.store.errors import InvalidInput, NotFound
from appliance.store.models import Agent, SavedReply

USES_COUNTED_MAX = 20  # saved replies one sent reply may count for


class ShortcutTaken(InvalidInput):
    """Another saved reply has this shortcut already."""

    def __init__(self, shortcut: str) -> None:
        self.shortcut = shortcut
        super().__init__(f"the shortcut {shortcut} is used by another saved reply")


@dataclass(frozen=True, slots=True)
class SavedReplyDraft:
    """A saved reply as a person wrote it, checked by the form before it reaches here."""

    title: str
    text: str
    language: str  # fi / en / any
    shortcut: str | None
    kind: str  # reply / snippet


@dataclass(frozen=True, slots=True)
class SavedReplyRow:
    """A saved reply as the pages show it."""

    reply_id: int
    title: str
    text: str
    language: str
    shortcut: str | None
    kind: str
    usage_count: int
    edited_by: str  # the agent's name; "" when the box made it (schema step 11)
    edited_at: datetime


def _rows(where: Any = True) -> list[SavedReplyRow]:
    rows = (SavedReply.select(SavedReply, Agent.name)
            .join(Agent, pw.JOIN.LEFT_OUTER, on=(SavedReply.edited_by == Agent.id))
            .where(where)
            .order_by(SavedReply.kind, SavedReply.title, SavedReply.id).objects())
    return [SavedReplyRow(reply_id=r.id, title=r.title, text=r.body, language=r.language,
                          shortcut=r.shortcut, kind=r.kind, usage_count=r.usage_count,
                          edited_by=getattr(r, "name", None) or "", edited_at=r.edited_at)
            for r in rows]


def list_replies() -> list[SavedReplyRow]:
    """Every saved reply and snippet, replies first, by title."""
    return _rows()


def reply_by_id(reply_id: int) -> SavedReplyRow:
    found = _rows(SavedReply.id == reply_id)
    if not found:
        raise NotFound(f"no saved reply {reply_id}")
    return found[0]


def _check_shortcut_free(shortcut: str | None, reply_id: int | None) -> None:
    if shortcut is None:
        return
    other = SavedReply.select(SavedReply.id).where(SavedReply.shortcut == shortcut)
    if reply_id is not None:
        other = other.where(SavedReply.id != reply_id)
    if other.exists():
        raise ShortcutTaken(shortcut)


def add_reply(draft: SavedReplyDraft, agent_id: int | None, now: datetime) -> int:
    """A new saved reply; its id. ShortcutTaken when its shortcut is in use."""
    db = SavedReply._meta.database
    try:
        with db.atomic():
            _check_shortcut_free(draft.shortcut, None)
            reply = SavedReply.create(title=draft.title, body=draft.text,
                                      language=draft.language, shortcut=draft.shortcut,
                                      kind=draft.kind, edited_by=agent_id, edited_at=now)
    except pw.IntegrityError:  # another writer took the shortcut between check and insert
        raise ShortcutTaken(draft.shortcut or "") from None
    return int(reply.id)


def change_reply(reply_id: int, draft: SavedReplyDraft, agent_id: int | None,
                 now: datetime) -> None:
    """New title, text, language, shortcut and kind; NotFound or ShortcutTaken."""
    db = SavedReply._meta.database
    try:
        with db.atomic():
            _check_shortcut_free(draft.shortcut, reply_id)
            changed = (SavedReply.update(title=draft.title, body=draft.text,
                                         language=draft.language, shortcut=draft.shortcut,
                                         kind=draft.kind, edited_by=agent_id, edited_at=now)
                       .where(SavedReply.id == reply_id).execute())
    except pw.IntegrityError:
        raise ShortcutTaken(draft.shortcut or "") from None
    if not changed:
        raise NotFound(f"no saved reply {reply_id}")


def remove_reply(reply_id: int) -> None:
    if not SavedReply.delete().where(SavedReply.id == reply_id).execute():
        raise NotFound(f"no saved reply {reply_id}")


def count_uses(reply_ids: Iterable[int]) -> int:
    """One more use for each of these saved replies (each once); how many there were."""
    wanted = sorted(set(reply_ids))[:USES_COUNTED_MAX]
    if not wanted:
        return 0
    return int(SavedReply.update(usage_count=SavedReply.usage_count + 1)
               .where(SavedReply.id.in_(wanted)).execute())
