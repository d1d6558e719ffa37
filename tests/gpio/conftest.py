"""GPIO tests: gpiozero's mock pins, reset after every test, and a running daemon."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from gpiozero.pins.mock import MockFactory

from tests.desk.box_daemon import box_daemon

__all__ = ["box_daemon"]


@pytest.fixture
def mock_factory() -> Iterator[MockFactory]:
    """A fresh mock pin factory, reset in a finally so that no pin leaks into the next test."""
    factory = MockFactory()
    try:
        yield factory
    finally:
        factory.reset()
