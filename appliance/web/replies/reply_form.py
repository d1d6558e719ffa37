"""The saved-reply form: read, checked field by field, refused with the field named."""

from __future__ import annotations

import re

from appliance.store.saved_replies import SavedReplyDraft
from appliance.web.frame import forms
from appliance.web.frame.errors import FieldError

TITLE_MAX = 200  # the column's size (SavedReply.title)
TEXT_MAX = 10_000  # characters: a long answer is a page of text; more is a document
SHORTCUT_MAX = 32
LANGUAGES = ("fi", "en", "any")
KINDS = ("reply", "snippet")
# "#" and one word: Unicode letters and digits (ä and ö too), "_" and "-"
SHORTCUT = re.compile(r"#[\w-]+")

EMPTY = {"title": "", "text": "", "language": "any", "shortcut": "", "kind": "reply"}


def typed(fields: forms.Fields) -> dict[str, str]:
    """The form as posted, cut to the fields' sizes, to show back when it is refused."""
    caps = {"title": TITLE_MAX, "text": TEXT_MAX, "shortcut": SHORTCUT_MAX * 2}
    shown = {}
    for name, default in EMPTY.items():
        value = fields.get(name, default)
        shown[name] = value[:caps.get(name, 20)] if isinstance(value, str) else default
    return shown


def shortcut(fields: forms.Fields) -> str | None:
    """The shortcut as stored: lower case, starting with "#"; None when left empty."""
    value = forms.text(fields, "shortcut", max_chars=SHORTCUT_MAX, required=False).lower()
    if not value:
        return None
    if not value.startswith("#"):
        value = "#" + value
    if not SHORTCUT.fullmatch(value) or len(value) > SHORTCUT_MAX:
        raise FieldError("shortcut", "must be # and one word: letters, digits, - or _")
    return value


def draft(fields: forms.Fields) -> SavedReplyDraft:
    """The saved reply the form describes; FieldError naming the first field that is wrong."""
    title = forms.text(fields, "title", max_chars=TITLE_MAX)
    if "\n" in title or "\r" in title:
        raise FieldError("title", "must be one line")
    text = forms.text(fields, "text", max_chars=TEXT_MAX)
    return SavedReplyDraft(title=title, text=text.replace("\r\n", "\n"),
                           language=forms.choice(fields, "language", LANGUAGES),
                           shortcut=shortcut(fields), kind=forms.choice(fields, "kind", KINDS))
