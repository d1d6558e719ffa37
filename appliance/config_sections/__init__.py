"""The sections of aspa.toml that belong to no single package, one file each."""
