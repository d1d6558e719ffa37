"""What a notice says, in the agent's language (Finnish or English). No customer text in it:
an SMS or a mail to a phone leaves the box, the ticket itself stays on the page."""

from __future__ import annotations

from collections.abc import Mapping

TEXTS: Mapping[str, Mapping[str, str]] = {
    "fi": {
        "assigned": "Tiketti #{number} annettiin sinulle.",
        "mention": "{author} mainitsi sinut tiketin #{number} sisäisessä muistiinpanossa.",
        "sla_warning": "Tiketin #{number} palvelutasoaika umpeutuu klo {due}.",
        "sla_breach": "Tiketin #{number} palvelutasoaika ylittyi klo {due}.",
        "reminder": "Odottamaan laitettu tiketti #{number} palasi jonoon.",
        "subject": "Aspa: tiketti #{number}",
    },
    "en": {
        "assigned": "Ticket #{number} was given to you.",
        "mention": "{author} mentioned you in an internal note on ticket #{number}.",
        "sla_warning": "Ticket #{number} reaches its SLA due time at {due}.",
        "sla_breach": "Ticket #{number} missed its SLA due time at {due}.",
        "reminder": "Pending ticket #{number} is back in the queue.",
        "subject": "Aspa: ticket #{number}",
    },
}


def notice_subject(language: str | None, number: int | None) -> str:
    """A notice mail's subject line."""
    return TEXTS.get(language or "fi", TEXTS["fi"])["subject"].format(number=number)


def notice_text(language: str | None, kind: str, **values: object) -> tuple[str, str]:
    """(subject, text) of a notice in `language`, else Finnish (the box's first language)."""
    texts = TEXTS.get(language or "fi", TEXTS["fi"])
    return texts["subject"].format(**values), texts[kind].format(**values)
