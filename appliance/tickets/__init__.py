"""Ticket rules: lifecycle, business calendar, SLA clocks and service debt (pure logic)."""

from appliance.tickets.business_calendar import BusinessCalendar, wall_to_utc
from appliance.tickets.calendar_rules import (
    DayRule,
    HalfDay,
    Holiday,
    OpenInterval,
    WeeklySchedule,
    calendar_problems,
)
from appliance.tickets.customer_reply import ReplyAction, ReplyDecision, on_customer_reply
from appliance.tickets.errors import CalendarError, TicketError, TransitionError
from appliance.tickets.priority import Priority
from appliance.tickets.service_debt import (
    DayFigure,
    TicketSpan,
    next_day_figure,
    service_debt_series,
)
from appliance.tickets.sla_clock import SlaClock
from appliance.tickets.sla_policy import DEFAULT_TARGETS, SlaPolicy, SlaTarget
from appliance.tickets.status import ALLOWED_TRANSITIONS, TicketStatus, can_move, is_open_work, move
from appliance.tickets.ticket_sla import (
    TicketSla,
    first_response_sent,
    priority_changed,
    start_sla,
    status_changed,
)

__all__ = [
    "ALLOWED_TRANSITIONS",
    "DEFAULT_TARGETS",
    "BusinessCalendar",
    "CalendarError",
    "DayFigure",
    "DayRule",
    "HalfDay",
    "Holiday",
    "OpenInterval",
    "Priority",
    "ReplyAction",
    "ReplyDecision",
    "SlaClock",
    "SlaPolicy",
    "SlaTarget",
    "TicketError",
    "TicketSla",
    "TicketSpan",
    "TicketStatus",
    "TransitionError",
    "WeeklySchedule",
    "calendar_problems",
    "can_move",
    "first_response_sent",
    "is_open_work",
    "move",
    "next_day_figure",
    "on_customer_reply",
    "priority_changed",
    "service_debt_series",
    "start_sla",
    "status_changed",
    "wall_to_utc",
]
