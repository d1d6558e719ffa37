"""The routing engine: the unified work queue, ring groups and call routing (pure logic)."""

from appliance.presence.channel import Channel
from appliance.queue.agent import QueueAgent
from appliance.queue.call_routing import (
    CallRouting,
    RoutingStep,
    decide,
    no_answer,
    start_routing,
)
from appliance.queue.errors import QueueError, RingGroupError, UnknownWorkItem
from appliance.queue.queue_order import OrderKey, order_key
from appliance.queue.ring_group import OverflowKind, OverflowTarget, RingGroup, ring_group_problems
from appliance.queue.ring_strategies import RingHistory, RingStrategy, member_order
from appliance.queue.routing_decisions import (
    OVERFLOW_MAX_WAIT,
    OVERFLOW_NOBODY,
    Decision,
    Overflow,
    Ring,
    Wait,
)
from appliance.queue.work_item import WorkItem
from appliance.queue.work_queue import WorkQueue

__all__ = [
    "OVERFLOW_MAX_WAIT",
    "OVERFLOW_NOBODY",
    "CallRouting",
    "Channel",
    "Decision",
    "OrderKey",
    "Overflow",
    "OverflowKind",
    "OverflowTarget",
    "QueueAgent",
    "QueueError",
    "Ring",
    "RingGroup",
    "RingGroupError",
    "RingHistory",
    "RingStrategy",
    "RoutingStep",
    "UnknownWorkItem",
    "Wait",
    "WorkItem",
    "WorkQueue",
    "decide",
    "member_order",
    "no_answer",
    "order_key",
    "ring_group_problems",
    "start_routing",
]
