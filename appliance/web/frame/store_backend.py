"""The web page's backend in the daemon: the store, the core, the bus and the ticket book."""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

import peewee as pw

from appliance.ports.board import BoardPort
from appliance.ports.lines import LinesPort
from appliance.ports.live_settings import Applied, LiveSettings
from appliance.ports.mail_desk import MailDesk
from appliance.ports.notices import OpenPages
from appliance.presence.states import AgentState
from appliance.queue.work_item import WorkItem
from appliance.spine.bus import EventBus
from appliance.spine.clock import Clock
from appliance.store.accounts import Accounts
from appliance.store.call_figures import SERVICE_LEVEL_S
from appliance.store.models import Agent, Customer, Ticket
from appliance.store.stats import store_stats
from appliance.store.ticket_tags import tags_by_ticket
from appliance.store.tickets import TicketBook
from appliance.store.waiting_callers import customers_by_number
from appliance.store.work_items import ticket_id_of
from appliance.store.worker import StoreWorker
from appliance.web.frame.phone_display import region_of, shown_number
from appliance.web.frame.privacy_parts import PrivacyParts
from appliance.web.frame.sessions import SignedIn
from appliance.web.frame.work_rows import WorkItemRow

if TYPE_CHECKING:
    from appliance.config.aspa_toml import Config
    from appliance.config.sections.mail import SmtpSettings

_ROW_COLUMNS = (Ticket.id, Ticket.number, Ticket.channel, Ticket.subject, Ticket.priority,
                Ticket.status, Ticket.created_at, Customer.name, Ticket.assignee, Ticket.team,
                Ticket.customer)

SESSION_CHECK_S = 1.0  # how stale a session's password check may be (see password_changed_at)
NOT_KNOWN: Any = object()  # recent_password_change: not read within session_check_s

AgentTransition = Callable[[AgentState, datetime], AgentState]


def _ticket_rows(ticket_ids: list[int]) -> dict[int, tuple[Any, ...]]:
    """The shown columns of these tickets, by id. Blocking."""
    query = (Ticket.select(*_ROW_COLUMNS)
             .join(Customer, pw.JOIN.LEFT_OUTER, on=(Ticket.customer == Customer.id))
             .where(Ticket.id.in_(ticket_ids)).tuples())
    return {row[0]: row for row in cast(Iterable[tuple[Any, ...]], query)}


def _ticket_rows_and_tags(ticket_ids: list[int]) -> tuple[dict[int, tuple[Any, ...]],
                                                          dict[int, list[str]]]:
    """The shown columns of these tickets and their tags, by id. Blocking."""
    return _ticket_rows(ticket_ids), tags_by_ticket(ticket_ids)


def _password_changed_at(agent_id: int) -> datetime | None:
    """When an active agent's password last changed; None when the account is gone. Blocking."""
    row = (Agent.select(Agent.password_changed_at)
           .where((Agent.id == agent_id) & (Agent.active == True))  # noqa: E712
           .tuples().first())
    return row[0] if row else None


def _admin_exists() -> bool:
    return bool(Agent.select().where((Agent.role == "admin") & (Agent.active == True))  # noqa: E712
                .exists())


def _call_row(item: WorkItem, callers: Mapping[str, tuple[int, str]],
              region: str) -> WorkItemRow:
    """A waiting call's row: the number, and the customer it belongs to when known."""
    number = item.caller_number or ""
    customer_id, name = callers.get(number, (item.customer_id, ""))
    return WorkItemRow(number=0, channel=item.kind.value, subject="", priority=item.priority.value,
                       status="waiting", customer=name, created_at=item.created_at,
                       due=item.sla_due, item_id=item.id, customer_id=customer_id,
                       caller_number=number, caller_number_shown=shown_number(number, region))


def _local(row: WorkItemRow, zone: tzinfo) -> WorkItemRow:
    """The row with its times on the office's wall clock (they are stored in UTC)."""
    due = row.due.astimezone(zone) if row.due is not None else None
    return dataclasses.replace(row, created_at=row.created_at.astimezone(zone), due=due)


class StoreWebBackend:
    """The store, the board, the ticket book and the lines, as the web page uses them."""

    def __init__(
        self,
        store: StoreWorker,
        board: BoardPort,
        clock: Clock,
        zone: tzinfo,
        *,
        bus: EventBus,
        tickets: TicketBook,
        smtp: SmtpSettings | None = None,
        data_dir: Path | None = None,
        health: Callable[[], Mapping[str, Any]] | None = None,
        config: Config | None = None,
        session_check_s: float = 0.0,
        lines: LinesPort | None = None,
        mail: MailDesk | None = None,
        privacy: PrivacyParts | None = None,
        config_path: Path | None = None,
        live: LiveSettings | None = None,
    ) -> None:
        self.store = store
        self.board = board
        self.clock = clock
        self.zone = zone
        self.bus = bus  # live updates; and the events of writes made outside the ticket book
        self.tickets = tickets
        self.smtp = smtp
        self.data_dir = data_dir
        self.accounts = Accounts(store.db, clock)
        self._health = health
        self.config = config
        self.config_path = config_path  # the aspa.toml the web page may change; None = read-only
        # "answered within" for the service level, as the exchange and MQTT count it
        self.service_level_s = (float(config.calls.service_level_seconds) if config is not None
                                else SERVICE_LEVEL_S)
        self._session_check = timedelta(seconds=session_check_s)
        # national numbers are read, and shown, as the box's own country's
        self.country_code = str(config.box.country_code) if config is not None else "358"
        self.lines = lines
        self.mail = mail  # None: a box (or a test) without the mail part
        self.privacy = privacy or (PrivacyParts(data_dir) if data_dir is not None else None)
        self.live = live  # None: saved settings wait for a restart (a test, or no daemon)
        self.needs_restart: tuple[str, ...] = ()  # saved sections only a restart applies
        self.boot_id = secrets.token_hex(8)  # tells the restart page a new start answers
        # the exchange's `announcement_changed`, set by the wiring: callers hear a new prompt next
        self.announcement_changed: Callable[[str, str], Awaitable[None]] | None = None
        # set by the wiring: the live streams count each agent's open pages, for notices
        self.open_pages: OpenPages | None = None
        self._password_times: dict[int, tuple[datetime, datetime | None]] = {}
        self._password_reads: dict[int, asyncio.Future[datetime | None]] = {}

    async def settings_saved(self) -> Applied:
        """aspa.toml was just saved: put it to work, restarting only the parts it concerns.

        The outgoing server is used for the next reply at once; the rest is the daemon's
        (LiveSettings). Without a daemon the saved file waits for a restart.
        """
        from appliance.config.aspa_toml import load_config

        if self.config_path is None:
            return Applied()
        config = await asyncio.to_thread(load_config, self.config_path)
        self.smtp = config.mail.smtp
        if self.mail is not None:
            self.mail.use_smtp(config.mail.smtp)
        if self.live is None:
            return Applied()
        applied = await self.live.apply(config)
        self.config = config
        self.zone = ZoneInfo(config.time_zone)  # the times shown, reports' days
        self.service_level_s = float(config.calls.service_level_seconds)
        if self.privacy is not None:  # an export's README names the box; the policy read-out
            self.privacy = dataclasses.replace(self.privacy, box_name=config.box.name,
                                               policy=tuple(config.retention.policy()))
        self.needs_restart = applied.needs_restart
        self._follow(config)
        return applied

    def _follow(self, config: Config) -> None:
        """What the page reads from the settings at start, as now saved: the office's time
        zone, the calls' service level, the box's country and name, the retention policy."""
        from zoneinfo import ZoneInfo

        self.zone = ZoneInfo(config.time_zone)
        self.service_level_s = float(config.calls.service_level_seconds)
        country_code = str(config.box.country_code)
        if country_code != self.country_code:
            self.country_code = country_code
            self.__dict__.pop("region", None)  # read again from the new code when next needed
        if self.privacy is not None:
            self.privacy = dataclasses.replace(
                self.privacy, country_code=country_code, box_name=config.box.name,
                policy=tuple(config.retention.policy()))

    @cached_property
    def region(self) -> str:
        """The box's own region ("FI"), read from its country code when first needed."""
        return region_of(self.country_code)  # loads phonenumbers: not at start

    def restart_needed(self) -> bool:
        """Whether saved settings wait for a restart of the daemon."""
        return self.live is None or bool(self.needs_restart)

    def health(self) -> dict[str, tuple[bool, str]]:
        """Each running part's state: name → (ok, what it says)."""
        if self._health is None:
            return {}
        return {name: (bool(h.ok), str(h.detail)) for name, h in self._health().items()}

    async def authenticate(self, login: str, password: str) -> SignedIn | None:
        agent = await self.store.call(self.accounts.verify, login, password)
        if agent is None:
            return None
        return SignedIn(agent_id=agent.id, login=agent.login, name=agent.name, role=agent.role,
                        language=agent.language)

    def recent_password_change(self, agent_id: int) -> Any:
        """The answer `password_changed_at` would give from its memory, else NOT_KNOWN.

        Most requests are answered here, without a coroutine or the store thread.
        """
        known = self._password_times.get(agent_id)
        if known is not None and self.clock.now() - known[0] < self._session_check:
            return known[1]
        return NOT_KNOWN

    async def password_changed_at(self, agent_id: int) -> datetime | None:
        """Read from the store at most once per `session_check_s` per agent.

        A password changed on this page ends the sessions at once (SessionStore.end_all_for);
        one changed elsewhere (`aspa user`) ends them within `session_check_s`.
        """
        now = self.clock.now()
        known = self._password_times.get(agent_id)
        if known is not None and now - known[0] < self._session_check:
            return known[1]
        if not self._session_check:
            return await self.store.call(_password_changed_at, agent_id)
        # the many requests of one busy browser that arrive together share one read
        reading = self._password_reads.get(agent_id)
        if reading is None:
            reading = self.store.submit(_password_changed_at, agent_id)
            self._password_reads[agent_id] = reading
            reading.add_done_callback(lambda _: self._password_reads.pop(agent_id, None))
        changed = await asyncio.shield(reading)
        self._password_times[agent_id] = (now, changed)
        return changed

    async def admin_exists(self) -> bool:
        return await self.store.call(_admin_exists)

    def change_presence(self, agent_id: int, transition: AgentTransition, *,
                        source: str) -> AgentState | None:
        """Apply a presence transition now, through the board; None for an unknown agent."""
        return self.board.change_presence(agent_id, transition, source=source)

    def queued_items(self, limit: int) -> list[WorkItem]:
        """The first `limit` work items in queue order."""
        return self.board.items(limit)

    async def open_work_items(self, limit: int) -> Sequence[WorkItemRow]:
        return await self.rows_for(self.queued_items(limit))

    async def rows_for(self, items: Sequence[WorkItem]) -> list[WorkItemRow]:
        """The queue rows of these work items, in the same order."""
        ids = [i for i in (ticket_id_of(item.id) for item in items) if i is not None]
        rows, tags = await self.store.call(_ticket_rows_and_tags, ids) if ids else ({}, {})
        numbers = [item.caller_number for item in items
                   if ticket_id_of(item.id) is None and item.caller_number]
        callers = (await self.store.call(customers_by_number, numbers, self.country_code)
                   if numbers else {})
        out: list[WorkItemRow] = []
        for item in items:
            ticket_id = ticket_id_of(item.id)
            if ticket_id is None:
                out.append(_call_row(item, callers, self.region))
                continue
            row = rows.get(ticket_id)
            if row is None:
                continue  # closed between the queue read and the store read
            (_, number, channel, subject, priority, status, created_at, customer, assignee,
             team, customer_id) = row
            out.append(WorkItemRow(number=number, channel=channel, subject=subject,
                                   priority=priority, status=status, customer=customer or "",
                                   created_at=created_at, due=item.sla_due, item_id=item.id,
                                   ticket_id=ticket_id, assignee_id=assignee, team_id=team,
                                   customer_id=customer_id,
                                   tags=tuple(tags.get(ticket_id, ()))))
        return [_local(row, self.zone) for row in out]

    def waiting_calls(self) -> int:
        return len(self.board.waiting_calls())

    async def stats(self) -> dict[str, Any]:
        presence = {agent_id: state.presence.value
                    for agent_id, state in self.board.agents().items()}
        figures = await self.store.call(store_stats, self.clock.now(), self.zone,
                                        presence=presence, waiting_calls=self.waiting_calls())
        figures["open_work_items"] = self.board.open_count
        return figures
