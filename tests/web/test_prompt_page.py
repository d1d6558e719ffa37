"""The announcements page over HTTP: admins only, CSRF on every change, typed sentences spoken,
refusals by file name in the person's language, the exchange told of each change."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import aiohttp
from aiohttp.test_utils import TestClient

from appliance.media.prompt_import import MAX_UPLOAD_BYTES
from appliance.store.accounts import Accounts
from appliance.store.worker import StoreWorker
from appliance.web.frame.store_backend import StoreWebBackend
from tests.web.conftest import log_in


def _wav(seconds: float, rate: int = 16000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(b"\x10\x20" * int(seconds * rate))
    return out.getvalue()


def _upload(token: str, data: bytes, filename: str) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("csrf_token", token)
    form.add_field("sound", data, filename=filename, content_type="application/octet-stream")
    return form


async def test_an_upload_is_kept_and_the_exchange_is_told(
        client: TestClient, backend: StoreWebBackend, admin_id: int, tmp_path: Path) -> None:
    told: list[tuple[str, str]] = []

    async def changed(prompt: str, language: str) -> None:
        told.append((prompt, language))

    backend.announcement_changed = changed
    token = await log_in(client)
    response = await client.post("/admin/prompts/closed/en/upload",
                                 data=_upload(token, _wav(0.8), "closed.wav"),
                                 allow_redirects=False)
    assert response.status == 303
    assert (tmp_path / "prompts" / "closed-en.wav").exists()
    assert told == [("closed", "en")]
    page = await (await client.get("/admin/prompts")).text()
    assert "The office&#39;s recording, 0.8 s" in page or "The office's recording, 0.8 s" in page
    sound = await client.get("/admin/prompts/closed/en/sound")
    assert sound.status == 200 and sound.content_type == "audio/wav"


async def test_a_refusal_names_the_file_and_keeps_the_old_one(
        client: TestClient, admin_id: int, tmp_path: Path) -> None:
    token = await log_in(client)
    await client.post("/admin/prompts/menu/fi/upload", data=_upload(token, _wav(1.0), "a.wav"))
    kept = (tmp_path / "prompts" / "menu-fi.wav").read_bytes()
    response = await client.post(
        "/admin/prompts/menu/fi/upload",
        data=_upload(token, b"<html>not sound</html>" * 10, "valikko.ogg"))
    assert response.status == 400
    page = await response.text()
    assert "valikko.ogg: this is not a sound file the box can read" in page
    assert (tmp_path / "prompts" / "menu-fi.wav").read_bytes() == kept


async def test_a_file_over_the_limit_is_refused_by_name_in_finnish(
        client: TestClient, admin_id: int, tmp_path: Path) -> None:
    token = await log_in(client)
    client.session.cookie_jar.update_cookies({"aspa_lang": "fi"})
    huge = b"\0" * (MAX_UPLOAD_BYTES + 1024 * 1024)
    response = await client.post("/admin/prompts/greeting/fi/upload",
                                 data=_upload(token, huge, "pitka.wav"))
    assert response.status == 400
    page = await response.text()
    assert "pitka.wav: tiedosto on liian suuri (enintään 20 Mt)" in page
    assert not (tmp_path / "prompts" / "greeting-fi.wav").exists()


async def test_a_typed_sentence_is_spoken_and_kept_then_removed(
        client: TestClient, admin_id: int, tmp_path: Path) -> None:
    token = await log_in(client)
    response = await client.post("/admin/prompts/greeting/en/speak",
                                 data={"csrf_token": token, "text": "Welcome to Example Ltd."},
                                 allow_redirects=False)
    assert response.status == 303
    path = tmp_path / "prompts" / "greeting-en.wav"
    with wave.open(str(path), "rb") as wav:
        assert wav.getframerate() == 8000 and wav.getnframes() > 8000
    empty = await client.post("/admin/prompts/greeting/en/speak",
                              data={"csrf_token": token, "text": "  "})
    assert empty.status == 400 and "Type the sentence to be spoken." in await empty.text()
    removed = await client.post("/admin/prompts/greeting/en/remove",
                                data={"csrf_token": token}, allow_redirects=False)
    assert removed.status == 303 and not path.exists()


async def test_changes_need_the_csrf_token_and_an_admin(
        client: TestClient, store: StoreWorker, accounts: Accounts, admin_id: int,
        tmp_path: Path) -> None:
    token = await log_in(client)
    forged = await client.post("/admin/prompts/closed/fi/upload",
                               data=_upload("not-the-token", _wav(0.5), "x.wav"))
    assert forged.status == 403
    assert not (tmp_path / "prompts" / "closed-fi.wav").exists()
    unknown = await client.get("/admin/prompts/nothing/fi/sound")
    assert unknown.status == 404
    await client.post("/logout", data={"csrf_token": token})
    await store.call(accounts.add_user, "Anna Agent", "anna", "agent", "anna-salasana-1")
    agent_token = await log_in(client, "anna", "anna-salasana-1")
    page = await client.get("/admin/prompts")
    assert page.status == 403
    refused = await client.post("/admin/prompts/closed/fi/upload",
                                data=_upload(agent_token, _wav(0.5), "x.wav"))
    assert refused.status == 403
    assert not (tmp_path / "prompts" / "closed-fi.wav").exists()
