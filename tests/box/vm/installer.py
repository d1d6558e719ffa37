"""What an installer does in the browser at first boot: the setup pages, step by step."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

WAIT_MS = 60_000  # the box runs emulated: a page can take seconds


@dataclass(frozen=True)
class Mailbox:
    """The support mailbox as the installer types it."""

    host: str
    port: int
    user: str
    password: str


class Installer:
    """One browser page on the box's web page."""

    def __init__(self, page: Any, base_url: str) -> None:
        self.page = page
        self.base = base_url

    async def open(self, path: str) -> None:
        await self.page.goto(self.base + path, timeout=WAIT_MS)

    async def choose_language(self, language: str) -> None:
        """The language button in the page's header (kept in a cookie before logging in)."""
        async with self.page.expect_navigation(timeout=WAIT_MS):
            await self.page.click(f"form[action='/language'] button[value={language}]")
        assert await self.page.get_attribute("html", "lang") == language

    async def create_admin(self, name: str, login: str, password: str) -> None:
        """The first page of a new box: the admin's name, login and password."""
        await self.open("/")
        assert self.page.url.endswith("/setup"), self.page.url  # the setup wall
        await self.page.fill("input[name=name]", name)
        await self.page.fill("input[name=login]", login)
        await self.page.fill("input[name=password]", password)
        await self.page.fill("input[name=password2]", password)
        await self.page.click("button.primary")
        await self.page.wait_for_url("**/setup/line", timeout=WAIT_MS)

    async def set_sim_pin(self, pin: str) -> None:
        """The line step: the SIM PIN of the first modem."""
        await self.open("/setup/line")
        form = self.page.locator("form[action='/setup/line/modems/1/pin']")
        await form.locator("input[name=pin]").fill(pin)
        await form.locator("button[type=submit]").click()
        await self.page.wait_for_url("**/setup/line?saved=line", timeout=WAIT_MS)

    async def add_mailbox(self, name: str, box: Mailbox) -> str:
        """The mailbox step: test the connection, then save; the test's answer."""
        await self.open("/setup/mailbox")
        await self.page.fill("#setup-name", name)
        await self.page.fill("#setup-host", box.host)
        await self.page.fill("#setup-port", str(box.port))
        await self.page.select_option("#setup-security", "none")
        await self.page.fill("#setup-user", box.user)
        await self.page.fill("#setup-password", box.password)
        await self.page.click("button[formaction='/setup/mailbox/test']")
        answer = await self.page.locator("div[role=status]").first.inner_text(timeout=WAIT_MS)
        await self.page.fill("#setup-password", box.password)  # a test does not keep it
        await self.page.click("form[action='/setup/mailbox'] button.primary")
        await self.page.wait_for_url("**/setup/agents?saved=mailbox", timeout=WAIT_MS)
        return str(answer)

    async def open_all_week(self) -> None:
        """Settings, business hours: open round the clock every day, so a call is routed
        whatever the time of day the test runs at (the defaults close at 16:00)."""
        await self.open("/admin/settings#weekly")
        for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
            await self.page.fill(f"#hours-{day}", "00:00-24:00")
        await self.page.click("form[action='/admin/settings/business-hours'] button[type=submit]")
        await self.page.wait_for_url("**/admin/settings?saved=1*", timeout=WAIT_MS)

    async def parts(self) -> str:
        """The setup page's list of the box's parts and what each reports."""
        await self.open("/setup/line")
        return str(await self.page.locator("main").inner_text(timeout=WAIT_MS))

    async def log_in(self, login: str, password: str) -> None:
        await self.open("/login")
        await self.page.fill("input[name=login]", login)
        await self.page.fill("input[name=password]", password)
        async with self.page.expect_navigation(timeout=WAIT_MS):
            await self.page.click("form:has(input[name=password]) button[type=submit]")
        assert "/login" not in self.page.url, await self.page.content()

    async def set_password(self, login: str, password: str) -> None:
        """Agents page: a password for an agent that aspa.toml added, so they can log in."""
        await self.open("/admin/agents")
        row = self.page.locator("tr", has_text=login)
        await row.locator("input[name=password]").fill(password)
        await row.locator("input[name=password] + button").click()
        await self.page.wait_for_url("**/admin/agents?done=saved", timeout=WAIT_MS)

    async def set_presence(self, presence: str) -> None:
        """The agent's one click: available, busy, away or offline."""
        await self.open("/presence")
        await self.page.click(f"#presence-{presence}")
        await self.page.wait_for_url("**/presence", timeout=WAIT_MS)
