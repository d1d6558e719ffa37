"""The functions behind `aspa mail import` and `aspa mail replay`, on a configured data dir."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from appliance.config.aspa_toml import Config, config_from_mapping
from appliance.mail.cli_commands import import_command, replay_command
from appliance.mail.errors import ReplayError
from appliance.store.models import database_proxy
from tests.mail.conftest import CORPUS


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return config_from_mapping({"data_dir": str(tmp_path / "data")}, tmp_path)


def test_import_prints_progress_and_summary_then_replay_reports(config: Config) -> None:
    config.data_path.mkdir(parents=True)
    out = io.StringIO()
    assert import_command(config, CORPUS, out) == 0
    lines = out.getvalue().splitlines()
    assert lines[-2] == "31/31"
    # Without ticket #1001 in the store the corpus's replies start tickets of their own, and
    # its auto-replies and bounces are kept aside. The two mails sharing a Message-ID differ
    # in content: both are kept.
    assert lines[-1] == ("31 mails: 22 new tickets, 0 added to tickets, 9 quarantined, "
                         "0 already imported")
    out = io.StringIO()
    replay_command(config, 1, out)
    assert out.getvalue().startswith("quarantined mail #1 still cannot be taken in:")
    with pytest.raises(ReplayError):
        replay_command(config, 999)
    database_proxy.initialize(None)
