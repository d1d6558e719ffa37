"""Hours, outgoing mail and a hand-edited time zone, saved while the box runs, reach the parts
that read them once at start: the notices, an agent's reply and the page itself.

A real daemon runs in this process with its web page on a free port and its own manual
clock; the admin uses the forms as a browser would (CSRF tokens, form posts).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import ClientSession

from appliance.gsm.simulator import create_simulator
from appliance.queue.notice_rules import NoticeKind, NoticeWay, Outcome
from appliance.runtime.daemon import Daemon
from appliance.spine.clock import ManualClock
from appliance.store.models import Ticket
from appliance.store.notice_choices import StoredChoices, save_choices
from appliance.store.ticket_records import MessageDraft
from appliance.switchboard.notifier import Notice, Notifier
from tests.daemon_box import make_box
from tests.peers.smtp import SmtpFactory, SmtpServer
from tests.runtime.live_box import daemon_on_manual_clock, post_form

WAIT_S = 20.0  # generous: a loaded machine is slow to hand a mail over
SMTP_LOGIN, SMTP_PASSWORD = "tuki@example.fi", "Lahteva-Posti-5"
ALL_DAY = "\n".join(f'{day} = ["00:00-24:00"]'
                    for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
OFFICE_TOML = f"""
[business_hours.weekly]
{ALL_DAY}

[[agents]]
login = "anna"
name = "Anna"
phone = "+358501000001"
"""


def _smtp_toml(server: SmtpServer) -> str:
    return f"""
[mail.smtp]
host = "{server.host}"
port = {server.port}
security = "none"
user = "{SMTP_LOGIN}"
password = "{SMTP_PASSWORD}"
from_address = "tuki@example.fi"
"""


async def _closed_today_and_tomorrow(session: ClientSession, daemon: Daemon,
                                     clock: ManualClock) -> datetime:
    """Save today and tomorrow (the office's dates) as holidays; when the office opens again."""
    zone = ZoneInfo(daemon.config.time_zone)
    today = clock.now().astimezone(zone).date()
    days = [today, today + timedelta(days=1)]
    location = await post_form(session, "/admin/settings/holidays",
                           {"holidays": "\n".join(day.isoformat() for day in days)})
    assert location == "/admin/settings?saved=1#holidays"
    page = await (await session.get("/admin/settings?saved=1")).text()
    assert "Saved and in use now: no restart needed." in page
    return datetime.combine(today + timedelta(days=2), datetime.min.time(), zone)


def _assigned(key: str, agent_id: int) -> Notice:
    return Notice(key, agent_id, NoticeKind.ASSIGNED, None, None, {})


async def _anna_by_email(daemon: Daemon) -> tuple[Notifier, int]:
    """The running notifier, and Anna, who asked for notices of assignment by email."""
    store, board = daemon.store, daemon.switchboard
    notifier = daemon.supervisor.named("notices")
    assert store is not None and board is not None and isinstance(notifier, Notifier)
    anna = board.agent_id("anna")
    assert anna is not None
    await store.call(save_choices, anna, StoredChoices({"assigned": "email"},
                                                       email="anna@example.fi"))
    return notifier, anna


async def test_outgoing_mail_saved_on_the_page_carries_the_next_notice(
    tmp_path: Path, make_smtp_server: SmtpFactory
) -> None:
    server = make_smtp_server(SMTP_LOGIN, SMTP_PASSWORD)
    box = make_box(tmp_path, extra_toml=OFFICE_TOML)
    async with daemon_on_manual_clock(box) as (daemon, session, _clock):
        notifier, anna = await _anna_by_email(daemon)
        shown = await notifier.tell(_assigned("assigned:1", anna))
        assert shown is not None and shown.way is NoticeWay.PAGE  # no outgoing mail yet
        await post_form(session, "/admin/outgoing-mail", {
            "host": server.host, "port": str(server.port), "security": "none",
            "user": SMTP_LOGIN, "password": SMTP_PASSWORD, "from_name": "Tuki",
            "from_address": "tuki@example.fi"})
        sent = await notifier.tell(_assigned("assigned:2", anna))
        assert sent is not None and (sent.outcome, sent.way) == (Outcome.SEND, NoticeWay.EMAIL)
        mail = (await server.messages_arrived(1, WAIT_S))[0]
        assert mail.rcpt_tos == ("anna@example.fi",)
        assert daemon.supervisor.named("notices") is notifier  # taken live, not rebuilt


async def test_holidays_saved_on_the_page_are_quiet_hours_for_the_next_notice(
    tmp_path: Path, make_smtp_server: SmtpFactory
) -> None:
    server = make_smtp_server(SMTP_LOGIN, SMTP_PASSWORD)
    box = make_box(tmp_path, extra_toml=OFFICE_TOML + _smtp_toml(server))
    async with daemon_on_manual_clock(box) as (daemon, session, clock):
        notifier, anna = await _anna_by_email(daemon)
        sent = await notifier.tell(_assigned("assigned:1", anna))
        assert sent is not None and sent.outcome is Outcome.SEND  # open round the clock
        await server.messages_arrived(1, WAIT_S)
        # closed today and tomorrow: quiet for Anna, who set no quiet hours of her own
        opens = await _closed_today_and_tomorrow(session, daemon, clock)
        held = await notifier.tell(_assigned("assigned:2", anna))
        assert held is not None and held.outcome is Outcome.HOLD
        assert held.at == opens
        assert await notifier.send_due() == 0
        clock.set(opens)
        assert await notifier.send_due() == 1
        later = (await server.messages_arrived(2, WAIT_S))[1]
        assert later.rcpt_tos == ("anna@example.fi",)


async def test_a_reply_stops_the_first_response_clock_in_the_hours_saved_on_the_page(
    tmp_path: Path, make_smtp_server: SmtpFactory
) -> None:
    server = make_smtp_server(SMTP_LOGIN, SMTP_PASSWORD)
    box = make_box(tmp_path, extra_toml=OFFICE_TOML + _smtp_toml(server))
    async with daemon_on_manual_clock(box) as (daemon, session, clock):
        store, tickets = daemon.store, daemon.tickets
        assert store is not None and tickets is not None
        await _closed_today_and_tomorrow(session, daemon, clock)
        ticket = await tickets.open_ticket("email", "Suljettuna", message=MessageDraft(
            channel="email", direction="in", sender="maija@example.fi",
            subject="Suljettuna", body_text="Hei, onko auki?"))
        clock.advance(timedelta(hours=2))  # still a holiday: none of it is business time
        location = await post_form(session, f"/tickets/{ticket.number}/reply",
                               {"channel": "email", "body": "Olemme kiinni, palaamme pian."})
        assert location.startswith(f"/tickets/{ticket.number}")
        await server.messages_arrived(1, WAIT_S)
        row = await store.call(Ticket.get_by_id, ticket.id)
        assert row.first_responded_at is not None
        # always open, the two hours would have counted: 7200 s of the target used
        assert row.sla_first_response_used_s == 0.0


async def test_a_hand_edited_time_zone_reaches_the_running_parts_at_the_next_save(
    tmp_path: Path
) -> None:
    box = make_box(tmp_path, extra_toml=OFFICE_TOML)
    async with daemon_on_manual_clock(box) as (daemon, session, _clock):
        tickets = daemon.tickets
        assert tickets is not None
        assert tickets.records.calendar.zone == ZoneInfo("Europe/Helsinki")
        # the installer moves the box to another zone in aspa.toml; the admin saves a form
        with box.config_path.open("a") as toml:
            toml.write('\n[box]\ntime_zone = "America/New_York"\n')
        await post_form(session, "/admin/settings/retention", {"closed_tickets_days": "90"})
        settings = await (await session.get("/admin/settings",
                                            headers={"Accept": "application/json"})).json()
        assert ["closed_tickets", 90] in settings["retention"]["policy"]
        new_york = ZoneInfo("America/New_York")
        assert tickets.records.calendar.zone == new_york
        ticket = await tickets.open_ticket("sms", "Aikavyöhyke")
        items = (await (await session.get("/api/queue")).json())["items"]
        shown = next(item for item in items if item["number"] == ticket.number)
        created = datetime.fromisoformat(shown["created_at"])
        assert created.utcoffset() == ticket.created_at.astimezone(new_york).utcoffset()
        notifier = daemon.supervisor.named("notices")
        assert isinstance(notifier, Notifier) and notifier.calendar.zone == new_york


async def test_calls_voice_or_country_changed_by_hand_wait_for_a_restart_and_say_so(
    tmp_path: Path
) -> None:
    sim = create_simulator("generic", tmp_path, "gsm-modem", ring_interval=None)
    await sim.start()
    try:
        box = make_box(tmp_path, extra_toml=OFFICE_TOML + f"""
[gsm]
enabled = true

[[gsm.modems]]
name = "gsm0"
device = "{sim.path}"
model = "generic"
health_check_seconds = 0.2
command_timeout_seconds = 0.5
""")
        async with daemon_on_manual_clock(box) as (daemon, _session, _clock):
            exchange = daemon.supervisor.named("calls")
            assert exchange is not None
            config = daemon.config
            # a caller's SMS text: the exchange's plan takes it while calls go on
            worded = dataclasses.replace(config, calls=dataclasses.replace(
                config.calls, sms_en="We will call you back."))
            applied = await daemon.live.apply(worded)
            assert "calls" in applied.restarted and applied.needs_restart == ()
            # the voicemail's length the exchange takes while it runs
            longer = dataclasses.replace(worded, calls=dataclasses.replace(
                worded.calls, voicemail_max_seconds=worded.calls.voicemail_max_seconds + 60))
            applied = await daemon.live.apply(longer)
            assert "calls" in applied.restarted and applied.needs_restart == ()
            # what the announcements say is rendered into the exchange's voice at start
            spoken = dataclasses.replace(longer, calls=dataclasses.replace(
                longer.calls, speech=dataclasses.replace(longer.calls.speech,
                                                         greeting_en="Hello there.")))
            applied = await daemon.live.apply(spoken)
            assert applied.needs_restart == ("calls",)
            # the SMS intake reads national numbers in the box's country as it started
            abroad = dataclasses.replace(spoken, box=dataclasses.replace(
                spoken.box, country_code=46))
            applied = await daemon.live.apply(abroad)
            assert applied.needs_restart == ("box.country_code", "calls")
            assert daemon.supervisor.named("calls") is exchange
    finally:
        await sim.stop()
