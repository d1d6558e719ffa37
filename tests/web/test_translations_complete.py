"""Every text in both languages: a missing catalogue entry or a raw key on a page fails here.

The English text is the key of the Finnish catalogue; codes (`wrap_up`, `new_email`,
`security:tls`) need an entry in both. Pages are rendered in both languages and their
visible text searched for anything that still looks like a code.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from appliance.config.sections.mail import SECURITY_CHOICES
from appliance.presence.states import Activity, Presence
from appliance.privacy.audit import ACTIONS
from appliance.queue.call_commands import Outcome
from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.store.accounts import ROLES
from appliance.store.tickets import TicketBook
from appliance.store.worker import StoreWorker
from appliance.switchboard.switchboard import Switchboard
from appliance.web.app import make_app
from appliance.web.frame.i18n import CATALOGUE_DIR, plural, translator
from appliance.web.frame.problem_text import _WHAT, FIELD_LABELS, LABELS
from appliance.web.setup.setup_wall import STEPS
from appliance.web.tickets.ticket_actions import NEW_TICKET_CHANNELS
from appliance.web.tickets.ticket_views import STATUSES
from tests.web.board_backend import loaded_board
from tests.web.conftest import csrf_token_in, log_in, open_sample_ticket
from tests.web.mailbox_config_files import backend_for, make_config
from tests.web.settings_files import CONFIG

WEB_DIR = Path(CATALOGUE_DIR).parent
# t("text") and the two texts of tn("one", "other", n); t("prefix:" + code) is a code family
LITERAL = re.compile(r"""\bt\((["'])((?:(?!\1).)+)\1\s*[,)]""")
PLURAL = re.compile(r"""\btn\((["'])((?:(?!\1).)+)\1,\s*(["'])((?:(?!\3).)+)\3""")
CODE = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)+$|^[a-z-]+:[a-z0-9_-]+$")
RAW_ON_PAGE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\b(?:security|smtp-security|step):[a-z]+\b")
PAGES = ("/", "/tickets/1001", "/customers/1", "/presence", "/wallboard", "/reports",
         "/admin/agents", "/admin/settings", "/admin/mailboxes", "/admin/audit", "/quarantine",
         "/setup/line", "/setup/mailbox", "/setup/agents", "/password", "/admin/wall-screens",
         "/replies", "/replies/1", "/notices")
# aspa.toml's own keys and shell commands, shown on purpose to an installer at the console
SHOWN_KEYS = re.compile(r"\[\[?[a-z_.]+\]\]?|\b[a-z_]+\.[a-z_.\[\]]+\b|\bsudo \S+")


def _catalogue(language: str) -> dict[str, str]:
    texts: dict[str, str] = json.loads((CATALOGUE_DIR / f"{language}.json").read_text(
        encoding="utf-8"))
    return texts


def _sources() -> list[Path]:
    return [*WEB_DIR.rglob("*.html"), *WEB_DIR.rglob("*.py")]


def test_every_literal_text_has_a_finnish_translation() -> None:
    finnish = _catalogue("fi")
    missing = set()
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        found = [m.group(2) for m in LITERAL.finditer(text)]
        found += [t for m in PLURAL.finditer(text) for t in (m.group(2), m.group(4))]
        missing.update(f"{path.name}: {t}" for t in found if t not in finnish)
    assert not missing, f"add to fi.json: {sorted(missing)}"


def test_every_code_is_in_both_catalogues() -> None:
    finnish, english = _catalogue("fi"), _catalogue("en")
    codes = {key for key in (*finnish, *english) if CODE.match(key)}
    # values the pages show through t(): presence, activity, call outcomes, statuses,
    # channels, roles and audit actions
    codes |= {p.value for p in Presence} | {a.value for a in Activity} | {o.value for o in Outcome}
    codes |= {*STATUSES, *NEW_TICKET_CHANNELS, *ROLES, *ACTIONS}
    codes |= {f"{prefix}:{s}" for prefix in ("security", "smtp-security")
              for s in SECURITY_CHOICES} | {f"step:{s}" for s in STEPS}
    assert not sorted(c for c in codes if c not in finnish), "add these codes to fi.json"
    needs_english = sorted(c for c in codes if CODE.match(c) and c not in english)
    assert not needs_english, f"add these codes to en.json: {needs_english}"


def test_one_word_means_one_thing_in_finnish() -> None:
    finnish = _catalogue("fi")
    different = [("Presence", "Status"), ("Presence", "State"), ("Status", "State"),
                 ("Box", "Unit")]
    same = [(a, b) for a, b in different if finnish[a].lower() == finnish[b].lower()]
    assert not same, f"one Finnish word for two things: {same}"


def test_plural_forms_follow_the_count() -> None:
    for language, one, many in (("en", "1 day", "30 days"), ("fi", "1 päivä", "30 päivää")):
        t = translator(language)
        assert plural(t, "{count} day", "{count} days", 1) == one
        assert plural(t, "{count} day", "{count} days", 30) == many


class _VisibleText(HTMLParser):
    """What a person reads on a page: text and the attributes a browser shows."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "code", "pre"):
            self._hidden += 1
        self.parts.extend(value for name, value in attrs
                          if name in ("title", "placeholder", "aria-label", "alt") and value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "code", "pre"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def raw_keys(html: str) -> set[str]:
    """Code-like words a page shows (aspa.toml's key paths, shown on purpose, left out)."""
    reader = _VisibleText()
    reader.feed(html)
    text = SHOWN_KEYS.sub(" ", " ".join(reader.parts))
    return set(RAW_ON_PAGE.findall(text))


@pytest.fixture
async def box_client(store: StoreWorker, board: Switchboard, clock: ManualClock, bus: EventBus,
                     tmp_path: Path) -> AsyncIterator[TestClient]:
    """The pages of a configured box (modems, desk units, retention) that may change it."""
    backend = backend_for(store, board, clock, bus, tmp_path, make_config(tmp_path, CONFIG))
    app = make_app(backend, secret_key=secrets.token_bytes(32), clock=clock)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def test_no_raw_key_reaches_a_page_in_either_language(
    box_client: TestClient, tickets: TicketBook
) -> None:
    token = await log_in(box_client)
    await open_sample_ticket(tickets)
    found: dict[str, set[str]] = {}
    for language in ("en", "fi"):
        await box_client.post("/language", data={"csrf_token": token, "language": language})
        for path in PAGES:
            page = await box_client.get(path)
            assert page.status == 200, path
            html = await page.text()
            assert f'<html lang="{language}">' in html
            if keys := raw_keys(html):
                found[f"{language} {path}"] = keys
    assert not found, f"raw keys on pages: {found}"


def test_the_scan_finds_a_raw_key() -> None:
    assert raw_keys("<p>wrap_up</p><td>first_response_median_s</td>") == {
        "wrap_up", "first_response_median_s"}
    assert raw_keys("<p>set <code>gsm.modems[].pin</code> or mail.smtp.host</p>") == set()


async def test_the_setup_page_speaks_the_boxs_language(
    store: StoreWorker, clock: ManualClock, tmp_path: Path
) -> None:
    path = make_config(tmp_path, '[box]\nlanguage = "fi"\n')
    board = await loaded_board(store, EventBus(), clock)
    app = make_app(backend_for(store, board, clock, None, tmp_path, path),
                   secret_key=secrets.token_bytes(32), clock=clock)
    async with TestClient(TestServer(app)) as client:
        page = await client.get("/setup", headers={"Accept-Language": "en-GB,en;q=0.9"})
        text = await page.text()
        assert '<html lang="fi">' in text
        token = csrf_token_in(text)
        chosen = await client.post("/language", data={"csrf_token": token, "language": "en",
                                                       "next": "/setup"})
        assert '<html lang="en">' in await chosen.text()  # a choice beats the default


def test_every_label_and_refusal_text_has_a_finnish_translation() -> None:
    finnish = _catalogue("fi")
    texts = {*LABELS.values(), *FIELD_LABELS.values(), *(text for _, text in _WHAT),
             "required", "must be text", "too long: at most {count} characters",
             "must be one line", "must be a number", "must be a positive number",
             "must be one of {allowed}", "must be a single value", "must be a list of {items}",
             "must be a whole number"}
    assert not sorted(t for t in texts if t not in finnish), "add these to fi.json"
