"""Realistic generated mail for the intake benchmark: 1–60 KB, Finnish and English, HTML,
attachments and replies quoting what came before. Deterministic for a given seed."""

from __future__ import annotations

import base64
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

FIRST = ["Matti", "Liisa", "Jyrki", "Sörkkä", "Päivi", "Ägge", "Anna", "John", "Marja", "Timo"]
LAST = ["Meikäläinen", "Virtanen", "Mäkelä", "Järvinen", "Korhonen", "Smith", "Nieminen"]
SUBJECTS = ["Tulostin ei toimi", "Laskussa virhe", "Salasana unohtunut", "Toimitus myöhässä",
            "Invoice question", "VPN ei yhdistä", "Häiriö sähköpostissa", "Tilausvahvistus"]
WORDS = ["hei", "kiitos", "tulostin", "ei", "toimi", "lasku", "väärä", "päivä", "huomenna",
         "asiakas", "palvelu", "yhteys", "verkko", "ongelma", "ratkaisu", "toimitus", "tilaus",
         "maksu", "eräpäivä", "käyttäjä", "salasana", "tunnus", "please", "help", "the",
         "invoice", "seems", "wrong", "again", "tomorrow", "thanks", "regards"]


def _lines(rng: random.Random, count: int = 400) -> list[str]:
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16))).capitalize() + "."
            for _ in range(count)]


def _paragraphs(rng: random.Random, lines: list[str], size: int) -> str:
    out: list[str] = []
    total = 0
    while total < size:
        line = rng.choice(lines)
        out.append(line)
        total += len(line) + 1
    return "\n".join(out)


OVERSIZE_SHARE = 0.10  # with bad=True: this share is over BAD_SIZE_CAP_KB
MALFORMED_SHARE = 0.05  # and this share is broken in one of MALFORMED's ways
BAD_SIZE_CAP_KB = 64  # the size cap the bad-input run gives the mailbox
MALFORMED = (
    b"\x00\x01\x02 not a mail at all \xff\xfe\r\n\r\n\x00",  # binary garbage, no header
    b"From: \r\nSubject: =?utf-8?b?////?=\r\nContent-Type: multipart/mixed\r\n\r\n"
    b"no boundary parameter, no parts\r\n",  # multipart without a boundary
    b"From: <@>\r\nMessage-ID: <>\r\nContent-Type: text/plain; charset=x-unknown-8\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n%%%% not base64 %%%%\r\n",
)


def generate(count: int, seed: int = 1, *, bad: bool = False) -> list[bytes]:
    """`count` raw mails as bytes; with `bad`, 10 % over the bad-input size cap and 5 %
    malformed, spread through the mailbox."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    mails: list[bytes] = []
    ids: list[tuple[str, str]] = []  # (message id, subject) to reply to
    lines = _lines(rng)
    for i in range(count):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        address = f"asiakas{rng.randint(1, count // 4 + 1)}@asiakas{rng.randint(1, 50)}.fi"
        size = int(1024 * 60 ** rng.random())  # 1–60 KB, most of them small
        mid = f"bench-{seed}-{i}@asiakas.fi"
        subject = rng.choice(SUBJECTS)
        headers = [f"From: {_encoded(name)} <{address}>", "To: Tuki <tuki@yritys.fi>",
                   f"Date: {format_datetime(start + timedelta(minutes=i))}",
                   f"Message-ID: <{mid}>", "MIME-Version: 1.0"]
        if ids and rng.random() < 0.3:
            parent, parent_subject = rng.choice(ids[-500:])
            subject = f"Re: {parent_subject}"
            headers += [f"In-Reply-To: <{parent}>", f"References: <{parent}>"]
        headers.append(f"Subject: {_encoded(subject)}")
        kind = rng.random()
        if kind < 0.55:
            mime = _plain(_paragraphs(rng, lines, size))
        elif kind < 0.85:  # text and HTML: half the size each
            mime = _alternative(_paragraphs(rng, lines, size // 2), i)
        else:
            mime = _with_attachment(rng, _paragraphs(rng, lines, size // 4), i, size)
        if bad:
            roll = rng.random()
            if roll < MALFORMED_SHARE:
                mails.append(rng.choice(MALFORMED) + f"\r\nbench {i}\r\n".encode())
                continue
            if roll < MALFORMED_SHARE + OVERSIZE_SHARE:
                over = 1024 * rng.randint(BAD_SIZE_CAP_KB + 8, 2 * BAD_SIZE_CAP_KB)
                mime = _with_attachment(rng, _paragraphs(rng, lines, 512), i, over * 3 // 2)
        mails.append(("\r\n".join(headers) + "\r\n" + mime).encode("utf-8"))
        ids.append((mid, subject.removeprefix("Re: ")))
    return mails


def _encoded(text: str) -> str:
    if text.isascii():
        return text
    return "=?utf-8?b?" + base64.b64encode(text.encode()).decode() + "?="


def _plain(body: str) -> str:
    return ("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            + body.replace("\n", "\r\n") + "\r\n")


def _alternative(body: str, i: int) -> str:
    html = "".join(f"<p>{line}</p>" for line in body.split("\n"))
    return (f'Content-Type: multipart/alternative; boundary="alt{i}"\r\n\r\n'
            f"--alt{i}\r\n{_plain(body)}"
            f"--alt{i}\r\nContent-Type: text/html; charset=utf-8\r\n"
            f"Content-Transfer-Encoding: 8bit\r\n\r\n<html><body>{html}</body></html>\r\n"
            f"--alt{i}--\r\n")


def _with_attachment(rng: random.Random, text: str, i: int, size: int) -> str:
    # base64 grows the bytes by a third: half the size in bytes is two thirds on the wire
    data = base64.encodebytes(rng.randbytes(max(512, size // 2))).decode().replace("\n", "\r\n")
    return (f'Content-Type: multipart/mixed; boundary="mix{i}"\r\n\r\n'
            f"--mix{i}\r\n{_plain(text)}"
            f"--mix{i}\r\nContent-Type: application/pdf; name=\"liite-{i}.pdf\"\r\n"
            f"Content-Disposition: attachment; filename=\"liite-{i}.pdf\"\r\n"
            f"Content-Transfer-Encoding: base64\r\n\r\n{data}"
            f"--mix{i}--\r\n")
