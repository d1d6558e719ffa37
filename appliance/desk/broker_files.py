"""The box's Mosquitto ACL and the accounts it needs: the box itself and one per desk unit."""

from __future__ import annotations

from collections.abc import Sequence

from appliance.config.sections.desk_units import DeskUnitSettings

BOX_USER = "aspa"
# In the shipped file, where the box's name goes; aspa-firstboot writes the name in
# (as in aspa.toml.in). Until then no unit topic matches, so a unit may publish nothing.
BOX_NAME_MARK = "@BOX_NAME@"


def acl_lines(box_name: str = BOX_NAME_MARK, topic_prefix: str = "aspa") -> tuple[str, ...]:
    """Mosquitto acl_file lines (mosquitto.conf(5)) for this box.

    A `user` block for the box, then `pattern` lines that hold for every client, with %u
    replaced by its (authenticated) user name, the unit id. The box's own name is written
    out, never `+`: on a broker shared by boxes, or bridged to one, a unit reaches only its
    own box's topics, and of those only its own button and status, and its own agent's state
    and notices.
    """
    unit = f"{topic_prefix}/{box_name}/desk/%u"
    return (
        f"user {BOX_USER}",
        f"topic readwrite {topic_prefix}/#",
        "topic readwrite homeassistant/#",
        "",
        f"pattern write {unit}/button",
        f"pattern write {unit}/status",
        f"pattern read {unit}/state",
        f"pattern read {unit}/notice",
    )


def acl_text(box_name: str = BOX_NAME_MARK) -> str:
    """The acl_file, header comment and all: as shipped (systemd/mosquitto/aspa.acl) with the
    mark, or for a box by its name."""
    header = ("# Aspa's Mosquitto ACL: the box (user aspa) reads and writes its own topics;\n"
              "# each desk unit (user = unit id) its own button and status, and its own state\n"
              "# and notices,\n"
              "# under this box's name only (aspa-firstboot writes it in).\n")
    return header + "".join(f"{line}\n" for line in acl_lines(box_name))


def unit_accounts(units: Sequence[DeskUnitSettings]) -> dict[str, str]:
    """user → password of every unit with a password in aspa.toml, for mosquitto_passwd."""
    return {unit.id: unit.password for unit in units if unit.password}
