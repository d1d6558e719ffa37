"""The per-request shortcuts read the same values as the full parsers would."""

from __future__ import annotations

from datetime import timedelta

from aiohttp.test_utils import make_mocked_request

from appliance.clock import ManualClock
from appliance.web.cookie_header import cookie_named
from appliance.web.queue_filter import QueueFilter
from appliance.web.sessions import SessionStore, SignedIn


def test_one_cookie_is_found_among_others() -> None:
    request = make_mocked_request("GET", "/", headers={
        "Cookie": "theme=dark; aspa_session=abc.123;aspa_lang=fi; x_aspa_session=no"})
    assert cookie_named(request, "aspa_session") == "abc.123"
    assert cookie_named(request, "aspa_lang") == "fi"
    assert cookie_named(request, "missing") == ""
    assert cookie_named(make_mocked_request("GET", "/"), "aspa_session") == ""
    lookalike = make_mocked_request("GET", "/", headers={"Cookie": "x_aspa_session=no"})
    assert cookie_named(lookalike, "aspa_session") == ""


def test_the_raw_query_gives_the_same_filter_as_the_parsed_one() -> None:
    for raw in ("", "channel=sms&team=3", "assignee=me&status=new&channel=fax",
                "channel=email&channel=sms", "team=%33&assignee=none", "status=open&empty=1"):
        parsed = make_mocked_request("GET", "/?" + raw).query
        assert QueueFilter.from_raw_query(raw) == QueueFilter.from_query(parsed), raw
    assert QueueFilter.from_raw_query("team=%33").team_id == 3


def test_only_the_issued_cookie_finds_its_session() -> None:
    store = SessionStore(b"k" * 32, ManualClock(), timedelta(hours=1))
    session = store.create(SignedIn(agent_id=1, login="anna", name="Anna", role="agent"))
    cookie = store.cookie_value(session)
    assert store.find(cookie) is session
    session_id, _, signature = cookie.partition(".")
    tampered = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    assert store.find(f"{session_id}.{tampered}") is None
    assert store.find(session_id) is None
    store.end(session)
    assert store.find(cookie) is None
