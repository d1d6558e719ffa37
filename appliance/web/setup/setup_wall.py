"""First boot: until an admin exists, every page leads to /setup, which makes the first admin.

After that the admin is walked through the line, the mailbox and the agents.
The admin is made inside one transaction that first checks that there is
still none, so two browsers racing at first boot cannot both become admin.
"""

from __future__ import annotations

from aiohttp import web

from appliance.config.sections.mail import SECURITY_CHOICES
from appliance.store.accounts import Accounts
from appliance.store.errors import InvalidInput
from appliance.store.models import Agent
from appliance.web.frame import forms
from appliance.web.frame.app_keys import BACKEND, SESSION, SESSIONS, SETUP_DONE
from appliance.web.frame.auth import start_session
from appliance.web.frame.csrf import login_token
from appliance.web.frame.i18n import language_of, translator
from appliance.web.frame.rendering import render
from appliance.web.frame.sessions import SignedIn
from appliance.web.mailboxes.mailbox_form import MailboxForm
from appliance.web.mailboxes.mailbox_views import (
    CheckOutcome,
    OutgoingTyped,
    outgoing_values,
    saved_or_running_mailboxes,
    saved_or_running_smtp,
)
from appliance.web.settings.editable_settings import editable_settings
from appliance.web.setup.setup_gate import setup_done

STEPS = ("line", "mailbox", "agents")


def _make_first_admin(accounts: Accounts, name: str, login: str, password: str) -> Agent:
    with accounts.db.atomic():
        if Agent.select().where(Agent.role == "admin").exists():
            raise InvalidInput("an admin already exists: log in instead")
        return accounts.add_user(name, login, "admin", password)


async def setup_page(request: web.Request) -> web.StreamResponse:
    """GET /setup: the first admin's form; once set up, on to the first step."""
    if await setup_done(request):
        raise web.HTTPFound("/setup/line" if request[SESSION] is not None else "/login")
    return _form(request, error="", status=200)


def _form(request: web.Request, *, error: str, status: int) -> web.Response:
    holder = web.Response()
    token = login_token(request, holder)
    page = render(request, "setup.html", csrf_token=token, error=error, status=status)
    page.cookies.update(holder.cookies)
    return page


async def setup_submit(request: web.Request) -> web.StreamResponse:
    """POST /setup: make the first admin and log them in."""
    if await setup_done(request):
        raise web.HTTPConflict(text="The box is already set up: log in instead.")
    fields = await forms.submitted(request)
    t = translator(language_of(request))
    name = forms.text(fields, "name", max_chars=200)
    login = forms.text(fields, "login", max_chars=100)
    password = fields.get("password")
    if not isinstance(password, str) or password != fields.get("password2"):
        return _form(request, error=t("The passwords do not match."), status=400)
    backend = request.app[BACKEND]
    try:
        agent = await backend.store.call(_make_first_admin, backend.accounts, name, login,
                                         password)
    except InvalidInput as error:
        return _form(request, error=str(error), status=400)
    request.app[SETUP_DONE].append(True)
    await backend.board.roster_changed(agent.id, "added")
    who = SignedIn(agent_id=agent.id, login=agent.login, name=agent.name, role=agent.role,
                   language=language_of(request))
    response = web.HTTPSeeOther("/setup/line")
    await request.app[SESSIONS].saved(start_session(request, who, response))
    raise response


async def setup_step(request: web.Request) -> web.StreamResponse:
    """GET /setup/{step}: what the line, the mailbox and the agents need (admins only)."""
    step = request.match_info["step"]
    if step not in STEPS:
        raise web.HTTPNotFound(text=f"no setup step {step[:40]}")
    return await step_response(request, step, skipped=request.query.get("skipped", ""),
                               saved=request.query.get("saved", ""))


async def step_response(request: web.Request, step: str, *, status: int = 200,
                        mailbox: MailboxForm | None = None, problems: list[str] | None = None,
                        check: CheckOutcome | None = None, skipped: str = "",
                        saved: str = "", outgoing: OutgoingTyped | None = None,
                        typed_pins: dict[int, str] | None = None) -> web.Response:
    """A setup step's page; `saved`/`skipped` name the step just saved or skipped."""
    backend = request.app[BACKEND]
    index = STEPS.index(step)
    following = STEPS[index + 1] if index + 1 < len(STEPS) else None
    boxes, _ = await saved_or_running_mailboxes(request) if step == "mailbox" else ([], [])
    smtp = await saved_or_running_smtp(request)
    return render(request, "setup_step.html", status=status, step=step, following=following,
                  steps=STEPS, smtp=smtp, health=backend.health(),
                  out=outgoing_values(outgoing, smtp), mailbox_names=[m.name for m in boxes],
                  typed_pins=typed_pins or {},
                  outgoing_problems=outgoing.problems if outgoing is not None else [],
                  outgoing_check=outgoing.check if outgoing is not None else None,
                  editable=editable_settings(backend.config, backend.config_path),
                  box=(mailbox or MailboxForm()).shown(with_password=mailbox is not None),
                  problems=problems or [],
                  check=check, securities=SECURITY_CHOICES, skipped=skipped, saved=saved,
                  mailboxes=[m.name for m in boxes])
