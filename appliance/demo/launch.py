"""`aspa demo`: the whole daemon on a temporary data directory with every simulated source.

No hardware, no server, no internet: a throwaway store with demo people and
work, the web page, and the simulators that exist. It prints the URL and a
login; with a duration it stops by itself (for scripts), else on Ctrl-C.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import socket
import sys
import tempfile
from pathlib import Path

from appliance.config.aspa_toml import Config, config_from_mapping
from appliance.config.service_terms import business_calendar, sla_policy
from appliance.demo.people import DemoLogin, seed_demo_store
from appliance.runtime.daemon import EXIT_OK, Daemon, serve
from appliance.runtime.log_level import use_log_level
from appliance.runtime.shutdown import ShutdownRequest
from appliance.spine.clock import Clock, SystemClock

log = logging.getLogger("aspa.demo")

DEMO_MODEM_MODEL = "sim7600"
HEARD_FILE = Path(tempfile.gettempdir()) / "aspa-demo-callers-heard.wav"  # kept after the demo


def _port_is_free(host: str, port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


# The demo office: two agents with (simulated) mobiles in one ring group, open round the
# clock so that whenever the demo runs, calls ring agents instead of meeting closed hours.
DEMO_OFFICE = {
    "agents": [
        {"login": "anna", "name": "Anna Agent", "phone": "+358405550901", "teams": ["support"]},
        {"login": "bengt", "name": "Bengt Agent", "phone": "+358405550902", "teams": ["support"]},
    ],
    "ring_groups": [{"name": "support", "members": ["anna", "bengt"], "strategy": "ringall",
                     "ring_timeout": 10}],
    "business_hours": {"weekly": {day: ["00:00-24:00"]
                                  for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}},
}


@dataclasses.dataclass(frozen=True)
class DemoSetup:
    """The demo's configuration, and why its web page moved off the port asked for."""

    config: Config
    moved: str = ""


def demo_config(data_dir: Path, base: Config | None = None, *, host: str | None = None,
                port: int | None = None) -> DemoSetup:
    """A configuration on `data_dir`: the web page of `base` (or 127.0.0.1:8080), no hardware.

    A `base` that names no agents and no ring groups (say, only [web]) keeps the demo's
    office. A taken port moves the page to a free one, and `moved` says why.
    """
    office = config_from_mapping(DEMO_OFFICE, data_dir)
    config = base or office
    if not (config.agents or config.ring_groups):
        config = dataclasses.replace(config, agents=office.agents,
                                     ring_groups=office.ring_groups,
                                     business_hours=office.business_hours)
    web = dataclasses.replace(config.web, host=host if host is not None else config.web.host,
                              port=port if port is not None else config.web.port)
    moved = ""
    if web.port and not _port_is_free(web.host, web.port):
        moved = (f"port {web.port} on {web.host} is taken (another program, or another demo, "
                 f"listens there), so the page is on the free port above; choose one with "
                 f"--port")
        web = dataclasses.replace(web, port=0)  # any free port; the real one is printed
    return DemoSetup(dataclasses.replace(
        config,
        data_dir=str(data_dir),
        database=dataclasses.replace(config.database, url="", url_file=""),
        web=dataclasses.replace(web, enabled=True),
        gsm=dataclasses.replace(config.gsm, enabled=False, modems=[]),
        mail=dataclasses.replace(config.mail, mailboxes=[]),
        mqtt=dataclasses.replace(config.mqtt, enabled=False),
    ), moved)


def _announce(daemon: Daemon, login: DemoLogin, data_dir: Path, duration: float | None,
              moved: str = "") -> None:
    web = next((a for a in daemon.supervisor.adapters if a.name == "web"), None)
    url = getattr(web, "url", "(the web page did not start)")

    parts = ", ".join(a.name for a in daemon.supervisor.adapters if a.name != "web")
    ending = f"  Moved:    {moved}\n" if moved else ""
    ending += f"Parts running: {parts}.\n"
    ending += f"Stops by itself after {duration:g} s." if duration else "Stop it with Ctrl-C."
    ending += f"\nWhat the demo's callers heard is saved to {HEARD_FILE} when it stops."
    print(
        f"Aspa demo is running (data in {data_dir}, removed when it stops).\n"
        f"  Web page: {url}\n"
        f"  Login:    {login.login}\n"
        f"  Password: {login.password}\n"
        f"{ending}",
        flush=True,
    )


def seed_demo(config: Config, clock: Clock) -> DemoLogin:
    """The demo's people and tickets in its store, the tickets due by the SLA targets and
    hours the demo's daemon runs on (a configuration given to the demo may set its own)."""
    return seed_demo_store(config.database_url, clock, policy=sla_policy(config),
                           calendar=business_calendar(config))


def run_demo(config: Config | None = None, duration: float | None = None, *,
             host: str | None = None, port: int | None = None) -> int:
    """Run the demo; 0 after a clean stop (timer, Ctrl-C or SIGTERM)."""
    if duration is not None and duration <= 0:
        raise ValueError("duration must be more than 0 seconds")
    if config is not None:
        use_log_level(config.log.level)
    with tempfile.TemporaryDirectory(prefix="aspa-demo-") as tmp:
        data_dir = Path(tmp)
        setup = demo_config(data_dir, config, host=host, port=port)
        clock = SystemClock()
        login = seed_demo(setup.config, clock)
        code = asyncio.run(_serve_demo(setup.config, login, duration, setup.moved))
    if code == EXIT_OK:
        print("Aspa demo stopped.", flush=True)
    else:
        print("Aspa demo could not start.", file=sys.stderr, flush=True)
    return code


async def _serve_demo(config: Config, login: DemoLogin, duration: float | None,
                      moved: str = "") -> int:
    from appliance.config.sections.gsm_modems import ModemSettings
    from appliance.demo.traffic import DemoTraffic
    from appliance.gsm.simulator import create_simulator

    modem = create_simulator(DEMO_MODEM_MODEL, config.data_path, "modem")
    device = await modem.start()
    # its voice port too: the demo callers hear the box (place in the queue, music, menu)
    line = ModemSettings(name="gsm0", device=device, model=DEMO_MODEM_MODEL,
                         voice_device=modem.voice_path)
    config = dataclasses.replace(
        config, gsm=dataclasses.replace(config.gsm, enabled=True, modems=[line]))
    from appliance.demo.desks import demo_desk_adapter, with_demo_desks

    config, pins, broker = await with_demo_desks(config, config.data_path)
    desks = demo_desk_adapter(config, pins, broker)
    from appliance.demo.mailbox import DemoMailbox

    mail = DemoMailbox()
    traffic = DemoTraffic(modem, heard_file=HEARD_FILE)
    daemon = Daemon(config, adapters=[traffic, desks, mail])
    desks.attach(daemon.bus)
    mail.attach(daemon)
    shutdown = ShutdownRequest()

    def started(running: Daemon) -> None:
        _announce(running, login, config.data_path, duration, moved)
        if duration is not None:
            asyncio.get_running_loop().call_later(
                duration, shutdown.request, f"demo ran its {duration:g} s")

    try:
        return await serve(daemon, shutdown=shutdown, on_started=started)
    finally:
        await modem.stop()
        if broker is not None:
            await broker.stop()
