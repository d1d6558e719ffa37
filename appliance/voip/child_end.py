"""Ending a helper program the VoIP line started (baresip, its JACK server)."""

from __future__ import annotations

import asyncio
import contextlib
import signal


async def end_child(process: asyncio.subprocess.Process | None, within_s: float) -> None:
    """SIGTERM, then SIGKILL if it lingers past `within_s`; safe when it never started or
    already ended."""
    if process is None or process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    try:
        async with asyncio.timeout(within_s):
            await process.wait()
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
