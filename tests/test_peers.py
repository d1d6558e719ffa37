"""The real peers the suite starts work with real clients: MQTT, IMAP, SMTP, PostgreSQL."""

from __future__ import annotations

import imaplib
import smtplib
import socket
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.peers import binaries
from tests.peers.dovecot import DovecotServer, ImapAccount
from tests.peers.free_port import LOOPBACK, accepts_connections, free_port
from tests.peers.mosquitto import MosquittoBroker, MosquittoFactory
from tests.peers.mqtt_probe import MqttConnectRefused, MqttProbe
from tests.peers.peer_process import PortInUseError
from tests.peers.postgres import PostgresDatabase, PostgresServer
from tests.peers.smtp import SmtpFactory, SmtpServer

RAW_MAIL = (
    b"From: Liisa Asiakas <liisa@example.fi>\r\n"
    b"To: tuki@example.com\r\n"
    b"Subject: Laskun kopio 4711\r\n"
    b"Message-ID: <4711@example.fi>\r\n"
    b"\r\n"
    b"Hei, voisitteko lahettaa laskun 4711 uudelleen?\r\n"
)


@pytest.fixture
def probes() -> Iterator[list[MqttProbe]]:
    """Collect the MQTT clients a test opens and close them at its end."""
    opened: list[MqttProbe] = []
    yield opened
    for probe in opened:
        probe.close()


def _probe(
    broker: MosquittoBroker,
    probes: list[MqttProbe],
    user: str | None = None,
    password: str | None = None,
) -> MqttProbe:
    """Connect a client to the broker, closed when the test ends."""
    probe = MqttProbe(broker.host, broker.port, username=user, password=password)
    probes.append(probe)
    return probe.connect()


# --- ports and programs -------------------------------------------------------------------


def test_free_port_can_be_bound_on_loopback() -> None:
    port = free_port()
    with socket.socket() as sock:
        sock.bind((LOOPBACK, port))
        assert sock.getsockname() == (LOOPBACK, port)


def test_missing_program_skips_naming_its_debian_package() -> None:
    program = binaries.PeerProgram("aspa-no-such-daemon", "aspa-daemon-pkg")
    with pytest.raises(pytest.skip.Exception, match=r"Debian package 'aspa-daemon-pkg'"):
        binaries.require(program)


@pytest.mark.parametrize(
    ("program", "start_peer"),
    [
        ("MOSQUITTO", MosquittoBroker),
        ("DOVECOT", DovecotServer),
    ],
)
def test_a_peer_whose_program_is_missing_skips_naming_the_package(
    program: str,
    start_peer: Callable[[Path], object],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    real = getattr(binaries, program)
    monkeypatch.setattr(
        binaries, program, binaries.PeerProgram(f"aspa-missing-{real.name}", real.debian_package)
    )
    with pytest.raises(pytest.skip.Exception) as skipped:
        start_peer(tmp_path)
    assert f"apt-get install -y {real.debian_package}" in str(skipped.value)


# --- Mosquitto ---------------------------------------------------------------------------


def test_mosquitto_delivers_a_publish_to_a_subscriber(
    mosquitto: MosquittoBroker, probes: list[MqttProbe]
) -> None:
    subscriber = _probe(mosquitto, probes)
    assert not subscriber.subscribe("aspa/box1/queue/#")[0].is_failure
    _probe(mosquitto, probes).publish("aspa/box1/queue/length", b"3")

    message = subscriber.next_message()
    assert (message.topic, message.payload) == ("aspa/box1/queue/length", b"3")
    assert "mosquitto version" in mosquitto.log_text()


def test_mosquitto_acl_keeps_a_topic_from_a_user_who_may_not_read_it(
    make_mosquitto: MosquittoFactory, probes: list[MqttProbe]
) -> None:
    broker = make_mosquitto(
        users={"boss": "b0ss", "desk": "d3sk"},
        acl=["user boss", "topic readwrite aspa/#", "user desk", "pattern read aspa/%u/#"],
    )
    boss = _probe(broker, probes, "boss", "b0ss")
    desk = _probe(broker, probes, "desk", "d3sk")
    boss.subscribe("aspa/#")
    desk.subscribe("aspa/secret")
    desk.subscribe("aspa/desk/#")

    boss.publish("aspa/secret", b"salary")
    boss.publish("aspa/desk/led", b"red")

    # Same publisher, QoS 1: the broker forwards in order, so the boss sees both and the desk
    # unit's first message is the one it may read, never the secret before it.
    assert [boss.next_message().topic for _ in range(2)] == ["aspa/secret", "aspa/desk/led"]
    assert desk.next_message().topic == "aspa/desk/led"
    assert desk.messages.empty()


def test_mosquitto_password_file_refuses_anonymous_and_wrong_passwords(
    make_mosquitto: MosquittoFactory, probes: list[MqttProbe]
) -> None:
    broker = make_mosquitto(users={"desk": "d3sk"})
    assert broker.password_file is not None
    assert "d3sk" not in broker.password_file.read_text()  # mosquitto_passwd hashed it

    for user, password in [(None, None), ("desk", "wrong")]:
        with pytest.raises(MqttConnectRefused):
            _probe(broker, probes, user, password)
    _probe(broker, probes, "desk", "d3sk").publish("aspa/desk/button", b"1")


def test_mosquitto_stopped_refuses_connections_then_serves_again_on_the_same_port(
    mosquitto: MosquittoBroker, probes: list[MqttProbe]
) -> None:
    port = mosquitto.port
    mosquitto.stop()
    assert not mosquitto.is_running
    with pytest.raises(ConnectionRefusedError):
        MqttProbe(mosquitto.host, port).client.connect(mosquitto.host, port)

    mosquitto.start()
    assert mosquitto.port == port
    subscriber = _probe(mosquitto, probes)
    subscriber.subscribe("aspa/back")
    _probe(mosquitto, probes).publish("aspa/back", b"yes")
    assert subscriber.next_message().payload == b"yes"


def test_mosquitto_with_persistence_keeps_retained_messages_across_a_restart(
    make_mosquitto: MosquittoFactory, probes: list[MqttProbe]
) -> None:
    broker = make_mosquitto(persistence=True)
    publisher = _probe(broker, probes)
    publisher.publish("aspa/box1/status", b"online", retain=True)
    publisher.close()

    broker.restart()
    reader = _probe(broker, probes)
    reader.subscribe("aspa/box1/status")
    message = reader.next_message()
    assert (message.payload, message.retain) == (b"online", True)


def test_mosquitto_start_reports_a_port_someone_else_holds(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    with socket.socket() as holder:
        holder.bind((LOOPBACK, 0))
        holder.listen()
        broker = MosquittoBroker(tmp_path_factory.mktemp("busy"))
        broker.port = holder.getsockname()[1]
        try:
            with pytest.raises(PortInUseError, match="Address already in use"):
                broker.start()
            assert not broker.is_running
        finally:
            broker.stop()


# --- Dovecot IMAP ------------------------------------------------------------------------


def test_imap_login_append_search_and_fetch(imap_account: ImapAccount) -> None:
    uid = imap_account.append(RAW_MAIL, flags=["\\Seen"])

    imap = imaplib.IMAP4(imap_account.host, imap_account.port)
    try:
        imap.login(imap_account.user, imap_account.password)
        imap.select("INBOX")
        status, found = imap.uid("SEARCH", "SUBJECT", "4711")
        assert (status, found) == ("OK", [str(uid).encode()])
        status, data = imap.uid("FETCH", str(uid), "(BODY.PEEK[])")
        assert status == "OK"
        assert isinstance(data[0], tuple) and data[0][1] == RAW_MAIL
    finally:
        imap.logout()
    [stored] = imap_account.fetch_all()
    assert "\\Seen" in stored.flags


def test_imap_append_to_a_new_folder_creates_it(imap_account: ImapAccount) -> None:
    imap_account.append(RAW_MAIL, folder="Asiakkaat/Arkisto")

    assert imap_account.fetch_all() == []
    assert [m.raw for m in imap_account.fetch_all("Asiakkaat/Arkisto")] == [RAW_MAIL]


def test_imap_rejects_a_wrong_password_and_keeps_users_apart(
    imap_server: DovecotServer, imap_account: ImapAccount
) -> None:
    other = imap_server.add_account()
    imap_account.append(RAW_MAIL)

    imap = imaplib.IMAP4(other.host, other.port)
    try:
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
            imap.login(other.user, other.password + "x")
    finally:
        imap.shutdown()
    assert other.fetch_all() == []
    assert len(imap_account.fetch_all()) == 1


def test_imap_stopped_refuses_connections_then_serves_again(imap_account: ImapAccount) -> None:
    imap_account.append(RAW_MAIL)
    imap_account.stop()
    with pytest.raises(ConnectionRefusedError):
        imaplib.IMAP4(imap_account.host, imap_account.port)

    imap_account.start()
    assert [m.raw for m in imap_account.fetch_all()] == [RAW_MAIL]


# --- SMTP --------------------------------------------------------------------------------


def _reply(subject: str) -> EmailMessage:
    """A reply from the support desk to a customer."""
    message = EmailMessage()
    message["From"] = "tuki@example.com"
    message["To"] = "liisa@example.fi"
    message["Subject"] = subject
    message.set_content("Lasku 4711 on liitteenä.")
    return message


def test_smtp_records_envelope_and_raw_message(smtp_server: SmtpServer) -> None:
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=10) as client:
        client.send_message(
            _reply("Re: Laskun kopio 4711"), to_addrs=["liisa@example.fi", "cc@x.fi"]
        )

    [mail] = smtp_server.wait_for_messages(1)
    assert mail.mail_from == "tuki@example.com"
    assert mail.rcpt_tos == ("liisa@example.fi", "cc@x.fi")
    assert mail.parsed()["Subject"] == "Re: Laskun kopio 4711"
    assert mail.parsed().get_content().strip() == "Lasku 4711 on liitteenä."
    assert mail.login is None


def test_smtp_with_an_account_insists_on_the_right_login(make_smtp_server: SmtpFactory) -> None:
    server = make_smtp_server(username="aspa", password="s4lasana")
    with smtplib.SMTP(server.host, server.port, timeout=10) as client:
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            client.send_message(_reply("ilman kirjautumista"))
        assert refused.value.smtp_code == 530
        with pytest.raises(smtplib.SMTPAuthenticationError):
            client.login("aspa", "vaara")
        client.login("aspa", "s4lasana")
        client.send_message(_reply("kirjautuneena"))

    [mail] = server.messages
    assert (mail.login, mail.parsed()["Subject"]) == ("aspa", "kirjautuneena")


def test_smtp_refuses_with_the_configured_codes_then_accepts(smtp_server: SmtpServer) -> None:
    smtp_server.refuse(451, times=1)
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=10) as client:
        with pytest.raises(smtplib.SMTPDataError) as temporary:
            client.send_message(_reply("yritys 1"))
        assert temporary.value.smtp_code == 451
        client.send_message(_reply("yritys 2"))

        smtp_server.refuse(550, stage="RCPT")
        with pytest.raises(smtplib.SMTPRecipientsRefused) as permanent:
            client.send_message(_reply("yritys 3"))
        assert permanent.value.recipients["liisa@example.fi"][0] == 550

    assert [m.parsed()["Subject"] for m in smtp_server.messages] == ["yritys 2"]
    assert smtp_server.refused == [("DATA", 451), ("RCPT", 550)]
    assert smtp_server.attempts == 3


def test_smtp_stopped_refuses_connections_then_accepts_again(smtp_server: SmtpServer) -> None:
    smtp_server.stop()
    assert not accepts_connections(smtp_server.host, smtp_server.port)

    smtp_server.start()
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=10) as client:
        client.send_message(_reply("takaisin"))
    assert len(smtp_server.messages) == 1


# --- PostgreSQL --------------------------------------------------------------------------


@pytest.mark.postgres
def test_postgres_gives_a_fresh_empty_database(postgres_db: PostgresDatabase) -> None:
    assert postgres_db.url == f"postgresql://postgres@127.0.0.1:5432/{postgres_db.dbname}"
    conn = postgres_db.connect()
    try:
        with conn, conn.cursor() as cur:
            cur.execute(
                "SELECT current_database(), count(*) FROM pg_tables WHERE schemaname = 'public'"
            )
            assert cur.fetchone() == (postgres_db.dbname, 0)
            cur.execute("CREATE TABLE ticket (id serial PRIMARY KEY, subject text NOT NULL)")
            cur.execute("INSERT INTO ticket (subject) VALUES (%s), (%s)", ("Lasku", "Vika"))
            cur.execute("SELECT subject FROM ticket ORDER BY id")
            assert cur.fetchall() == [("Lasku",), ("Vika",)]
    finally:
        conn.close()


@pytest.mark.postgres
def test_postgres_drops_the_database_even_with_a_session_open(
    postgres_server: PostgresServer,
) -> None:
    database = postgres_server.create_database()
    left_open = database.connect()
    postgres_server.drop_database(database)

    admin = PostgresDatabase(database.host, database.port, database.user, "postgres").connect()
    try:
        with admin.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database.dbname,))
            assert cur.fetchone() is None
    finally:
        admin.close()
        left_open.close()


def test_postgres_unreachable_skips_with_the_reason() -> None:
    port = free_port()
    with pytest.raises(pytest.skip.Exception, match=rf"not reachable at 127\.0\.0\.1:{port}: .+"):
        PostgresServer(port=port).check_reachable()
