"""axe-core run inside a page, and the page's own layout metrics for text that does not fit.

axe-core is vendored under vendor/axe-core/ (see its VERSION file): nothing is fetched
while the tests run. It is loaded as an init script of the browser context, which the
page's Content-Security-Policy does not govern, so the page itself stays as served.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")
# rated "moderate" by axe-core, but what the pages promise all the same: one main landmark,
# a first-level heading, and headings that go down one level at a time
BLOCKING_RULES = ("landmark-one-main", "page-has-heading-one", "heading-order")

# Every rule axe-core has (WCAG 2.x A and AA, and its best practices), reported as
# violations only; the test fails on those whose impact is serious or critical, and on
# the rules named above.
_RUN_AXE = """async ([impacts, rules]) => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  const blocking = v => impacts.includes(v.impact) || rules.includes(v.id);
  return result.violations.filter(blocking).map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " — " +
      (n.failureSummary || "").replace(/\\s+/g, " ").trim()),
    more: Math.max(0, v.nodes.length - 5),
  }));
}"""

# Text cut off at the side: an element that hides its horizontal overflow while its
# content is wider than its box, and a page wider than the window.
_CLIPPED = """() => {
  const found = [];
  const root = document.documentElement;
  if (root.scrollWidth > window.innerWidth) {
    found.push(`the page is ${root.scrollWidth}px wide in a ${window.innerWidth}px window`);
  }
  for (const el of document.body.querySelectorAll("*")) {
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden") continue;
    if (!["hidden", "clip"].includes(style.overflowX)) continue;
    if (el.clientWidth <= 1 && el.clientHeight <= 1) continue;  // for screen readers only
    if (el.scrollWidth > el.clientWidth + 1 && el.innerText.trim() !== "") {
      const classes = typeof el.className === "string" ? el.className.trim() : "";
      const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
        (classes ? "." + classes.split(/\\s+/).join(".") : "");
      found.push(`${name} shows ${el.clientWidth}px of ${el.scrollWidth}px: ` +
        JSON.stringify(el.innerText.trim().slice(0, 60)));
    }
  }
  return found;
}"""


async def load_axe(context: Any) -> None:
    """Have axe-core in every page this browser context opens."""
    await context.add_init_script(path=str(AXE_SCRIPT))


async def serious_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations of impact serious or critical (or of BLOCKING_RULES) on the page
    as it stands."""
    found: list[dict[str, Any]] = await page.evaluate(
        _RUN_AXE, [list(BLOCKING_IMPACTS), list(BLOCKING_RULES)])
    return found


def violations_text(where: str, violations: list[dict[str, Any]]) -> str:
    """The violations of one page, one rule a line and its first elements under it."""
    lines = [where]
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']}")
        lines.extend(f"      {node}" for node in v["nodes"])
        if v["more"]:
            lines.append(f"      … and {v['more']} more")
    return "\n".join(lines)


async def clipped_text(page: Any) -> list[str]:
    """What the page's layout metrics show cut off at the side (empty when all fits)."""
    found: list[str] = await page.evaluate(_CLIPPED)
    return found
