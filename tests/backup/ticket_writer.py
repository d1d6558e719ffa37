"""A process that writes tickets through the store API and prints each id once it is committed.

`python -m tests.backup.ticket_writer DATABASE [COUNT]`: the line `ack <id>` is printed
only after the ticket's transaction committed, so a test knows exactly which rows
were acknowledged. It stops after COUNT tickets (0: until it is killed).
"""

from __future__ import annotations

import sys

from appliance.spine.clock import SystemClock
from appliance.store.startup import open_store
from appliance.store.ticket_records import TicketRecords


def main(argv: list[str]) -> int:
    """Write tickets until told to stop."""
    database, count = argv[0], int(argv[1]) if len(argv) > 1 else 0
    db = open_store(database)
    records = TicketRecords(db, SystemClock())
    print("ready", flush=True)
    written = 0
    while count == 0 or written < count:
        ticket = records.open_ticket("email", f"written {written}").ticket
        written += 1
        print(f"ack {ticket.id}", flush=True)
    db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
