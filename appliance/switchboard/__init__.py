"""The switchboard: the one owner of agents' presence and the work queue."""
