"""The page's frame: the app's shared parts, login, sessions, language, live updates."""
