"""The service rules on the settings page: service levels, routing by customer, escalation.

Saved through the real loader, the whole file checked; a refused form comes back as typed
with the field named by its label in the person's language, and aspa.toml untouched.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from aiohttp.test_utils import TestClient

from appliance.store.accounts import Accounts
from appliance.store.worker import StoreWorker
from tests.web import settings_files
from tests.web.conftest import log_in
from tests.web.mailbox_config_files import file_bytes, file_text

config_file = settings_files.config_file
edit_client = settings_files.edit_client


async def _finnish(client: TestClient, token: str) -> None:
    response = await client.post("/language", data={"csrf_token": token, "language": "fi"},
                                 allow_redirects=False)
    assert response.status == 303


async def test_the_page_shows_the_rules_as_words_in_both_languages(
    edit_client: TestClient
) -> None:
    token = await log_in(edit_client)
    page = await (await edit_client.get("/admin/settings")).text()
    for anchor in ('href="#sla"', 'href="#routing"', 'href="#escalation"'):
        assert anchor in page
    assert 'name="urgent.first_response_minutes" value="30"' in page
    assert '<option value="high" selected>high</option>' in page  # vip_priority's default
    assert '<option value="offer" selected>Manager first, then anyone</option>' \
        in page
    assert '<option value="" selected>its assignee still (no change)</option>' in page
    assert '<option value="admin">admin</option>' in page  # the store's active agents
    assert '<label for="escalation-warn">' in page and 'id="escalation-warn"' in page
    await _finnish(edit_client, token)
    page = await (await edit_client.get("/admin/settings")).text()
    for text in ("Palvelutasot", "Ohjaus asiakkaan mukaan", "Eskalointi",
                 "Ensin vastaavalle, sitten muille", "takaisin kaikille"):
        assert text in page


async def test_saved_rules_are_written_keeping_the_installers_notes(
    edit_client: TestClient, config_file: Path
) -> None:
    token = await log_in(edit_client)
    for form, fields in (
        ("routing", {"vip_priority": "", "account_manager": "assign",
                     "offer_first_minutes": "25", "managers_for_vips_only": "1"}),
        ("escalation", {"warn_at_percent": "0", "breach_priority": "high",
                        "breach_reassign": "pool", "breach_tell_team": "0"}),
        ("sla", {"urgent.first_response_minutes": "20", "urgent.resolution_minutes": "120",
                 "low.first_response_minutes": "600", "low.resolution_minutes": "5000",
                 "business_hours_only": "0"}),
    ):
        response = await edit_client.post(f"/admin/settings/{form}",
                                          data={"csrf_token": token, **fields},
                                          allow_redirects=False)
        assert response.status == 303, await response.text()
        assert response.headers["Location"] == f"/admin/settings?saved=1#{form}"
    text = file_text(config_file)
    assert "# Installed by the image; edit with care." in text
    saved = tomllib.loads(text)
    assert saved["routing"] == {"vip_priority": "", "account_manager": "assign",
                                "offer_first_minutes": 25, "managers_for_vips_only": True}
    assert saved["escalation"] == {"warn_at_percent": 0, "breach_priority": "high",
                                   "breach_reassign": "pool", "breach_tell_team": False}
    assert saved["sla"] == {"business_hours_only": False,
                            "urgent": {"first_response_minutes": 20, "resolution_minutes": 120},
                            "low": {"first_response_minutes": 600, "resolution_minutes": 5000}}
    page = await (await edit_client.get("/admin/settings")).text()
    assert '<option value="" selected>as any other customer&#39;s work</option>' in page
    assert '<option value="pool" selected>back to everyone</option>' in page


async def test_one_minute_through_the_api_keeps_the_other_at_its_default(
    edit_client: TestClient, config_file: Path
) -> None:
    token = await log_in(edit_client)
    response = await edit_client.post("/api/admin/settings/sla",
                                      json={"high.first_response_minutes": 45},
                                      headers={"X-CSRF-Token": token})
    assert response.status == 200, await response.text()
    assert tomllib.loads(file_text(config_file))["sla"]["high"] == {
        "first_response_minutes": 45, "resolution_minutes": 480}


async def test_bad_values_are_refused_named_and_kept_as_typed(
    edit_client: TestClient, config_file: Path
) -> None:
    before = file_bytes(config_file)
    token = await log_in(edit_client)
    warn = await edit_client.post("/admin/settings/escalation", data={
        "csrf_token": token, "warn_at_percent": "150", "breach_priority": "urgent",
        "breach_reassign": "", "breach_tell_team": "1"})
    body = await warn.text()
    assert warn.status == 400
    assert "<li>Warn when this share of the time has passed (%): must be at most 100</li>" in body
    assert 'name="warn_at_percent" value="150"' in body
    minutes = await edit_client.post("/admin/settings/sla", data={
        "csrf_token": token, "urgent.first_response_minutes": "-5",
        "urgent.resolution_minutes": "240", "normal.first_response_minutes": "300",
        "normal.resolution_minutes": "200"})
    body = await minutes.text()
    assert minutes.status == 400
    assert "<li>Urgent: first reply within (minutes): must be at least 1</li>" in body
    assert ("<li>Normal: resolved within (minutes): 200 is shorter than the time to the first "
            "reply (300)</li>") in body
    assert 'name="urgent.first_response_minutes" value="-5"' in body
    assert 'name="normal.resolution_minutes" value="200"' in body
    typed = await edit_client.post("/admin/settings/routing", data={
        "csrf_token": token, "offer_first_minutes": '"><script>alert(1)</script>'})
    body = await typed.text()
    assert typed.status == 400 and "<script>alert" not in body
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in body
    assert "<li>Minutes the account manager has the work first: must be a whole number" in body
    assert file_bytes(config_file) == before


async def test_an_unknown_login_is_refused_in_the_persons_language(
    edit_client: TestClient, config_file: Path
) -> None:
    before = file_bytes(config_file)
    token = await log_in(edit_client)
    api = await edit_client.post("/api/admin/settings/escalation",
                                 json={"breach_reassign": "ville"},
                                 headers={"X-CSRF-Token": token})
    assert api.status == 400
    assert (await api.json())["problems"] == [
        "escalation.breach_reassign: no active agent has the login 'ville'"]
    await _finnish(edit_client, token)
    form = await edit_client.post("/admin/settings/escalation", data={
        "csrf_token": token, "breach_reassign": "ville"})
    body = await form.text()
    assert form.status == 400
    assert ("<li>Myöhästynyt tiketti annetaan: yhdelläkään käytössä olevalla "
            "asiakaspalvelijalla ei ole tunnusta &#39;ville&#39;</li>") in body
    assert '<option value="ville" selected>ville</option>' in body
    assert file_bytes(config_file) == before
    saved = await edit_client.post("/api/admin/settings/escalation",
                                   json={"breach_reassign": "admin"},
                                   headers={"X-CSRF-Token": token})
    assert saved.status == 200, await saved.text()
    assert tomllib.loads(file_text(config_file))["escalation"]["breach_reassign"] == "admin"


async def test_an_agent_and_a_post_without_the_token_change_nothing(
    edit_client: TestClient, store: StoreWorker, accounts: Accounts, config_file: Path
) -> None:
    before = file_bytes(config_file)
    await store.call(accounts.add_user, "Agent Anna", "anna", "agent", "anna-salasana-1")
    admin_token = await log_in(edit_client)
    no_token = await edit_client.post("/admin/settings/routing", data={"vip_priority": ""})
    assert no_token.status == 403
    await edit_client.post("/logout", data={"csrf_token": admin_token})
    token = await log_in(edit_client, "anna", "anna-salasana-1")
    for form in ("sla", "routing", "escalation"):
        refused = await edit_client.post(f"/admin/settings/{form}",
                                         data={"csrf_token": token, "warn_at_percent": "10"})
        assert refused.status == 403, form
    assert file_bytes(config_file) == before
