"""The suite's Hypothesis profile: property tests are not timed (tests/conftest.py says why)."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings


@pytest.mark.skipif(os.environ.get("ASPA_HYPOTHESIS_PROFILE", "aspa") != "aspa",
                    reason="another Hypothesis profile was chosen")
def test_property_tests_run_without_deadlines_or_the_too_slow_check() -> None:
    assert settings.default.deadline is None
    assert HealthCheck.too_slow in settings.default.suppress_health_check
