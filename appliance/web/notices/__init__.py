"""The agent's own page: how notices reach them, and what they were told lately."""
