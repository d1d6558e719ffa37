"""Password guessing is braked: five failures in five minutes and the next try waits."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from aiohttp.test_utils import TestClient

from appliance.spine.clock import ManualClock
from appliance.web.frame.auth import FAILURE_WINDOW, MAX_FAILURES, LoginThrottle
from tests.web.conftest import ADMIN_PASSWORD, login_token


async def _try(client: TestClient, token: str, password: str, login: str = "admin") -> int:
    response = await client.post("/login", allow_redirects=False,
                                 data={"login": login, "password": password, "csrf_token": token})
    return response.status


async def test_the_right_password_waits_after_too_many_wrong_ones(
    client: TestClient, clock: ManualClock
) -> None:
    token = await login_token(client)
    for _ in range(MAX_FAILURES):
        assert await _try(client, token, "guess-guess") == 401
    blocked = await client.post("/login", data={"login": "admin", "password": ADMIN_PASSWORD,
                                                "csrf_token": token}, allow_redirects=False)
    assert blocked.status == 429
    assert int(blocked.headers["Retry-After"]) == int(FAILURE_WINDOW.total_seconds())
    assert "Too many failed logins" in await blocked.text()
    clock.advance(FAILURE_WINDOW - timedelta(seconds=1))
    assert await _try(client, token, ADMIN_PASSWORD) == 429
    clock.advance(timedelta(seconds=1))
    assert await _try(client, token, ADMIN_PASSWORD) == 303


async def test_spreading_guesses_over_logins_does_not_escape_the_brake(
    client: TestClient,
) -> None:
    token = await login_token(client)
    for i in range(MAX_FAILURES):
        assert await _try(client, token, "guess-guess", login=f"user{i}") == 401
    # the source address is braked too, whatever login it tries next
    assert await _try(client, token, ADMIN_PASSWORD) == 429


def test_a_success_clears_the_login_and_forgives_one_for_the_address() -> None:
    clock = ManualClock()
    throttle = LoginThrottle(clock, max_failures=3)
    throttle.failed("addr:10.0.0.5", "login:anna")
    throttle.failed("addr:10.0.0.5", "login:anna")
    throttle.failed("addr:10.0.0.5", "login:anna")  # the attempt that turns out right
    throttle.succeeded("login:anna")
    throttle.forgive_last("addr:10.0.0.5")
    assert throttle.blocked_for("login:anna") == 0
    assert throttle.blocked_for("addr:10.0.0.5") == 0
    throttle.failed("addr:10.0.0.5", "login:bengt")
    assert throttle.blocked_for("addr:10.0.0.5") == FAILURE_WINDOW.total_seconds()
    assert throttle.blocked_for("login:bengt") == 0


async def test_guesses_sent_in_parallel_are_braked_too(client: TestClient) -> None:
    token = await login_token(client)
    statuses = await asyncio.gather(
        *(_try(client, token, f"guess-{i}-guess") for i in range(3 * MAX_FAILURES)))
    assert statuses.count(401) == MAX_FAILURES
    assert statuses.count(429) == 2 * MAX_FAILURES


async def test_logging_in_often_from_one_address_is_not_braked(client: TestClient) -> None:
    for _ in range(2 * MAX_FAILURES):
        client.session.cookie_jar.clear()
        token = await login_token(client)
        assert await _try(client, token, ADMIN_PASSWORD) == 303


def test_old_failures_slide_out_of_the_window() -> None:
    clock = ManualClock()
    throttle = LoginThrottle(clock, max_failures=2, window=timedelta(minutes=1))
    throttle.failed("login:anna")
    clock.advance(50)
    throttle.failed("login:anna")
    assert throttle.blocked_for("login:anna") == 10
    clock.advance(10)
    assert throttle.blocked_for("login:anna") == 0
