"""Answering a person's requests: export all that is held (GDPR Art. 15), erase it (Art. 17).

Both hold or destroy a person's whole file, so both are admin-only (the
/admin prefix, auth.ADMIN_PREFIXES) and both are recorded in the audit trail
by appliance.privacy itself. The privacy package is imported on first use:
the idle daemon does not pay for it.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from aiohttp import web

from appliance.web.frame import forms
from appliance.web.frame.app_keys import BACKEND, SESSION
from appliance.web.frame.errors import WebInputError, wants_json
from appliance.web.frame.privacy_parts import PrivacyParts
from appliance.web.frame.rendering import render

log = logging.getLogger("aspa.web.privacy")

CHUNK_BYTES = 256 * 1024  # the archive is sent in pieces; one person's attachments can be large
FOLDER_PREFIX = "web-"
LEFTOVER_AGE_S = 3600.0  # an export folder this old was left by a crash, not by a download
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


def _parts(request: web.Request) -> PrivacyParts:
    parts = request.app[BACKEND].privacy
    if parts is None:
        raise web.HTTPConflict(text="This box has no data directory for exports and erasures.")
    return parts


def _actor(request: web.Request) -> Any:
    from appliance.privacy.audit import Actor

    session = request[SESSION]
    assert session is not None
    return Actor.agent(session.who.login, session.who.agent_id)


def _refusal(error: Exception) -> web.HTTPException:
    """A privacy refusal as its HTTP answer, with the module's own sentence."""
    from appliance.privacy.errors import CustomerUnknown

    if isinstance(error, CustomerUnknown):
        return web.HTTPNotFound(text=str(error))
    return web.HTTPConflict(text=str(error))


def remove_leftovers(export_dir: Path, now: float) -> int:
    """Delete export folders a crash left behind (each held one person's file); returns how many.

    Younger folders may be another admin's download under way and stay.
    """
    removed = 0
    for folder in export_dir.glob(FOLDER_PREFIX + "*"):
        try:
            old = now - folder.stat().st_mtime > LEFTOVER_AGE_S
        except FileNotFoundError:
            continue  # its own download just finished
        if old:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    if removed:
        log.warning("removed %d export folders left behind by an interrupted download", removed)
    return removed


def download_name(path: Path) -> str:
    """The archive's file name with anything but letters, digits, dot, dash and _ replaced."""
    return _SAFE_NAME.sub("_", path.name) or "aspa-customer.zip"


async def export_download(request: web.Request) -> web.StreamResponse:
    """POST /admin/customers/{id}/export: the customer's archive as a download, then deleted."""
    from appliance.privacy.errors import PrivacyError
    from appliance.privacy.export import export_customer

    customer_id = forms.path_number(request, "id")
    parts = _parts(request)
    store = request.app[BACKEND].store
    parts.export_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    remove_leftovers(parts.export_dir, time.time())
    folder = Path(tempfile.mkdtemp(dir=parts.export_dir, prefix=FOLDER_PREFIX))
    try:
        try:
            report = await store.call(
                export_customer, store.db, customer_id, folder, actor=_actor(request),
                attachments_root=parts.attachments_root, box_name=parts.box_name,
                country_code=parts.country_code, clock=request.app[BACKEND].clock)
        except PrivacyError as error:
            raise _refusal(error) from None
        response = web.StreamResponse(headers={
            "Content-Type": "application/zip",
            "Content-Disposition": f'attachment; filename="{download_name(report.path)}"',
            "Content-Length": str(report.path.stat().st_size),
        })
        await response.prepare(request)
        with report.path.open("rb") as archive:
            while chunk := archive.read(CHUNK_BYTES):
                await response.write(chunk)
        await response.write_eof()
        return response
    finally:
        # the archive holds one person's whole file: it never stays on the box
        shutil.rmtree(folder, ignore_errors=True)


async def _preview(request: web.Request, customer_id: int) -> Any:
    from appliance.privacy.errors import PrivacyError
    from appliance.privacy.footprint import footprint_of

    try:
        return await request.app[BACKEND].store.call(footprint_of, customer_id,
                                                     _parts(request).country_code)
    except PrivacyError as error:
        raise _refusal(error) from None


async def erase_page(request: web.Request) -> web.StreamResponse:
    """GET /admin/customers/{id}/erase: what would go, and the form that asks for the number."""
    customer_id = forms.path_number(request, "id")
    found = await _preview(request, customer_id)
    customer = found.customer
    if wants_json(request):
        erased = customer.erased_at
        return web.json_response({"id": customer_id, "name": customer.name,
                                  "erased_at": erased.isoformat() if erased else None,
                                  "counts": found.counts()})
    return render(request, "erase.html", customer_id=customer_id, name=customer.name,
                  erased_at=customer.erased_at, counts=found.counts())


async def erase_submit(request: web.Request) -> web.StreamResponse:
    """POST /admin/customers/{id}/erase {confirm}: erase, then sweep the SIMs of the lines."""
    from appliance.privacy.erasure import erase_customer, erased_event
    from appliance.privacy.errors import PrivacyError

    customer_id = forms.path_number(request, "id")
    fields = await forms.submitted(request)
    if str(fields.get("confirm", "")).strip() != str(customer_id):
        raise WebInputError(f"type the customer's number {customer_id} to confirm the erasure; "
                            "nothing was changed")
    parts = _parts(request)
    store = request.app[BACKEND].store
    try:
        report = await store.call(erase_customer, store.db, customer_id, actor=_actor(request),
                                  attachments_root=parts.attachments_root,
                                  country_code=parts.country_code,
                                  clock=request.app[BACKEND].clock)
    except PrivacyError as error:
        raise _refusal(error) from None
    backend = request.app[BACKEND]
    backend.bus.publish(erased_event(report, backend.clock.now()))
    sim_deleted, sim_problem = await _sweep_sims(parts, report.needles)
    if wants_json(request):
        return web.json_response({"ok": True, "id": customer_id, "counts": report.counts,
                                  "files_removed": report.files_removed,
                                  "compacted": report.compacted, "sim_deleted": sim_deleted,
                                  "sim_problem": sim_problem})
    return render(request, "erased.html", customer_id=customer_id, counts=report.counts,
                  files_removed=report.files_removed, compacted=report.compacted,
                  sim_deleted=sim_deleted, sim_problem=sim_problem)


async def _sweep_sims(parts: PrivacyParts, needles: Any) -> tuple[int, str]:
    """SMS of theirs still on a SIM (storing them failed once) go too; the erasure stands anyway."""
    if parts.lines is None or not needles:
        return 0, ""
    try:
        return await parts.lines.sweep_sim(needles.found_in_text), ""
    except Exception as error:  # a modem fault must not undo or hide the erasure
        log.warning("SIM sweep after an erasure failed: %s", error)
        return 0, f"a SIM could not be searched: {error}"
