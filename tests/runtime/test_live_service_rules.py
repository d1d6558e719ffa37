"""Routing by customer, escalation and SLA targets saved on the settings page change what the
running daemon does at once, without a restart.

A real daemon runs in this process with its web page on a free port and its own manual
clock; the admin uses the forms as a browser would (CSRF tokens, form posts).
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

from aiohttp import ClientSession

from appliance.presence import Presence, set_presence
from appliance.runtime.daemon import Daemon
from appliance.runtime.escalation_watch import EscalationWatch
from appliance.store.customers import CustomerDirectory
from appliance.store.models import Customer, Quarantine, Ticket
from tests.daemon_box import make_box
from tests.gsm.line_harness import eventually
from tests.peers.dovecot import ImapAccount
from tests.runtime.live_box import daemon_on_manual_clock, settings_token

RULES_TOML = """
[sla]
business_hours_only = false  # every minute counts: the test moves the clock by hours

[[agents]]
login = "anna"
name = "Anna"
phone = "+358501000001"

[[agents]]
login = "pekka"
name = "Pekka"
phone = "+358501000002"
"""
WAIT_S = 20.0  # generous: a loaded machine is slow to connect a mailbox


def _mail(number: int, headers: str = "") -> bytes:
    return (f"From: Maija <maija@example.fi>\r\nTo: tuki@example.fi\r\n{headers}"
            f"Subject: Kysymys {number}\r\nMessage-ID: <sla-terms-{number}@example.fi>\r\n"
            f"Date: Mon, 07 Dec 2026 09:00:00 +0200\r\n\r\nHei.\r\n").encode()


async def _save(session: ClientSession, form: str, fields: dict[str, str]) -> None:
    token = await settings_token(session)
    response = await session.post(f"/admin/settings/{form}", data={"csrf_token": token,
                                                                   **fields},
                                  allow_redirects=False)
    assert response.status == 303, await response.text()
    assert response.headers["Location"] == f"/admin/settings?saved=1#{form}"
    page = await (await session.get("/admin/settings?saved=1")).text()
    assert "Saved and in use now: no restart needed." in page


async def _vip_of(daemon: Daemon, manager: str) -> int:
    """A VIP customer whose account manager is `manager`."""
    store, board = daemon.store, daemon.switchboard
    assert store is not None and board is not None
    directory = CustomerDirectory(store.db)
    customer, _ = await store.call(directory.find_or_create, "phone", "+358409998877")
    await store.call(lambda: Customer.update(vip=True, account_manager=board.agent_id(manager))
                     .where(Customer.id == customer.id).execute())
    return int(customer.id)


def _next_id(daemon: Daemon, agent_id: int) -> str | None:
    """The item the switchboard would hand this agent now."""
    assert daemon.switchboard is not None
    item = daemon.switchboard.next_for(agent_id)
    return item.id if item is not None else None


async def _filed(daemon: Daemon) -> None:
    """Everything published so far is in the switchboard's queue."""
    assert daemon.switchboard is not None
    await daemon.bus.drain()
    await daemon.switchboard.caught_up()


async def test_routing_saved_on_the_page_routes_the_next_work_and_lets_held_work_go(
    tmp_path: Path
) -> None:
    box = make_box(tmp_path, extra_toml=RULES_TOML)
    async with daemon_on_manual_clock(box) as (daemon, session, _clock):
        board, tickets = daemon.switchboard, daemon.tickets
        assert board is not None and tickets is not None
        anna, pekka = board.agent_id("anna"), board.agent_id("pekka")
        assert anna is not None and pekka is not None
        for agent in (anna, pekka):
            board.change_presence(agent, lambda s, now: set_presence(s, Presence.AVAILABLE, now),
                                  source="test")
        vip = await _vip_of(daemon, "anna")
        before = await tickets.open_ticket("sms", "Ennen", vip)
        await _filed(daemon)
        held = board.item(f"ticket:{before.id}")
        assert held is not None and held.priority.value == "high"  # the default rules
        assert held.offered_to == anna and _next_id(daemon, pekka) != held.id

        await _save(session, "routing", {"vip_priority": "urgent", "account_manager": "off",
                                         "offer_first_minutes": "10",
                                         "managers_for_vips_only": "0"})
        # the work held for Anna is everyone's at once, not when her ten minutes are up
        let_go = board.item(f"ticket:{before.id}")
        assert let_go is not None and let_go.offered_to is None
        assert _next_id(daemon, pekka) == let_go.id  # a VIP's high work comes first
        after = await tickets.open_ticket("sms", "Jälkeen", vip)
        await _filed(daemon)
        item = board.item(f"ticket:{after.id}")
        assert item is not None and item.priority.value == "urgent"
        assert item.offered_to is None
        assert daemon.supervisor.named("web") is not None  # nothing restarted the daemon


async def test_escalation_saved_on_the_page_acts_at_the_next_breach(tmp_path: Path) -> None:
    box = make_box(tmp_path, extra_toml=RULES_TOML)
    async with daemon_on_manual_clock(box) as (daemon, session, clock):
        board, tickets = daemon.switchboard, daemon.tickets
        assert board is not None and tickets is not None
        watch = daemon.supervisor.named("escalation")
        assert isinstance(watch, EscalationWatch)
        ticket = await tickets.open_ticket("sms", "Tavallinen")  # normal: 240 min to reply
        await _filed(daemon)
        await _save(session, "escalation", {"warn_at_percent": "50", "breach_priority": "high",
                                            "breach_reassign": "pekka",
                                            "breach_tell_team": "1"})
        clock.advance(timedelta(minutes=241))
        await watch.check_once()
        await _filed(daemon)
        item = board.item(f"ticket:{ticket.id}")
        # raised to high (the default would be urgent) and given to Pekka (the default: kept)
        assert item is not None and item.priority.value == "high"
        assert item.assignee_id == board.agent_id("pekka")


async def test_new_sla_targets_reach_the_ticket_book_and_a_new_check_period_the_watch(
    tmp_path: Path
) -> None:
    box = make_box(tmp_path, extra_toml=RULES_TOML)
    async with daemon_on_manual_clock(box) as (daemon, session, clock):
        tickets, watch = daemon.tickets, daemon.supervisor.named("escalation")
        assert tickets is not None and isinstance(watch, EscalationWatch)
        await _save(session, "sla", {"normal.first_response_minutes": "15",
                                     "normal.resolution_minutes": "60",
                                     "business_hours_only": "0"})
        ticket = await tickets.open_ticket("sms", "Nopeasti")
        assert ticket.first_response_due == clock.now() + timedelta(minutes=15)
        # the check period is an installer's setting in aspa.toml: applied live all the same
        config = daemon.config
        faster = dataclasses.replace(config, escalation=dataclasses.replace(
            config.escalation, check_seconds=5))
        applied = await daemon.live.apply(faster)
        assert watch.every_s == 5.0 and "escalation" in applied.restarted
        assert daemon.supervisor.named("escalation") is watch


async def test_new_sla_targets_reach_the_tickets_the_mail_intake_opens(
    tmp_path: Path, imap_account: ImapAccount
) -> None:
    mailbox = f"""
[[mail.mailboxes]]
name = "tuki"
host = "{imap_account.host}"
port = {imap_account.port}
security = "none"
user = "{imap_account.user}"
password = "{imap_account.password}"

[sla.normal]  # not the built-in 240 minutes: the intake must be told
first_response_minutes = 45
resolution_minutes = 600
"""
    box = make_box(tmp_path, extra_toml=RULES_TOML + mailbox)
    async with daemon_on_manual_clock(box) as (daemon, session, _clock):
        store, mail = daemon.store, daemon.supervisor.named("mail")
        assert store is not None and mail is not None

        async def first_reply_due(subject: str) -> timedelta | None:
            row = await store.call(lambda: Ticket.get_or_none(Ticket.subject == subject))
            if row is None:
                return None
            return row.first_response_due - row.created_at  # type: ignore[no-any-return]

        imap_account.append(_mail(1))
        await eventually(lambda: first_reply_due("Kysymys 1"), WAIT_S)
        assert await first_reply_due("Kysymys 1") == timedelta(minutes=45)
        await _save(session, "sla", {"normal.first_response_minutes": "20",
                                     "normal.resolution_minutes": "600"})
        imap_account.append(_mail(2))
        await eventually(lambda: first_reply_due("Kysymys 2"), WAIT_S)
        assert await first_reply_due("Kysymys 2") == timedelta(minutes=20)
        assert daemon.supervisor.named("mail") is mail  # the mailbox was not reconnected
        # an auto-reply waits in quarantine; replayed from the page, it follows [sla] too
        imap_account.append(_mail(3, "Auto-Submitted: auto-replied\r\n"))

        async def quarantined() -> int | None:
            row = await store.call(lambda: Quarantine.get_or_none(
                Quarantine.reason.startswith("auto-reply:")))
            return int(row.id) if row is not None else None

        await eventually(quarantined, WAIT_S)
        replayed = await session.post(f"/api/quarantine/{await quarantined()}/replay",
                                      headers={"X-CSRF-Token": await settings_token(session)})
        assert replayed.status == 200, await replayed.text()
        assert (await replayed.json())["outcome"] == "created"
        assert await first_reply_due("Kysymys 3") == timedelta(minutes=20)
