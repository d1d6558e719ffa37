"""aspa.toml: every section, checked key by key, and the terms built from it."""
