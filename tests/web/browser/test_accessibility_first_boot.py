"""The first-boot page (no admin yet) in Finnish and English: axe-core finds nothing serious
or critical, the page says its language, no text is cut off at 1280 or 390 px.

Its own module: peewee binds the models to one database at a time, so the box at first
boot and the filled box of test_accessibility.py are never open together.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from tests.web.browser.accessibility_walk import LANGUAGES, fail_on, walk
from tests.web.browser.conftest import Site
from tests.web.browser.page_tour import FIRST_BOOT, tour_site

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def first_boot() -> AsyncIterator[Site]:
    async with tour_site(with_admin=False) as (site, _):
        yield site


@LANGUAGES
async def test_the_first_boot_page(browser: Any, first_boot: Site, language: str) -> None:
    fail_on(await walk(browser, first_boot, [FIRST_BOOT], language, who=None,
                       shots="first-boot-"))
