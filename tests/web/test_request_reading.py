"""The per-request shortcuts read the same values as the full parsers would."""

from __future__ import annotations

from aiohttp.test_utils import make_mocked_request

from appliance.web.frame.cookie_header import cookie_named
from appliance.web.tickets.queue_filter import QueueFilter


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

