"""Settings form fields as aspa.toml values: what does not fit is left for the loader to name."""

from __future__ import annotations

from typing import Any

from appliance.web.frame import forms
from appliance.web.frame.errors import FieldError

LIST_TEXT_MAX = 4000  # characters of one comma- or line-separated list
_TRUE = ("1", "on", "true", "yes")
_FALSE = ("0", "off", "false", "no", "")


def number(fields: forms.Fields, name: str) -> Any:
    """A whole number from a form's text; anything else as given, so the loader names the key."""
    value = _given(fields, name)
    if isinstance(value, str):
        text = value.strip()
        digits = text.removeprefix("-")
        if digits.isascii() and digits.isdigit() and len(digits) <= 9:
            return int(text)
        return text
    return value


def flag(fields: forms.Fields, name: str) -> Any:
    """A checkbox ("1" / "0", the hidden field before it) or a JSON boolean; else as given."""
    value = _given(fields, name)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    return value


def _given(fields: forms.Fields, name: str) -> Any:
    """The field's value: a text, number or boolean; a JSON null, list or table is refused."""
    value = fields.get(name)
    if not isinstance(value, str | int | float | bool):
        raise FieldError(name, "must be a single value")
    if isinstance(value, str) and len(value) > LIST_TEXT_MAX:
        raise FieldError(name, "too long: at most {count} characters", count=LIST_TEXT_MAX)
    return value


def text_list(fields: forms.Fields, name: str, *, max_chars: int = LIST_TEXT_MAX,
              items: str = "texts") -> list[str]:
    """A list of texts: a JSON list, or the form's text split at commas and line ends.

    `items` names what the list holds in the error for a JSON list of something else.
    """
    value = fields.get(name)
    if isinstance(value, list):
        if not all(isinstance(v, str) for v in value):
            raise FieldError(name, "must be a list of {items}", items=items)
        return [v.strip() for v in value]
    text = forms.text(fields, name, max_chars=max_chars, required=False)
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


def text_lines(fields: forms.Fields, name: str, *, max_chars: int = LIST_TEXT_MAX) -> list[str]:
    """A list of texts: a JSON list, or the form's text one a line (commas stay in a line)."""
    value = fields.get(name)
    if isinstance(value, list):
        if not all(isinstance(v, str) for v in value):
            raise FieldError(name, "must be a list of {items}", items="texts")
        return [v.strip() for v in value]
    text = forms.text(fields, name, max_chars=max_chars, required=False)
    return [line.strip() for line in text.splitlines() if line.strip()]


def typed_text(fields: forms.Fields, name: str) -> str:
    """What the admin typed in field `name`, to show back in the refused form."""
    value = fields.get(name, "")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def secret_text(fields: forms.Fields, name: str, *, max_chars: int) -> str:
    """A password as typed (never shown back): text on one line, bounded; missing = ""."""
    value = fields.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FieldError(name, "must be text")
    if len(value) > max_chars:
        raise FieldError(name, "too long: at most {count} characters", count=max_chars)
    if any(c in value for c in "\r\n\0"):
        raise FieldError(name, "must be one line")
    return value


def checked_text(fields: forms.Fields, name: str, *, key: str, max_chars: int,
                 problems: list[str]) -> str:
    """A text field, stripped; what does not fit goes to `problems` as the loader says it
    (`calls.sms_fi: too long: ...`), so the form comes back as typed with the field named."""
    value = fields.get(name, "")
    if not isinstance(value, str):
        problems.append(f"{key}: must be text")
        return ""
    value = value.strip()
    if len(value) > max_chars:
        problems.append(f"{key}: too long: at most {max_chars} characters")
    return value


def number_list(fields: forms.Fields, name: str) -> list[Any]:
    """Whole numbers from "15, 60, 240" (or a JSON list); an item that is none stays as
    typed, so the loader names it (`calls.callback_retry_minutes[1]`)."""
    value = fields.get(name)
    items = value if isinstance(value, list) else text_list(fields, name)
    out: list[Any] = []
    for item in items:
        text = str(item).strip() if not isinstance(item, int) else item
        if isinstance(text, str) and text.isascii() and text.isdigit() and len(text) <= 9:
            out.append(int(text))
        else:
            out.append(text)
    return out
