"""The subcommands of `aspa`, one file each; `appliance.cli` parses and dispatches."""
