"""The admin's announcements page: what callers hear, recorded by the office or typed and spoken.

Each announcement in Finnish and English (and the hold music) can be
uploaded in any common sound format (converted by SoX through
`appliance.calls.prompt_library.PromptLibrary`), typed and spoken by
espeak-ng, played back here, or removed (back to the shipped default). A
refused file leaves the announcement as it was, and the page says why in
the person's language, naming their file. Every change is told to the
exchange (`announcement_changed`), so the next caller hears it.
"""

from __future__ import annotations

import asyncio
import io
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from appliance.calls.prompt_library import (
    HOLD_MUSIC,
    LANGUAGES,
    RECORDABLE,
    SOUND_SUFFIXES,
    PromptChoiceError,
    PromptLibrary,
)
from appliance.config.sections.call_speech import CallSpeechSettings
from appliance.media.pcm import NARROW_BAND
from appliance.media.prompt_import import PromptFileError, write_wav
from appliance.media.speech_cache import MAX_TEXT_CHARS, SpeechCache, SpeechError
from appliance.web.frame.app_keys import BACKEND
from appliance.web.frame.i18n import language_of, translator
from appliance.web.frame.rendering import render
from appliance.web.settings import prompt_messages

PAGE = "/admin/prompts"
ALL_LANGUAGES = "all"  # the hold music's "language" in the URLs: one file for every caller


@dataclass(frozen=True)
class PromptRow:
    """One announcement in one language, as the page lists it."""

    prompt: str
    language: str  # "all" for the hold music
    recorded_s: float | None  # the office's recording's length; None: the shipped default
    default_text: str  # the sentence spoken when nothing is recorded ("" for the music)
    version: int  # changes with the file, so the browser fetches the new sound

    @property
    def key(self) -> str:
        return f"{self.prompt}-{self.language}"


def _data_dir(request: web.Request) -> Path:
    data_dir = request.app[BACKEND].data_dir
    if data_dir is None:
        raise web.HTTPNotFound(text="This box keeps no announcements (no data directory).")
    return data_dir


def _library(request: web.Request) -> PromptLibrary:
    return PromptLibrary(_data_dir(request) / "prompts")


def _speech(request: web.Request) -> CallSpeechSettings:
    config = request.app[BACKEND].config
    return config.calls.speech if config is not None else CallSpeechSettings()


def _choice(request: web.Request) -> tuple[str, str]:
    """(prompt, language) from the URL; the library's own language "" for the music."""
    prompt, language = request.match_info["prompt"], request.match_info["language"]
    if prompt == HOLD_MUSIC and language == ALL_LANGUAGES:
        return prompt, ""
    try:
        _library(request).path(prompt, language)
    except PromptChoiceError:
        raise web.HTTPNotFound(text="No such announcement.") from None
    return prompt, language


def _rows(library: PromptLibrary, speech: CallSpeechSettings) -> list[PromptRow]:
    recorded = {(r.prompt, r.language): r.seconds for r in library.recorded()}
    rows = []
    for prompt in RECORDABLE:
        for language in ("",) if prompt == HOLD_MUSIC else LANGUAGES:
            path = library.path(prompt, language or "fi")  # the music's file is one for all
            version = path.stat().st_mtime_ns if path.exists() else 0
            rows.append(PromptRow(prompt, language or ALL_LANGUAGES,
                                  recorded.get((prompt, language)),
                                  "" if prompt == HOLD_MUSIC else speech.text(prompt, language),
                                  version))
    return rows


async def prompts_page(request: web.Request) -> web.StreamResponse:
    """GET /admin/prompts: every announcement, recorded or default, with a player."""
    saved = request.query.get("saved", "")
    return await _page(request, saved=saved)


async def _page(request: web.Request, *, saved: str = "", problem: str = "",
                problem_key: str = "", status: int = 200) -> web.Response:
    rows = await asyncio.to_thread(_rows, _library(request), _speech(request))
    return render(request, "admin_prompts.html", status=status, rows=rows, saved=saved,
                  problem=problem, problem_key=problem_key, max_text=MAX_TEXT_CHARS,
                  accept=",".join(("audio/*", *SOUND_SUFFIXES)))


async def _changed(request: web.Request, prompt: str, language: str) -> web.StreamResponse:
    """Tell the exchange (callers hear it next) and show the page saying it was saved."""
    hook = request.app[BACKEND].announcement_changed
    if hook is not None:
        await hook(prompt, language)
    key = f"{prompt}-{language or ALL_LANGUAGES}"
    raise web.HTTPSeeOther(f"{PAGE}?saved={key}#{key}")


async def prompt_upload(request: web.Request) -> web.StreamResponse:
    """POST /admin/prompts/{prompt}/{language}/upload: the office's recording, any format."""
    prompt, language = _choice(request)
    key = f"{prompt}-{language or ALL_LANGUAGES}"
    t = translator(language_of(request))
    form = await request.post()
    upload = form.get("sound")
    if not isinstance(upload, web.FileField) or not upload.filename:
        return await _page(request, problem=t(prompt_messages.NO_FILE), problem_key=key,
                           status=400)
    filename = Path(upload.filename).name
    data = await asyncio.to_thread(upload.file.read)
    try:
        await asyncio.to_thread(_library(request).take, prompt, language or "fi", data,
                                filename)
    except PromptFileError as error:
        return await _page(request, problem=prompt_messages.refusal(t, error.kind, filename),
                           problem_key=key, status=400)
    return await _changed(request, prompt, language)


def _speak_into(library: PromptLibrary, cache_dir: Path, prompt: str, language: str,
                text: str) -> None:
    """Speak the typed sentence and keep it as the announcement (blocking: espeak-ng)."""
    pcm = SpeechCache(cache_dir, NARROW_BAND).speak(text, language)
    write_wav(library.path(prompt, language), pcm, NARROW_BAND)


async def prompt_speak(request: web.Request) -> web.StreamResponse:
    """POST /admin/prompts/{prompt}/{language}/speak: a typed sentence, spoken by the box."""
    prompt, language = _choice(request)
    key = f"{prompt}-{language or ALL_LANGUAGES}"
    t = translator(language_of(request))
    if prompt == HOLD_MUSIC:
        raise web.HTTPNotFound(text="Music is not spoken.")
    form = await request.post()
    text = str(form.get("text", "")).strip()
    problem = ""
    if not text:
        problem = t(prompt_messages.NO_TEXT)
    elif len(text) > MAX_TEXT_CHARS:
        problem = t(prompt_messages.TEXT_TOO_LONG, chars=MAX_TEXT_CHARS)
    else:
        try:
            await asyncio.to_thread(_speak_into, _library(request),
                                    _data_dir(request) / "speech", prompt, language, text)
        except (SpeechError, OSError) as error:
            problem = t(prompt_messages.NOT_SPOKEN, detail=str(error))
    if problem:
        return await _page(request, problem=problem, problem_key=key, status=400)
    return await _changed(request, prompt, language)


async def prompt_remove(request: web.Request) -> web.StreamResponse:
    """POST /admin/prompts/{prompt}/{language}/remove: back to the shipped default."""
    prompt, language = _choice(request)
    await asyncio.to_thread(_library(request).remove, prompt, language or "fi")
    return await _changed(request, prompt, language)


def _wav(pcm: bytes) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(NARROW_BAND.rate_hz)
        wav.writeframes(pcm)
    return out.getvalue()


def _default_sound(request: web.Request, prompt: str, language: str) -> bytes:
    """What callers hear without a recording: the spoken sentence, or the built-in tune."""
    if prompt == HOLD_MUSIC:
        from appliance.media.hold_music import hold_music

        return _wav(hold_music(NARROW_BAND))
    cache = SpeechCache(_data_dir(request) / "speech", NARROW_BAND)
    return _wav(cache.speak(_speech(request).text(prompt, language), language))


async def prompt_sound(request: web.Request) -> web.StreamResponse:
    """GET /admin/prompts/{prompt}/{language}/sound: the announcement as callers hear it."""
    prompt, language = _choice(request)
    path = _library(request).path(prompt, language or "fi")
    headers: dict[str, Any] = {"Cache-Control": "no-store", "Content-Disposition": "inline"}
    if path.is_file():
        return web.FileResponse(path, headers={**headers, "Content-Type": "audio/wav"})
    try:
        data = await asyncio.to_thread(_default_sound, request, prompt, language)
    except SpeechError as error:
        raise web.HTTPServiceUnavailable(text=str(error)) from None
    return web.Response(body=data, content_type="audio/wav", headers=headers)
