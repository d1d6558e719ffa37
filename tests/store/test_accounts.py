"""Accounts: scrypt password hashes, roles, and a password change that ends old sessions."""

from __future__ import annotations

from datetime import timedelta

import peewee as pw
import pytest

from appliance.spine.clock import ManualClock
from appliance.store.accounts import Accounts
from appliance.store.errors import InvalidInput, NotFound
from appliance.store.models import Agent
from appliance.store.passwords import (
    ScryptCost,
    hash_password,
    needs_rehash,
    verify_password,
)

FAST = ScryptCost(n=2**10, r=8, p=1)  # cheap for tests; the default is checked on its own


def test_hash_carries_its_parameters_and_a_random_salt() -> None:
    first = hash_password("oikea hevonen", FAST)
    second = hash_password("oikea hevonen", FAST)
    scheme, n, r, p, salt, digest = first.split("$")
    assert (scheme, n, r, p) == ("scrypt", "1024", "8", "1")
    assert salt and digest and first != second
    assert verify_password("oikea hevonen", first) and verify_password("oikea hevonen", second)
    assert not verify_password("oikea hevonen!", first)


def test_default_cost_hash_verifies() -> None:
    stored = hash_password("pitkä salasana")
    assert stored.startswith("scrypt$16384$8$1$")
    assert verify_password("pitkä salasana", stored)
    assert not needs_rehash(stored) and needs_rehash(hash_password("pitkä salasana", FAST))


@pytest.mark.parametrize("stored", [
    None, "", "plain", "scrypt$1024$8$1$c2FsdA", "md5$1$1$1$c2FsdA$c2FsdA",
    "scrypt$1000$8$1$c2FsdA$c2FsdA",  # n not a power of two
    "scrypt$1073741824$8$1$c2FsdA$c2FsdA",  # would need 128 GiB
    "scrypt$1024$8$1$!!$c2FsdA",
])
def test_malformed_or_hostile_hash_never_verifies(stored: str | None) -> None:
    assert not verify_password("whatever1", stored)


def test_short_password_refused() -> None:
    with pytest.raises(InvalidInput, match="at least 8"):
        hash_password("lyhyt", FAST)


def test_add_user_and_log_in(db: pw.Database, clock: ManualClock) -> None:
    accounts = Accounts(db, clock, cost=FAST)
    aino = accounts.add_user("Aino Agentti", " Aino ", "agent", "salasana123",
                             phone="040 1234567", sip_uri="sip:aino@pbx.example.fi")
    assert (aino.login, aino.phone, aino.role) == ("aino", "+358401234567", "agent")
    assert aino.password_hash is not None and "salasana123" not in aino.password_hash
    assert accounts.verify("AINO", "salasana123").id == aino.id  # type: ignore[union-attr]
    assert accounts.verify("aino", "salasana124") is None
    assert accounts.verify("nobody", "salasana123") is None
    Agent.update(active=False).where(Agent.id == aino.id).execute()
    assert accounts.verify("aino", "salasana123") is None


def test_bad_accounts_are_refused(db: pw.Database, clock: ManualClock) -> None:
    accounts = Accounts(db, clock, cost=FAST)
    accounts.add_user("Aino", "aino", "admin", "salasana123")
    with pytest.raises(InvalidInput, match="role"):
        accounts.add_user("Bertta", "bertta", "superuser", "salasana123")
    with pytest.raises(InvalidInput, match="taken"):
        accounts.add_user("Toinen Aino", "AINO", "agent", "salasana123")
    with pytest.raises(InvalidInput, match="login"):
        accounts.add_user("Tyhjä", "  ", "agent", "salasana123")
    with pytest.raises(InvalidInput, match="SIP"):
        accounts.add_user("Cecilia", "cecilia", "agent", "salasana123", sip_uri="cecilia@pbx")
    assert [a.login for a in Agent.select()] == ["aino"]


def test_password_change_moves_the_session_cutoff(db: pw.Database, clock: ManualClock) -> None:
    accounts = Accounts(db, clock, cost=FAST)
    aino = accounts.add_user("Aino", "aino", "agent", "salasana123")
    created_at = aino.password_changed_at
    clock.advance(timedelta(hours=2))
    accounts.change_password(aino.id, "uusi salasana")
    stored = Agent.get_by_id(aino.id)
    assert stored.password_changed_at == created_at + timedelta(hours=2)
    assert accounts.verify("aino", "salasana123") is None
    assert accounts.verify("aino", "uusi salasana") is not None
    with pytest.raises(NotFound):
        accounts.change_password(9999, "uusi salasana")


def test_login_rehashes_an_old_cost_without_ending_sessions(
    db: pw.Database, clock: ManualClock
) -> None:
    old = Accounts(db, clock, cost=FAST)
    aino = old.add_user("Aino", "aino", "agent", "salasana123")
    stronger = ScryptCost(n=2**11, r=8, p=1)
    clock.advance(timedelta(hours=1))
    assert Accounts(db, clock, cost=stronger).verify("aino", "salasana123") is not None
    stored = Agent.get_by_id(aino.id)
    assert stored.password_hash is not None and stored.password_hash.startswith("scrypt$2048$")
    assert stored.password_changed_at == aino.password_changed_at


def test_roles_and_teams(db: pw.Database, clock: ManualClock) -> None:
    accounts = Accounts(db, clock, cost=FAST)
    aino = accounts.add_user("Aino", "aino", "agent", "salasana123")
    accounts.join_team(aino.id, "Myynti")
    accounts.join_team(aino.id, "Huolto")
    accounts.join_team(aino.id, "Myynti")
    assert accounts.teams_of(aino.id) == ["Huolto", "Myynti"]
    assert accounts.set_role(aino.id, "admin").role == "admin"
    with pytest.raises(InvalidInput):
        accounts.set_role(aino.id, "root")
