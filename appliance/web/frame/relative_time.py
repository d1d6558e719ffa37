"""Times as people say them ("5 min ago", "in 2 h"), in the person's language.

The page shows the relative text with the exact time on hover, and aspa.js writes the
text again every minute from the same catalogue texts (`relative_texts`), so the server
and the browser say it alike.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from typing import TYPE_CHECKING

from markupsafe import Markup

from appliance.web.frame.i18n import translator

if TYPE_CHECKING:
    import jinja2

MINUTE_S = 60
HOUR_S = 60 * MINUTE_S
DAY_S = 24 * HOUR_S
DAYS_SHOWN = 60  # further away, the date itself says more than "143 days ago"
EXACT = "%Y-%m-%d %H:%M"  # the office's wall clock, as everywhere else on the pages
MACHINE = "%Y-%m-%dT%H:%M:%SZ"  # <time datetime>: UTC, a valid global date and time string


@lru_cache(maxsize=4)
def relative_texts(language: str) -> dict[str, str]:
    """The texts in `language`, by the name aspa.js knows them by ({count} filled in there)."""
    t = translator(language)
    return {
        "now": t("just now"),
        "min_ago": t("{count} min ago"),
        "min_in": t("in {count} min"),
        "h_ago": t("{count} h ago"),
        "h_in": t("in {count} h"),
        "day_ago": t("{count} day ago"),
        "days_ago": t("{count} days ago"),
        "day_in": t("in {count} day"),
        "days_in": t("in {count} days"),
    }


def relative_text(moment: datetime, now: datetime, language: str, zone: tzinfo) -> str:
    """`moment` as seen from `now` ("5 min ago", "in 2 h"); counts are whole units, cut
    down (90 s is "1 min"), as a person rounds a clock; far times give the date."""
    texts = relative_texts(language)
    seconds = (moment - now).total_seconds()
    span = abs(seconds)
    ahead = seconds > 0
    if span < MINUTE_S:
        return texts["now"]
    if span < HOUR_S:
        return texts["min_in" if ahead else "min_ago"].format(count=int(span // MINUTE_S))
    if span < DAY_S:
        return texts["h_in" if ahead else "h_ago"].format(count=int(span // HOUR_S))
    days = int(span // DAY_S)
    if days > DAYS_SHOWN:
        return moment.astimezone(zone).strftime("%Y-%m-%d")
    name = ("day" if days == 1 else "days") + ("_in" if ahead else "_ago")
    return texts[name].format(count=days)


def relative_time_filter(context: jinja2.runtime.Context, moment: datetime | None) -> Markup:
    """`{{ ticket.created_at|relative }}`: a <time> with the relative text, the exact time
    on hover, and the moment in UTC for aspa.js; now is the request's clock (`now`).
    Registered with jinja2.pass_context (rendering.py), so that Jinja2 loads with the
    first page rather than at start."""
    if moment is None:
        return Markup("")
    zone: tzinfo = context["zone"]
    return Markup('<time datetime="{}" title="{}" data-relative>{}</time>').format(
        moment.astimezone(UTC).strftime(MACHINE), moment.astimezone(zone).strftime(EXACT),
        relative_text(moment, context["now"], context["lang"], zone))
