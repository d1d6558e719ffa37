"""docs/screenshots/README.md lists exactly the pictures the accessibility walk makes."""

from __future__ import annotations

import re
from pathlib import Path

from tests.web.browser.page_tour import Tour, screenshot_names

INDEX = Path(__file__).resolve().parents[3] / "docs" / "screenshots" / "README.md"


def test_the_index_names_every_screenshot_at_both_widths() -> None:
    linked = set(re.findall(r"\]\(([a-z0-9-]+-(?:1280|390)\.png)\)", INDEX.read_text("utf-8")))
    made = {f"{name}-{width}.png" for name in screenshot_names(Tour(1, 2, 3, 4))
            for width in (1280, 390)}
    assert linked == made, (f"missing from the index: {sorted(made - linked)}; "
                            f"not made by the walk: {sorted(linked - made)}")
