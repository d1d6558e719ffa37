"""The retained live figures: topic word, label, unit and Home Assistant classes of each.

One table feeds the state publisher, the discovery payloads and docs/mqtt.md.
Units follow Home Assistant's: "s" for durations, "%" for rates.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Figure:
    """One published figure."""

    name: str
    label: str
    unit: str | None = None
    device_class: str | None = None
    state_class: str | None = "measurement"
    icon: str | None = None


FIGURES: tuple[Figure, ...] = (
    Figure("callers_waiting", "Callers waiting", icon="mdi:phone-in-talk"),
    Figure("longest_wait", "Longest wait", "s", "duration", icon="mdi:timer-sand"),
    Figure("agents_available", "Agents available", icon="mdi:account-check"),
    Figure("agents_busy", "Agents busy", icon="mdi:account-clock"),
    Figure("agents_away", "Agents away", icon="mdi:account-off"),
    Figure("tickets_new", "New tickets", icon="mdi:ticket"),
    Figure("tickets_open", "Open tickets", icon="mdi:ticket"),
    Figure("tickets_pending", "Pending tickets", icon="mdi:ticket-outline"),
    Figure("sla_breaches", "SLA breaches", icon="mdi:alert"),
    Figure("service_level_today", "Service level today", "%", icon="mdi:speedometer"),
    Figure("answer_rate_today", "Answer rate today", "%", icon="mdi:phone-check"),
    Figure("calls_offered_today", "Calls today", state_class="total_increasing",
           icon="mdi:phone-incoming"),
    Figure("service_debt_today", "Service debt today", icon="mdi:scale-unbalanced"),
    Figure("service_debt_trend_7d", "Service debt change over 7 days", icon="mdi:trending-up"),
    Figure("outbox_waiting", "MQTT messages waiting", icon="mdi:tray-full"),
    Figure("outbox_dropped", "MQTT messages dropped", state_class="total_increasing",
           icon="mdi:tray-remove"),
)

FIGURE_NAMES = frozenset(f.name for f in FIGURES)

# Per line (topic .../state/line/LINE/NAME) and per mailbox (.../state/mailbox/NAME/ok).
LINE_FIGURES: tuple[Figure, ...] = (
    Figure("signal", "signal", "dBm", "signal_strength", icon="mdi:signal"),
    Figure("operator", "operator", state_class=None, icon="mdi:radio-tower"),
)
