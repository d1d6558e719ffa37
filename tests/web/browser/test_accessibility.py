"""Every page, as an admin, an agent, signed out and on a wall screen, in Finnish and English:
axe-core finds nothing serious or critical, the page says its language, and no text is cut
off at 1280 or 390 px. With ASPA_SCREENSHOTS=1 the English walk also writes the screenshots
of docs/screenshots/ (see its README.md). The first-boot page has its own module."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from tests.web.browser.accessibility_walk import (
    LANGUAGES,
    PAGE_LOAD_MS,
    WIDE,
    check_page,
    fail_on,
    walk,
)
from tests.web.browser.axe_check import load_axe
from tests.web.browser.conftest import ADMIN, AGENT, WAIT_MS, Site, log_in
from tests.web.browser.page_tour import (
    AGENT_SHOTS,
    Tour,
    admin_pages,
    agent_pages,
    signed_out_pages,
    tour_site,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def tour() -> AsyncIterator[tuple[Site, Tour]]:
    async with tour_site() as (site, filled):
        assert filled is not None
        yield site, filled


@LANGUAGES
async def test_every_admin_page(browser: Any, tour: tuple[Site, Tour], language: str) -> None:
    site, filled = tour
    fail_on(await walk(browser, site, admin_pages(filled), language, who=ADMIN, shots="admin-"))


@LANGUAGES
async def test_every_agent_page(browser: Any, tour: tuple[Site, Tour], language: str) -> None:
    site, filled = tour
    fail_on(await walk(browser, site, agent_pages(filled), language, who=AGENT, shots="agent-",
                       shot_only=AGENT_SHOTS))


@LANGUAGES
async def test_the_pages_before_login(browser: Any, tour: tuple[Site, Tour],
                                      language: str) -> None:
    site, _ = tour
    fail_on(await walk(browser, site, signed_out_pages(), language, who=None, shots=""))


async def test_a_wall_screen_paired_and_unpaired(browser: Any, tour: tuple[Site, Tour]) -> None:
    site, _ = tour
    admin_side = await browser.new_context(viewport=WIDE)
    tv_side = await browser.new_context(viewport=WIDE)
    await load_axe(tv_side)
    admin, tv = await admin_side.new_page(), await tv_side.new_page()
    for page in (admin, tv):
        page.set_default_timeout(WAIT_MS)
        page.set_default_navigation_timeout(PAGE_LOAD_MS)
    admin.on("dialog", lambda dialog: dialog.accept())
    problems: list[str] = []
    try:
        await log_in(admin, site, ADMIN)
        await admin.goto(site.url + "/admin/wall-screens")
        await admin.fill("form.stack input[name=name]", "Reception TV")
        await admin.click("form.stack button[type=submit]")
        link = await admin.get_attribute("#wall-link", "href")
        assert link
        await tv.goto(link)
        await tv.wait_for_url(site.url + "/wallboard")
        language = await tv.get_attribute("html", "lang") or "none"
        assert language in ("en", "fi")  # the box's own, with no choice on the screen
        problems += await check_page(tv, f"wall screen (/wallboard, {language})", language,
                                     "wall-screen-tv")
        await admin.goto(site.url + "/admin/wall-screens")
        await admin.click("#wall-screens tr:has-text('Reception TV') button[type=submit]")
        await admin.wait_for_selector("#wall-revoked")
        await tv.wait_for_selector("#wall-unpaired")
        problems += await check_page(tv, f"unpaired wall screen ({language})", language,
                                     "wall-screen-unpaired")
    finally:
        await admin_side.close()
        await tv_side.close()
    fail_on(problems)
