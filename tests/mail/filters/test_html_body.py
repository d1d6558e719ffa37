"""html_body: HTML kept for display only after sanitising (stored XSS, as in CVE-2018-1000154)."""

from __future__ import annotations

from appliance.mail.filters import html_body
from appliance.mail.intake_context import IntakeContext
from appliance.mail.parsed_mail import ParsedMail


def sanitised(markup: str, ctx: IntakeContext) -> str:
    mail = ParsedMail(raw=b"", source="t", html=markup)
    html_body.run(mail, ctx)
    assert mail.html is not None
    return mail.html


def test_scripts_handlers_and_dangerous_urls_are_removed(ctx: IntakeContext) -> None:
    html = sanitised('<p onmouseover="x()">Hei<script>alert(1)</script></p>'
                     '<a href="javascript:alert(2)">a</a><img src="data:image/svg+xml,<svg/>">'
                     '<iframe src="https://evil.example"></iframe>', ctx)
    for bad in ("script", "onmouseover", "javascript:", "data:", "iframe"):
        assert bad not in html
    assert "Hei" in html


def test_ordinary_markup_and_inline_images_stay(ctx: IntakeContext) -> None:
    html = sanitised('<p><b>Lasku</b> <a href="https://yritys.fi">linkki</a>'
                     '<img src="cid:logo@x" alt="logo"></p>', ctx)
    assert "<b>Lasku</b>" in html and 'src="cid:logo@x"' in html
    assert 'rel="noopener noreferrer"' in html


def test_no_html_stays_none(ctx: IntakeContext) -> None:
    mail = ParsedMail(raw=b"", source="t")
    html_body.run(mail, ctx)
    assert mail.html is None
