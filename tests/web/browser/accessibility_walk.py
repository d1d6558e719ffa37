"""The walk over pages that the accessibility tests share: each page checked by axe-core,
its language and its layout at two widths, and with ASPA_SCREENSHOTS=1 pictured."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.web.browser.axe_check import (
    clipped_text,
    load_axe,
    serious_violations,
    violations_text,
)
from tests.web.browser.conftest import WAIT_MS, Site, log_in
from tests.web.browser.page_tour import TourPage

WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
TAKE_SCREENSHOTS = os.environ.get("ASPA_SCREENSHOTS") == "1"
# -k english / -k finnish picks one language (scripts/screenshots takes -k "not finnish")
LANGUAGES = pytest.mark.parametrize("language", [pytest.param("en", id="english"),
                                                 pytest.param("fi", id="finnish")])
PAGE_LOAD_MS = 30_000  # the settings page is long, and the machine may be busy


async def in_language(page: Any, language: str) -> None:
    """Switch the pages to `language` with the header's button, if they are not in it."""
    if await page.get_attribute("html", "lang") != language:
        await page.click("form.lang button")
        await page.wait_for_selector(f"html[lang='{language}']")


async def walk(browser: Any, site: Site, pages: list[TourPage], language: str, *,
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
        await in_language(page, language)
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
            problems += await check_page(page, where, language, shot)
    finally:
        await context.close()
    return problems


async def check_page(page: Any, where: str, language: str, shot: str) -> list[str]:
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


def fail_on(problems: list[str]) -> None:
    """Fail the test with every problem found, one a line."""
    if problems:
        pytest.fail("accessibility problems:\n" + "\n".join(problems), pytrace=False)
