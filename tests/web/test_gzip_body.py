"""The queue page and JSON go gzip-compressed to a client that asks for it, and only then."""

from __future__ import annotations

import gzip

import pytest
from aiohttp.test_utils import TestClient

from appliance.spine.bus import EventBus
from appliance.store.tickets import TicketBook
from appliance.web.frame.gzip_body import accepts_gzip, gzipped
from tests.web.conftest import log_in, open_sample_ticket


@pytest.mark.parametrize(("header", "takes"), [
    ("gzip, deflate, br, zstd", True),  # what Chromium sends
    ("br;q=1.0, gzip;q=0.8, *;q=0.1", True),
    ("identity", False),
    ("", False),
    ("gzip;q=0", False),
    ("gzip;q=0.000", False),
    ("*", True),
    ("*;q=0", False),
    ("*, gzip;q=0", False),
    ("GZIP", True),
    ("x-gzip", True),
    ("gzip;q=nonsense", False),
])
def test_accept_encoding_is_read_with_its_weights(header: str, takes: bool) -> None:
    assert accepts_gzip(header) is takes


def test_the_packed_body_unpacks_to_the_same_bytes_every_time() -> None:
    body = b"<tr><td>Lasku</td></tr>\n" * 400
    assert gzip.decompress(gzipped(body)) == body
    assert gzipped(body) == gzipped(body)  # no time in the header
    assert len(gzipped(body)) < len(body) // 10


async def _raw(client: TestClient, path: str, encoding: str) -> tuple[dict[str, str], bytes]:
    async with client.session.get(client.make_url(path), auto_decompress=False,
                                  headers={"Accept-Encoding": encoding}) as response:
        assert response.status == 200
        return dict(response.headers), await response.read()


async def test_the_queue_views_are_sent_compressed_only_when_asked(
    client: TestClient, tickets: TicketBook, bus: EventBus
) -> None:
    await log_in(client)
    for i in range(30):
        await open_sample_ticket(tickets, subject=f"Lasku {i} on väärin")
    await bus.drain()
    for path in ("/", "/api/queue"):
        plain_headers, plain = await _raw(client, path, "identity")
        assert "Content-Encoding" not in plain_headers
        assert plain_headers["Vary"] == "Accept-Encoding"
        packed_headers, packed = await _raw(client, path, "gzip, deflate, br")
        assert packed_headers["Content-Encoding"] == "gzip"
        assert packed_headers["Vary"] == "Accept-Encoding"
        assert gzip.decompress(packed) == plain
        assert len(packed) < len(plain) // 3
        refused_headers, refused = await _raw(client, path, "gzip;q=0")
        assert "Content-Encoding" not in refused_headers and refused == plain


async def test_a_change_is_sent_compressed_too_not_the_old_packed_page(
    client: TestClient, tickets: TicketBook, bus: EventBus
) -> None:
    await log_in(client)
    for i in range(10):
        await open_sample_ticket(tickets, subject=f"Vanha asia {i}")
    await bus.drain()
    _, before = await _raw(client, "/api/queue", "gzip")
    assert "Uusi asia" not in gzip.decompress(before).decode()
    await open_sample_ticket(tickets, subject="Uusi asia")
    await bus.drain()
    _, after = await _raw(client, "/api/queue", "gzip")
    assert "Uusi asia" in gzip.decompress(after).decode()
