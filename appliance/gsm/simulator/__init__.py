"""A modem simulator on a pseudo-terminal that speaks each supported model's AT dialect."""

from __future__ import annotations

from pathlib import Path

from .ec25 import Ec25
from .modem import SimulatedModem, StoredSms
from .sim800 import Sim800
from .sim7600 import Sim7600

MODELS: dict[str, type[SimulatedModem]] = {
    "sim7600": Sim7600,
    "sim800": Sim800,
    "ec25": Ec25,
    "generic": SimulatedModem,
}


def create_simulator(model: str, link_dir: Path, name: str = "modem",
                     **options: float | None) -> SimulatedModem:
    """A simulator for `model` (sim7600, sim800, ec25, generic) publishing `link_dir/name`."""
    try:
        cls = MODELS[model]
    except KeyError:
        raise ValueError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}") from None
    return cls(link_dir, name, **options)  # type: ignore[arg-type]


__all__ = ["MODELS", "Ec25", "Sim800", "Sim7600", "SimulatedModem", "StoredSms",
           "create_simulator"]
