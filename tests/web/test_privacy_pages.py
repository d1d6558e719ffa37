"""Export, erasure and the audit trail on the web page: admins only, every step recorded."""

from __future__ import annotations

import io
import json
import os
import time
import zipfile
from pathlib import Path

from aiohttp.test_utils import TestClient

from appliance.privacy.audit import Actor, record_audit
from appliance.store.accounts import Accounts
from appliance.store.models import AuditEntry, ContactPoint, Customer, Ticket
from appliance.store.tickets import TicketBook
from appliance.store.worker import StoreWorker
from appliance.web.privacy.privacy_views import download_name, remove_leftovers
from tests.web.conftest import log_in, open_sample_ticket

Entry = tuple[str, str, int | None, dict[str, object]]


def _audit() -> list[Entry]:
    return [(e.actor, e.action, e.customer_id, e.detail)
            for e in AuditEntry.select().order_by(AuditEntry.id)]


async def _trail(store: StoreWorker) -> list[Entry]:
    return await store.call(_audit)


def customer_of_ticket(ticket_number: int) -> int:
    """The id of the customer a ticket belongs to. Blocking."""
    return int(Ticket.get(Ticket.number == ticket_number).customer_id or 0)


async def _customer_id(store: StoreWorker, ticket_number: int) -> int:
    return await store.call(customer_of_ticket, ticket_number)


async def test_an_agent_may_not_export_erase_or_read_the_trail(
    client: TestClient, store: StoreWorker, accounts: Accounts, tickets: TicketBook
) -> None:
    customer_id = await _customer_id(store, await open_sample_ticket(tickets))
    await store.call(accounts.add_user, "Agent Anna", "anna", "agent", "anna-salasana-1")
    token = await log_in(client, "anna", "anna-salasana-1")
    page = await (await client.get(f"/customers/{customer_id}")).text()
    assert "/export" not in page and "/erase" not in page  # not offered either
    for prefix in ("", "/api"):
        assert (await client.get(f"{prefix}/admin/audit")).status == 403
        assert (await client.get(f"{prefix}/admin/customers/{customer_id}/erase")).status == 403
        erase = await client.post(f"{prefix}/admin/customers/{customer_id}/erase",
                                  data={"csrf_token": token, "confirm": str(customer_id)})
        assert erase.status == 403
        export = await client.post(f"{prefix}/admin/customers/{customer_id}/export",
                                   data={"csrf_token": token})
        assert export.status == 403
        assert export.content_type != "application/zip"
    customer = await store.call(Customer.get_by_id, customer_id)
    assert customer.erased_at is None and customer.name == "Maija Meikäläinen"
    assert [a for _, a, _, _ in await _trail(store) if a in ("erase", "export")] == []


async def test_erasure_asks_for_the_number_then_leaves_the_customer_erased(
    client: TestClient, store: StoreWorker, tickets: TicketBook
) -> None:
    customer_id = await _customer_id(store, await open_sample_ticket(tickets))
    token = await log_in(client)
    preview = await client.get(f"/admin/customers/{customer_id}/erase")
    text = await preview.text()
    assert preview.status == 200 and "Maija Meikäläinen" in text
    assert "<th>tickets</th><td>1</td>" in text and "<th>messages</th><td>1</td>" in text

    wrong = await client.post(f"/admin/customers/{customer_id}/erase",
                              data={"csrf_token": token, "confirm": "999"})
    assert wrong.status == 400 and "to confirm" in await wrong.text()
    assert (await store.call(Customer.get_by_id, customer_id)).erased_at is None

    done = await client.post(f"/admin/customers/{customer_id}/erase",
                             data={"csrf_token": token, "confirm": str(customer_id)})
    assert done.status == 200, await done.text()
    customer = await store.call(Customer.get_by_id, customer_id)
    assert customer.erased_at is not None and customer.name == ""
    contacts = await store.call(lambda: ContactPoint.select().where(
        ContactPoint.customer == customer_id).count())
    assert contacts == 0
    subject = await store.call(lambda: Ticket.get(Ticket.customer == customer_id).subject)
    assert subject == ""

    [erasure] = [e for e in await _trail(store) if e[1] == "erase"]
    assert erasure[0] == "admin" and erasure[2] == customer_id
    assert erasure[3]["tickets"] == 1
    recorded = json.dumps(erasure[3])
    for secret in ("Maija", "maija@example.fi", "401234567", "Printer"):
        assert secret not in recorded

    page = await (await client.get(f"/customers/{customer_id}")).text()
    assert "Erased customer" in page and "Maija" not in page
    again = await client.post(f"/api/admin/customers/{customer_id}/erase",
                              json={"confirm": str(customer_id)},
                              headers={"X-CSRF-Token": token})
    assert again.status == 409 and "already erased" in (await again.json())["error"]
    refused = await client.post(f"/api/customers/{customer_id}", json={"name": "Maija"},
                                headers={"X-CSRF-Token": token})
    assert refused.status == 409
    assert (await store.call(Customer.get_by_id, customer_id)).name == ""
    other = await store.call(lambda: Customer.create(name="Someone Else").id)
    merged = await client.post(f"/api/customers/{customer_id}/merge", json={"other": other},
                               headers={"X-CSRF-Token": token})
    assert merged.status == 409
    assert await store.call(lambda: Customer.get_or_none(Customer.id == other)) is not None


async def test_the_api_erases_and_an_unknown_customer_is_404(
    client: TestClient, store: StoreWorker, tickets: TicketBook
) -> None:
    customer_id = await _customer_id(store, await open_sample_ticket(tickets))
    token = await log_in(client)
    preview = await (await client.get(f"/api/admin/customers/{customer_id}/erase")).json()
    assert preview["name"] == "Maija Meikäläinen" and preview["counts"]["tickets"] == 1
    assert (await client.get("/api/admin/customers/999/erase")).status == 404
    unknown = await client.post("/api/admin/customers/999/erase", json={"confirm": "999"},
                                headers={"X-CSRF-Token": token})
    assert unknown.status == 404 and "does not exist" in (await unknown.json())["error"]
    done = await client.post(f"/api/admin/customers/{customer_id}/erase",
                             json={"confirm": str(customer_id)}, headers={"X-CSRF-Token": token})
    body = await done.json()
    assert done.status == 200 and body["ok"] and body["counts"]["messages"] == 1
    assert body["sim_deleted"] == 0 and body["sim_problem"] == ""


async def test_export_downloads_the_customers_zip_and_keeps_no_copy(
    client: TestClient, store: StoreWorker, tickets: TicketBook, tmp_path: Path
) -> None:
    customer_id = await _customer_id(store, await open_sample_ticket(tickets))
    token = await log_in(client)
    response = await client.post(f"/admin/customers/{customer_id}/export",
                                 data={"csrf_token": token})
    assert response.status == 200, await response.text()
    assert response.content_type == "application/zip"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="aspa-customer-{customer_id}-')
    archive = zipfile.ZipFile(io.BytesIO(await response.read()))
    customer = json.loads(archive.read("customer.json"))
    assert "Maija Meikäläinen" in json.dumps(customer, ensure_ascii=False)
    assert "maija@example.fi" in json.dumps(customer)
    assert "Printer is broken" in archive.read("tickets.json").decode()
    assert list((tmp_path / "exports").rglob("*.zip")) == []  # deleted once sent
    assert [(a, c) for _, a, c, _ in await _trail(store) if a == "export"] == [
        ("export", customer_id)]
    api = await client.post(f"/api/admin/customers/{customer_id}/export",
                            headers={"X-CSRF-Token": token})
    assert api.status == 200 and api.content_type == "application/zip"
    missing = await client.post("/api/admin/customers/999/export",
                                headers={"X-CSRF-Token": token})
    assert missing.status == 404


def test_an_export_folder_left_by_a_crash_goes_and_a_fresh_one_stays(tmp_path: Path) -> None:
    old, fresh = tmp_path / "web-old", tmp_path / "web-fresh"
    for folder in (old, fresh):
        folder.mkdir()
        (folder / "aspa-customer-1.zip").write_bytes(b"PK")
    now = time.time()
    os.utime(old, (now - 2 * 3600, now - 2 * 3600))
    (tmp_path / "other").mkdir()
    assert remove_leftovers(tmp_path, now) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other", "web-fresh"]


def test_the_download_name_is_safe() -> None:
    assert download_name(Path("/x/aspa-customer-4-20260101T000000Z.zip")) == \
        "aspa-customer-4-20260101T000000Z.zip"
    assert download_name(Path('/x/a"b;c\r\n.zip')) == "a_b_c__.zip"


async def test_views_and_changes_are_audited_without_values(
    client: TestClient, store: StoreWorker, tickets: TicketBook
) -> None:
    customer_id = await _customer_id(store, await open_sample_ticket(tickets))
    token = await log_in(client)
    assert (await client.get(f"/customers/{customer_id}")).status == 200
    assert (await client.get(f"/api/customers/{customer_id}")).status == 200
    changed = await client.post(f"/api/customers/{customer_id}",
                                json={"notes": "prefers mornings"},
                                headers={"X-CSRF-Token": token})
    assert changed.status == 200
    added = await client.post(f"/api/customers/{customer_id}/contacts",
                              json={"kind": "phone", "value": "+358407654321"},
                              headers={"X-CSRF-Token": token})
    assert added.status == 200
    trail = await _trail(store)
    assert [(a, act, c) for a, act, c, _ in trail] == [
        ("admin", "view", customer_id), ("admin", "view", customer_id),
        ("admin", "change", customer_id), ("admin", "change", customer_id)]
    assert trail[2][3] == {"fields": ["notes"]} and trail[3][3] == {"fields": ["contacts"]}
    assert "mornings" not in json.dumps([d for *_, d in trail])


async def test_the_trail_pages_newest_first(
    client: TestClient, store: StoreWorker, admin_id: int
) -> None:
    def fill() -> None:
        for number in range(130):
            record_audit(Actor.agent("anna", admin_id), "view", number + 1)

    await store.call(fill)
    await log_in(client)
    first = await (await client.get("/api/admin/audit")).json()
    assert len(first["entries"]) == 100 and first["entries"][0]["customer_id"] == 130
    rest = await (await client.get(f"/api/admin/audit?before={first['next_before']}")).json()
    assert len(rest["entries"]) == 30 and rest["next_before"] is None
    assert rest["entries"][-1]["customer_id"] == 1
    one = await (await client.get("/api/admin/audit?customer=7&action=view")).json()
    assert [e["customer_id"] for e in one["entries"]] == [7]
    page = await (await client.get("/admin/audit")).text()
    assert "Older entries" in page and f"before={first['next_before']}" in page
    assert (await client.get("/api/admin/audit?action=steal")).status == 400
    assert (await client.get("/api/admin/audit?before=x")).status == 400
