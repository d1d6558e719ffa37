"""The IMAP intake against a real Dovecot: IDLE, polling, restarts, wrong passwords."""

from __future__ import annotations

import imaplib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import peewee as pw
import pytest

from appliance.config.sections.mail import MailboxSettings
from appliance.mail.mailbox_worker import MailboxWorker
from appliance.mail.processing import MailProcessor
from appliance.spine.events import Event, HealthChanged, Quarantined, TicketCreated
from appliance.store.models import MailboxState, Message, Quarantine, Ticket
from tests.mail.mail_factory import plain_mail
from tests.peers.dovecot import DovecotServer, ImapAccount

WAIT_S = 20.0  # generous: the machines running the suite are shared
StartWorker = Callable[[MailboxSettings], MailboxWorker]


class Recorder:
    """Collects published events and lets a test wait for one."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.changed = threading.Condition()

    def __call__(self, event: Event) -> None:
        with self.changed:
            self.events.append(event)
            self.changed.notify_all()

    def wait_count(self, kind: type[Event], count: int, timeout_s: float = WAIT_S) -> bool:
        """Wait until `count` events of a kind were published."""
        with self.changed:
            return self.changed.wait_for(
                lambda: sum(isinstance(e, kind) for e in self.events) >= count, timeout_s)

    def wait_for(self, predicate: Callable[[Event], bool], timeout_s: float = WAIT_S) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: any(predicate(e) for e in self.events), timeout_s)


def settings_for(account: ImapAccount, **overrides: object) -> MailboxSettings:
    values: dict[str, object] = dict(name="support", host=account.host, port=account.port,
                                     security="none", user=account.user,
                                     password=account.password, poll_seconds=3600.0)
    values.update(overrides)
    return MailboxSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def run_worker(processor: MailProcessor, recorder: Recorder) -> Iterator[StartWorker]:
    workers: list[MailboxWorker] = []

    def start(settings: MailboxSettings) -> MailboxWorker:
        worker = MailboxWorker(settings, processor, recorder)
        worker.start()
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def test_mail_waiting_in_the_mailbox_becomes_a_ticket_and_is_flagged_seen(
    imap_account: ImapAccount, run_worker: StartWorker, recorder: Recorder,
    store: pw.Database
) -> None:
    uid = imap_account.append(plain_mail(subject="Laskussa virhe"))
    worker = run_worker(settings_for(imap_account))
    assert worker.wait_synced(1, WAIT_S), worker.health
    ticket = Ticket.get()
    assert ticket.subject == "Laskussa virhe"
    assert Message.get().sender == "matti@asiakas.fi"
    state = MailboxState.get(MailboxState.mailbox == "support")
    assert state.last_uid == uid and state.last_error is None
    (fetched,) = imap_account.fetch_all()
    assert "\\Seen" in fetched.flags
    assert recorder.wait_for(lambda e: isinstance(e, TicketCreated))


def test_idle_turns_a_new_mail_into_a_ticket_within_two_seconds(
    imap_account: ImapAccount, run_worker: StartWorker, recorder: Recorder,
    store: pw.Database
) -> None:
    worker = run_worker(settings_for(imap_account, idle=True))
    assert worker.wait_synced(1, WAIT_S), worker.health
    imap_account.append(plain_mail(subject="Uusi viesti IDLEn aikana"))
    assert recorder.wait_for(lambda e: isinstance(e, TicketCreated), timeout_s=2.0)
    assert Ticket.get().subject == "Uusi viesti IDLEn aikana"


def test_polling_without_idle_takes_in_new_mail(
    imap_account: ImapAccount, run_worker: StartWorker, recorder: Recorder,
    store: pw.Database
) -> None:
    worker = run_worker(settings_for(imap_account, idle=False, poll_seconds=1.0))
    assert worker.wait_synced(1, WAIT_S)
    imap_account.append(plain_mail(subject="Pollattu"))
    assert recorder.wait_for(lambda e: isinstance(e, TicketCreated))
    assert worker.wait_synced(2, WAIT_S)


def test_wrong_password_is_kept_as_mailbox_health_and_an_event(
    imap_account: ImapAccount, run_worker: StartWorker, recorder: Recorder,
    store: pw.Database
) -> None:
    run_worker(settings_for(imap_account, password="wrong"))
    assert recorder.wait_for(lambda e: isinstance(e, HealthChanged) and not e.ok)
    failure = next(e for e in recorder.events if isinstance(e, HealthChanged))
    assert "refused the login" in failure.detail and failure.part == "mail:support"
    state = MailboxState.get(MailboxState.mailbox == "support")
    assert "refused the login" in (state.last_error or "")


def test_restarted_server_is_reconnected_and_mail_keeps_coming(
    imap_account: ImapAccount, run_worker: StartWorker, recorder: Recorder,
    store: pw.Database
) -> None:
    worker = run_worker(settings_for(imap_account))
    assert worker.wait_synced(1, WAIT_S)
    imap_account.server.stop()
    # Dovecot's IMAP process says BYE to an idling client about ten seconds after its master
    # stopped; then the reconnect attempts fail until the server is back.
    assert recorder.wait_for(lambda e: isinstance(e, HealthChanged) and not e.ok, 20.0)
    imap_account.server.start()
    imap_account.append(plain_mail(subject="Palvelimen uudelleenkäynnistyksen jälkeen"))
    assert recorder.wait_for(lambda e: isinstance(e, TicketCreated), timeout_s=15.0)
    assert recorder.wait_for(lambda e: isinstance(e, HealthChanged) and e.ok
                             and recorder.events.index(e) > 1)
    assert Ticket.select().count() == 1


def test_password_file_is_read(
    imap_account: ImapAccount, run_worker: StartWorker, tmp_path: Path,
    store: pw.Database
) -> None:
    secret = tmp_path / "imap-password"
    secret.write_text(imap_account.password + "\n")
    imap_account.append(plain_mail())
    worker = run_worker(settings_for(imap_account, password="", password_file=str(secret)))
    assert worker.wait_synced(1, WAIT_S), worker.health
    assert Ticket.select().count() == 1


def test_move_mode_moves_taken_mail_to_the_folder(
    imap_account: ImapAccount, run_worker: StartWorker, store: pw.Database
) -> None:
    imap_account.append(plain_mail())
    worker = run_worker(settings_for(imap_account, mark="move:Aspa"))
    assert worker.wait_synced(1, WAIT_S), worker.health
    assert imap_account.fetch_all("INBOX") == []
    assert len(imap_account.fetch_all("Aspa")) == 1
    assert Ticket.select().count() == 1


def test_non_ascii_password_logs_in_with_sasl_plain(
    imap_server: DovecotServer, run_worker: StartWorker, store: pw.Database
) -> None:
    account = imap_server.add_account(password="pääsy-ÄÖ-2026")
    # imaplib's LOGIN (and so the fixture's append) is ASCII only: log in as Aspa does.
    imap = imaplib.IMAP4(account.host, account.port)
    token = b"\0" + account.user.encode() + b"\0" + account.password.encode()
    imap.authenticate("PLAIN", lambda _challenge: token)
    imap.append("INBOX", None, None, plain_mail())
    imap.logout()
    worker = run_worker(settings_for(account))
    assert worker.wait_synced(1, WAIT_S), worker.health
    assert Ticket.select().count() == 1


def test_move_to_a_finnish_folder_name(
    imap_account: ImapAccount, run_worker: StartWorker, store: pw.Database
) -> None:
    imap_account.append(plain_mail())
    worker = run_worker(settings_for(imap_account, mark="move:Käsitelty"))
    assert worker.wait_synced(1, WAIT_S), worker.health
    assert len(imap_account.fetch_all("K&AOQ-sitelty")) == 1  # RFC 3501 §5.1.3 on the wire


def test_a_mail_the_server_cannot_deliver_is_quarantined_and_the_rest_come_in(
    imap_account: ImapAccount, run_worker: StartWorker, recorder: Recorder, store: pw.Database
) -> None:
    for subject in ("ensimmäinen", "rikki", "kolmas"):
        imap_account.append(plain_mail(subject=subject))
    # An unreadable file makes Dovecot fail the FETCH and drop the session, every time.
    (broken,) = [p for p in imap_account.maildir.glob("*/*") if b"Subject: rikki" in p.read_bytes()]
    broken.chmod(0)
    worker = run_worker(settings_for(imap_account))
    assert recorder.wait_for(lambda e: isinstance(e, Quarantined), timeout_s=20.0)
    assert worker.wait_synced(1, 20.0), worker.health
    assert sorted(t.subject for t in Ticket.select()) == ["ensimmäinen", "kolmas"]
    (kept,) = Quarantine.select()
    assert "would not deliver UID 2" in kept.reason and "still on the server" in kept.reason
    assert MailboxState.get().last_uid == 3


def test_a_burst_of_mail_during_idle_all_becomes_tickets(
    imap_account: ImapAccount, run_worker: StartWorker, recorder: Recorder, store: pw.Database
) -> None:
    worker = run_worker(settings_for(imap_account, idle=True))
    assert worker.wait_synced(1, WAIT_S)
    for i in range(20):  # some land while the worker is busy with the ones before
        imap_account.append(plain_mail(subject=f"ryöppy {i}"))
    assert recorder.wait_count(TicketCreated, 20)
    assert Ticket.select().count() == 20


def test_an_idle_mailbox_waits_instead_of_spinning(
    imap_account: ImapAccount, run_worker: StartWorker, store: pw.Database
) -> None:
    worker = run_worker(settings_for(imap_account, idle=True))
    assert worker.wait_synced(1, WAIT_S)
    # A second sync would only come from a spin; none may come within a second.
    assert not worker.wait_synced(2, 1.0)
