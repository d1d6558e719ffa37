"""Desk tests: a running daemon; brokers come from tests/peers/mosquitto.py."""

from tests.desk.box_daemon import box_daemon

__all__ = ["box_daemon"]
