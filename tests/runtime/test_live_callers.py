"""The box and callers forms act in the running daemon without a restart: the next caller gets
the new SMS text, the page speaks the box's new language, times follow its new zone."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import ClientSession

from appliance.gsm.pdu import SmsSubmit, decode_pdu
from appliance.gsm.simulator import create_simulator
from tests.daemon_box import make_box
from tests.gsm.line_harness import eventually
from tests.runtime.live_box import daemon_with_admin, post_form
from tests.runtime.test_live_settings import WAIT_S, _modem_box

CALLER = "+358401234567"
CLOSED_FI = "Suljettu juuri nyt: soitamme huomenna. Terveisin Tuki"
CLOSED_EN = "Closed right now: we will call you tomorrow. Regards, Support"


def _texts_sent(pdus: list[str]) -> list[tuple[str, str]]:
    sent = []
    for pdu in pdus:
        submit = decode_pdu(pdu)
        assert isinstance(submit, SmsSubmit)
        sent.append((submit.recipient.value, submit.text))
    return sent


async def test_a_closed_text_saved_on_the_page_goes_to_the_next_caller(tmp_path: Path) -> None:
    sim = create_simulator("generic", tmp_path, "gsm-modem", ring_interval=None)
    await sim.start()
    try:
        async with daemon_with_admin(_modem_box(tmp_path, sim.path)) as (daemon, session):
            calls, line = daemon.supervisor.named("calls"), daemon.supervisor.named("gsm0")
            await eventually(lambda: daemon.supervisor.health()["gsm0"].ok, WAIT_S)
            far = (daemon.clock.now().astimezone(ZoneInfo(daemon.config.time_zone)).hour
                   + 12) % 24
            await post_form(session, "/admin/settings/business-hours",
                        {day: f"{far:02d}:00-{far:02d}:30"  # closed now
                         for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")})
            await post_form(session, "/admin/settings/callers", {
                "closed_sms_fi": CLOSED_FI, "closed_sms_en": CLOSED_EN,
                "callback_retry_minutes": "5, 25"})
            page = await (await session.get("/admin/settings?saved=1")).text()
            assert "Saved and in use now: no restart needed." in page
            plan = calls.exchange.plan  # type: ignore[union-attr]
            assert plan.callback_retry_minutes == (5, 25)
            await sim.incoming_call(CALLER)
            await eventually(lambda: bool(sim.sent_sms), WAIT_S)
            [(to, text)] = _texts_sent(sim.sent_sms)
            assert to == CALLER and text in (CLOSED_FI, CLOSED_EN)
            # the box moves to another zone: the exchange's hours follow it
            await post_form(session, "/admin/settings/box", {"time_zone": "Asia/Tokyo"})
            plan = calls.exchange.plan  # type: ignore[union-attr]
            assert plan.calendar.zone == ZoneInfo("Asia/Tokyo")
            # nothing was restarted for it
            assert daemon.supervisor.named("calls") is calls
            assert daemon.supervisor.named("gsm0") is line
    finally:
        await sim.stop()


async def _login_language(url: str, accept: str) -> str:
    async with ClientSession(base_url=url) as browser:
        page = await (await browser.get("/login", headers={"Accept-Language": accept})).text()
    return "fi" if "Kirjaudu" in page else "en"


async def test_the_box_language_and_zone_saved_on_the_page_apply_at_once(
    tmp_path: Path
) -> None:
    async with daemon_with_admin(make_box(tmp_path)) as (daemon, session):
        web = daemon.supervisor.named("web")
        url = str(session._base_url).rstrip("/")  # the logged-in admin's page
        # box.language is fi by default: a Swedish browser gets Finnish, an English one English
        assert await _login_language(url, "sv-SE,sv;q=0.9") == "fi"
        assert await _login_language(url, "en-GB") == "en"
        location = await post_form(session, "/admin/settings/box",
                               {"language": "en", "time_zone": "America/New_York"})
        assert location == "/admin/settings?saved=1#box"
        assert await _login_language(url, "sv-SE,sv;q=0.9") == "en"
        assert await _login_language(url, "fi") == "fi"
        backend = web._backend  # type: ignore[union-attr]
        assert backend.zone == ZoneInfo("America/New_York")
        assert daemon.tickets is not None
        assert daemon.tickets.records.calendar.zone == ZoneInfo("America/New_York")
        page = await (await session.get("/admin/settings?saved=1")).text()
        assert "Saved and in use now: no restart needed." in page
        # a new name: the backup watch looks for the archives by it, an export names it
        watch = daemon.supervisor.named("box")
        await post_form(session, "/admin/settings/box", {"name": "toimisto"})
        assert backend.privacy.box_name == "toimisto"
        assert daemon.supervisor.named("box") is not watch
        # the country code is read once at start: the page says so
        await post_form(session, "/admin/settings/box", {"country_code": "46"})
        page = await (await session.get("/admin/settings?saved=1")).text()
        assert "These settings apply after a restart: box.country_code" in page
        assert daemon.supervisor.named("web") is web
