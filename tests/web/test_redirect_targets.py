"""After login, a language change or a presence change the box sends the browser back only
to one of its own pages: a target is parsed, and anything that a browser could read as
another host is refused, however it is written."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from appliance.web.frame.auth import safe_next
from tests.web.conftest import ADMIN_PASSWORD, log_in, login_token

HOSTILE = [
    "//evil.example/phish",
    "/\t/evil.example/phish",  # browsers drop tabs and newlines inside a URL
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/\\evil.example",  # and read a backslash as a slash
    "\\\\evil.example",
    "/\\/evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "evil.example",
    "/%2F/evil.example",  # the same, percent-encoded
    "/%09/evil.example",
    "/%5Cevil.example",
    "/%0d%0aSet-Cookie:%20x=1",
    "/\x00/evil.example",
    "/\x7f/evil.example",
    " //evil.example",
    "",
    "/" + "a" * 5000,
]
OWN = ["/", "/tickets/12", "/presence", "/?q=m%C3%A4k%C3%A4r%C3%A4#top", "/api/stats?x=1"]


@pytest.mark.parametrize("target", HOSTILE)
def test_a_target_another_host_could_hide_in_goes_home(target: str) -> None:
    assert safe_next(target) == "/"


@pytest.mark.parametrize("target", OWN)
def test_a_page_of_the_box_is_kept(target: str) -> None:
    assert safe_next(target) == target


async def test_login_language_and_presence_refuse_to_send_the_browser_away(
    client: TestClient,
) -> None:
    for target in ("/\t/evil.example/phish", "/\\evil.example", "/%2F/evil.example"):
        client.session.cookie_jar.clear()
        token = await login_token(client)
        response = await client.post(
            "/login", allow_redirects=False,
            data={"login": "admin", "password": ADMIN_PASSWORD, "csrf_token": token,
                  "next": target})
        assert response.status == 303
        assert response.headers["Location"] == "/"
    token = await log_in(client)
    language = await client.post("/language", allow_redirects=False,
                                 data={"language": "fi", "next": "/\t/evil.example",
                                       "csrf_token": token})
    assert language.status == 303
    assert language.headers["Location"] == "/"
    presence = await client.post("/presence", allow_redirects=False,
                                 data={"presence": "busy", "next": "/\\/evil.example",
                                       "csrf_token": token})
    assert presence.status == 303
    assert presence.headers["Location"] == "/"
