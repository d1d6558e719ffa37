"""The announcements page in Chromium: an office recording uploaded, listed and played; a bad
file refused by name in Finnish with the old recording kept; a removal back to the default."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from tests.web.browser.conftest import Site, Watched, log_in

pytestmark = pytest.mark.asyncio(loop_scope="session")

DURATION_JS = ("a => new Promise(done => a.readyState >= 1 ? done(a.duration) "
               ": a.addEventListener('loadedmetadata', () => done(a.duration)))")


def studio_wav(path: Path, seconds: float) -> Path:
    """A recording as an office's computer makes it: 44.1 kHz stereo, a tone."""
    rate = 44100
    t = np.arange(int(seconds * rate)) / rate
    tone = (0.3 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.repeat(tone, 2).tobytes())
    return path


async def test_an_upload_is_listed_playable_and_a_bad_one_keeps_it(
        site: Site, watched: Watched, tmp_path: Path) -> None:
    page = watched.page
    await page.context.add_cookies([{"name": "aspa_lang", "value": "fi", "url": site.url}])
    await log_in(page, site)
    await page.goto(site.url + "/admin/settings")
    await page.click("a[href='/admin/prompts']")
    await page.wait_for_url(site.url + "/admin/prompts")
    greeting = page.locator("section#greeting-fi")
    assert "Oletuslause puhuttuna" in await greeting.locator("p.state").inner_text()

    await greeting.locator("input[type=file]").set_input_files(
        str(studio_wav(tmp_path / "tervehdys-studio.wav", 1.5)))
    await greeting.locator("form.upload button").click()
    await page.wait_for_url("**/admin/prompts?saved=greeting-fi*")
    greeting = page.locator("section#greeting-fi")
    assert "Tallennettu" in await greeting.locator("p.ok").inner_text()
    assert "Toimiston äänite, 1.5 s" in await greeting.locator("p.state").inner_text()
    duration = await greeting.locator("audio.recorded").evaluate(DURATION_JS)
    assert 1.4 <= duration <= 1.6
    kept = (site.data_dir / "prompts" / "greeting-fi.wav").read_bytes()

    bad = tmp_path / "<i>uusi-tervehdys.mp3"  # shown as text, never as markup
    bad.write_bytes(b"this is a note, not a sound\n" * 40)
    await greeting.locator("input[type=file]").set_input_files(str(bad))
    await greeting.locator("form.upload button").click()
    problem = page.locator("section#greeting-fi p.problem")
    await problem.wait_for()
    said = await problem.inner_text()
    assert "<i>uusi-tervehdys.mp3" in said and "Tiedotetta ei muutettu" in said
    assert await problem.locator("i").count() == 0
    assert "Toimiston äänite, 1.5 s" in await page.locator(
        "section#greeting-fi p.state").inner_text()
    assert (site.data_dir / "prompts" / "greeting-fi.wav").read_bytes() == kept

    await page.locator("section#greeting-fi form.remove button").click()
    await page.wait_for_url("**/admin/prompts?saved=greeting-fi*")
    assert "Oletuslause puhuttuna" in await page.locator(
        "section#greeting-fi p.state").inner_text()
    assert not (site.data_dir / "prompts" / "greeting-fi.wav").exists()
    assert watched.errors == [] or all("400" in e for e in watched.errors)


async def test_a_typed_sentence_is_spoken_listed_and_playable(
        site: Site, watched: Watched) -> None:
    page = watched.page
    await log_in(page, site)
    await page.goto(site.url + "/admin/prompts")
    closed = page.locator("section#closed-en")
    await closed.locator("textarea[name=text]").fill("We are closed for the holidays.")
    await closed.locator("form.speak button").click()
    await page.wait_for_url("**/admin/prompts?saved=closed-en*")
    closed = page.locator("section#closed-en")
    assert "The office's recording" in await closed.locator("p.state").inner_text()
    duration = await closed.locator("audio.recorded").evaluate(DURATION_JS)
    assert 1.0 <= duration <= 6.0
    assert (site.data_dir / "prompts" / "closed-en.wav").exists()
    assert watched.errors == []
