"""PostgreSQL stores are backed up with pg_dump and restored with pg_restore.

pg_dump takes its snapshot in one transaction (a consistent copy while the
daemon writes). The password travels in PGPASSWORD, never on the command
line where `ps` would show it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from appliance.backup.errors import BackupError
from appliance.store.database_url import redact_url

DUMP_TIMEOUT_S = 3600
MISSING_TOOL = ("{tool} is not installed: install the Debian package postgresql-client "
                "(the same major version as the server or newer)")


def dump_postgres(url: str, dump_file: Path) -> None:
    """pg_dump --format=custom of the database at `url` into `dump_file`."""
    _run("pg_dump", ["--format=custom", "--no-owner", f"--file={dump_file}"], url)


def restore_postgres(url: str, dump_file: Path) -> None:
    """Replace the database's objects with those of `dump_file` (pg_restore --clean)."""
    _run("pg_restore", ["--clean", "--if-exists", "--no-owner", "--single-transaction",
                        "--exit-on-error", str(dump_file)], url, database_flag="--dbname")


def _run(tool: str, arguments: list[str], url: str, *, database_flag: str = "--dbname") -> None:
    program = shutil.which(tool)
    if program is None:
        raise BackupError(MISSING_TOOL.format(tool=tool))
    bare_url, password = _split_password(url)
    env = dict(os.environ)
    if password:
        env["PGPASSWORD"] = password
    result = subprocess.run([program, *arguments, f"{database_flag}={bare_url}"],
                            env=env, capture_output=True, text=True, timeout=DUMP_TIMEOUT_S,
                            check=False)
    if result.returncode != 0:
        detail = result.stderr.strip().replace(password, "***") if password else \
            result.stderr.strip()
        raise BackupError(f"{tool} failed for {redact_url(url)}: {detail}")


def _split_password(url: str) -> tuple[str, str]:
    """The URL without its password, and the password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url, ""
    user = parts.username or ""
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 address goes back in brackets (RFC 3986 §3.2.2)
        host = f"[{host}]"
    if parts.port:
        host = f"{host}:{parts.port}"
    netloc = f"{user}@{host}" if user else host
    return urlunsplit(parts._replace(netloc=netloc)), unquote(parts.password)
