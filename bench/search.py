"""Benchmark of search over 100,000 tickets with 300,000 messages (SQLite FTS5 by default,
PostgreSQL with --url).

The store is filled with bulk inserts through the real schema, so the search index is
kept by its triggers as it would be on the box. Then searches of the kinds an agent
types (one common or rare word, an inflected Finnish form, two words, a phone number, a
ticket number) run through `search_for`, the whole path the page uses (index, grouping,
marking). Each figure is printed against the anchor, one primary-key read of a ticket
measured in the same run. Also printed: the index's size against the text it indexes,
and how much the process grew while searching.

Run from the repository root: .venv/bin/python -m bench.search [--tickets N] [--url URL]
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import peewee as pw

from appliance.store.models import ContactPoint, Customer, Message, Ticket
from appliance.store.search.results import search_for
from appliance.store.startup import open_store

MESSAGES_PER_TICKET = 3
CUSTOMERS = 5_000
CHUNK = 2_000
SEARCHES = 400
GOAL_P99_MS = 50.0
GOAL_INDEX_SHARE = 0.30
START = datetime(2025, 1, 1, tzinfo=UTC)

# Finnish stems with their case endings, English words with theirs: the forms search meets
FI_STEMS = ("lasku", "tilaus", "toimitus", "paketti", "salasana", "kirjautumi", "maksu",
            "tuote", "palautu", "takuu", "puhelin", "sopimus", "hinta", "asiakas", "viesti",
            "osoite", "kortti", "tili", "varaus", "huolto", "vika", "näyttö", "akku", "laturi")
FI_ENDINGS = ("", "n", "ssa", "sta", "lla", "lle", "t", "ja", "a", "ksi", "na")
EN_WORDS = ("invoice", "order", "delivery", "parcel", "password", "login", "payment",
            "product", "return", "warranty", "phone", "contract", "price", "customer",
            "address", "card", "account", "booking", "service", "fault", "screen", "battery")
EN_ENDINGS = ("", "s", "ed", "ing")
FILLER = ("ja", "on", "ei", "se", "että", "kun", "mutta", "the", "is", "not", "and", "we",
          "please", "kiitos", "hei", "terveisin", "thanks", "regards", "today", "tänään")


def vocabulary(rng: random.Random) -> list[str]:
    words = [s + e for s in FI_STEMS for e in FI_ENDINGS]
    words += [w + e for w in EN_WORDS for e in EN_ENDINGS]
    words += [f"{rng.choice('bdfghjklmnprstv')}{rng.choice('aeiouyäö')}"
              f"{rng.choice('kkltnnrsst')}{rng.choice('aeiouyäö')}{i}" for i in range(3_000)]
    return words


def sentence(rng: random.Random, words: list[str], length: int) -> str:
    picked = [rng.choice(FILLER) if rng.random() < 0.4 else
              words[min(int(rng.paretovariate(1.1)) - 1, len(words) - 1)]
              for _ in range(length)]
    return " ".join(picked).capitalize() + "."


def fill(tickets: int, rng: random.Random) -> int:
    """Customers, tickets and messages by bulk insert; the text's size in UTF-8 bytes."""
    words = vocabulary(rng)
    rng.shuffle(words)
    text_bytes = 0
    customer_rows = []
    contact_rows = []
    for i in range(CUSTOMERS):
        name = f"{rng.choice(('Maija', 'Matti', 'Anna', 'Jussi', 'Liisa'))} Asiakas{i}"
        customer_rows.append({"name": name, "created_at": START})
        text_bytes += len(name.encode())
    with Customer._meta.database.atomic():
        for base in range(0, CUSTOMERS, CHUNK):
            Customer.insert_many(customer_rows[base:base + CHUNK]).execute()
        first_customer = Customer.select(pw.fn.MIN(Customer.id)).scalar()
        for i in range(CUSTOMERS):
            phone = f"+3584{i:04d}{rng.randint(0, 9_999):04d}"  # unique: i comes first
            contact_rows.append({"customer": first_customer + i, "kind": "phone",
                                 "value": phone})
            text_bytes += len(phone)
        for base in range(0, CUSTOMERS, CHUNK):
            ContactPoint.insert_many(contact_rows[base:base + CHUNK]).execute()
    for base in range(0, tickets, CHUNK):
        rows = []
        for i in range(base, min(base + CHUNK, tickets)):
            at = START + timedelta(minutes=5 * i)
            subject = sentence(rng, words, rng.randint(3, 7))
            rows.append({"number": 1001 + i, "channel": "email", "subject": subject,
                         "status": rng.choice(("open", "pending", "resolved", "closed")),
                         "customer": first_customer + rng.randrange(CUSTOMERS),
                         "created_at": at, "updated_at": at})
            text_bytes += len(subject.encode()) + len(str(1001 + i))
        with Ticket._meta.database.atomic():
            Ticket.insert_many(rows).execute()
            first_id = Ticket.select(pw.fn.MIN(Ticket.id)).where(
                Ticket.number == rows[0]["number"]).scalar()
            messages = []
            for offset in range(len(rows)):
                for _ in range(MESSAGES_PER_TICKET):
                    body = " ".join(sentence(rng, words, rng.randint(6, 16))
                                    for _ in range(rng.randint(2, 6)))
                    sender = f"asiakas{rng.randrange(CUSTOMERS)}@example.fi"
                    messages.append({"ticket": first_id + offset, "channel": "email",
                                     "direction": "in", "body_text": body, "sender": sender,
                                     "created_at": START})
                    text_bytes += len(body.encode()) + len(sender)
            for part in range(0, len(messages), CHUNK):
                Message.insert_many(messages[part:part + CHUNK]).execute()
    return text_bytes


def index_bytes(db: pw.Database) -> int:
    if isinstance(db, pw.PostgresqlDatabase):  # the GIN expression indexes of step 8
        return int(db.execute_sql(
            "SELECT SUM(pg_relation_size(c.oid)) FROM pg_class c "
            "WHERE c.relkind = 'i' AND c.relname LIKE 'search\\_%%\\_words'").fetchone()[0])
    return int(db.execute_sql("SELECT SUM(pgsize) FROM dbstat "
                              "WHERE name LIKE 'search_index%'").fetchone()[0])


def timed_ms(action: Callable[[], object], samples: int) -> list[float]:
    times = []
    for _ in range(samples):
        began = time.perf_counter()
        action()
        times.append((time.perf_counter() - began) * 1e3)
    return times


def p99(times: list[float]) -> float:
    return statistics.quantiles(times, n=100)[98]


def rss_mib() -> float:
    """The process's resident memory now (not its peak, which the filling set)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def queries(rng: random.Random, tickets: int) -> dict[str, Callable[[], str]]:
    phones = [v for (v,) in ContactPoint.select(ContactPoint.value).limit(500).tuples()]
    return {
        "one common word (lasku*)": lambda: rng.choice(("lasku", "laskun", "laskussa")),
        "one English word (invoices)": lambda: rng.choice(("invoices", "orders", "payment")),
        "two words": lambda: rng.choice(("laskun maksu", "toimitus paketti",
                                         "password login", "tilauksen hinta")),
        "a word in most mails (kiitos, ja)": lambda: rng.choice(("kiitos", "ja", "the")),
        "a rare word": lambda: f"{rng.choice('bdfghk')}a",
        "a rare word's forms (prefix)": lambda: rng.choice(("tilauksista", "huoltona",
                                                              "warranties", "näytöksi")),
        "a phone number": lambda: "0" + rng.choice(phones)[4:],
        "a ticket number": lambda: f"#{1001 + rng.randrange(tickets)}",
        "nothing to find": lambda: "zzyzx",
    }


def main() -> None:
    """Fill the store, measure, print."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--url", help="a PostgreSQL URL (an empty database); default SQLite")
    parser.add_argument("--keep", help="build the SQLite store in this folder and keep it")
    args = parser.parse_args()
    rng = random.Random(18)
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or scratch
        db = open_store(args.url or str(Path(folder) / "aspa.db"))
        began = time.perf_counter()
        text = fill(args.tickets, rng)
        fill_s = time.perf_counter() - began
        if isinstance(db, pw.PostgresqlDatabase):
            db.execute_sql("VACUUM ANALYZE")
        else:
            db.execute_sql("INSERT INTO search_index (search_index) VALUES ('optimize')")
            db.execute_sql("ANALYZE")
        size = index_bytes(db)
        top_id = Ticket.select(pw.fn.MAX(Ticket.id)).scalar()
        anchor = statistics.median(timed_ms(
            lambda: Ticket.get_by_id(rng.randint(1, top_id)), SEARCHES))
        rss_before = rss_mib()
        results = {}
        everything: list[float] = []
        for name, typed in queries(rng, args.tickets).items():
            times = timed_ms(lambda typed=typed: search_for(db, typed()), SEARCHES // 2)
            results[name] = times
            everything += times
        rss_after = rss_mib()
        kind = "PostgreSQL" if isinstance(db, pw.PostgresqlDatabase) else "SQLite FTS5"
        messages = Message.select().count()
        print(f"{kind}: {args.tickets:,} tickets, {messages:,} messages, {CUSTOMERS:,} "
              f"customers, filled in {fill_s:.0f} s (the index kept as the rows went in)")
        print(f"anchor: one primary-key read of a ticket, median {anchor:.3f} ms")
        print(f"{'search':32} {'median ms':>10} {'p99 ms':>8} {'median/anchor':>14}")
        for name, times in results.items():
            median = statistics.median(times)
            print(f"{name:32} {median:10.2f} {p99(times):8.2f} {median / anchor:14.0f}")
        worst = p99(everything)
        print(f"{'all searches':32} {statistics.median(everything):10.2f} {worst:8.2f} "
              f"{statistics.median(everything) / anchor:14.0f}")
        share = size / text
        print(f"index {size / 2**20:.1f} MiB for {text / 2**20:.1f} MiB of indexed text: "
              f"{share:.0%}")
        print(f"RSS while searching: {rss_before:.0f} -> {rss_after:.0f} MiB")
        print(f"goal p99 <= {GOAL_P99_MS:.0f} ms: {'met' if worst <= GOAL_P99_MS else 'MISSED'}"
              f" ({worst:.1f} ms); goal index <= {GOAL_INDEX_SHARE:.0%} of the text: "
              f"{'met' if share <= GOAL_INDEX_SHARE else 'MISSED'} ({share:.0%})")
        db.close()


if __name__ == "__main__":
    main()
