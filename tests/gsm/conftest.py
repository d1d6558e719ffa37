"""Fixtures for the GSM line tests: a simulated modem per model with the real driver on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from .line_harness import ALL_MODELS, Line, close_line, open_line


@pytest.fixture(params=ALL_MODELS)
def model(request: pytest.FixtureRequest) -> str:
    """Each supported model, and the generic 27.007 fallback."""
    return str(request.param)


@pytest.fixture
async def line(tmp_path: Path, model: str) -> AsyncIterator[Line]:
    """A running line for `model`."""
    running = await open_line(tmp_path, model)
    try:
        yield running
    finally:
        await close_line(running)
