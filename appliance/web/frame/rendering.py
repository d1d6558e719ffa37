"""HTML pages from Jinja2 templates, every value escaped (autoescape on for all templates)."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from appliance.presence.states import Presence
from appliance.web.frame.app_keys import BACKEND, SESSION, WALL
from appliance.web.frame.flash import flash_text
from appliance.web.frame.i18n import language_of, plural, translator
from appliance.web.frame.problem_text import problem_text
from appliance.web.frame.relative_time import relative_texts, relative_time_filter

if TYPE_CHECKING:
    import jinja2

TEMPLATE_DIR = Path(__file__).parent.parent / "templates"
PRESENCES = [p.value for p in Presence]  # the order of the switch in the header


@cache
def environment() -> jinja2.Environment:
    """One template environment per process, built on first use."""
    import jinja2  # 1.7 MB: with the first page, not at start (an idle box may serve none)

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,  # every template, whatever its file name
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["relative"] = jinja2.pass_context(relative_time_filter)
    return env


def page_context(request: web.Request) -> dict[str, Any]:
    """What every page needs: the user, the CSRF token, the language, the box's clock and
    the person's own presence (the switch in the header)."""
    session = request.get(SESSION)
    language = language_of(request)
    t = translator(language)
    backend = request.app[BACKEND]
    zone = backend.zone

    def when(moment: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
        """A stored UTC time on the office's wall clock."""
        return "" if moment is None else moment.astimezone(zone).strftime(pattern)

    state = backend.board.agent(session.who.agent_id) if session is not None else None
    return {
        "user": session.who if session is not None else None,
        "csrf_token": session.csrf_token if session is not None else "",
        "wall": request.get(WALL),  # a paired wall screen: the wallboard alone, no forms
        "lang": language,
        "t": t,
        "tn": lambda one, other, count, **fields: plural(t, one, other, count, **fields),
        "problem": lambda text: problem_text(text, t),
        "when": when,
        "now": backend.clock.now(),  # for the `relative` filter: "5 min ago"
        "zone": zone,
        "relative_texts": relative_texts(language),
        "my_presence": state.presence.value if state is not None else None,
        "presences": PRESENCES,
        "flash": flash_text(request, t),
        "path": request.path,
        "path_qs": request.path_qs,
        "live_settings": backend.live is not None,
        "needs_restart": backend.needs_restart,
    }


def render(
    request: web.Request, template: str, *, status: int = 200, **context: Any
) -> web.Response:
    """A text/html response from `template`, with the session's user and CSRF token at hand."""
    full = page_context(request)
    full.update(context)
    html = environment().get_template(template).render(**full)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")
