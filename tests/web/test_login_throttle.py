"""Password guessing is braked per address and per login, with waits that double; the brake
cannot lock a user out from another host, and a restart forgets none of it."""

from __future__ import annotations

import asyncio
import secrets
from datetime import timedelta

from aiohttp.test_utils import TestClient, TestServer

from appliance.spine.clock import ManualClock
from appliance.store.models import LoginBrake as LoginBrakeRow
from appliance.store.worker import StoreWorker
from appliance.web.app import make_app
from appliance.web.frame.login_brake import (
    FIRST_WAIT,
    FORGET_AFTER,
    FREE_FAILURES,
    LONGEST_WAIT,
    LoginBrake,
)
from appliance.web.frame.login_brake_rows import load_brakes, save_brake
from appliance.web.frame.store_backend import StoreWebBackend
from tests.web.conftest import ADMIN_PASSWORD, login_token

ATTACKER = "10.0.0.66"
DESK = "10.0.0.5"


async def _try(client: TestClient, token: str, password: str, login: str = "admin") -> int:
    response = await client.post("/login", allow_redirects=False,
                                 data={"login": login, "password": password, "csrf_token": token})
    return response.status


async def test_the_right_password_waits_after_too_many_wrong_ones(
    client: TestClient, clock: ManualClock
) -> None:
    token = await login_token(client)
    for _ in range(FREE_FAILURES):
        assert await _try(client, token, "guess-guess") == 401
    blocked = await client.post("/login", data={"login": "admin", "password": ADMIN_PASSWORD,
                                                "csrf_token": token}, allow_redirects=False)
    assert blocked.status == 429
    assert int(blocked.headers["Retry-After"]) == int(FIRST_WAIT.total_seconds())
    assert "Too many failed logins" in await blocked.text()
    clock.advance(FIRST_WAIT - timedelta(seconds=1))
    assert await _try(client, token, ADMIN_PASSWORD) == 429
    clock.advance(timedelta(seconds=1))
    assert await _try(client, token, ADMIN_PASSWORD) == 303


async def test_spreading_guesses_over_logins_does_not_escape_the_brake(
    client: TestClient,
) -> None:
    token = await login_token(client)
    for i in range(FREE_FAILURES):
        assert await _try(client, token, "guess-guess", login=f"user{i}") == 401
    # the source address is braked too, whatever login it tries next
    assert await _try(client, token, ADMIN_PASSWORD) == 429


async def test_guesses_sent_in_parallel_are_braked_too(client: TestClient) -> None:
    token = await login_token(client)
    statuses = await asyncio.gather(
        *(_try(client, token, f"guess-{i}-guess") for i in range(3 * FREE_FAILURES)))
    assert statuses.count(401) == FREE_FAILURES
    assert statuses.count(429) == 2 * FREE_FAILURES


async def test_logging_in_often_from_one_address_is_not_braked(client: TestClient) -> None:
    for _ in range(2 * FREE_FAILURES):
        client.session.cookie_jar.clear()
        token = await login_token(client)
        assert await _try(client, token, ADMIN_PASSWORD) == 303


def test_each_failure_past_the_free_ones_doubles_the_wait_up_to_the_longest() -> None:
    clock = ManualClock()
    brake = LoginBrake(clock)
    waits = []
    for _ in range(FREE_FAILURES + 10):
        brake.failed("admin", ATTACKER)
        waits.append(brake.wait_for("admin", ATTACKER))
    first = FIRST_WAIT.total_seconds()
    assert waits[:FREE_FAILURES - 1] == [0.0] * (FREE_FAILURES - 1)
    assert waits[FREE_FAILURES - 1:FREE_FAILURES + 3] == [first, 2 * first, 4 * first, 8 * first]
    assert waits[-1] == LONGEST_WAIT.total_seconds()


def test_guesses_from_one_host_do_not_lock_the_user_out_from_another() -> None:
    clock = ManualClock()
    brake = LoginBrake(clock)
    for _ in range(50):
        brake.failed("Admin", ATTACKER)  # the login's case does not escape the count
    assert brake.wait_for("admin", ATTACKER) == LONGEST_WAIT.total_seconds()
    assert brake.wait_for("admin", DESK) == 0.0  # the desk typed nothing wrong
    brake.failed("admin", DESK)  # the admin's attempt, counted while it is checked ...
    brake.succeeded("admin", DESK)  # ... and right
    assert brake.wait_for("admin", DESK) == 0.0
    assert brake.wait_for("admin", ATTACKER) == LONGEST_WAIT.total_seconds()


def test_guesses_spread_over_many_hosts_hold_back_each_host_that_failed() -> None:
    clock = ManualClock()
    brake = LoginBrake(clock)
    hosts = [f"10.0.1.{i}" for i in range(FREE_FAILURES + 2)]
    for host in hosts:
        brake.failed("admin", host)  # one guess each: no single host is over its count
    assert all(brake.wait_for("admin", host) > 0 for host in hosts)
    assert brake.wait_for("admin", DESK) == 0.0
    assert brake.wait_for("bengt", hosts[0]) == 0.0  # another login from that host is not held


def test_a_day_without_failures_forgets_the_count() -> None:
    clock = ManualClock()
    brake = LoginBrake(clock)
    for _ in range(FREE_FAILURES + 3):
        brake.failed("admin", ATTACKER)
    clock.advance(FORGET_AFTER)
    assert brake.wait_for("admin", ATTACKER) == 0.0
    brake.failed("admin", ATTACKER)
    assert brake.wait_for("admin", ATTACKER) == 0.0  # one failure, counted afresh


async def test_the_database_keeps_hashes_not_the_logins_typed(store: StoreWorker) -> None:
    clock = ManualClock()
    saved: list[tuple[str, int, object]] = []
    brake = LoginBrake(clock, save=lambda *row: saved.append(row))
    brake.failed("my-secret-password-typed-as-login", ATTACKER)
    for key, failures, last in saved:
        await store.call(save_brake, key, failures, last)  # type: ignore[arg-type]
    stored = await store.call(
        lambda: [str(key) for (key,) in LoginBrakeRow.select(LoginBrakeRow.key).tuples()])
    assert len(stored) == 3
    assert all(len(key) == 64 and "secret" not in key and ATTACKER not in key for key in stored)
    reloaded = LoginBrake(clock)
    reloaded.load(await store.call(load_brakes, clock.now() - FORGET_AFTER))
    for _ in range(FREE_FAILURES - 1):
        reloaded.failed("my-secret-password-typed-as-login", ATTACKER)
    assert reloaded.wait_for("my-secret-password-typed-as-login", ATTACKER) > 0


async def test_a_restart_forgets_no_failed_login(
    backend: StoreWebBackend, clock: ManualClock
) -> None:
    app = make_app(backend, secret_key=secrets.token_bytes(32), clock=clock)
    async with TestClient(TestServer(app)) as client:
        token = await login_token(client)
        for _ in range(FREE_FAILURES):
            assert await _try(client, token, "guess-guess") == 401
    restarted = make_app(backend, secret_key=secrets.token_bytes(32), clock=clock)
    async with TestClient(TestServer(restarted)) as client:
        token = await login_token(client)
        assert await _try(client, token, ADMIN_PASSWORD) == 429
        clock.advance(FIRST_WAIT)
        assert await _try(client, token, ADMIN_PASSWORD) == 303
    # the pair's count went with the right password; the address's and the login's keep
    # their five failures (the right attempt itself was taken back)
    assert await backend.store.call(lambda: LoginBrakeRow.select().count()) == 2
