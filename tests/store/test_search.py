"""Search: Finnish and English word forms, ranking, highlights and hostile input, on
SQLite (FTS5) and on PostgreSQL (full-text search), through the real write paths."""

from __future__ import annotations

from collections.abc import AsyncIterator

import peewee as pw
import pytest

from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.store.customers import CustomerDirectory
from appliance.store.models import ContactPoint, Customer, Message, Ticket
from appliance.store.search import index_backends
from appliance.store.search.query_terms import terms_of
from appliance.store.search.results import SearchResults, search_for
from appliance.store.tickets import MessageDraft, TicketBook
from appliance.store.worker import StoreWorker


@pytest.fixture
async def book(db: pw.Database, clock: ManualClock, worker: StoreWorker
               ) -> AsyncIterator[TicketBook]:
    bus = EventBus()
    bus.start()
    yield TicketBook(db, bus, clock, worker=worker)
    await bus.stop()


def mail(subject: str, body: str, sender: str = "asiakas@example.fi") -> MessageDraft:
    return MessageDraft(channel="email", direction="in", subject=subject, body_text=body,
                        sender=sender)


async def corpus(book: TicketBook, worker: StoreWorker) -> dict[str, int]:
    """Tickets in Finnish and English; returns their numbers by a short name."""
    directory = CustomerDirectory(worker.db)
    maija, _ = await worker.call(directory.find_or_create, "email", "maija@esimerkki.fi",
                                 name="Maija Meikäläinen")
    await worker.call(directory.add_contact, maija.id, "phone", "040 123 4567")
    numbers = {}
    for name, subject, body in [
        ("title", "Lasku on väärin", "Summa ei täsmää tilaukseen."),
        ("inflected", "Kysymys", "Laskussa on kaksi riviä, ja laskun eräpäivä on ohi."),
        ("once", "Toimitus", "Paketti ei tullut. Liitin laskut mukaan."),
        ("english", "Invoices missing", "We never received the invoice for March."),
        ("unrelated", "Salasana", "En pääse kirjautumaan."),
    ]:
        ticket = await book.open_ticket("email", subject, maija.id, message=mail(subject, body))
        numbers[name] = ticket.number
    return numbers


async def search(worker: StoreWorker, typed: str) -> SearchResults:
    return await worker.call(search_for, worker.db, typed)


async def test_finnish_word_forms_meet_and_rank_by_weight(
        book: TicketBook, worker: StoreWorker) -> None:
    numbers = await corpus(book, worker)
    for typed in ("lasku", "laskun", "laskussa", "LASKUT"):
        found = await search(worker, typed)
        ranked = [t.number for t in found.tickets]
        # the subject outweighs a body; two forms in a body outweigh one
        assert ranked == [numbers["title"], numbers["inflected"], numbers["once"]], typed


async def test_english_word_forms_meet(book: TicketBook, worker: StoreWorker) -> None:
    numbers = await corpus(book, worker)
    found = await search(worker, "invoice")
    assert [t.number for t in found.tickets] == [numbers["english"]]
    ticket = found.tickets[0]
    assert [s.text for s in ticket.subject if s.marked] == ["Invoices"]
    assert [s.text for s in ticket.excerpt if s.marked] == ["invoice"]


async def test_every_word_must_match(book: TicketBook, worker: StoreWorker) -> None:
    numbers = await corpus(book, worker)
    found = await search(worker, "laskun eräpäivä")
    assert [t.number for t in found.tickets] == [numbers["inflected"]]
    assert [s.text for s in found.tickets[0].excerpt if s.marked] == [
        "Laskussa", "laskun", "eräpäivä"]


async def test_customers_by_name_number_and_address(
        book: TicketBook, worker: StoreWorker) -> None:
    await corpus(book, worker)
    maija = Customer.get(Customer.name == "Maija Meikäläinen").id
    for typed in ("meikäläinen", "0401234567", "+358 40 123 4567", "maija@esimerkki.fi"):
        found = await search(worker, typed)
        assert [c.id for c in found.customers] == [maija], typed
    by_number = await search(worker, "040-123 4567")
    assert [[s.text for s in c if s.marked] for c in by_number.customers[0].contacts] == [
        [], ["358401234567"]]


async def test_notes_ticket_numbers_and_closed_tickets(
        book: TicketBook, worker: StoreWorker) -> None:
    numbers = await corpus(book, worker)
    ticket = await worker.call(lambda: Ticket.get(Ticket.number == numbers["unrelated"]))
    await book.add_message(ticket.id, MessageDraft(
        channel="note", direction="internal", body_text="Soitettu, salasana vaihdettu."))
    await book.change_status(ticket.id, "open")
    await book.change_status(ticket.id, "resolved")
    await book.change_status(ticket.id, "closed")
    assert [t.number for t in (await search(worker, "vaihdettu")).tickets] == [
        numbers["unrelated"]]
    assert [t.number for t in (await search(worker, f"#{numbers['once']}")).tickets] == [
        numbers["once"]]
    assert (await search(worker, "vaihdettu")).tickets[0].status == "closed"


async def test_the_index_follows_changes_and_deletions(
        book: TicketBook, worker: StoreWorker) -> None:
    numbers = await corpus(book, worker)

    def rewrite() -> None:
        Message.update(body_text="Kaikki kunnossa.").where(
            Message.body_text.contains("Paketti")).execute()
        Ticket.delete().where(Ticket.number == numbers["english"]).execute()
        ContactPoint.update(value="+358509999999").where(ContactPoint.kind == "phone").execute()

    await worker.call(rewrite)
    assert [t.number for t in (await search(worker, "laskut")).tickets] == [
        numbers["title"], numbers["inflected"]]
    assert (await search(worker, "invoice")).nothing_found
    assert (await search(worker, "0401234567")).nothing_found
    assert len((await search(worker, "0509999999")).customers) == 1


@pytest.mark.parametrize(("typed", "finds_lasku"), [
    ('"lasku', True), ("lasku*", True), ("title:lasku", False), ("lasku OR", False),
    ("NEAR(lasku summa)", False), ("NEAR(lasku, summa)", False), ("-lasku", True),
    ("AND", False), ("'; DROP TABLE ticket; --", False), ("lasku' OR '1'='1", False),
    ("lasku & !summa | :*", True), ("(((", False), ("^lasku", True), ("😀 lasku 🧾", True),
    ("\x00lasku", True), ("lasku\\", True), ("%_%", False), ("lasku summa", True),
])
async def test_search_syntax_is_taken_as_plain_words(
        book: TicketBook, worker: StoreWorker, typed: str, finds_lasku: bool) -> None:
    """Operators are words like any other: every word must match, none is syntax."""
    numbers = await corpus(book, worker)
    found = await search(worker, typed)
    assert (numbers["title"] in [t.number for t in found.tickets]) == finds_lasku
    assert Ticket.select().count() == len(numbers)


@pytest.mark.parametrize("typed", ["", "   ", "😀🧾", "!!! ??? ***", "x" * 10_240,
                                   "lasku " * 2_000, "ä" * 10_240])
async def test_nothing_searchable_or_too_much_finds_nothing_plainly(
        book: TicketBook, worker: StoreWorker, typed: str) -> None:
    await corpus(book, worker)
    found = await search(worker, typed)
    if typed.startswith("lasku"):
        assert len(found.tickets) == 3
    else:
        assert found.nothing_found


async def test_a_word_in_everything_ranks_the_newest_matches(
        book: TicketBook, worker: StoreWorker, monkeypatch: pytest.MonkeyPatch) -> None:
    """At most a window of rows of a kind is ranked: past that, the newest matches count."""
    monkeypatch.setattr(index_backends, "RANK_WINDOW", 5)
    monkeypatch.setattr(index_backends, "PG_RANK_WINDOW", 5)
    numbers = []
    for i in range(12):
        ticket = await book.open_ticket("email", f"Asia {i}", message=mail(
            "", "Hei ja kiitos " + "ja " * (12 - i)))  # the oldest say "ja" most often
        numbers.append(ticket.number)
    found = await search(worker, "ja")
    assert sorted(t.number for t in found.tickets) == numbers[-5:]
    monkeypatch.setattr(index_backends, "RANK_WINDOW", 100)
    monkeypatch.setattr(index_backends, "PG_RANK_WINDOW", 100)
    everything = await search(worker, "ja")
    assert [t.number for t in everything.tickets][:3] == numbers[:3]  # most "ja" first


async def test_postgres_walks_newest_first_only_for_common_searches(
        book: TicketBook, worker: StoreWorker) -> None:
    """PostgreSQL's statistics tell a word in most rows from a rare one: the first is found
    newest first, the second through the GIN index; both answer the same way."""
    if not isinstance(worker.db, pw.PostgresqlDatabase):
        pytest.skip("FTS5 needs no statistics: it walks its own lists newest first")
    numbers = []
    for i in range(80):  # the rare word in one row of 40: under COMMON_SHARE
        body = "ja kiitos" if i % 40 else "ja kiitos tulostimesta"
        ticket = await book.open_ticket("email", f"Asia {i}", message=mail("", body))
        numbers.append(ticket.number)
    await worker.call(worker.db.execute_sql, "ANALYZE message")
    index = index_backends.PostgresIndex(worker.db)
    common, rare = terms_of("ja"), terms_of("tulostin")
    assert await worker.call(index.share, "message", common) >= index_backends.COMMON_SHARE
    assert await worker.call(index.share, "message", rare) < index_backends.COMMON_SHARE
    assert len((await search(worker, "ja")).tickets) == 25
    assert sorted(t.number for t in (await search(worker, "tulostin")).tickets) == numbers[::40]


@pytest.mark.parametrize("typed, matches", [
    ("lasku", True),  # LASKU-ASIA, lasku three times in a body; not kuittilasku
    ("ja", True),  # "ja." and "Kiitos_ja", not "jaa"
    ("kiitos", True),
    ("äiti", True),  # ÄITI lower-cased
    ("maija", True),  # the sender's address
    ("paljon asia", True),  # every term, in the title and the body
    ("uittilasku", False),  # inside a word
    ("aa", False),
    ("soitti lasku", True),  # two terms: ranked by all the words
    ("358401234567", True),  # a number
])
async def test_postgres_walk_answers_as_the_index_does(
        book: TicketBook, worker: StoreWorker, monkeypatch: pytest.MonkeyPatch,
        typed: str, matches: bool) -> None:
    """The newest-first walk tells a row from its text before taking its words apart, and
    a one-term search ranks by the words it matches alone: both must find exactly the rows,
    ranked exactly as ts_rank ranks them by all their words through the GIN index."""
    if not isinstance(worker.db, pw.PostgresqlDatabase):
        pytest.skip("the walk is PostgreSQL's")
    for subject, body, sender in [
        ("LASKU-ASIA", "Kiitos_paljon, ja.", "maija@example.fi"),
        ("Kuittilasku", "jaa jaa", "matti@example.fi"),
        ("ÄITI soitti", "Asia: lasku, lasku ja lasku!", "liisa@example.fi"),
        ("Muuta", "paljon kiitoksia ÄIDILLE, soita 358401234567", "anna@example.fi"),
        ("Lasku lasku", "laskun laskut, laskuun", "lasse@example.fi"),
    ]:
        await book.open_ticket("email", subject, message=mail(subject, body, sender))
    index = index_backends.PostgresIndex(worker.db)
    terms = terms_of(typed)
    monkeypatch.setattr(index_backends, "COMMON_SHARE", 2.0)  # never walk
    indexed = await worker.call(index.hits, terms, 300)
    monkeypatch.setattr(index_backends, "COMMON_SHARE", 0.0)  # always walk
    walked = await worker.call(index.hits, terms, 300)
    assert walked == indexed
    assert bool(walked) == matches
    whole = []  # every match ranked by all its words, as before the one-term ranking
    for kind, (table, _, _) in index_backends.KINDS.items():
        words = index_backends.postgres_words(kind)
        rows = await worker.call(lambda table=table, words=words: worker.db.execute_sql(
            f"SELECT id, ts_rank(%s::real[], {words}, q) FROM {table}, "
            f"to_tsquery('simple', %s) AS q WHERE {words} @@ q",
            ([0.1, 0.2, 0.25, 1.0], index.tsquery(terms))).fetchall())
        whole += [index_backends.IndexHit(kind, row_id, float(score)) for row_id, score in rows]
    assert sorted(walked, key=repr) == sorted(whole, key=repr)
