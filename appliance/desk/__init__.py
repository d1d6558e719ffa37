"""Agents' desks: button gestures, effective states and desk units over MQTT."""
