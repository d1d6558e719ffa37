"""Finnish and English: from the account, else the browser; every text has its translation."""

from __future__ import annotations

import json
import re
from pathlib import Path

from aiohttp.test_utils import TestClient

from appliance.store.models import Agent
from appliance.store.worker import StoreWorker
from appliance.web.frame.i18n import CATALOGUE_DIR, from_accept_language
from tests.web.conftest import log_in

WEB_DIR = Path(CATALOGUE_DIR).parent
LITERAL_TEXT = re.compile(r"""\bt\((["'])(.+?)\1""")


def test_every_literal_text_has_a_finnish_translation() -> None:
    finnish = json.loads((CATALOGUE_DIR / "fi.json").read_text(encoding="utf-8"))
    missing = set()
    for path in [*WEB_DIR.glob("templates/*.html"), *WEB_DIR.glob("*.py")]:
        for match in LITERAL_TEXT.finditer(path.read_text(encoding="utf-8")):
            text = match.group(2)
            if text not in finnish and not text.endswith(":"):
                missing.add(text)
    assert not missing, f"add to fi.json: {sorted(missing)}"


def test_the_browser_language_is_read_by_quality() -> None:
    assert from_accept_language("fi-FI,fi;q=0.9,en;q=0.8") == "fi"
    assert from_accept_language("sv;q=1, en;q=0.5, fi;q=0.7") == "fi"
    assert from_accept_language("de, sv") is None
    assert from_accept_language("fi;q=0, en") == "en"
    assert from_accept_language("fi;q=x") is None


async def test_the_login_page_follows_the_browser(client: TestClient) -> None:
    finnish = await client.get("/login", headers={"Accept-Language": "fi-FI,fi;q=0.9"})
    assert "Kirjaudu" in await finnish.text()
    english = await client.get("/login", headers={"Accept-Language": "en-GB"})
    assert "Log in" in await english.text()


async def test_a_chosen_language_stays_with_the_account(
    client: TestClient, store: StoreWorker, admin_id: int
) -> None:
    token = await log_in(client)
    response = await client.post("/language", data={"csrf_token": token, "language": "fi",
                                                      "next": "/presence"},
                                 allow_redirects=False)
    assert response.headers["Location"] == "/presence"
    page = await (await client.get("/", headers={"Accept-Language": "en"})).text()
    assert '<html lang="fi">' in page and "Ota seuraava" in page
    saved = await store.call(lambda: Agent.get_by_id(admin_id).language)
    assert saved == "fi"
    refused = await client.post("/language", data={"csrf_token": token, "language": "sv"})
    assert refused.status == 400
