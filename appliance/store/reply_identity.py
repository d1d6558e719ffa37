"""An agent's own sender name and signature for replies by mail (blocking: the store thread)."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.store.errors import NotFound
from appliance.store.models import Agent

SENDER_NAME_MAX_CHARS = 200  # the column's size (Agent.sender_name)
SIGNATURE_MAX_CHARS = 2_000


@dataclass(frozen=True, slots=True)
class ReplyIdentity:
    """How an agent signs: the name in From (theirs when not set) and the signature text."""

    sender_name: str
    signature: str
    own_sender_name: str = ""  # as the agent set it; empty = their name


def reply_identity(agent_id: int) -> ReplyIdentity:
    """The agent's sender name (their name when they set none) and signature."""
    agent = Agent.get_or_none(Agent.id == agent_id)
    if agent is None:
        raise NotFound(f"agent {agent_id} does not exist")
    own = agent.sender_name or ""
    return ReplyIdentity(own or agent.name, agent.signature or "", own)


def save_reply_identity(agent_id: int, sender_name: str, signature: str) -> None:
    """Keep the agent's sender name and signature; empty ones go back to the defaults."""
    updated = (Agent.update(sender_name=sender_name.strip() or None,
                            signature=signature.strip("\n") or None)
               .where(Agent.id == agent_id).execute())
    if not updated:
        raise NotFound(f"agent {agent_id} does not exist")
