"""Keep an HTML body only after sanitising it, so inbound mail cannot script the agents' page."""

from __future__ import annotations

from appliance.mail.intake_context import IntakeContext
from appliance.mail.parsed_mail import ParsedMail

# Inline images (cid:) and https/mailto links are fine; javascript:, data: and the like are not.
_URL_SCHEMES = {"http", "https", "mailto", "cid", "tel"}


def run(mail: ParsedMail, ctx: IntakeContext) -> None:
    """Replace the HTML body with its sanitised version."""
    if mail.html is None:
        return
    import nh3  # 1.5 MB: imported with the first HTML mail, not at the daemon's start

    mail.html = nh3.clean(mail.html, url_schemes=_URL_SCHEMES, link_rel="noopener noreferrer")
