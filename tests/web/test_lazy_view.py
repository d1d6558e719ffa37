"""Views imported on their first request: once, behind the same middlewares, failing as a 500."""

from __future__ import annotations

import importlib
import inspect
import logging
import secrets
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from appliance.spine.clock import ManualClock
from appliance.web.app import make_app
from appliance.web.frame.lazy_view import lazy_view
from appliance.web.frame.store_backend import StoreWebBackend
from tests.web.conftest import log_in

VIEW_SOURCE = '''
from aiohttp import web

async def page(request: web.Request) -> web.Response:
    return web.Response(text="{text}")
'''


@pytest.fixture
def view_dir(tmp_path: Path) -> Iterator[Path]:
    """A folder on sys.path for view modules written by the test."""
    folder = tmp_path / "views"
    folder.mkdir()
    sys.path.insert(0, str(folder))
    yield folder
    sys.path.remove(str(folder))


def _module_name() -> str:
    return f"lazy_probe_{uuid.uuid4().hex}"  # a name no other test has imported


def _write_view(folder: Path, name: str, text: str) -> None:
    (folder / f"{name}.py").write_text(VIEW_SOURCE.format(text=text))
    importlib.invalidate_caches()


async def _client_with(backend: StoreWebBackend, clock: ManualClock,
                       routes: dict[str, str]) -> TestClient:
    app = make_app(backend, secret_key=secrets.token_bytes(32), clock=clock)
    for path, target in routes.items():
        app.router.add_get(path, lazy_view(target))
    return TestClient(TestServer(app))


@pytest.fixture
async def probe(backend: StoreWebBackend, clock: ManualClock,
                view_dir: Path) -> AsyncIterator[tuple[TestClient, str]]:
    """The real app with one more lazy route, /probe, to a module not written yet."""
    name = _module_name()
    client = await _client_with(backend, clock, {"/probe": f"{name}:page"})
    async with client:
        yield client, name
    sys.modules.pop(name, None)


async def test_the_view_is_imported_on_its_first_request_and_kept(
        probe: tuple[TestClient, str], view_dir: Path) -> None:
    client, name = probe
    _write_view(view_dir, name, "first")
    await log_in(client)
    assert name not in sys.modules  # the app is built and serving: the view is not loaded yet
    first = await client.get("/probe")
    assert (first.status, await first.text()) == (200, "first")
    assert name in sys.modules
    # Forgotten by Python and changed on disk: the handler still calls the function it kept.
    del sys.modules[name]
    _write_view(view_dir, name, "second")
    again = await client.get("/probe")
    assert (again.status, await again.text()) == (200, "first")
    assert name not in sys.modules  # not imported a second time


async def test_the_middlewares_answer_before_the_view_is_imported(
        probe: tuple[TestClient, str], view_dir: Path) -> None:
    client, name = probe
    _write_view(view_dir, name, "secret")
    refused = await client.get("/probe", allow_redirects=False)
    assert refused.status == 302  # the login wall, as for every page
    assert refused.headers["Location"].startswith("/login")
    assert name not in sys.modules


async def test_a_view_that_cannot_be_imported_is_a_500_naming_it_in_the_log(
        probe: tuple[TestClient, str], view_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    client, name = probe
    await log_in(client)
    with caplog.at_level(logging.ERROR, logger="aspa.web"):
        page = await client.get("/probe")
        as_json = await client.get("/probe", headers={"Accept": "application/json"})
    assert page.status == 500
    assert "see its log" in await page.text()
    assert page.headers["Content-Security-Policy"]  # the usual error page, headers and all
    assert as_json.status == 500
    assert await as_json.json() == {"error": "Something went wrong on the box; see its log."}
    failures = [r for r in caplog.records if r.name == "aspa.web" and r.exc_info]
    assert len(failures) == 2
    assert f"{name}:page could not be loaded" in caplog.text
    # Not remembered as broken: once the module is there, the next request loads it.
    _write_view(view_dir, name, "fixed")
    mended = await client.get("/probe")
    assert (mended.status, await mended.text()) == (200, "fixed")


async def test_a_missing_function_is_a_500_naming_module_and_function(
        backend: StoreWebBackend, clock: ManualClock, view_dir: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    name = _module_name()
    _write_view(view_dir, name, "x")
    client = await _client_with(backend, clock, {"/probe": f"{name}:no_such_page"})
    # its own handler on the logger: what earlier tests left on the root's handlers (the
    # daemon's log damper, levels) does not decide what this test sees
    logger = logging.getLogger("aspa.web")
    seen: list[logging.LogRecord] = []
    catcher = logging.Handler(logging.ERROR)
    catcher.emit = seen.append  # type: ignore[method-assign]
    level, disabled = logger.level, logger.disabled
    logger.addHandler(catcher)
    logger.setLevel(logging.ERROR)
    logger.disabled = False
    try:
        async with client:
            await log_in(client)
            response = await client.get("/probe")
            text = await response.text()
    finally:
        logger.removeHandler(catcher)
        logger.setLevel(level)
        logger.disabled = disabled
    sys.modules.pop(name, None)
    assert response.status == 500
    assert "see its log" in text
    logged = "\n".join(str(r.exc_info[1]) for r in seen if r.exc_info)
    assert f"{name}:no_such_page could not be loaded" in logged


@pytest.mark.parametrize("target", ["appliance.web.routes", "appliance.web.routes:",
                                    ":page", "appliance.web.routes:not a name"])
def test_a_view_named_wrongly_is_refused_when_the_route_is_made(target: str) -> None:
    with pytest.raises(ValueError, match="module:function"):
        lazy_view(target)


def test_a_lazy_handler_carries_the_views_name() -> None:
    handler = lazy_view("appliance.web.settings.settings_views:settings_page")
    assert (handler.__module__, handler.__name__) == (
        "appliance.web.settings.settings_views", "settings_page")
    assert inspect.iscoroutinefunction(handler)  # aiohttp takes it as any async view


async def test_every_route_names_a_view_that_exists(client: TestClient) -> None:
    app: web.Application = client.server.app  # type: ignore[assignment]
    named = 0
    for route in app.router.routes():
        if route.resource is None or route.resource.canonical.startswith("/static"):
            continue
        handler = route.handler
        view = getattr(importlib.import_module(handler.__module__), handler.__name__)
        assert inspect.iscoroutinefunction(view), (route.method, route.resource.canonical)
        named += 1
    assert named > 200


def test_the_rarely_used_views_are_not_imported_at_start() -> None:
    code = (
        "import sys, appliance.runtime.daemon, appliance.web.adapter, appliance.mail.intake\n"
        "print('\\n'.join(sys.modules))\n"
    )
    loaded = set(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                text=True).stdout.split())
    assert "appliance.web.tickets.queue_views" in loaded  # the hot path stays eager
    assert "appliance.web.frame.live" in loaded
    for rare in ("appliance.web.settings.settings_views", "appliance.web.reports.report_views",
                 "appliance.web.mailboxes.mailbox_edits", "appliance.web.privacy.privacy_views",
                 "appliance.web.setup.setup_wall", "appliance.web.tickets.ticket_views",
                 "nh3", "jinja2", "phonenumbers"):
        assert rare not in loaded, rare
