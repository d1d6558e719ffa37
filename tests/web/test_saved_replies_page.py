"""The saved replies page and the ticket page's picker, through the real app and store."""

from __future__ import annotations

import html
import re

from aiohttp.test_utils import TestClient

from appliance.store.accounts import Accounts
from appliance.store.models import Customer, SavedReply
from appliance.store.saved_replies import list_replies
from appliance.store.tickets import TicketBook
from appliance.store.worker import StoreWorker
from tests.web.conftest import log_in, open_sample_ticket

NEW = {"title": "Opening hours", "shortcut": "#hours", "language": "any", "kind": "snippet",
       "text": "Hei {customer_name}! We are open {opening_hours}. Ticket {ticket_number}, "
               "{agent_name}."}


async def _count(store: StoreWorker) -> int:
    return int(await store.call(lambda: SavedReply.select().count()))


async def _finnish(client: TestClient, token: str) -> None:
    await client.post("/language", data={"csrf_token": token, "language": "fi"})


async def test_the_page_lists_the_seeded_replies(client: TestClient) -> None:
    await log_in(client)
    page = await (await client.get("/replies")).text()
    for shortcut in ("#thanks", "#solved", "#details", "#kiitos", "#ratkaistu", "#lisatietoja"):
        assert f"<td>{shortcut}</td>" in page
    listed = await (await client.get("/api/replies")).json()
    assert len(listed["replies"]) == 6


async def test_add_change_and_remove_a_saved_reply(client: TestClient, store: StoreWorker,
                                                   admin_id: int) -> None:
    token = await log_in(client)
    added = await client.post("/replies", data={"csrf_token": token, **NEW},
                              allow_redirects=False)
    assert added.status == 303
    location = added.headers["Location"]
    assert re.fullmatch(r"/replies/\d+\?saved=1", location)
    page = await (await client.get(location)).text()
    assert 'id="reply-saved"' in page and 'id="reply-unknown"' not in page
    row = next(r for r in await store.call(list_replies) if r.shortcut == "#hours")
    assert (row.title, row.kind, row.language, row.edited_by) == (
        "Opening hours", "snippet", "any", "Admin Example")

    changed = await client.post(f"/replies/{row.reply_id}", data={
        "csrf_token": token, **NEW, "title": "Aukioloajat", "shortcut": "Auki",
        "text": "Olemme auki {opening_hours}, {customer}."})
    page = await changed.text()
    assert changed.status == 200
    # an unknown placeholder is saved, sent as written, and named on the page
    assert 'id="reply-unknown"' in page and "<code>{customer}</code>" in page
    row = next(r for r in await store.call(list_replies) if r.reply_id == row.reply_id)
    assert (row.title, row.shortcut) == ("Aukioloajat", "#auki")

    forged = await client.post(f"/replies/{row.reply_id}/remove", data={"csrf_token": "x"})
    assert forged.status == 403 and await _count(store) == 7
    removed = await client.post(f"/replies/{row.reply_id}/remove",
                                data={"csrf_token": token}, allow_redirects=False)
    assert removed.status == 303 and removed.headers["Location"] == "/replies?removed=1"
    assert await _count(store) == 6
    assert (await client.get(f"/replies/{row.reply_id}")).status == 404


async def test_an_agent_may_edit_saved_replies(client: TestClient, store: StoreWorker,
                                               accounts: Accounts) -> None:
    await store.call(accounts.add_user, "Anna Agent", "anna", "agent", "anna-salasana-1")
    token = await log_in(client, "anna", "anna-salasana-1")
    added = await client.post("/replies", data={"csrf_token": token, **NEW})
    assert added.status == 200
    row = next(r for r in await store.call(list_replies) if r.shortcut == "#hours")
    assert row.edited_by == "Anna Agent"


async def test_bad_input_is_refused_in_the_persons_language_and_nothing_is_saved(
    client: TestClient, store: StoreWorker
) -> None:
    token = await log_in(client)
    await _finnish(client, token)
    cases = [
        ({"title": "  "}, "Otsikko: pakollinen"),
        ({"text": "x" * 100_000}, "Teksti: liian pitkä: enintään 10000 merkkiä"),
        ({"shortcut": "#thanks"}, "Lyhenne: on jo toisen vakiovastauksen käytössä"),
        ({"shortcut": "#THANKS"}, "Lyhenne: on jo toisen vakiovastauksen käytössä"),
        ({"shortcut": "#kiitos paljon"},
         "Lyhenne: pitää olla # ja yksi sana: kirjaimia, numeroita, - tai _"),
        ({"title": "Two\nlines"}, "Otsikko: pitää olla yhdellä rivillä"),
        ({"language": "sv"}, "Kieli: pitää olla jokin näistä: fi, en, any"),
    ]
    for change, expected in cases:
        typed = {**NEW, "title": 'Hours "<b>"', **change}
        response = await client.post("/replies", data={"csrf_token": token, **typed})
        page = await response.text()
        assert response.status == 400, change
        assert "Mitään ei tallennettu. " + html.escape(expected, quote=False) in page, change
        if "title" not in change:  # what was typed comes back, escaped
            assert 'value="Hours &#34;&lt;b&gt;&#34;"' in page and "<b>" not in page
        assert await _count(store) == 6, change
    seeded = next(r for r in await store.call(list_replies) if r.shortcut == "#kiitos")
    edit = await client.post(f"/replies/{seeded.reply_id}", data={
        "csrf_token": token, **NEW, "shortcut": "#thanks", "text": "Muutettu"})
    assert edit.status == 400
    page = await edit.text()
    assert "Lyhenne: on jo toisen vakiovastauksen käytössä" in page
    assert ">Muutettu</textarea>" in page
    kept = next(r for r in await store.call(list_replies) if r.reply_id == seeded.reply_id)
    assert kept.text.startswith("Kiitos viestistäsi") and kept.shortcut == "#kiitos"
    api = await client.post("/api/replies", json={**NEW, "shortcut": "a b"},
                            headers={"X-CSRF-Token": token})
    assert api.status == 400 and "shortcut must be # and one word" in (await api.json())["error"]
    assert await _count(store) == 6


async def test_the_ticket_offers_replies_in_the_customers_language_filled_in(
    client: TestClient, store: StoreWorker, tickets: TicketBook
) -> None:
    token = await log_in(client)
    number = await open_sample_ticket(tickets)
    await client.post("/replies", data={"csrf_token": token, **NEW})
    await store.call(lambda: Customer.update(language="en").execute())
    page = await (await client.get(f"/tickets/{number}")).text()
    picker = page[page.index('id="saved-reply"'):page.index("</select>")]
    assert "(#thanks)" in picker and "(#hours)" in picker and "#kiitos" not in picker
    assert ('data-text="Hei Maija Meikäläinen! We are open Mon–Fri 08:00–16:00. Ticket '
            f'{number}, Admin Example."') in picker
    # another language's reply is there only by its shortcut
    others = page[page.index('id="saved-reply-shortcuts"'):]
    assert 'data-shortcut="#kiitos"' in others.split("</ul>")[0]

    await store.call(lambda: Customer.update(language="fi").execute())
    page = await (await client.get(f"/tickets/{number}")).text()
    picker = page[page.index('id="saved-reply"'):page.index("</select>")]
    assert "(#kiitos)" in picker and "#thanks" not in picker
    assert "We are open ma–pe 8.00–16.00." in picker  # a reply for any language: the customer's


async def test_without_script_the_picker_adds_to_the_draft_and_sending_counts_the_use(
    client: TestClient, store: StoreWorker, tickets: TicketBook
) -> None:
    token = await log_in(client)
    number = await open_sample_ticket(tickets)
    await store.call(lambda: Customer.update(language="en").execute())
    thanks = next(r for r in await store.call(list_replies) if r.shortcut == "#thanks")
    page = await (await client.post(f"/tickets/{number}/reply/insert", data={
        "csrf_token": token, "body": "Hello <Maija>,", "channel": "email",
        "saved_reply": str(thanks.reply_id), "saved_replies": ""})).text()
    assert ("Hello &lt;Maija&gt;,\nThank you for your message. We are looking into it and "
            "will get back to you soon.</textarea>") in page
    assert f'name="saved_replies" id="reply-saved-ids" value="{thanks.reply_id}"' in page
    sent = await client.post(f"/tickets/{number}/reply", data={
        "csrf_token": token, "body": "Thank you for your message.", "channel": "email",
        "saved_replies": f"{thanks.reply_id},{thanks.reply_id},junk"}, allow_redirects=False)
    assert sent.status == 303
    counted = next(r for r in await store.call(list_replies) if r.shortcut == "#thanks")
    assert counted.usage_count == 1
    empty = await client.post(f"/tickets/{number}/reply", data={
        "csrf_token": token, "body": " ", "channel": "email",
        "saved_replies": str(thanks.reply_id)})
    assert empty.status == 400  # nothing sent: nothing counted
    counted = next(r for r in await store.call(list_replies) if r.shortcut == "#thanks")
    assert counted.usage_count == 1


async def test_the_api_counts_uses_given_as_a_list(
    client: TestClient, store: StoreWorker, tickets: TicketBook
) -> None:
    token = await log_in(client)
    number = await open_sample_ticket(tickets)
    solved = next(r for r in await store.call(list_replies) if r.shortcut == "#solved")
    sent = await client.post(f"/api/tickets/{number}/reply", headers={"X-CSRF-Token": token},
                             json={"channel": "email", "body": "Fixed.",
                                   "saved_replies": [solved.reply_id, "x", None]})
    assert sent.status == 200
    counted = next(r for r in await store.call(list_replies) if r.shortcut == "#solved")
    assert counted.usage_count == 1


async def test_without_replies_in_the_customers_language_only_shortcuts_remain(
    client: TestClient, store: StoreWorker, tickets: TicketBook
) -> None:
    await log_in(client)
    number = await open_sample_ticket(tickets)
    await store.call(lambda: SavedReply.delete().where(SavedReply.language == "fi").execute())
    page = await (await client.get(f"/tickets/{number}")).text()  # box language: fi
    assert 'id="saved-reply"' not in page
    assert 'data-shortcut="#thanks"' in page  # typed, an English one still goes in
