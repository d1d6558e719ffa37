"""Admin → Mailboxes: the configured IMAP mailboxes with their intake health, and their forms."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web

from appliance.config.aspa_toml import load_config
from appliance.config.schema import ConfigError
from appliance.config.sections.mail import SECURITY_CHOICES, MailboxSettings, SmtpSettings
from appliance.store.models import MailboxState
from appliance.web.frame.app_keys import BACKEND
from appliance.web.frame.errors import wants_json
from appliance.web.frame.rendering import render
from appliance.web.mailboxes.mailbox_config import saved_mailboxes
from appliance.web.mailboxes.mailbox_form import MailboxForm
from appliance.web.mailboxes.outgoing_form import OutgoingForm


@dataclass(frozen=True)
class CheckOutcome:
    """What "Test connection" found: the server's own words either way."""

    ok: bool
    detail: str

    def json(self) -> dict[str, Any]:
        """The outcome for the JSON API."""
        return {"ok": self.ok, "detail": self.detail}


@dataclass(frozen=True)
class Typed:
    """What the admin sent, shown back in the form it came from (index None = the new one)."""

    form: MailboxForm
    index: int | None = None


@dataclass(frozen=True)
class OutgoingTyped:
    """The outgoing form as posted, with the loader's problems or the test's outcome."""

    form: OutgoingForm
    problems: list[str] = field(default_factory=list)
    check: CheckOutcome | None = None


def _intake_states() -> dict[str, tuple[datetime | None, str | None]]:
    """Each mailbox's last good fetch and last error, as the intake recorded them. Blocking."""
    return {s.mailbox: (s.last_ok_at, s.last_error) for s in MailboxState.select()}


async def saved_or_running_smtp(request: web.Request) -> SmtpSettings:
    """The outgoing server as aspa.toml holds it now (else as the box runs it)."""
    backend = request.app[BACKEND]
    running = backend.config.mail.smtp if backend.config is not None else (
        backend.smtp or SmtpSettings())
    if backend.config_path is None:
        return running
    try:
        config = await asyncio.to_thread(load_config, backend.config_path)
    except ConfigError:
        return running  # the page already says why the file cannot be read
    return config.mail.smtp


def outgoing_values(typed: OutgoingTyped | None, saved: SmtpSettings) -> dict[str, Any]:
    """What the outgoing form shows: as posted (password too, in this answer), else as saved."""
    values = (typed.form.shown(with_password=True) if typed is not None
              else OutgoingForm.from_settings(saved).shown())
    values["password_set"] = bool(saved.password)
    return values


async def saved_or_running_mailboxes(
    request: web.Request,
) -> tuple[list[MailboxSettings], list[str]]:
    """The saved mailboxes (from aspa.toml when there is one), and why they could not be read."""
    backend = request.app[BACKEND]
    running = list(backend.config.mail.mailboxes) if backend.config is not None else []
    if backend.config_path is None:
        return running, []
    try:
        return await asyncio.to_thread(saved_mailboxes, backend.config_path), []
    except ConfigError as error:
        return running, error.problems


async def mailboxes_page(request: web.Request) -> web.StreamResponse:
    """GET /admin/mailboxes (or /api/admin/mailboxes)."""
    return await mailboxes_response(request, saved=request.query.get("saved", "") or False)


async def mailboxes_response(request: web.Request, *, problems: list[str] | None = None,
                             typed: Typed | None = None, check: CheckOutcome | None = None,
                             saved: bool | str = False, status: int = 200,
                             outgoing: OutgoingTyped | None = None) -> web.StreamResponse:
    """The page (or JSON) with a change's problems, a connection test's outcome, or "saved"."""
    backend = request.app[BACKEND]
    boxes, unreadable = await saved_or_running_mailboxes(request)
    states = await backend.store.call(_intake_states)
    running = ({m.name for m in backend.config.mail.mailboxes}
               if backend.config is not None else set())
    rows = []
    for i, box in enumerate(boxes):
        last_ok, last_error = states.get(box.name, (None, None))
        is_typed = typed is not None and typed.index == i
        form = typed.form if typed is not None and is_typed else MailboxForm.from_settings(box)
        rows.append({"number": i + 1, "name": box.name,
                     "form": form.shown(with_password=is_typed),
                     "password_set": bool(box.password or box.password_file),
                     "running": box.name in running, "last_ok_at": last_ok,
                     "last_error": last_error})
    new_typed = typed is not None and typed.index is None
    new = typed.form if typed is not None and new_typed else MailboxForm()
    mail_health = backend.health().get("mail")
    smtp = await saved_or_running_smtp(request)
    out = outgoing_values(outgoing, smtp)
    if wants_json(request):
        return web.json_response({
            "writable": backend.config_path is not None,
            "mailboxes": [_json_row(r) for r in rows],
            "intake": {"ok": mail_health[0], "detail": mail_health[1]} if mail_health else None,
            "problems": [*unreadable, *(problems or [])],
            "check": check.json() if check is not None else None,
            "outgoing": {k: v for k, v in out.items() if k != "password"}}, status=status)
    return render(request, "admin_mailboxes.html", status=status, rows=rows,
                  new=new.shown(with_password=new_typed),
                  problems=problems or [], unreadable=unreadable, check=check, saved=saved,
                  writable=backend.config_path is not None, securities=SECURITY_CHOICES,
                  mail_health=mail_health, smtp=smtp, outgoing=out,
                  outgoing_problems=outgoing.problems if outgoing is not None else [],
                  outgoing_check=outgoing.check if outgoing is not None else None,
                  mailbox_names=[b.name for b in boxes],
                  editing=typed.index if typed is not None else None)


def _json_row(row: dict[str, Any]) -> dict[str, Any]:
    last_ok = row["last_ok_at"]
    form = {k: v for k, v in row["form"].items() if k != "password"}
    return {**form, "number": row["number"], "password_set": row["password_set"],
            "running": row["running"], "last_error": row["last_error"],
            "last_ok_at": last_ok.isoformat() if last_ok is not None else None}
