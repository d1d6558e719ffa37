"""Each agent chooses on their own page how notices reach them: forms with CSRF, both
languages, a mistake shown in the person's language with what they typed kept."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from appliance.store.notice_choices import StoredChoices, read_choices
from appliance.store.worker import StoreWorker
from tests.web.conftest import log_in

FORM = {"way_assigned": "email", "way_mention": "led", "way_sla_warning": "page",
        "way_sla_breach": "email", "way_reminder": "page",
        "notice_email": "admin@toimisto.fi", "quiet_start": "21:30", "quiet_end": "07:00"}


async def test_my_choices_are_saved_and_shown_again(
        client: TestClient, store: StoreWorker, admin_id: int) -> None:
    token = await log_in(client)
    page = await client.get("/notices")
    assert page.status == 200
    assert 'name="way_assigned"' in await page.text()
    saved = await client.post("/notices", data={**FORM, "csrf_token": token},
                              allow_redirects=False)
    assert (saved.status, saved.headers["Location"]) == (303, "/notices?saved=1")
    assert await store.call(read_choices, admin_id) == StoredChoices(
        ways={"assigned": "email", "mention": "led", "sla_warning": "page",
              "sla_breach": "email", "reminder": "page"},
        email="admin@toimisto.fi", quiet_start="21:30", quiet_end="07:00")
    shown = await (await client.get("/notices?saved=1")).text()
    assert 'value="21:30"' in shown and 'value="admin@toimisto.fi"' in shown
    assert '<option value="led" selected>' in shown


async def test_a_change_without_the_csrf_token_is_refused(
        client: TestClient, store: StoreWorker, admin_id: int) -> None:
    await log_in(client)
    refused = await client.post("/notices", data=FORM, allow_redirects=False)
    assert refused.status == 403
    assert await store.call(read_choices, admin_id) == StoredChoices()


async def test_a_mistake_is_told_in_finnish_and_the_typed_values_stay(
        client: TestClient, store: StoreWorker, admin_id: int) -> None:
    token = await log_in(client)
    await client.post("/language", data={"language": "fi", "csrf_token": token, "next": "/"})
    wrong = await client.post("/notices", data={
        **FORM, "csrf_token": token, "notice_email": "", "quiet_start": "<b>25:99</b>"})
    assert wrong.status == 400
    text = await wrong.text()
    assert "Sähköpostiosoite ilmoituksille: pakollinen" in text
    assert "&lt;b&gt;25:99&lt;/b&gt;" in text  # what was typed stays, escaped
    assert await store.call(read_choices, admin_id) == StoredChoices()
    bad_time = await client.post("/notices", data={
        **FORM, "csrf_token": token, "quiet_start": "25:99"})
    assert "Hiljainen aika alkaen: kellonaika muodossa 21:00" in await bad_time.text()
    one_time = await client.post("/api/notices", json={**FORM, "quiet_end": ""},
                                 headers={"X-CSRF-Token": token})
    assert one_time.status == 400


async def test_sms_needs_a_mobile_number(
        client: TestClient, store: StoreWorker, admin_id: int) -> None:
    token = await log_in(client)
    refused = await client.post("/notices", data={**FORM, "way_reminder": "sms",
                                                  "csrf_token": token})
    assert refused.status == 400
    assert "mobile number" in await refused.text()
