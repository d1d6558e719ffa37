"""The box's Mosquitto ACL and the accounts it needs: the box itself and one per desk unit."""

from __future__ import annotations

from collections.abc import Sequence

from appliance.config.sections.desk_units import DeskUnitSettings

BOX_USER = "aspa"

# Mosquitto acl_file (mosquitto.conf(5)): `user` blocks for the box, then `pattern` lines that
# hold for every client, with %u replaced by its user name. The unit id is the user name, so a
# unit can publish only its own button and status and read only its own agent's state.
ACL_LINES = (
    f"user {BOX_USER}",
    "topic readwrite aspa/#",
    "topic readwrite homeassistant/#",
    "",
    "pattern write aspa/+/desk/%u/button",
    "pattern write aspa/+/desk/%u/status",
    "pattern read aspa/+/desk/%u/state",
)


def acl_text() -> str:
    """The acl_file Aspa ships (systemd/mosquitto/aspa.acl), header comment and all."""
    header = ("# Aspa's Mosquitto ACL: the box (user aspa) reads and writes its own topics;\n"
              "# each desk unit (user = unit id) its own button and status, and its own state.\n")
    return header + "".join(f"{line}\n" for line in ACL_LINES)


def unit_accounts(units: Sequence[DeskUnitSettings]) -> dict[str, str]:
    """user → password of every unit with a password in aspa.toml, for mosquitto_passwd."""
    return {unit.id: unit.password for unit in units if unit.password}
