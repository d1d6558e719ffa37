"""A store, a bus, a switchboard with routing by customer, and agents and customers to route."""

from __future__ import annotations

from datetime import timedelta

from appliance.presence.states import Presence
from appliance.presence.transitions import set_presence
from appliance.queue.customer_routing import CustomerRules
from appliance.queue.escalation import EscalationRules
from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.spine.events import Event
from appliance.store.accounts import Accounts
from appliance.store.customers import CustomerDirectory
from appliance.store.models import Customer
from appliance.store.tickets import TicketBook
from appliance.store.worker import StoreWorker
from appliance.switchboard.switchboard import Switchboard
from appliance.tickets import SlaPolicy, SlaTarget
from appliance.tickets.priority import Priority

# short targets make the clock arithmetic plain: normal 100 min to a first reply
POLICY = SlaPolicy({
    Priority.URGENT: SlaTarget(10, 60), Priority.HIGH: SlaTarget(50, 300),
    Priority.NORMAL: SlaTarget(100, 600), Priority.LOW: SlaTarget(200, 1200),
})


class CustomerBox:
    """The switchboard as the daemon runs it, with what the bus carried."""

    def __init__(self, store: StoreWorker, clock: ManualClock, rules: CustomerRules,
                 escalation: EscalationRules | None = None) -> None:
        self.store = store
        self.clock = clock
        self.bus = EventBus()
        self.events: list[Event] = []
        self.bus.subscribe("test", self.events.append)
        self.board = Switchboard(store, self.bus, clock, rules=rules, escalation=escalation)
        self.tickets = TicketBook(store.db, self.bus, clock, worker=store, policy=POLICY)
        self.directory = CustomerDirectory(store.db)

    async def start(self) -> None:
        await self.board.load()
        self.board.use_tickets(self.tickets)
        self.board.attach()
        self.bus.start()

    async def settle(self) -> None:
        """Everything published so far delivered and filed."""
        await self.bus.drain()
        await self.board.caught_up()
        await self.bus.drain()

    async def agent(self, login: str, *, available: bool = True, **extra: object) -> int:
        agent = await self.store.call(Accounts(self.store.db, self.clock).add_user,
                                      login.title(), login, "agent", f"{login}-password-1",
                                      **extra)
        await self.board.roster_changed(int(agent.id), "added")
        if available:
            self.presence(int(agent.id), Presence.AVAILABLE)
        return int(agent.id)

    def presence(self, agent_id: int, presence: Presence) -> None:
        self.board.change_presence(
            agent_id, lambda state, now: set_presence(state, presence, now), source="web")

    async def customer(self, kind: str, value: str, *, vip: bool = False,
                       manager: int | None = None) -> int:
        customer, _ = await self.store.call(self.directory.find_or_create, kind, value)
        await self.store.call(lambda: Customer.update(vip=vip, account_manager=manager)
                              .where(Customer.id == customer.id).execute())
        return int(customer.id)

    def advance(self, minutes: float) -> None:
        self.clock.advance(timedelta(minutes=minutes))

    def of(self, kind: type[Event]) -> list[Event]:
        return [e for e in self.events if isinstance(e, kind)]
