"""The LAN web page: login, the work queue and figures, served by `aspa run`."""
