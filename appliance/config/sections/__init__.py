"""The sections of aspa.toml, one file each, declared beside nothing that does I/O."""
