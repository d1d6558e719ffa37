"""Tags on the ticket page and in the lists, and the reports by tag, by agent and of waits."""

from __future__ import annotations

from datetime import timedelta

from aiohttp.test_utils import TestClient

from appliance.spine.clock import ManualClock
from appliance.store.models import Call, Ticket
from appliance.store.tickets import TicketBook
from tests.web.conftest import log_in, open_sample_ticket

FINNISH = {"Accept-Language": "fi-FI,fi;q=0.9"}
HOSTILE = '"><script>alert(1)</script>'


async def test_tags_are_added_shown_filtered_and_removed(client: TestClient,
                                                          tickets: TicketBook) -> None:
    first = await open_sample_ticket(tickets, subject="Lasku väärin")
    second = await open_sample_ticket(tickets, subject="Tulostin rikki")
    token = await log_in(client)
    added = await client.post(f"/tickets/{first}/tags", allow_redirects=False,
                              data={"csrf_token": token, "tag": "  Laskutus "})
    assert added.status == 303 and added.headers["Location"] == f"/tickets/{first}#tags"
    hostile = await client.post(f"/api/tickets/{first}/tags", json={"tag": HOSTILE},
                                headers={"X-CSRF-Token": token})
    assert (await hostile.json())["tags"] == [HOSTILE.lower(), "laskutus"]

    page = await (await client.get(f"/tickets/{first}")).text()
    assert "<script>alert" not in page
    assert "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="/tickets?tag=laskutus"' in page

    listed = await (await client.get("/api/tickets?tag=LASKUTUS")).json()
    assert [(t["number"], t["tags"]) for t in listed["tickets"]] == [
        (first, [HOSTILE.lower(), "laskutus"])]
    queue = {i["number"]: i for i in (await (await client.get("/api/queue")).json())["items"]}
    assert (queue[first]["tags"], queue[second]["tags"]) == ([HOSTILE.lower(), "laskutus"], [])
    rows = await (await client.get("/queue/rows")).text()
    assert 'href="/tickets?tag=laskutus">laskutus</a>' in rows and "<script>alert" not in rows
    html = await (await client.get("/tickets?tag=laskutus")).text()
    assert f'href="/tickets/{first}"' in html and f'href="/tickets/{second}"' not in html
    assert "<script>alert" not in html

    removed = await client.post(f"/api/tickets/{first}/tags/remove", json={"tag": "Laskutus"},
                                headers={"X-CSRF-Token": token})
    assert (await removed.json())["tags"] == [HOSTILE.lower()]
    assert (await (await client.get("/api/tickets?tag=laskutus")).json())["total"] == 0


async def test_bad_tags_are_refused_in_the_person_s_language(client: TestClient,
                                                             tickets: TicketBook) -> None:
    number = await open_sample_ticket(tickets)
    token = await log_in(client)
    for tag, finnish in (("   ", "Tunniste: pakollinen"),
                         ("x" * 41, "Tunniste: liian pitkä: enintään 40 merkkiä"),
                         ("x" * 10_240, "Tunniste: liian pitkä: enintään 40 merkkiä"),
                         ("soitto\u202e", "Tunniste: ei saa sisältää ohjausmerkkejä")):
        refused = await client.post(f"/tickets/{number}/tags", headers=FINNISH,
                                    data={"csrf_token": token, "tag": tag})
        assert refused.status == 400
        assert finnish in await refused.text()
    listed = await client.get("/tickets?tag=" + "y" * 50, headers=FINNISH)
    assert listed.status == 400
    assert "Tunniste: liian pitkä: enintään 40 merkkiä" in await listed.text()
    without_token = await client.post(f"/tickets/{number}/tags", data={"tag": "ok"})
    assert without_token.status == 403
    page = await (await client.get(f"/api/tickets/{number}")).json()
    assert page["ticket"]["tags"] == []


async def test_the_reports_count_by_tag_agent_and_wait(client: TestClient, tickets: TicketBook,
                                                       clock: ManualClock, admin_id: int) -> None:
    number = await open_sample_ticket(tickets)
    token = await log_in(client)
    await client.post(f"/api/tickets/{number}/tags", json={"tag": "vip"},
                      headers={"X-CSRF-Token": token})
    ticket_id = await tickets.worker.call(lambda: Ticket.get(Ticket.number == number).id)
    await tickets.assign(ticket_id, admin_id)
    clock.advance(timedelta(hours=1))
    for status in ("open", "resolved"):
        await tickets.change_status(ticket_id, status)
    for i, wait in enumerate((10.0, 30.0, 50.0)):
        await tickets.worker.call(lambda i=i, wait=wait: Call.create(
            call_ref=f"r{i}", line="gsm0", offered_at=clock.now(), wait_seconds=wait,
            agent=admin_id, answered_at=clock.now(), outcome="answered"))

    report = await (await client.get("/api/reports")).json()
    assert report["tags"] == [{"tag": "vip", "opened": 1, "resolved": 1}]
    assert [(a["agent"], a["handled"], a["tickets_resolved"], a["calls_answered"],
             a["resolution_median_s"]) for a in report["agents"]] == [
        ("Admin Example", 4, 1, 3, 3600.0)]
    today = clock.now().astimezone(tickets.records.calendar.zone).date().isoformat()
    assert {"period": today, "calls": 3, "wait_median_s": 30.0, "wait_p90_s": 50.0} in \
        report["waits"]
    by_hour = await (await client.get("/api/reports?waits=hour")).json()
    assert len(by_hour["waits"]) == 24 and sum(w["calls"] for w in by_hour["waits"]) == 3
    page = await (await client.get("/reports", headers=FINNISH)).text()
    assert 'id="tag-report"' in page and 'href="/tickets?tag=vip"' in page
    assert "Asiakaspalvelijoittain" in page and "Soittajien odotusajat" in page
    wrong = await client.get("/reports?waits=minute", headers=FINNISH)
    assert wrong.status == 400 and "pitää olla jokin näistä: day, hour" in await wrong.text()
