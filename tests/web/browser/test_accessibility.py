"""Every page, as an admin, an agent, signed out and at first boot, in Finnish and English:
axe-core finds nothing serious or critical, the page says its language, and no text is cut
off at 1280 or 390 px. With ASPA_SCREENSHOTS=1 the English walk also writes the screenshots
of docs/screenshots/ (see its README.md)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.web.browser.axe_check import (
    clipped_text,
    load_axe,
    serious_violations,
    violations_text,
)
from tests.web.browser.conftest import ADMIN, AGENT, WAIT_MS, Site, log_in
from tests.web.browser.page_tour import (
    AGENT_SHOTS,
    FIRST_BOOT,
    Tour,
    TourPage,
    admin_pages,
    agent_pages,
    signed_out_pages,
    tour_site,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")

WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
TAKE_SCREENSHOTS = os.environ.get("ASPA_SCREENSHOTS") == "1"
# -k english / -k finnish picks one language (scripts/screenshots takes -k english)
LANGUAGES = pytest.mark.parametrize("language", [pytest.param("en", id="english"),
                                                 pytest.param("fi", id="finnish")])
PAGE_LOAD_MS = 30_000  # the settings page is long, and the machine may be busy


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def tour() -> AsyncIterator[tuple[Site, Tour]]:
    async with tour_site() as (site, filled):
        assert filled is not None
        yield site, filled


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def first_boot() -> AsyncIterator[Site]:
    async with tour_site(with_admin=False) as (site, _):
        yield site


async def _in_language(page: Any, language: str) -> None:
    """Switch the pages to `language` with the header's button, if they are not in it."""
    if await page.get_attribute("html", "lang") != language:
        await page.click("form.lang button")
        await page.wait_for_selector(f"html[lang='{language}']")


async def _walk(browser: Any, site: Site, pages: list[TourPage], language: str, *,
                who: tuple[str, str] | None, shots: str,
                shot_only: tuple[str, ...] = ()) -> list[str]:
    """Open each page and say what is wrong with it.

    With ASPA_SCREENSHOTS=1 the English walk writes `{shots}{page}-{width}.png` of every
    page (or of those named in `shot_only`) into docs/screenshots/.
    """
    context = await browser.new_context(viewport=WIDE)
    await load_axe(context)
    page = await context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.set_default_navigation_timeout(PAGE_LOAD_MS)
    problems: list[str] = []
    try:
        if who is not None:
            await log_in(page, site, who)
        else:
            await page.goto(site.url + pages[0].path)
        await _in_language(page, language)
        for shown in pages:
            where = f"{shown.name} ({shown.path}, {language})"
            await page.set_viewport_size(WIDE)
            await page.goto(site.url + shown.path)
            if shown.send:
                for field, text in shown.typed:
                    await page.fill(field, text)
                async with page.expect_navigation():
                    await page.click(shown.send)
                await page.wait_for_selector(shown.shows)
            shot = f"{shots}{shown.name}" if not shot_only or shown.name in shot_only else ""
            problems += await _check_page(page, where, language, shot)
    finally:
        await context.close()
    return problems


async def _check_page(page: Any, where: str, language: str, shot: str) -> list[str]:
    """What is wrong with the page as it stands; with ASPA_SCREENSHOTS=1 and a `shot` name,
    its English pictures at both widths go to docs/screenshots/."""
    problems = []
    lang = await page.get_attribute("html", "lang")
    if lang != language:
        problems.append(f"{where}: <html lang={lang!r}>")
    violations = await serious_violations(page)
    if violations:
        problems.append(violations_text(where, violations))
    for size in (WIDE, PHONE):
        await page.set_viewport_size(size)
        problems.extend(f"{where} at {size['width']} px: {cut}"
                        for cut in await clipped_text(page))
        if TAKE_SCREENSHOTS and language == "en" and shot:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(SCREENSHOTS / f"{shot}-{size['width']}.png"),
                                  full_page=True)
    await page.set_viewport_size(WIDE)
    return problems


def _fail_on(problems: list[str]) -> None:
    if problems:
        pytest.fail("accessibility problems:\n" + "\n".join(problems), pytrace=False)


@LANGUAGES
async def test_every_admin_page(browser: Any, tour: tuple[Site, Tour], language: str) -> None:
    site, filled = tour
    _fail_on(await _walk(browser, site, admin_pages(filled), language, who=ADMIN, shots="admin-"))


@LANGUAGES
async def test_every_agent_page(browser: Any, tour: tuple[Site, Tour], language: str) -> None:
    site, filled = tour
    _fail_on(await _walk(browser, site, agent_pages(filled), language, who=AGENT, shots="agent-",
                           shot_only=AGENT_SHOTS))


@LANGUAGES
async def test_the_pages_before_login(browser: Any, tour: tuple[Site, Tour],
                                      language: str) -> None:
    site, _ = tour
    _fail_on(await _walk(browser, site, signed_out_pages(), language, who=None,
                           shots=""))


@LANGUAGES
async def test_the_first_boot_page(browser: Any, first_boot: Site, language: str) -> None:
    _fail_on(await _walk(browser, first_boot, [FIRST_BOOT], language,
                         who=None, shots="first-boot-"))


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
        problems += await _check_page(tv, f"wall screen (/wallboard, {language})", language,
                                      "wall-screen-tv")
        await admin.goto(site.url + "/admin/wall-screens")
        await admin.click("#wall-screens tr:has-text('Reception TV') button[type=submit]")
        await admin.wait_for_selector("#wall-revoked")
        await tv.wait_for_selector("#wall-unpaired")
        problems += await _check_page(tv, f"unpaired wall screen ({language})", language,
                                      "wall-screen-unpaired")
    finally:
        await admin_side.close()
        await tv_side.close()
    _fail_on(problems)
