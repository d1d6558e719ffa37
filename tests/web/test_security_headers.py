"""A strict Content-Security-Policy and nosniff on every response, and no inline script."""

from __future__ import annotations

import re

from aiohttp.test_utils import TestClient

from appliance.web.frame.rendering import TEMPLATE_DIR
from appliance.web.routes import STATIC_DIR
from tests.web.conftest import log_in


def _assert_strict(headers: object) -> None:
    csp = headers["Content-Security-Policy"]  # type: ignore[index]
    assert "default-src 'none'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"  # type: ignore[index]


async def test_every_kind_of_response_carries_the_headers(client: TestClient) -> None:
    responses = [
        await client.get("/login"),
        await client.get("/", allow_redirects=False),  # redirect
        await client.get("/api/stats"),  # 401
        await client.post("/login"),  # 403
        await client.get("/static/aspa.css"),
    ]
    await log_in(client)
    responses += [await client.get("/"), await client.get("/api/stats"),
                  await client.get("/no-such-page")]
    assert [r.status for r in responses] == [200, 302, 401, 403, 200, 200, 200, 404]
    for response in responses:
        _assert_strict(response.headers)
    assert responses[5].headers["Cache-Control"] == "no-store"


def test_templates_have_no_inline_script_or_style() -> None:
    for path in [*TEMPLATE_DIR.glob("*.html"), *STATIC_DIR.rglob("*.html")]:
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), path
        assert not re.search(r"\son[a-z]+=", text), path  # onclick= and friends
        assert not re.search(r"\sstyle=|<style", text), path
