"""What the intake filters may know besides the mail: limits, our own domains, the data dir."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from appliance.spine.clock import Clock, SystemClock

if TYPE_CHECKING:  # types only: the parsing process (parse_pool) need not load the SLA rules
    from appliance.tickets import BusinessCalendar, SlaPolicy

DEFAULT_SIZE_CAP_BYTES = 25 * 1024 * 1024


@dataclass
class IntakeContext:
    """Settings shared by every filter run; the database is reached through the models."""

    attachments_dir: Path
    own_domains: frozenset[str] = frozenset()  # right-hand sides of our Message-IDs
    size_cap_bytes: int = DEFAULT_SIZE_CAP_BYTES
    clock: Clock = field(default_factory=SystemClock)
    sla_policy: SlaPolicy | None = None  # None: the store's defaults
    calendar: BusinessCalendar | None = None
    # A person asked for this mail (replay): an auto-reply of no ticket is taken in anyway.
    take_in_automatic: bool = False
