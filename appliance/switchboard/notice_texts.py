"""What a notice says, in the agent's language (Finnish or English). No customer text in it:
an SMS or a mail to a phone leaves the box, the ticket itself stays on the page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

TEXTS: Mapping[str, Mapping[str, str]] = {
    "fi": {
        "assigned": "Tiketti #{number} annettiin sinulle.",
        "mention": "{author} mainitsi sinut tiketin #{number} sisäisessä muistiinpanossa.",
        "sla_warning": "Tiketin #{number} palvelutasoaika umpeutuu klo {due}.",
        "sla_breach": "Tiketin #{number} palvelutasoaika ylittyi klo {due}.",
        "reminder": "Odottamaan laitettu tiketti #{number} palasi jonoon.",
        "subject": "Aspa: tiketti #{number}",
        "sla_breach_many": "{count} tiketin palvelutasoaika ylittyi: {numbers}.",
        "sla_warning_many": "{count} tiketin palvelutasoaika umpeutuu pian: {numbers}.",
        "more": "{listed} ja {count} muuta",
        "queue": "Jono: {url}",
        "subject_many": "Aspa: {count} tikettiä",
    },
    "en": {
        "assigned": "Ticket #{number} was given to you.",
        "mention": "{author} mentioned you in an internal note on ticket #{number}.",
        "sla_warning": "Ticket #{number} reaches its SLA due time at {due}.",
        "sla_breach": "Ticket #{number} missed its SLA due time at {due}.",
        "reminder": "Pending ticket #{number} is back in the queue.",
        "subject": "Aspa: ticket #{number}",
        "sla_breach_many": "{count} tickets passed their SLA due time: {numbers}.",
        "sla_warning_many": "{count} tickets reach their SLA due time soon: {numbers}.",
        "more": "{listed} and {count} more",
        "queue": "Queue: {url}",
        "subject_many": "Aspa: {count} tickets",
    },
}


def notice_subject(language: str | None, number: int | None) -> str:
    """A notice mail's subject line."""
    return TEXTS.get(language or "fi", TEXTS["fi"])["subject"].format(number=number)


def notice_text(language: str | None, kind: str, **values: object) -> tuple[str, str]:
    """(subject, text) of a notice in `language`, else Finnish (the box's first language)."""
    texts = TEXTS.get(language or "fi", TEXTS["fi"])
    return texts["subject"].format(**values), texts[kind].format(**values)


def _numbers(texts: Mapping[str, str], numbers: Sequence[int], listed: int) -> str:
    shown = ", ".join(f"#{n}" for n in numbers[:listed])
    rest = len(numbers) - listed
    return texts["more"].format(listed=shown, count=rest) if rest > 0 else shown


def grouped_text(language: str | None, parts: Sequence[tuple[str, Sequence[int], str]], *,
                 listed: int, queue_url: str = "") -> tuple[str, str]:
    """(subject, text) of one notice for many tickets: per kind (its name, the tickets'
    numbers, the text when there is only one), the first `listed` numbers and the count of
    the rest, then a link to the queue."""
    texts = TEXTS.get(language or "fi", TEXTS["fi"])
    lines = []
    for kind, numbers, single in parts:
        if len(numbers) == 1:
            lines.append(single)
        elif numbers:
            lines.append(texts[f"{kind}_many"].format(count=len(numbers),
                                                     numbers=_numbers(texts, numbers, listed)))
    if queue_url:
        lines.append(texts["queue"].format(url=queue_url))
    count = sum(len(numbers) for _, numbers, _ in parts)
    return texts["subject_many"].format(count=count), "\n".join(lines)
