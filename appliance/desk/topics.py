"""The desk-unit topics under the box's prefix: aspa/<box>/desk/<unit>/{button,status,state}.

MQTT 3.1.1 §4.7: topic levels are split on '/', and '+' matches exactly one.
"""

from __future__ import annotations

from appliance.config.sections.desk_units import UNIT_ID

BUTTON = "button"  # unit → box, QoS 1, not retained: press / hold
STATUS = "status"  # unit → box, retained: online (its last will: offline)
STATE = "state"  # box → unit, retained: the agent's effective state
NOTICE = "notice"  # box → unit, not retained: blink the LED, the agent has a notice
UNIT_LEAVES = (BUTTON, STATUS)


def box_prefix(topic_prefix: str, box_id: str) -> str:
    """`aspa/<box>`: every topic of this box starts with it."""
    return f"{topic_prefix}/{box_id}"


def unit_topic(prefix: str, unit: str, leaf: str) -> str:
    """The topic of one unit's button, status or state."""
    return f"{prefix}/desk/{unit}/{leaf}"


def unit_filter(prefix: str, leaf: str) -> str:
    """The subscription that matches `leaf` of every unit."""
    return f"{prefix}/desk/+/{leaf}"


def parse_unit_topic(prefix: str, topic: str) -> tuple[str, str] | None:
    """(unit, leaf) of a topic a unit publishes to, or None when it is not one."""
    head = f"{prefix}/desk/"
    if not topic.startswith(head):
        return None
    unit, sep, leaf = topic[len(head):].partition("/")
    if not sep or leaf not in UNIT_LEAVES or not UNIT_ID.fullmatch(unit):
        return None
    return unit, leaf
