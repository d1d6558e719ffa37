"""The settings forms in Chromium: a refused form keeps what was typed, hostile text runs no
script, and a desk unit's login is shown once."""

from __future__ import annotations

import secrets
import shutil
import tempfile
import tomllib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import web

from appliance.config.aspa_toml import load_config
from appliance.spine.bus import EventBus
from appliance.spine.clock import SystemClock
from appliance.store.accounts import Accounts
from appliance.store.startup import open_store
from appliance.store.worker import StoreWorker
from appliance.web.app import make_app
from tests.web.board_backend import backend_on, loaded_board
from tests.web.browser.conftest import ADMIN, Site, Watched, log_in
from tests.web.settings_files import CONFIG, SECRETS

pytestmark = pytest.mark.asyncio(loop_scope="session")

HOSTILE = '"><img src=x onerror="alert(1)"><script>alert(2)</script>'


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def site() -> AsyncIterator[Site]:
    """The web app on a store and an aspa.toml it may change, on a free loopback port."""
    data_dir = Path(tempfile.mkdtemp(prefix="aspa-settings-"))
    config_file = data_dir / "aspa.toml"
    config_file.write_text(CONFIG, encoding="utf-8")
    db = open_store(data_dir / "aspa.db")
    db.close()
    store = StoreWorker(db)
    clock = SystemClock()
    admin = await store.call(Accounts(store.db, clock).add_user, "Admin Example", ADMIN[0],
                             "admin", ADMIN[1])
    bus = EventBus()
    board = await loaded_board(store, bus, clock)
    bus.start()
    backend = backend_on(store, board, clock, bus, data_dir=data_dir,
                         config=load_config(config_file), config_path=config_file)
    runner = web.AppRunner(make_app(backend, secret_key=secrets.token_bytes(32), clock=clock),
                           shutdown_timeout=1.0)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = runner.addresses[0][1]
    yield Site(url=f"http://127.0.0.1:{port}", store=store, tickets=backend.tickets, bus=bus,
               board=board, data_dir=data_dir, admin_id=admin.id,
               extra={"config_file": config_file})
    await runner.cleanup()
    await bus.stop()
    store.close()
    shutil.rmtree(data_dir, ignore_errors=True)


def _read(path: Path) -> bytes:
    return path.read_bytes()


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


async def test_a_refused_form_keeps_the_typed_text_and_runs_none_of_it(
    site: Site, watched: Watched
) -> None:
    page = watched.page
    config_file: Path = site.extra["config_file"]
    before = _read(config_file)
    await log_in(page, site)
    await page.goto(site.url + "/admin/settings")
    await page.fill("#mqtt-host", "broker.example.fi")
    await page.fill("#mqtt-prefix", HOSTILE)
    await page.fill("#mqtt-password", "ei-tallennu-12")
    await page.click("#mqtt button[type=submit]")
    await page.wait_for_load_state("load")
    assert await page.input_value("#mqtt-prefix") == HOSTILE
    assert await page.input_value("#mqtt-host") == "broker.example.fi"
    assert await page.input_value("#mqtt-password") == "ei-tallennu-12"  # typed: kept
    assert "Topic prefix: must be" in await page.inner_text("#mqtt [role=alert]")
    assert _read(config_file) == before
    await page.fill("#holidays-list", HOSTILE)
    await page.click("#holidays button[type=submit]")
    await page.wait_for_load_state("load")
    assert await page.input_value("#holidays-list") == HOSTILE
    assert watched.dialogs == []
    # the only console lines are the two refusals' status; a blocked script would add more
    assert watched.errors == ["Failed to load resource: the server responded with a status "
                              "of 400 (Bad Request)"] * 2
    html = await page.content()
    assert "ei-tallennu-12" not in html
    for secret in SECRETS:
        assert secret not in html
    assert await page.is_checked("#mqtt-enabled") and not await page.is_checked("#mqtt-tls")
    await page.fill("#mqtt-prefix", "toimisto")
    await page.uncheck("#mqtt-discovery")
    await page.check("#mqtt-tls")
    await page.click("#mqtt button[type=submit]")
    await page.wait_for_url(site.url + "/admin/settings?saved=1#mqtt")
    mqtt = tomllib.loads(_text(config_file))["mqtt"]
    assert (mqtt["topic_prefix"], mqtt["discovery"], mqtt["tls"], mqtt["enabled"]) == (
        "toimisto", False, True, True)
    assert not await page.is_checked("#mqtt-discovery") and await page.is_checked("#mqtt-tls")


async def test_pairing_a_desk_unit_shows_its_login_once(site: Site, watched: Watched) -> None:
    page = watched.page
    config_file: Path = site.extra["config_file"]
    await log_in(page, site)
    await page.goto(site.url + "/admin/settings#desk-units")
    await page.fill("#unit-id", "desk-pekka")
    await page.select_option("#unit-agent", "pekka")
    await page.click("#desk-units form[action='/admin/settings/desk-units'] button")
    await page.wait_for_load_state("load")
    password = _text(site.data_dir / "desk-pekka.password").strip()
    assert password in await page.inner_text("main")
    units = tomllib.loads(_text(config_file))["desk_units"]
    assert units[-1] == {"id": "desk-pekka", "agent": "pekka",
                         "password_file": "desk-pekka.password"}
    await page.click("text=Back to the settings")
    await page.wait_for_load_state("load")
    html = await page.content()
    assert "desk-pekka" in html and password not in html
    assert watched.dialogs == [] and watched.errors == []


async def test_the_service_rules_are_chosen_by_words_and_a_refusal_keeps_them(
    site: Site, watched: Watched
) -> None:
    page = watched.page
    config_file: Path = site.extra["config_file"]
    await log_in(page, site)
    await page.goto(site.url + "/admin/settings#escalation")
    before = _read(config_file)
    await page.fill("#escalation-warn", "150")
    await page.select_option("#escalation-priority", label="keep its priority")
    await page.select_option("#escalation-reassign", label="back to everyone")
    await page.click("#escalation button[type=submit]")
    await page.wait_for_load_state("load")
    alert = await page.inner_text("#escalation [role=alert]")
    assert "Warn when this share of the time has passed (%): must be at most 100" in alert
    assert await page.input_value("#escalation-warn") == "150"
    assert await page.input_value("#escalation-priority") == ""
    assert await page.input_value("#escalation-reassign") == "pool"
    assert _read(config_file) == before
    await page.fill("#escalation-warn", "75")
    await page.click("#escalation button[type=submit]")
    await page.wait_for_url(site.url + "/admin/settings?saved=1#escalation")
    assert tomllib.loads(_text(config_file))["escalation"] == {
        "warn_at_percent": 75, "breach_priority": "", "breach_reassign": "pool",
        "breach_tell_team": True}
    await page.select_option("#routing-manager", label="Manager's at once")
    await page.click("#routing button[type=submit]")
    await page.wait_for_url(site.url + "/admin/settings?saved=1#routing")
    assert tomllib.loads(_text(config_file))["routing"]["account_manager"] == "assign"
    assert await page.input_value("#routing-manager") == "assign"
    assert watched.dialogs == []
    assert watched.errors == ["Failed to load resource: the server responded with a status "
                              "of 400 (Bad Request)"]


async def test_the_texts_to_callers_count_their_sms_parts_as_typed(
    site: Site, watched: Watched
) -> None:
    page = watched.page
    config_file: Path = site.extra["config_file"]
    await page.set_viewport_size({"width": 390, "height": 844})
    await log_in(page, site)
    await page.goto(site.url + "/admin/settings#callers")
    counter = "#callers-sms_fi-count"
    assert "SMS parts: 1" in await page.inner_text(counter)
    await page.fill("#callers-sms_fi", "a" * 161)
    assert await page.inner_text(counter) == (
        "Characters: 161, SMS parts: 2 (GSM-7: 160 fit in one SMS, 153 in each part)")
    await page.fill("#callers-sms_fi", "Soitamme pian 🙂")
    assert "Characters: 16, SMS parts: 1 (UCS-2" in await page.inner_text(counter)
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # the form fits a phone
    await page.fill("#callers-retry", "15, 45")
    await page.click("#callers button[type=submit]")
    await page.wait_for_url(site.url + "/admin/settings?saved=1#callers")
    calls = tomllib.loads(_text(config_file))["calls"]
    assert (calls["sms_fi"], calls["callback_retry_minutes"]) == ("Soitamme pian 🙂", [15, 45])
    assert watched.errors == []
