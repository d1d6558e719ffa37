"""Run the aspa command line with `python -m appliance`."""

from appliance.cli import main

raise SystemExit(main())
