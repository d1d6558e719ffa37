"""Schema versions: ordered steps, recorded as `schema_version` in the Meta table.

To change the schema: add `vN_<what>.py` with an `apply(db)` that works from
frozen table definitions of its own (never the live models) and
playhouse.migrate operations, list it in `steps.STEPS`, and change the live
models to match. tests/store/test_migrations.py fails when a live model and
the migrated schema disagree. Released steps are never edited.
"""

from appliance.store.migrations.runner import (
    ensure_current,
    read_schema_version,
    upgrade,
)
from appliance.store.migrations.steps import LATEST_VERSION, STEPS

__all__ = ["LATEST_VERSION", "STEPS", "ensure_current", "read_schema_version", "upgrade"]
